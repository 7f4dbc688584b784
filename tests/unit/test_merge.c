/*
 * test_merge.c: what Flickr dropped stays in the archive: removed comments
 * and faves, blanked fields, edited titles, the upstream mark.
 */
#include "unit.h"

#include "merge.h"

#define T0 1700000000
#define T1 1700086400

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);

	assert_non_null(v);
	return v;
}

static const json_t *by_id(const json_t *list, const char *key, const char *id)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(list, i), key)), id))
			return json_array_get(list, i);
	return NULL;
}

static void test_removed_comment_is_kept_and_marked(void **state)
{
	json_t *old = parse("[{\"id\":\"1\",\"date_created\":\"100\",\"text\":\"a\"},"
			    " {\"id\":\"2\",\"date_created\":\"200\",\"text\":\"b\"},"
			    " {\"id\":\"3\",\"date_created\":\"300\",\"text\":\"c\"}]");
	json_t *fresh = parse("[{\"id\":\"1\",\"date_created\":\"100\",\"text\":\"a\"},"
			      " {\"id\":\"3\",\"date_created\":\"300\",\"text\":\"c\"},"
			      " {\"id\":\"4\",\"date_created\":\"400\",\"text\":\"d\"}]");
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);
	const json_t *two;

	(void)state;
	assert_int_equal(json_array_size(m), 4);
	/* chronological, the removed one back in its place */
	for (size_t i = 0; i < 4; i++) {
		char id[2] = { (char)('1' + i), 0 };

		assert_string_equal(jstr(json_array_get(m, i), "id"), id);
	}
	two = by_id(m, "id", "2");
	assert_true(jflag(two, "removed", false));
	assert_int_equal(jint_or(two, "last_seen", 0), T0);
	assert_string_equal(jstr(two, "last_seen_formatted"), "2023-11-14T22:13:20Z");
	assert_string_equal(jstr(two, "text"), "b");
	assert_false(jflag(by_id(m, "id", "4"), "removed", false));
	assert_int_equal(merge_count_present(m), 3);
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
}

static void test_merging_again_keeps_the_first_mark(void **state)
{
	json_t *old = parse("[{\"id\":\"2\",\"date_created\":\"200\",\"removed\":true,"
			    "\"last_seen\":5,\"last_seen_formatted\":\"x\"}]");
	json_t *fresh = json_array();
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);

	(void)state;
	assert_int_equal(json_array_size(m), 1);
	assert_int_equal(jint_or(json_array_get(m, 0), "last_seen", 0), 5);
	assert_true(json_equal(m, old));
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
}

static void test_a_comment_that_returns_loses_its_mark(void **state)
{
	json_t *old = parse("[{\"id\":\"2\",\"removed\":true,\"last_seen\":5}]");
	json_t *fresh = parse("[{\"id\":\"2\",\"text\":\"b\"}]");
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);

	(void)state;
	assert_null(json_object_get(json_array_get(m, 0), "removed"));
	assert_null(json_object_get(json_array_get(m, 0), "last_seen"));
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
}

static void test_closed_account_keeps_the_name_it_had(void **state)
{
	json_t *old = parse("[{\"id\":\"1\",\"author\":\"9@N01\",\"realname\":\"Grandma Rose\","
			    "\"author_is_deleted\":false,\"text\":\"Lovely\"}]");
	json_t *fresh = parse("[{\"id\":\"1\",\"author\":\"9@N01\",\"realname\":null,"
			      "\"author_is_deleted\":true,\"text\":\"Lovely\"}]");
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);
	const json_t *c = json_array_get(m, 0);

	(void)state;
	assert_string_equal(jstr(c, "realname"), "Grandma Rose");
	assert_true(jflag(c, "author_is_deleted", false));
	assert_null(json_object_get(c, "history"));
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
}

static void test_edited_comment_keeps_its_earlier_text(void **state)
{
	json_t *old = parse("[{\"id\":\"1\",\"text\":\"first\"}]");
	json_t *fresh = parse("[{\"id\":\"1\",\"text\":\"second\"}]");
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);
	json_t *again = merge_list(m, fresh, &MERGE_COMMENTS, T0, T1 + 1);
	const json_t *h = json_object_get(json_array_get(m, 0), "history");

	(void)state;
	assert_string_equal(jstr(json_array_get(m, 0), "text"), "second");
	assert_int_equal(json_array_size(h), 1);
	assert_string_equal(jstr(json_array_get(h, 0), "field"), "text");
	assert_string_equal(jstr(json_array_get(h, 0), "value"), "first");
	assert_int_equal(jint_or(json_array_get(h, 0), "replaced_at", 0), T1);
	/* unchanged on the next merge: history is carried, not repeated */
	assert_true(json_equal(again, m));
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
	json_decref(again);
}

static void test_withdrawn_fave_sorted_newest_first(void **state)
{
	json_t *old = parse("[{\"nsid\":\"a\",\"favedate\":\"300\"},{\"nsid\":\"b\",\"favedate\":\"200\"},"
			    " {\"nsid\":\"c\",\"favedate\":\"100\"}]");
	json_t *fresh = parse("[{\"nsid\":\"a\",\"favedate\":\"300\"},{\"nsid\":\"c\",\"favedate\":\"100\"}]");
	json_t *m = merge_list(old, fresh, &MERGE_FAVES, T0, T1);

	(void)state;
	assert_int_equal(json_array_size(m), 3);
	assert_string_equal(jstr(json_array_get(m, 1), "nsid"), "b");
	assert_true(jflag(json_array_get(m, 1), "removed", false));
	json_decref(old);
	json_decref(fresh);
	json_decref(m);
}

static void test_nothing_removed_keeps_flickr_order(void **state)
{
	json_t *fresh = parse("[{\"nsid\":\"a\",\"favedate\":\"1\"},{\"nsid\":\"b\",\"favedate\":\"9\"}]");
	json_t *m = merge_list(NULL, fresh, &MERGE_FAVES, T0, T1);

	(void)state;
	assert_true(json_equal(m, fresh));
	json_decref(fresh);
	json_decref(m);
}

static void test_hostile_lists_do_not_crash(void **state)
{
	json_t *old = parse("[1, \"x\", null, {\"id\":5}, {\"text\":\"no id\"}]");
	json_t *fresh = parse("[{\"id\":[1]}, 7]");
	json_t *m = merge_list(old, fresh, &MERGE_COMMENTS, T0, T1);

	(void)state;
	assert_non_null(m);
	json_decref(m);
	m = merge_list(fresh, old, &MERGE_COMMENTS, T0, T1);
	assert_non_null(m);
	json_decref(m);
	json_decref(old);
	json_decref(fresh);
}

static void test_entries_without_id_do_not_pile_up(void **state)
{
	json_t *fresh = parse("[{\"nsid\":null,\"favedate\":\"5\"},{\"nsid\":\"a\"}]");
	json_t *once = merge_list(NULL, fresh, &MERGE_FAVES, T0, T1);
	json_t *twice = merge_list(once, fresh, &MERGE_FAVES, T0, T1);

	(void)state;
	assert_int_equal(json_array_size(twice), 2);
	assert_int_equal(merge_count_present(twice), 2);
	json_decref(fresh);
	json_decref(once);
	json_decref(twice);
}

static void test_edited_title_goes_to_history(void **state)
{
	json_t *old = parse("{\"id\":\"7\",\"title\":\"Grandpa\",\"tags\":[\"a\"],\"views\":3,"
			    "\"seed_only\":\"kept\",\"upstream\":{\"status\":\"deleted\"}}");
	json_t *fresh = parse("{\"id\":\"7\",\"title\":\"Grandpa Joe, 1962\",\"tags\":[\"a\"],"
			      "\"views\":9}");
	const json_t *h;

	(void)state;
	assert_int_equal(merge_metadata(fresh, old, T1), 0);
	h = json_object_get(fresh, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(jstr(json_array_get(h, 0), "field"), "title");
	assert_string_equal(jstr(json_array_get(h, 0), "value"), "Grandpa");
	assert_string_equal(jstr(json_array_get(h, 0), "replaced_at_formatted"),
			    "2023-11-15T22:13:20Z");
	assert_string_equal(jstr(json_array_get(h, 1), "field"), "upstream");
	assert_string_equal(jstr(fresh, "seed_only"), "kept");
	assert_null(json_object_get(fresh, "upstream"));
	assert_int_equal(jint_or(fresh, "views", 0), 9);
	json_decref(old);
	json_decref(fresh);
}

static void test_history_accumulates(void **state)
{
	json_t *v1 = parse("{\"title\":\"one\"}");
	json_t *v2 = parse("{\"title\":\"two\"}");
	json_t *v3 = parse("{\"title\":\"three\"}");
	const json_t *h;

	(void)state;
	assert_int_equal(merge_metadata(v2, v1, T0), 0);
	assert_int_equal(merge_metadata(v3, v2, T1), 0);
	h = json_object_get(v3, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(jstr(json_array_get(h, 0), "value"), "one");
	assert_string_equal(jstr(json_array_get(h, 1), "value"), "two");
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
}

static void test_any_edited_field_is_kept_but_counters_are_not(void **state)
{
	json_t *old = parse("{\"owner\":{\"realname\":\"Ann Lee\"},\"views\":3,"
			    "\"last_update\":\"100\",\"last_update_formatted\":\"x\","
			    "\"original_format\":\"jpg\"}");
	json_t *fresh = parse("{\"owner\":{\"realname\":\"\"},\"views\":9,"
			      "\"last_update\":\"200\",\"last_update_formatted\":\"y\","
			      "\"original_format\":\"png\"}");
	const json_t *h;

	(void)state;
	assert_int_equal(merge_metadata(fresh, old, T1), 0);
	h = json_object_get(fresh, "history");
	assert_int_equal(json_array_size(h), 2);
	assert_string_equal(jstr(json_array_get(h, 0), "field"), "owner");
	assert_string_equal(jstr(jobj(json_array_get(h, 0), "value"), "realname"), "Ann Lee");
	assert_string_equal(jstr(json_array_get(h, 1), "field"), "original_format");
	json_decref(old);
	json_decref(fresh);
}

static void test_upstream_mark(void **state)
{
	json_t *m = parse("{\"id\":\"7\"}");
	const json_t *u;

	(void)state;
	assert_int_equal(merge_mark_upstream(m, "deleted", "Photo not found", T0, T1), 0);
	u = json_object_get(m, "upstream");
	assert_string_equal(jstr(u, "status"), "deleted");
	assert_int_equal(jint_or(u, "last_seen", 0), T0);
	assert_int_equal(jint_or(u, "detected_at", 0), T1);
	assert_string_equal(jstr(u, "detail"), "Photo not found");
	json_decref(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removed_comment_is_kept_and_marked),
		cmocka_unit_test(test_merging_again_keeps_the_first_mark),
		cmocka_unit_test(test_a_comment_that_returns_loses_its_mark),
		cmocka_unit_test(test_closed_account_keeps_the_name_it_had),
		cmocka_unit_test(test_edited_comment_keeps_its_earlier_text),
		cmocka_unit_test(test_withdrawn_fave_sorted_newest_first),
		cmocka_unit_test(test_nothing_removed_keeps_flickr_order),
		cmocka_unit_test(test_hostile_lists_do_not_crash),
		cmocka_unit_test(test_entries_without_id_do_not_pile_up),
		cmocka_unit_test(test_edited_title_goes_to_history),
		cmocka_unit_test(test_history_accumulates),
		cmocka_unit_test(test_any_edited_field_is_kept_but_counters_are_not),
		cmocka_unit_test(test_upstream_mark),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
