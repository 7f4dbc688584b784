/* test_site.c: the site from a small hand-made archive: what ids and NSIDs become
 * paths, what a second build writes, and how hostile records come out. */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <vips/vips.h>

#include "site.h"
#include "site_model.h"
#include "site_spool.h"
#include "thumb.h"

static void test_valid_nsid(void **state)
{
	static const char *const good[] = { "12846301@N03", "1@N00", "48600090482@N01",
					    "12345678901234567890@N99", "1@N1" };
	static const char *const bad[] = { "", "@N01", "123@N", "123@n01", "123@N001", "abc@N01",
					   "123@N01/../x", "../123@N01", "123@N01.html", "123",
					   "123456789012345678901@N01", "12 3@N01" };

	(void)state;
	for (size_t i = 0; i < N_ELEMS(good); i++)
		assert_true(site_valid_nsid(good[i]));
	for (size_t i = 0; i < N_ELEMS(bad); i++)
		if (site_valid_nsid(bad[i]))
			fail_msg("'%s' taken for an NSID", bad[i]);
	assert_false(site_valid_nsid(NULL));
}

static void write_rel(const char *root, const char *rel, const char *text)
{
	char *path = ut_join(root, rel);
	char *slash = strrchr(path, '/');

	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	ut_write_str(path, text);
	free(path);
}

static char *read_rel(const char *root, const char *rel)
{
	char *path = ut_join(root, rel);
	char *text = ut_read_file(path, NULL);

	free(path);
	return text;
}

static int exists_rel(const char *root, const char *rel)
{
	char *path = ut_join(root, rel);
	int there = access(path, F_OK) == 0;

	free(path);
	return there;
}

/*
 * An archive of two photos (one with hostile records), one whose records are
 * missing, an entry with a bad id, an album.
 */
static void make_archive(const char *root)
{
	char *dir = ut_join(root, "my_photos");

	mkdir(dir, 0755);
	free(dir);
	write_rel(root, "my_photos_index.json",
		  "[{\"id\":\"200\",\"title\":\"</title><script>x()</script>\",\"date_uploaded\":\"2000\","
		  "\"media\":\"photo\"},"
		  "{\"id\":\"100\",\"title\":\"Older\",\"date_uploaded\":\"1000\",\"media\":\"photo\"},"
		  "{\"id\":\"300\",\"title\":\"No records\",\"date_uploaded\":\"500\","
		  "\"tags\":[\"from-index\",\"too\"]},"
		  "{\"id\":\"../../etc\",\"title\":\"escape\",\"date_uploaded\":\"3000\"}]");
	write_rel(root, "my_photos/200/metadata.json",
		  "{\"id\":\"200\",\"title\":\"</title><script>x()</script>\",\"date_uploaded\":\"2000\","
		  "\"description\":\"<a href=\\\"javascript:x()\\\">j</a> <b>ok</b>\","
		  "\"tags\":[\"a\\\"b\"],\"albums\":[{\"id\":\"7\",\"title\":\"Al\"}],"
		  "\"location\":{\"latitude\":51.5,\"longitude\":-0.1,\"locality\":{\"_content\":\"London\"}},"
		  "\"media\":\"photo\"}");
	write_rel(root, "my_photos/200/comments.json",
		  "[{\"id\":\"c1\",\"author\":\"11@N01\",\"author_name\":\"<b>Al</b>\",\"date_created\":\"2500\","
		  "\"text\":\"hi <script>x()</script>there\"},"
		  "{\"id\":\"c2\",\"author\":\"../../x\",\"author_name\":\"Sneaky\",\"text\":\"boo\"}]");
	write_rel(root, "my_photos/200/favorites.json",
		  "[{\"nsid\":\"22@N02\",\"username\":\"fan\",\"favedate\":\"2600\",\"removed\":true}]");
	write_rel(root, "my_photos/100/metadata.json",
		  "{\"id\":\"100\",\"title\":\"Older\",\"date_uploaded\":\"1000\",\"media\":\"photo\"}");
	write_rel(root, "albums_index.json",
		  "[{\"id\":\"7\",\"title\":\"Al\",\"photo_ids\":[\"100\",\"200\",\"999\"]},"
		  "{\"id\":\"x/../8\",\"title\":\"bad\"}]");
	write_rel(root, "users_cache.json",
		  "{\"11@N01\":{\"nsid\":\"11@N01\",\"display_name\":\"Alice\",\"avatar\":\"../../etc/passwd\"}}");
}

static void test_build_from_a_small_archive(void **state)
{
	const char *root = *state;
	struct site_stats st = { 0 };
	char *page, *index, *js, *people;

	make_archive(root);
	st.warnings = json_array();
	assert_int_equal(site_build(root, &st, NULL), 0);
	assert_true(st.pages_written > 10);
	assert_int_equal(st.pages_unchanged, 0);
	assert_true(exists_rel(root, "index.html"));
	assert_true(exists_rel(root, "site/photo/200.html"));
	assert_true(exists_rel(root, "site/photo/100.html"));
	assert_true(exists_rel(root, "site/album/7.html"));
	assert_true(exists_rel(root, "site/person/11@N01.html"));
	assert_true(exists_rel(root, "site/person/22@N02.html"));
	assert_true(exists_rel(root, "site/assets/style.css"));
	people = ut_join(root, "site/person");
	assert_int_equal(ut_count_entries(people), 2); /* no "../../x" */
	free(people);
	page = read_rel(root, "site/photo/200.html");
	assert_null(strstr(page, "<script>x()"));
	assert_null(strstr(page, "javascript:"));
	assert_null(strstr(page, "etc/passwd"));
	assert_non_null(strstr(page, "&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;"));
	assert_non_null(strstr(page, "hi there"));
	assert_non_null(strstr(page, "Sneaky"));          /* shown, without a page */
	assert_non_null(strstr(page, "class=\"fave removed\""));
	assert_non_null(strstr(page, "data-tag=\"a&quot;b\""));
	assert_non_null(strstr(page, "id=\"next-link\" rel=\"next\" href=\"../photo/100.html\""));
	assert_non_null(strstr(page, "mlat=51.500000&amp;mlon=-0.100000"));
	index = read_rel(root, "index.html");
	assert_null(strstr(index, "etc"));
	assert_true(strstr(index, "data-id=\"200\"") < strstr(index, "data-id=\"100\""));
	js = read_rel(root, "site/search-index.js");
	assert_null(strchr(js, '<'));
	/* without metadata.json, the index file's title and tags */
	assert_non_null(strstr(js, "[\"photo\",\"300\",\"No records\",\"1970-01-01\",0,0,\"from-index too\","));
	free(page);
	free(index);
	free(js);
	json_decref(st.warnings);

	/* nothing changed: nothing written */
	memset(&st, 0, sizeof(st));
	st.warnings = json_array();
	assert_int_equal(site_build(root, &st, NULL), 0);
	assert_int_equal(st.pages_written, 0);
	assert_true(st.pages_unchanged > 10);
	json_decref(st.warnings);
}

/* ---- the spool -------------------------------------------------------------- */

static int append_piece(void *ud, const void *data, size_t len)
{
	return buf_append(ud, data, len);
}

/* What is added comes back, at its offset, across the pieces written to the file. */
static void test_spool_round_trip(void **state)
{
	const char *dir = *state;
	struct site_spool sp = SITE_SPOOL_INIT;
	struct buf all = BUF_INIT, back = BUF_INIT;
	uint64_t offs[2000];

	assert_int_equal(site_spool_open(&sp, dir, NULL), 0);
	assert_int_equal(ut_count_entries(dir), 0); /* unlinked at once */
	for (size_t i = 0; i < N_ELEMS(offs); i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "entry %zu;", i);

		assert_int_equal(site_spool_add(&sp, line, (size_t)n, &offs[i], NULL), 0);
		assert_int_equal(offs[i], all.len);
		assert_int_equal(buf_append(&all, line, (size_t)n), 0);
		if (i % 500 == 0) {
			/* a read in the middle sees what is still buffered */
			buf_reset(&back);
			assert_int_equal(site_spool_read(&sp, offs[i], (size_t)n, &back, NULL), 0);
			assert_string_equal(buf_cstr(&back), line);
		}
	}
	for (size_t i = 0; i < 200000; i++) {
		assert_int_equal(site_spool_add(&sp, "x", 1, NULL, NULL), 0);
		assert_int_equal(buf_putc(&all, 'x'), 0);
	}
	assert_int_equal(sp.len, all.len);
	buf_reset(&back);
	assert_int_equal(site_spool_read(&sp, offs[1234], 11, &back, NULL), 0);
	assert_string_equal(buf_cstr(&back), "entry 1234;");
	buf_reset(&back);
	assert_int_equal(site_spool_each(&sp, 0, sp.len, append_piece, &back, NULL), 0);
	assert_int_equal(back.len, all.len);
	assert_memory_equal(back.data, all.data, all.len);
	site_spool_close(&sp);
	site_spool_close(&sp); /* twice is fine */
	buf_release(&all);
	buf_release(&back);
}

/* ---- the thumbnails' state ---------------------------------------------------- */

static void make_jpeg(const char *root, const char *rel)
{
	char *path = ut_join(root, rel);
	VipsImage *img = NULL;

	assert_int_equal(vips_black(&img, 64, 48, "bands", 3, NULL), 0);
	assert_int_equal(vips_image_write_to_file(img, path, NULL), 0);
	g_object_unref(img);
	free(path);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void build(const char *root, struct site_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->warnings = json_array();
	assert_int_equal(site_build(root, st, NULL), 0);
	json_decref(st->warnings);
}

/* A build that made, kept and gave a placeholder to so many images, and wrote pages or not. */
static void build_expecting(const char *root, long made, long kept, long failed, int pages)
{
	struct site_stats st;

	build(root, &st);
	assert_int_equal(st.thumbs_made, made);
	assert_int_equal(st.thumbs_kept, kept);
	assert_int_equal(st.thumbs_failed, failed);
	assert_int_equal(st.pages_written > 0, pages);
}

/*
 * The state of version 2 as version 1 wrote it: {"version": 1, "thumbs": {key:
 * record}}, with another version (or without one: version < 0) for a test.
 */
static void write_old_state(const char *root, int version)
{
	char *path = ut_join(root, "site/state.json");
	json_t *list = json_load_file(path, 0, NULL), *old = json_object(), *thumbs = json_object();
	size_t i;
	json_t *rec;

	assert_non_null(list);
	json_array_foreach(list, i, rec) {
		if (i == 0)
			continue;
		json_object_set(thumbs, json_string_value(json_object_get(rec, "item")), rec);
		json_object_del(rec, "item");
	}
	if (version >= 0)
		json_object_set_new(old, "version", json_integer(version));
	json_object_set_new(old, "thumbs", thumbs);
	assert_int_equal(json_dump_file(old, path, JSON_INDENT(2)), 0);
	json_decref(list);
	json_decref(old);
	free(path);
}

/* Cuts the state 10 bytes into the second record, which starts after marker. */
static void cut_state_in_second_record(const char *root, const char *marker)
{
	char *text = read_rel(root, "site/state.json");
	char *first = strstr(text, marker);
	char *second = first ? strstr(first + 1, marker) : NULL;

	assert_non_null(second);
	if (second)
		second[10] = '\0';
	write_rel(root, "site/state.json", text);
	free(text);
}

/* The archived file rel is still the bytes in was (freed). */
static void assert_unchanged(const char *root, const char *rel, char *was, size_t was_len)
{
	char *path = ut_join(root, rel);
	size_t len = 0;
	char *now = ut_read_file(path, &len);

	assert_int_equal(len, was_len);
	assert_memory_equal(now, was, len);
	free(now);
	free(was);
	free(path);
}

/* Images are made once; the state (version 2, or version 1 read once) keeps them. */
static void test_thumbnails_state(void **state)
{
	const char *root = *state;
	char *text, *original, *was;
	size_t was_len = 0;

	assert_int_equal(thumb_global_init(NULL), 0);
	make_archive(root);
	make_jpeg(root, "my_photos/200/original.jpg");
	write_rel(root, "my_photos/100/original.jpg", "not an image");
	build_expecting(root, 1, 0, 1, 1);
	assert_true(exists_rel(root, "site/thumbs/photo/200.jpg"));
	text = read_rel(root, "site/state.json");
	/* records in the order the thumbnail threads finish */
	assert_true(starts_with(text, "[{\"version\":2},\n{\"item\":\"photo/"));
	assert_non_null(strstr(text, "\n{\"item\":\"photo/200\",\"src\":\"original.jpg\""));
	assert_non_null(strstr(text, "\n{\"item\":\"photo/100\",\"src\":\"original.jpg\",\"size\":12,"));
	free(text);

	/* nothing changed: nothing made, nothing written, one placeholder still */
	build_expecting(root, 0, 1, 1, 0);

	/* a state of version 1 is read, and written again as version 2 */
	write_old_state(root, 1);
	build_expecting(root, 0, 1, 1, 0);
	text = read_rel(root, "site/state.json");
	assert_true(starts_with(text, "[{\"version\":2},\n"));
	free(text);

	/* a thumbnail gone, a source changed: made again */
	text = ut_join(root, "site/thumbs/photo/200.jpg");
	unlink(text);
	free(text);
	make_jpeg(root, "my_photos/100/original.jpg");
	build_expecting(root, 2, 0, 0, 1);

	/* a damaged state only costs time */
	write_rel(root, "site/state.json", "[{\"version\":2},\n{\"item\":");
	build_expecting(root, 2, 0, 0, 0);

	/* a state cut after a good record: that one is kept, the rest made again */
	cut_state_in_second_record(root, "\n{\"item\":");
	build_expecting(root, 1, 1, 0, 0);
	write_old_state(root, 1);
	cut_state_in_second_record(root, "\n    \"");
	build_expecting(root, 1, 1, 0, 0);
	build_expecting(root, 0, 2, 0, 0);

	/* version 1's layout with another version, or none: not read, the images made again */
	original = ut_join(root, "my_photos/200/original.jpg");
	was = ut_read_file(original, &was_len);
	free(original);
	write_old_state(root, 3);
	build_expecting(root, 2, 0, 0, 0);
	write_old_state(root, -1);
	build_expecting(root, 2, 0, 0, 0);
	assert_unchanged(root, "my_photos/200/original.jpg", was, was_len);
}

/* A page that is a symlink is replaced by a file, never followed, even to the page's own bytes. */
static void test_symlinked_page_replaced(void **state)
{
	const char *root = *state;
	char *page = ut_join(root, "site/photo/100.html"), *outside = ut_join(root, "outside.html");
	struct site_stats st;
	struct stat sb;
	char *text;

	make_archive(root);
	build(root, &st);
	text = read_rel(root, "site/photo/100.html");
	ut_write_str(outside, text);
	assert_int_equal(unlink(page), 0);
	assert_int_equal(symlink(outside, page), 0);
	build(root, &st);
	assert_int_equal(st.pages_written, 1);
	assert_int_equal(lstat(page, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_unchanged(root, "outside.html", text, strlen(text));
	free(page);
	free(outside);
}

/* ---- a full disk ---------------------------------------------------------------- */

/* n_photos photos, each with a comment of comment_len bytes by the same person. */
static void make_commented_archive(const char *root, int n_photos, size_t comment_len)
{
	struct buf index = BUF_INIT, rel = BUF_INIT, comments = BUF_INIT;

	assert_int_equal(mkdir(root, 0755), 0);
	write_rel(root, "my_photos/.keep", "");
	assert_int_equal(buf_putc(&index, '['), 0);
	for (int i = 1; i <= n_photos; i++) {
		assert_int_equal(buf_printf(&index,
					    "%s{\"id\":\"%d\",\"title\":\"t\",\"date_uploaded\":\"%d\"}",
					    i > 1 ? "," : "", i, 1000 + i), 0);
		buf_reset(&rel);
		assert_int_equal(buf_printf(&rel, "my_photos/%d/metadata.json", i), 0);
		write_rel(root, rel.data, "{\"title\":\"t\"}");
		buf_reset(&comments);
		assert_int_equal(buf_printf(&comments, "[{\"id\":\"c%d\",\"author\":\"11@N01\",\"text\":\"", i), 0);
		for (size_t k = 0; k < comment_len; k++)
			assert_int_equal(buf_putc(&comments, "word "[k % 5]), 0);
		assert_int_equal(buf_puts(&comments, "\"}]"), 0);
		buf_reset(&rel);
		assert_int_equal(buf_printf(&rel, "my_photos/%d/comments.json", i), 0);
		write_rel(root, rel.data, comments.data);
	}
	assert_int_equal(buf_putc(&index, ']'), 0);
	write_rel(root, "my_photos_index.json", index.data);
	buf_release(&index);
	buf_release(&rel);
	buf_release(&comments);
}

/* Builds the site with files limited to limit bytes: writing past it fails (EFBIG). */
static int build_with_file_limit(const char *root, rlim_t limit, struct err *e)
{
	struct site_stats st = { 0 };
	struct rlimit was, low;
	int r;

	st.warnings = json_array();
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	low = was;
	low.rlim_cur = limit;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &low), 0);
	r = site_build(root, &st, e);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	json_decref(st.warnings);
	return r;
}

/* The spool's error, in the comments kept for people's pages, is what the build reports. */
static void test_full_spool_reported(void **state)
{
	char *big = ut_join(*state, "big"), *many = ut_join(*state, "many");
	struct err e = { 0 };

	/* a comment of 100 KB goes to the file while its photo page is made */
	make_commented_archive(big, 1, 100000);
	assert_int_equal(build_with_file_limit(big, 32768, &e), FA_EIO);
	assert_non_null(strstr(e.msg, "the site's temporary file"));
	assert_non_null(strstr(e.msg, strerror(EFBIG)));
	/* small ones, only when the commenter's page reads them back */
	err_clear(&e);
	make_commented_archive(many, 10, 4000);
	assert_int_equal(build_with_file_limit(many, 16384, &e), FA_EIO);
	assert_non_null(strstr(e.msg, "the site's temporary file"));
	assert_true(exists_rel(many, "site/people.html"));
	assert_false(exists_rel(many, "site/person/11@N01.html"));
	free(big);
	free(many);
}

/* ---- the model ---------------------------------------------------------------- */

/* Each item's id and title are stored once. */
static void test_title_stored_once(void **state)
{
	const char *root = *state;
	char *site = ut_join(root, "site");
	struct site_model m;

	write_rel(root, "my_photos_index.json",
		  "[{\"id\":\"5\",\"title\":\"Hello\"},{\"id\":\"6\"}]");
	assert_int_equal(mkdir(site, 0755), 0);
	assert_int_equal(site_model_load(&m, root, NULL), 0);
	assert_int_equal(m.n_items, 2);
	assert_string_equal(site_item_title(&m.items[0]), "Hello");
	assert_string_equal(site_item_title(&m.items[1]), "");
	/* "5\0Hello\0" and "6\0\0" */
	assert_int_equal(m.strings.used, 8 + 3);
	site_model_release(&m);
	free(site);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_nsid),
		cmocka_unit_test_setup_teardown(test_build_from_a_small_archive, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_spool_round_trip, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_thumbnails_state, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_symlinked_page_replaced, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_full_spool_reported, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_title_stored_once, ut_setup_tmpdir,
						ut_teardown_tmpdir),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	thumb_global_shutdown();
	return r;
}
