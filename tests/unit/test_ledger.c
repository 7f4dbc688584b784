/* ledger: unique ids counted, and listings noted against Flickr's counts. */
#include <stdio.h>

#include "unit.h"

#include "ledger.h"

static void test_id_set_counts_each_id_once(void **state)
{
	struct id_set s = ID_SET_INIT;
	char ids[3000][8];

	(void)state;
	assert_null(id_set_find(&s, "1"));
	/* enough to grow the table a few times */
	for (int i = 0; i < 3000; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%d", i);
		assert_int_equal(id_set_add(&s, ids[i]), 1);
	}
	for (int i = 0; i < 3000; i += 7) {
		char again[8];

		snprintf(again, sizeof(again), "%d", i);
		assert_int_equal(id_set_add(&s, again), 0);
		assert_ptr_equal(id_set_find(&s, again), ids[i]); /* the first one added */
	}
	assert_int_equal(s.n, 3000);
	assert_null(id_set_find(&s, "3000"));
	assert_null(id_set_find(&s, NULL));
	id_set_release(&s);
	assert_int_equal(s.n, 0);
}

static void test_ledger_counts_what_is_short(void **state)
{
	struct ledger l;
	json_t *entry;

	(void)state;
	assert_int_equal(ledger_init(&l), 0);
	assert_int_equal(ledger_note(&l, "photostream", 123, 123, LEDGER_SAFESEARCH_HINT, NULL), 0);
	assert_int_equal(ledger_note(&l, "favorites", 60, 58, "SafeSearch",
				     ut_json("{\"missing\":[\"5\",\"7\"]}")), 0);
	assert_int_equal(ledger_note(&l, "albums", 3, 4, NULL, NULL), 0); /* more than counted */
	assert_int_equal(l.incomplete, 1);
	assert_null(json_object_get(ledger_find(&l, "photostream"), "hint")); /* complete */
	entry = ledger_find(&l, "favorites");
	assert_non_null(entry);
	assert_false(jflag(entry, "complete", true));
	assert_int_equal(json_array_size(json_object_get(entry, "missing")), 2);
	assert_string_equal(jstr(entry, "hint"), "SafeSearch");
	assert_true(jflag(ledger_find(&l, "albums"), "complete", false));
	assert_null(ledger_find(&l, "album members"));
	/* the two missing favorites came from elsewhere */
	assert_int_equal(ledger_set_got(&l, entry, 60), 0);
	assert_int_equal(l.incomplete, 0);
	assert_true(jflag(entry, "complete", false));
	assert_int_equal(ledger_set_got(&l, entry, 59), 0);
	assert_int_equal(l.incomplete, 1);
	assert_string_equal(jstr(json_array_get(l.entries, 0), "listing"), "photostream");
	ledger_release(&l);
	ledger_release(&l); /* twice is harmless */
}

static void test_an_item_from_elsewhere_fills_its_gap(void **state)
{
	struct ledger l;
	json_t *entry;

	(void)state;
	assert_int_equal(ledger_init(&l), 0);
	assert_int_equal(ledger_note(&l, "photostream", 10, 8, NULL,
				     ut_json("{\"gaps\":[{\"from_unix\":100,\"to_unix\":200,"
					     "\"expected\":3,\"got\":2},{\"from_unix\":500,"
					     "\"to_unix\":900,\"expected\":4,\"got\":3}]}")), 0);
	entry = ledger_find(&l, "photostream");
	assert_int_equal(ledger_fill_gap(&l, "photostream", 300), 0); /* in no gap */
	assert_int_equal(ledger_fill_gap(&l, "photostream", -1), 0);   /* no date */
	assert_int_equal(jint_or(entry, "got", 0), 8);
	assert_int_equal(ledger_fill_gap(&l, "photostream", 150), 0);
	assert_int_equal(ledger_fill_gap(&l, "photostream", 150), 0); /* that gap is full */
	assert_int_equal(jint_or(entry, "got", 0), 9);
	assert_int_equal(ledger_fill_gap(&l, "photostream", 900), 0);
	assert_int_equal(jint_or(entry, "got", 0), 10);
	assert_true(jflag(entry, "complete", false));
	assert_int_equal(l.incomplete, 0);
	assert_int_equal(ledger_fill_gap(&l, "favorites", 150), 0); /* no such listing */
	ledger_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_item_from_elsewhere_fills_its_gap),
		cmocka_unit_test(test_id_set_counts_each_id_once),
		cmocka_unit_test(test_ledger_counts_what_is_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
