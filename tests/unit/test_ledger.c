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
	assert_int_equal(ledger_note(&l, "photostream", 123, 123, NULL), 0);
	assert_int_equal(ledger_note(&l, "favorites", 60, 58,
				     ut_json("{\"missing\":[\"5\",\"7\"],\"hint\":\"SafeSearch\"}")), 0);
	assert_int_equal(ledger_note(&l, "albums", 3, 4, NULL), 0); /* more than counted */
	assert_int_equal(l.incomplete, 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_set_counts_each_id_once),
		cmocka_unit_test(test_ledger_counts_what_is_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
