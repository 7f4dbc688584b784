/*
 * test_photo_update.c: whether the listing shows an archived item unchanged
 * (compared with metadata.json "listed", or, in archives from before it, with
 * the values fetched), and what "listed" keeps.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "unit.h"

#include "fsutil.h"
#include "photo_internal.h"
#include "photo_update.h"

struct run {
	const char *meta;    /* metadata.json of my_photos/100 */
	const char *listing; /* the listing's entry */
	int r;               /* 1: current, 0: to be archived again */
	int changed;         /* metadata.json rewritten */
};

#define LISTED "\"listed\": {\"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\"}"
#define FETCHED "\"last_update\": 5, \"count_comments\": 2, \"count_faves\": 1"

static const struct run runs[] = {
	/* "listed": compared as the listing gave it */
	{ "{" LISTED ", \"albums\": [], \"views\": 3}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\", "
	  "\"views\": \"3\"}", 1, 0 },
	{ "{" LISTED ", \"albums\": [], \"views\": 3}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"2\"}",
	  0, 0 },
	{ "{" LISTED ", \"albums\": [], \"views\": 3}",
	  "{\"id\": \"100\", \"lastupdate\": \"6\", \"count_comments\": \"2\", \"count_faves\": \"1\"}",
	  0, 0 },
	{ "{" LISTED ", \"albums\": []}", /* a field the listing lacks decides nothing */
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\"}", 1, 0 },
	{ "{" LISTED ", \"albums\": [], \"views\": 3}", /* only the views moved */
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\", "
	  "\"views\": \"9\"}", 1, 1 },
	{ "{" LISTED ", \"albums\": [], \"synced\": {\"missing\": {\"exif\": \"refused\"}}}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\"}",
	  0, 0 },
	/* before "listed": the values fetched */
	{ "{" FETCHED ", \"albums\": []}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\"}",
	  1, 0 },
	{ "{" FETCHED ", \"albums\": []}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"3\", \"count_faves\": \"1\"}",
	  0, 0 },
	{ "{" FETCHED ", \"albums\": []}",
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"4\"}",
	  0, 0 },
	{ "{" FETCHED ", \"albums\": []}",
	  "{\"id\": \"100\", \"lastupdate\": \"7\", \"count_comments\": \"2\", \"count_faves\": \"1\"}",
	  0, 0 },
	{ "{" FETCHED ", \"albums\": []}", /* without lastupdate the counts decide alone */
	  "{\"id\": \"100\", \"count_comments\": \"2\", \"count_faves\": \"1\"}", 1, 0 },
	{ "{\"last_update\": 5, \"count_comments\": 2, \"albums\": []}", /* a count never fetched */
	  "{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", \"count_faves\": \"1\"}",
	  0, 0 },
	{ NULL, NULL, 0, 0 },
};

static void test_update_local(void **state)
{
	char *root = ut_join(*state, "archive");
	struct store s = { NULL };
	struct photo_ctx ctx = { .store = &s, .now = 1700000000 };
	struct err e = { 0 };

	assert_int_equal(store_open(&s, root, &e), 0);
	for (const struct run *run = runs; run->meta; run++) {
		char *dir = ut_join(root, "my_photos/100");
		char *path = ut_join(dir, "metadata.json");
		json_t *listing = ut_json(run->listing), *albums = json_array(), *meta;
		int changed = -1;

		assert_int_equal(fs_mkdirs(dir, 0755, &e), 0);
		ut_write_str(path, run->meta);
		assert_int_equal(photo_update_local(&ctx, STORE_MY, listing, albums, &changed, &e),
				 run->r);
		assert_int_equal(changed, run->changed);
		if (run->changed) {
			char *text = ut_read_file(path, NULL);

			meta = ut_json(text);
			assert_int_equal(jint_or(meta, "views", -1), 9);
			json_decref(meta);
			free(text);
		}
		json_decref(listing);
		json_decref(albums);
		free(path);
		free(dir);
	}
	store_release(&s);
	free(root);
}

/*
 * photo_set_meta_field() builds only on an undamaged metadata.json: one that
 * changed since its manifest is refused and left as it is.
 */
static void test_set_meta_field_refuses_damaged_meta(void **state)
{
	char *root = ut_join(*state, "archive");
	char *dir = ut_join(root, "my_photos/100");
	char *path = ut_join(dir, "metadata.json");
	struct store s = { NULL };
	struct photo_ctx ctx = { .store = &s, .now = 1700000000 };
	json_t *groups = ut_json("[{\"nsid\": \"34427469792@N01\"}]");
	json_t *other = ut_json("[{\"nsid\": \"52241313@N00\"}]");
	struct err e = { 0 };
	struct timespec later[2] = { { 2000000000, 0 }, { 2000000000, 0 } };
	char *text;

	assert_int_equal(store_open(&s, root, &e), 0);
	assert_int_equal(fs_mkdirs(dir, 0755, &e), 0);
	ut_write_str(path, "{\"id\": \"100\", \"title\": \"Bridge\"}");
	assert_int_equal(store_mark_complete(&s, STORE_MY, "100", NULL, &e), 0);
	/* whole: set, then the same again writes nothing */
	assert_int_equal(photo_set_meta_field(&ctx, STORE_MY, "100", "groups", groups, &e), 1);
	assert_int_equal(photo_set_meta_field(&ctx, STORE_MY, "100", "groups", groups, &e), 0);
	/* damaged behind the tool's back: refused, not rewritten */
	ut_write_str(path, "{\"id\": \"100\", \"title\": \"Brid\"}");
	assert_int_equal(utimensat(AT_FDCWD, path, later, 0), 0);
	assert_int_equal(photo_set_meta_field(&ctx, STORE_MY, "100", "groups", other, &e),
			 FA_EPARSE);
	assert_non_null(strstr(e.msg, "my_photos/100/metadata.json' is damaged"));
	text = ut_read_file(path, NULL);
	assert_string_equal(text, "{\"id\": \"100\", \"title\": \"Brid\"}");
	free(text);
	json_decref(groups);
	json_decref(other);
	store_release(&s);
	free(path);
	free(dir);
	free(root);
}

/* "listed" leaves out a count fewer came with than it says: the next run asks again. */
static void test_listed_snapshot(void **state)
{
	json_t *listing = ut_json("{\"id\": \"100\", \"lastupdate\": \"5\", \"count_comments\": \"2\", "
				  "\"count_faves\": \"3\", \"views\": \"9\"}");
	struct photo_result res = { 0 };
	json_t *seen;

	(void)state;
	seen = photo_listed_snapshot(listing, &res);
	assert_int_equal(json_object_size(seen), 3);
	assert_string_equal(jstr(seen, "count_faves"), "3");
	json_decref(seen);
	res.comments.expected = 2;
	res.comments.got = 1;
	seen = photo_listed_snapshot(listing, &res);
	assert_null(json_object_get(seen, "count_comments"));
	assert_string_equal(jstr(seen, "lastupdate"), "5");
	assert_string_equal(jstr(seen, "count_faves"), "3");
	json_decref(seen);
	res.faves.expected = 3;
	res.faves.got = 2;
	seen = photo_listed_snapshot(listing, &res);
	assert_int_equal(json_object_size(seen), 1);
	json_decref(seen);
	json_decref(listing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_update_local, ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_set_meta_field_refuses_damaged_meta, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test(test_listed_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
