/* test_index.c: the search index: text cleaning, queries, schema, incremental updates. */
#include "unit.h"

#include <errno.h>

#include <sqlite3.h>

#include "buf.h"
#include "clock.h"
#include "index.h"
#include "index_doc.h"

/* ---- HTML to text ---------------------------------------------------------- */

struct text_case {
	const char *in;
	const char *out;
};

static const struct text_case html_cases[] = {
	{ "plain words", "plain words" },
	{ "  lead and trail  ", "lead and trail" },
	{ "Wow, <b>stunning</b> colours!", "Wow, stunning colours!" },
	{ "<a href=\"https://x/\" rel=\"nofollow\">Tom's</a> version", "Tom's version" },
	{ "Fish &amp; chips &lt;3 &quot;q&quot; &#39;s&#x27;", "Fish & chips <3 \"q\" 's'" },
	{ "caf&#233; &#xE9;t&eacute;", "caf\xc3\xa9 \xc3\xa9t\xc3\xa9" },  /* utf8_charref()'s names */
	{ "a&nbsp;b &zork; &#1;c", "a b &zork; c" },   /* unknown names stay; a control is a space */
	{ "line one\nline two\n\nline four", "line one line two line four" },
	{ "a<br>b<br/>c</p><p>d", "a b c d" },
	{ "<i>in</i>line", "inline" },
	{ "a < b and c > d", "a < b and c > d" },
	{ "unclosed <b tag", "unclosed <b tag" },
	{ "ctl\x01x\x02y\x1b[31m\x7fz", "ctl x y [31m z" },
	{ "&#0;&#1;&#xD800;&#1114112;", "\xef\xbf\xbd\xef\xbf\xbd" },     /* never a control */
	{ "&nbsp;&nbsp;spaced&nbsp;out&nbsp;", "spaced out" },
	{ "&amp", "&amp" },
	{ "<!-- a comment -->after", "after" },
	{ "", "" },
	{ NULL, NULL },
};

static void test_html_to_text(void **state)
{
	(void)state;
	for (const struct text_case *c = html_cases; c->in; c++) {
		struct buf out = BUF_INIT;

		print_message("'%s'\n", c->in);
		assert_int_equal(index_html_to_text(c->in, &out), 0);
		assert_string_equal(buf_cstr(&out), c->out);
		buf_release(&out);
	}
}

/* ---- queries --------------------------------------------------------------- */

static const struct text_case query_cases[] = {
	{ "bridge", "\"bridge\"" },
	{ "  two   words ", "\"two\" \"words\"" },
	{ "snicker*", "\"snicker\"*" },
	{ "a\"b", "\"a\"\"b\"" },
	{ "AND( OR NOT NEAR(x)", "\"AND(\" \"OR\" \"NOT\" \"NEAR(x)\"" },
	{ "-bridge title:x ^y", "\"-bridge\" \"title:x\" \"^y\"" },
	{ "\" - * ** ( )", NULL },                            /* nothing to search for */
	{ "\" real", "\"real\"" },
	{ "Caf\xc3\xa9", "\"Caf\xc3\xa9\"" },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5 \xe6\x9c\xac\"" },  /* 日本: a phrase of two */
	{ "a* a* a* A*", "\"a\"* \"A\"*" },                     /* a word said twice counts once */
	{ "a a* a a*", "\"a\" \"a\"*" },                        /* a word and its prefix differ */
	{ "ab b ab b", "\"ab\" \"b\"" },                        /* only whole terms are the same */
	{ "b ab", "\"b\" \"ab\"" },
	{ "x\"y x\"\"y x\"y", "\"x\"\"y\" \"x\"\"\"\"y\"" },
	{ "\xe6\x97\xa5 \xe6\x97\xa5\xe6\x9c\xac \xe6\x97\xa5",
	  "\"\xe6\x97\xa5\" \"\xe6\x97\xa5 \xe6\x9c\xac\"" },
	{ "", NULL },
	{ NULL, NULL },
};

/* 2,500 times the same prefix: one condition, not 2,500 (they once cost SQLite minutes). */
static void test_fts_query_repeated_word(void **state)
{
	struct buf q = BUF_INIT, out = BUF_INIT;

	(void)state;
	for (int i = 0; i < 2500; i++)
		assert_int_equal(buf_puts(&q, "a* "), 0);
	assert_int_equal(index_fts_query(buf_cstr(&q), &out), 0);
	assert_string_equal(buf_cstr(&out), "\"a\"*");
	buf_release(&q);
	buf_release(&out);
}

static void test_fts_query(void **state)
{
	(void)state;
	for (const struct text_case *c = query_cases; c->in; c++) {
		struct buf out = BUF_INIT;
		int r = index_fts_query(c->in, &out);

		print_message("'%s'\n", c->in);
		if (!c->out) {
			assert_int_equal(r, FA_EINVAL);
		} else {
			assert_int_equal(r, 0);
			assert_string_equal(buf_cstr(&out), c->out);
		}
		buf_release(&out);
	}
}

static void test_cjk_segmenting(void **state)
{
	/* "日本にも来てね！ soon" */
	const char *text = "\xe6\x97\xa5\xe6\x9c\xac\xe3\x81\xab ok \xe6\x9d\xa5!";
	struct buf seg = BUF_INIT, back = BUF_INIT;

	(void)state;
	assert_int_equal(index_segment_cjk(text, &seg), 0);
	assert_string_equal(buf_cstr(&seg),
			    "\xe6\x97\xa5 \xe6\x9c\xac \xe3\x81\xab ok \xe6\x9d\xa5 !");
	assert_int_equal(index_unsegment_cjk(buf_cstr(&seg), &back), 0);
	assert_string_equal(buf_cstr(&back), "\xe6\x97\xa5\xe6\x9c\xac\xe3\x81\xab ok \xe6\x9d\xa5 !");
	/* the marks of a match are looked through */
	buf_reset(&back);
	assert_int_equal(index_unsegment_cjk("\xe6\x97\xa5 \x01\xe6\x9c\xac\x02 x", &back), 0);
	assert_string_equal(buf_cstr(&back), "\xe6\x97\xa5\x01\xe6\x9c\xac\x02 x");
	buf_release(&seg);
	buf_release(&back);
}

/* ---- a small archive ------------------------------------------------------- */

static void write_item(const char *root, const char *kind, const char *id, const char *meta,
		       const char *comments, const char *faves)
{
	char dir[4096], path[4200];

	snprintf(dir, sizeof(dir), "%s/%s/%s", root, kind, id);
	assert_int_equal(mkdir(dir, 0755) == 0 || errno == EEXIST, 1);
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	ut_write_str(path, meta);
	if (comments) {
		snprintf(path, sizeof(path), "%s/comments.json", dir);
		ut_write_str(path, comments);
	}
	if (faves) {
		snprintf(path, sizeof(path), "%s/favorites.json", dir);
		ut_write_str(path, faves);
	}
}

static char *make_archive(void)
{
	char *root = ut_mkdtemp();
	char *my = ut_join(root, "my_photos"), *fav = ut_join(root, "favorited_photos");

	assert_int_equal(mkdir(my, 0755), 0);
	assert_int_equal(mkdir(fav, 0755), 0);
	write_item(root, "my_photos", "100",
		   "{\"id\": \"100\", \"title\": \"Clifton Bridge\", \"description\":"
		   " \"At <b>dusk</b> &amp; after\", \"date_taken\": \"2010-10-02 18:15:33\","
		   " \"date_uploaded\": \"1286200000\", \"tags\": [\"Bristol\", \"golden hour\"],"
		   " \"tags_normalized\": [\"bristol\", \"goldenhour\"],"
		   " \"owner\": {\"nsid\": \"1@N01\", \"username\": \"maggie\","
		   " \"realname\": \"Margaret Hughes\"},"
		   " \"location\": {\"locality\": {\"_content\": \"Bristol\"},"
		   " \"country\": {\"_content\": \"United Kingdom\"}},"
		   " \"albums\": [{\"id\": \"7\", \"title\": \"Bristol days\"}],"
		   " \"notes\": [{\"id\": \"n\", \"text\": \"the <i>pier</i>\"}]}",
		   "[{\"author\": \"2@N02\", \"author_name\": \"jan\", \"realname\": \"Jan Kowalski\","
		   " \"text\": \"Caf\\u00e9 after? <b>Snickerdoodles</b>\"},"
		   " {\"author\": \"3@N03\", \"author_name\": \"k: t\", \"text\": \"me too\"}]",
		   "[{\"nsid\": \"2@N02\", \"username\": \"jan\", \"realname\": \"Jan Kowalski\"},"
		   " {\"nsid\": \"4@N04\", \"username\": \"ola\", \"realname\": \"Ola Nordmann\"}]");
	write_item(root, "my_photos", "200",
		   "{\"id\": \"200\", \"title\": \"Gone\", \"date_taken_unknown\": true,"
		   " \"date_taken\": \"2001-01-01 00:00:00\","
		   " \"date_uploaded_formatted\": \"2019-05-06T07:08:09Z\","
		   " \"upstream\": {\"status\": \"deleted\"}}", NULL, NULL);
	write_item(root, "favorited_photos", "300",
		   "{\"id\": \"300\", \"title\": \"Fox in the snow\","
		   " \"owner\": {\"nsid\": \"5@N05\", \"username\": \"foxy\"}}", "not json", "[]");
	free(my);
	free(fav);
	return root;
}

struct seen {
	int n;
	char ids[8][16];
	char where[8][256];
	char status[8][16];
	char date[8][11];
	int kind[8];
};

static int collect(void *ud, const struct index_hit *hit)
{
	struct seen *s = ud;
	size_t len = 0;

	if (s->n >= 8)
		return 0;
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", hit->id);
	snprintf(s->status[s->n], sizeof(s->status[0]), "%s", hit->status ? hit->status : "");
	snprintf(s->date[s->n], sizeof(s->date[0]), "%s", hit->date);
	s->kind[s->n] = hit->kind;
	s->where[s->n][0] = '\0';
	for (size_t i = 0; i < hit->n_where && len < sizeof(s->where[0]); i++)
		len += (size_t)snprintf(s->where[s->n] + len, sizeof(s->where[0]) - len, "%s%s[%s]%s",
					i ? "|" : "", index_field_name(hit->where[i].field),
					hit->where[i].by ? hit->where[i].by : "", hit->where[i].text);
	s->n++;
	return 0;
}

static struct seen search_for(struct index *ix, const char *q)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(index_search(ix, q, 0, collect, &s, NULL), 0);
	return s;
}

static long long scalar(const char *db_path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void test_schema_and_first_build(void **state)
{
	char *root = make_archive(), *db = ut_join(root, INDEX_DB_NAME);
	struct index_stats st;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(index_refresh(root, &st, &e), 0);
	assert_int_equal(st.items, 3);
	assert_int_equal(st.indexed, 3);
	assert_int_equal(st.rebuilt, 1);
	assert_string_equal(st.why, "created");
	assert_int_equal(scalar(db, "PRAGMA user_version"), INDEX_SCHEMA_VERSION);
	assert_int_equal(scalar(db, "SELECT count(*) FROM search"), 3);
	assert_int_equal(scalar(db, "SELECT count(*) FROM items WHERE status = 'deleted'"), 1);
	assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_master WHERE sql LIKE"
				" '%remove_diacritics 2%'"), 1);
	/* only archive.db is left in the root: no temporary, no journal */
	assert_int_equal(ut_count_entries(root), 3);
	ut_rm_rf(root);
	free(root);
	free(db);
}

static void test_search_fields(void **state)
{
	char *root = make_archive();
	struct index *ix = NULL;
	struct seen s;

	(void)state;
	assert_int_equal(index_open(root, INDEX_WRITE, &ix, NULL), 0);
	assert_int_equal(index_update(ix, NULL, NULL), 0);

	s = search_for(ix, "cafe");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], "100");
	assert_string_equal(s.date[0], "2010-10-02");
	assert_string_equal(s.where[0],
			    "comments[Jan Kowalski]\x01" "Caf\xc3\xa9\x02 after? Snickerdoodles");

	s = search_for(ix, "goldenhour");
	assert_string_equal(s.where[0], "tags[]\x01goldenhour\x02");
	s = search_for(ix, "dusk");
	assert_string_equal(s.where[0], "description[]At \x01" "dusk\x02 & after");
	s = search_for(ix, "pier");
	assert_string_equal(s.where[0], "notes[]the \x01pier\x02");
	s = search_for(ix, "kingdom");
	assert_string_equal(s.where[0], "place[]Bristol, United \x01Kingdom\x02");
	s = search_for(ix, "bristol");
	assert_string_equal(s.where[0], "tags[]\x01" "Bristol\x02|albums[]\x01" "Bristol\x02 days|"
			    "place[]\x01" "Bristol\x02, United Kingdom");
	s = search_for(ix, "clifton");
	assert_string_equal(s.where[0], "title[]\x01" "Clifton\x02 Bridge");
	/* a person who commented and faved is one line with both roles */
	s = search_for(ix, "kowalski");
	assert_string_equal(s.where[0], "comments[Jan Kowalski]Caf\xc3\xa9 after? Snickerdoodles|"
			    "people[commented, faved]Jan \x01Kowalski\x02 (jan)");
	s = search_for(ix, "nordmann");
	assert_string_equal(s.where[0], "people[faved]Ola \x01Nordmann\x02 (ola)");
	s = search_for(ix, "margaret");
	assert_string_equal(s.where[0], "people[owner]\x01Margaret\x02 Hughes (maggie)");
	/* an author's colon does not end the name early */
	s = search_for(ix, "too");
	assert_string_equal(s.where[0], "comments[k t]me \x01too\x02");

	/* deleted upstream: found, with its status and the date posted */
	s = search_for(ix, "gone");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.status[0], "deleted");
	assert_string_equal(s.date[0], "2019-05-06");
	/* a favorite whose comments.json is broken is found by the rest */
	s = search_for(ix, "foxy");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.kind[0], STORE_FAV);

	s = search_for(ix, "clifton snickerdoodles");
	assert_int_equal(s.n, 1);
	s = search_for(ix, "clifton fox");
	assert_int_equal(s.n, 0);
	assert_int_equal(index_search(ix, "\"", 0, collect, &s, NULL), FA_EINVAL);
	index_close(ix);
	ut_rm_rf(root);
	free(root);
}

static void touch_later(const char *path)
{
	struct timespec ts[2] = { { 2000000000, 0 }, { 2000000000, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void test_incremental_update(void **state)
{
	char *root = make_archive(), *db = ut_join(root, INDEX_DB_NAME);
	char path[4200], *item;
	struct index_stats st;
	struct index *ix = NULL;

	(void)state;
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	/* nothing changed: nothing read again, the file not written */
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.indexed, 0);
	assert_int_equal(st.rebuilt, 0);
	assert_int_equal(scalar(db, "SELECT value FROM meta WHERE key = 'generation'"), 1);

	/* a file of one item changes: that item only */
	snprintf(path, sizeof(path), "%s/my_photos/200/metadata.json", root);
	ut_write_str(path, "{\"id\": \"200\", \"title\": \"Gone but back\"}");
	touch_later(path);
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.indexed, 1);
	assert_int_equal(scalar(db, "SELECT count(*) FROM items WHERE indexed_gen = 2"), 1);
	assert_int_equal(scalar(db, "SELECT count(*) FROM items WHERE status IS NULL"), 3);

	/* comments.json appears: read again */
	snprintf(path, sizeof(path), "%s/my_photos/200/comments.json", root);
	ut_write_str(path, "[{\"author_name\": \"zed\", \"text\": \"quokka\"}]");
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.indexed, 1);
	assert_int_equal(index_open(root, INDEX_READ, &ix, NULL), 0);
	assert_int_equal(search_for(ix, "quokka").n, 1);
	assert_int_equal(index_update(ix, NULL, NULL), FA_EINVAL);   /* read-only */
	index_close(ix);

	/* a folder gone from disk leaves the index; one without metadata.json is skipped */
	item = ut_join(root, "favorited_photos/300");
	ut_rm_rf(item);
	snprintf(path, sizeof(path), "%s/my_photos/400", root);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.removed, 1);
	assert_int_equal(st.unreadable, 1);
	assert_int_equal(st.items, 2);

	/* a broken metadata.json keeps the item's last entry */
	snprintf(path, sizeof(path), "%s/my_photos/100/metadata.json", root);
	ut_write_str(path, "{ broken");
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.items, 2);
	assert_int_equal(st.unreadable, 2);
	assert_int_equal(index_open(root, INDEX_READ, &ix, NULL), 0);
	assert_int_equal(search_for(ix, "clifton").n, 1);
	index_close(ix);
	ut_rm_rf(root);
	free(root);
	free(db);
	free(item);
}

static void test_rebuilt_when_unusable(void **state)
{
	static const char *const bad[] = { "", "not a database at all", NULL };
	char *root = make_archive(), *db = ut_join(root, INDEX_DB_NAME);
	struct index_stats st;
	struct index *ix = NULL;

	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		ut_write_str(db, bad[i]);
		assert_int_equal(index_open(root, INDEX_READ, &ix, NULL), FA_ENOTFOUND);
		assert_int_equal(index_refresh(root, &st, NULL), 0);
		assert_int_equal(st.rebuilt, 1);
		assert_int_equal(st.items, 3);
	}
	/* another schema version */
	{
		sqlite3 *h;

		assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL), 0);
		sqlite3_close(h);
	}
	assert_int_equal(index_refresh(root, &st, NULL), 0);
	assert_int_equal(st.rebuilt, 1);
	assert_non_null(strstr(st.why, "schema version 99"));
	assert_int_equal(scalar(db, "PRAGMA user_version"), INDEX_SCHEMA_VERSION);
	/* asked for */
	assert_int_equal(index_open(root, INDEX_WRITE, &ix, NULL), 0);
	assert_int_equal(index_rebuild(ix, &st, NULL), 0);
	assert_int_equal(st.indexed, 3);
	assert_int_equal(search_for(ix, "fox").n, 1);
	index_close(ix);
	assert_int_equal(ut_count_entries(root), 3);
	ut_rm_rf(root);
	free(root);
	free(db);
}

static void test_memory_index(void **state)
{
	char *root = make_archive();
	struct index_stats st;
	struct index *ix = NULL;

	(void)state;
	assert_int_equal(index_open(root, INDEX_MEMORY, &ix, NULL), 0);
	assert_int_equal(index_update(ix, &st, NULL), 0);
	assert_int_equal(st.items, 3);
	assert_int_equal(search_for(ix, "snickerdoodles").n, 1);
	index_close(ix);
	/* nothing written to the archive */
	assert_int_equal(ut_count_entries(root), 2);
	ut_rm_rf(root);
	free(root);
}

/* Last: the stop flag cannot be cleared. */
static void test_stop_changes_nothing(void **state)
{
	char *root = make_archive();
	struct err e = { 0 };

	(void)state;
	clock_request_stop();
	assert_int_equal(index_refresh(root, NULL, &e), FA_EINTR);
	/* the half-built first index was dropped */
	assert_int_equal(ut_count_entries(root), 2);
	ut_rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_fts_query),
		cmocka_unit_test(test_fts_query_repeated_word),
		cmocka_unit_test(test_cjk_segmenting),
		cmocka_unit_test(test_schema_and_first_build),
		cmocka_unit_test(test_search_fields),
		cmocka_unit_test(test_incremental_update),
		cmocka_unit_test(test_rebuilt_when_unusable),
		cmocka_unit_test(test_memory_index),
		cmocka_unit_test(test_stop_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
