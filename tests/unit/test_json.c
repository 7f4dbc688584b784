/*
 * test_json.c: the lenient getters against every encoding Flickr uses
 * (shared/flickr-api/README.md §1.3-1.4), parsing errors, lossy UTF-8 and
 * JSON output.
 */
#include "unit.h"

#include "buf.h"
#include "json.h"

/* ---- jint --------------------------------------------------------------- */

struct int_case {
	const char *doc;  /* the object; the key is always "v" */
	int ok;
	long long value;
};

static const struct int_case int_cases[] = {
	{ "{\"v\":42}", 1, 42 },                      /* "page":1 */
	{ "{\"v\":\"1270\"}", 1, 1270 },              /* "total":"1270" */
	{ "{\"v\":-7}", 1, -7 },
	{ "{\"v\":\"-7\"}", 1, -7 },
	{ "{\"v\":0}", 1, 0 },
	{ "{\"v\":\"0\"}", 1, 0 },                    /* "datetakengranularity":"0" */
	{ "{\"v\":3.0}", 1, 3 },                      /* integral real */
	{ "{\"v\":{\"_content\":2}}", 1, 2 },         /* people.getInfo count */
	{ "{\"v\":{\"_content\":\"2876\"}}", 1, 2876 },
	{ "{\"v\":\"9223372036854775807\"}", 1, 9223372036854775807LL },
	{ "{\"v\":3.5}", 0, 0 },                      /* not an integer */
	{ "{\"v\":\"3.5\"}", 0, 0 },
	{ "{\"v\":\"\"}", 0, 0 },                     /* getSizes video width "" */
	{ "{\"v\":\"12a\"}", 0, 0 },
	{ "{\"v\":\"abc\"}", 0, 0 },
	{ "{\"v\":\"99999999999999999999\"}", 0, 0 }, /* overflow */
	{ "{\"v\":1e300}", 0, 0 },
	{ "{\"v\":true}", 0, 0 },
	{ "{\"v\":null}", 0, 0 },
	{ "{\"v\":[1]}", 0, 0 },
	{ "{\"v\":{\"x\":1}}", 0, 0 },
	{ "{\"v\":{\"_content\":\"\"}}", 0, 0 },
	{ "{\"w\":1}", 0, 0 },                        /* absent */
	{ "[1]", 0, 0 },                              /* not an object */
	{ "\"v\"", 0, 0 },
	{ NULL, 0, 0 },
};

static void test_jint_table(void **state)
{
	(void)state;
	for (const struct int_case *c = int_cases; c->doc; c++) {
		json_t *doc = ut_json(c->doc);
		long long v = -12345;

		print_message("jint %s\n", c->doc);
		assert_int_equal(jint(doc, "v", &v), c->ok);
		if (c->ok)
			assert_true(v == c->value);
		else
			assert_true(v == -12345); /* untouched when absent */
		assert_true(jint_or(doc, "v", -99) == (c->ok ? c->value : -99));
		json_decref(doc);
	}
}

static void test_jint_null_object(void **state)
{
	long long v = 5;

	(void)state;
	assert_false(jint(NULL, "v", &v));
	assert_true(v == 5);
	assert_true(jint_or(NULL, "v", 17) == 17);
	assert_false(jint_value(NULL, &v));
}

static void test_jint_value_direct(void **state)
{
	json_t *n = json_integer(45), *s = json_string("385"), *b = json_true();
	long long v = 0;

	(void)state;
	assert_true(jint_value(n, &v));
	assert_true(v == 45);
	assert_true(jint_value(s, &v));
	assert_true(v == 385);
	assert_false(jint_value(b, &v));
	json_decref(n);
	json_decref(s);
	json_decref(b);
}

/* ---- jreal -------------------------------------------------------------- */

struct real_case {
	const char *doc;
	int ok;
	double value;
};

static const struct real_case real_cases[] = {
	{ "{\"v\":44.375}", 1, 44.375 },        /* geo latitude as a number */
	{ "{\"v\":-118.7798}", 1, -118.7798 },
	{ "{\"v\":0}", 1, 0.0 },                /* not geotagged */
	{ "{\"v\":15}", 1, 15.0 },              /* integer */
	{ "{\"v\":\"45.807258\"}", 1, 45.807258 },
	{ "{\"v\":\"-3\"}", 1, -3.0 },
	{ "{\"v\":\"\"}", 0, 0 },
	{ "{\"v\":\"abc\"}", 0, 0 },
	{ "{\"v\":\"1.5x\"}", 0, 0 },
	{ "{\"v\":\"1e999\"}", 0, 0 },          /* not finite */
	{ "{\"v\":\"nan\"}", 0, 0 },
	{ "{\"v\":true}", 0, 0 },
	{ "{\"v\":null}", 0, 0 },
	{ "{\"v\":[1.5]}", 0, 0 },
	{ "{}", 0, 0 },
	{ NULL, 0, 0 },
};

static void test_jreal_table(void **state)
{
	(void)state;
	for (const struct real_case *c = real_cases; c->doc; c++) {
		json_t *doc = ut_json(c->doc);
		double v = -1.25;

		print_message("jreal %s\n", c->doc);
		assert_int_equal(jreal(doc, "v", &v), c->ok);
		if (c->ok)
			assert_float_equal(v, c->value, 1e-9);
		json_decref(doc);
	}
	{
		double v = 0;

		assert_false(jreal(NULL, "v", &v));
	}
}

/* ---- jflag -------------------------------------------------------------- */

struct flag_case {
	const char *doc;
	bool def;
	bool expect;
};

static const struct flag_case flag_cases[] = {
	{ "{\"v\":1}", false, true },
	{ "{\"v\":0}", true, false },
	{ "{\"v\":\"1\"}", false, true },
	{ "{\"v\":\"0\"}", true, false },
	{ "{\"v\":true}", false, true },
	{ "{\"v\":false}", true, false },
	{ "{\"v\":\"true\"}", false, true },
	{ "{\"v\":\"false\"}", true, false },
	{ "{\"v\":\"\"}", false, false },     /* "" gives the default */
	{ "{\"v\":\"\"}", true, true },
	{ "{\"v\":null}", true, true },
	{ "{\"v\":\"yes\"}", false, false },  /* wrong type: default */
	{ "{\"v\":\"yes\"}", true, true },
	{ "{\"v\":[1]}", false, false },
	{ "{}", true, true },                 /* absent */
	{ "{}", false, false },
	{ NULL, false, false },
};

static void test_jflag_table(void **state)
{
	(void)state;
	for (const struct flag_case *c = flag_cases; c->doc; c++) {
		json_t *doc = ut_json(c->doc);

		print_message("jflag %s def=%d\n", c->doc, c->def);
		assert_int_equal(jflag(doc, "v", c->def), c->expect);
		json_decref(doc);
	}
	assert_true(jflag(NULL, "v", true));
	assert_false(jflag(NULL, "v", false));
}

/* ---- text --------------------------------------------------------------- */

struct text_case {
	const char *doc;
	const char *jstr;     /* expected jstr(doc, "v") */
	const char *jcontent; /* expected jcontent(doc, "v") */
	const char *jtext;    /* expected jtext(doc, "v") */
};

static const struct text_case text_cases[] = {
	{ "{\"v\":\"plain\"}", "plain", "plain", "plain" },
	{ "{\"v\":{\"_content\":\"Hana\"}}", NULL, "Hana", "Hana" },
	{ "{\"v\":{\"_content\":\"\"}}", NULL, "", "" },
	{ "{\"v\":\"\"}", "", "", "" },
	{ "{\"v\":1914}", NULL, NULL, "1914" },
	{ "{\"v\":{\"_content\":2}}", NULL, NULL, "2" },
	{ "{\"v\":-5}", NULL, NULL, "-5" },
	{ "{\"v\":{\"x\":\"y\"}}", NULL, NULL, NULL },
	{ "{\"v\":true}", NULL, NULL, NULL },
	{ "{\"v\":null}", NULL, NULL, NULL },
	{ "{\"v\":[\"a\"]}", NULL, NULL, NULL },
	{ "{}", NULL, NULL, NULL },
	{ "[\"v\"]", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
};

static void check_opt_string(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void test_text_getters_table(void **state)
{
	(void)state;
	for (const struct text_case *c = text_cases; c->doc; c++) {
		json_t *doc = ut_json(c->doc);

		print_message("text %s\n", c->doc);
		check_opt_string(jstr(doc, "v"), c->jstr);
		check_opt_string(jcontent(doc, "v"), c->jcontent);
		check_opt_string(jtext(doc, "v"), c->jtext);
		json_decref(doc);
	}
	assert_null(jstr(NULL, "v"));
	assert_null(jcontent(NULL, "v"));
	assert_null(jtext(NULL, "v"));
}

static void test_jtext_real_number(void **state)
{
	/* getExif's raw._content can be a JSON number such as an f-number 2.8
	 * (README §4.7); it must print, not vanish (found by this test). */
	json_t *doc;

	(void)state;
	doc = ut_json("{\"v\":2.8,\"raw\":{\"_content\":2.8}}");
	assert_non_null(jtext(doc, "v"));
	assert_float_equal(strtod(jtext(doc, "v"), NULL), 2.8, 1e-9);
	assert_non_null(jtext(doc, "raw"));
	json_decref(doc);
}

/* ---- lists -------------------------------------------------------------- */

static void test_jlist_array(void **state)
{
	json_t *doc = ut_json("{\"photo\":[{\"id\":\"1\"},{\"id\":\"2\"},{\"id\":\"3\"}]}");
	json_t *list = json_object_get(doc, "photo");

	(void)state;
	assert_int_equal(jlist_size(list), 3);
	assert_string_equal(jstr(jlist_at(list, 0), "id"), "1");
	assert_string_equal(jstr(jlist_at(list, 2), "id"), "3");
	assert_null(jlist_at(list, 3));
	json_decref(doc);
}

static void test_jlist_lone_object_is_one_item(void **state)
{
	json_t *doc = ut_json("{\"tag\":{\"raw\":\"foo\"}}");
	json_t *list = json_object_get(doc, "tag");

	(void)state;
	assert_int_equal(jlist_size(list), 1);
	assert_ptr_equal(jlist_at(list, 0), list);
	assert_null(jlist_at(list, 1));
	json_decref(doc);
}

static void test_jlist_absent_null_and_scalars(void **state)
{
	json_t *doc = ut_json("{\"n\":null,\"s\":\"x\",\"i\":3,\"e\":[]}");

	(void)state;
	assert_int_equal(jlist_size(json_object_get(doc, "n")), 0);
	assert_null(jlist_at(json_object_get(doc, "n"), 0));
	assert_int_equal(jlist_size(json_object_get(doc, "s")), 0);
	assert_null(jlist_at(json_object_get(doc, "s"), 0));
	assert_int_equal(jlist_size(json_object_get(doc, "i")), 0);
	assert_int_equal(jlist_size(json_object_get(doc, "e")), 0);
	assert_null(jlist_at(json_object_get(doc, "e"), 0));
	assert_int_equal(jlist_size(json_object_get(doc, "missing")), 0);
	assert_int_equal(jlist_size(NULL), 0);
	assert_null(jlist_at(NULL, 0));
	json_decref(doc);
}

static void test_jobj(void **state)
{
	json_t *doc = ut_json("{\"o\":{\"a\":1},\"s\":\"x\",\"a\":[{}]}");

	(void)state;
	assert_ptr_equal(jobj(doc, "o"), json_object_get(doc, "o"));
	assert_null(jobj(doc, "s"));
	assert_null(jobj(doc, "a"));
	assert_null(jobj(doc, "missing"));
	assert_null(jobj(NULL, "o"));
	json_decref(doc);
}

/* ---- parsing ------------------------------------------------------------ */

static const char *const malformed_docs[] = {
	"",
	"{",
	"{\"a\":1",                 /* truncated */
	"{\"photos\":{\"photo\":[",  /* truncated mid-list */
	"[1,2,",
	"{\"a\":}",
	"{a:1}",
	"nul",
	"{\"a\":1}x",               /* trailing garbage */
	"\xff",                     /* invalid UTF-8 outside a string */
	"{\"a\":1}\xff",
	"{\"a\":\"\\x\"}",              /* invalid escape */
	"{\"a\":\"\\u12\"}",
	"<html><body>502 Bad Gateway</body></html>",
	NULL,
};

static void test_json_parse_malformed(void **state)
{
	(void)state;
	for (const char *const *d = malformed_docs; *d; d++) {
		struct err e = { 0 };
		json_t *doc = NULL;

		print_message("parse '%s'\n", *d);
		assert_int_equal(json_parse(*d, strlen(*d), &doc, &e), FA_EPARSE);
		assert_int_equal(e.code, FA_EPARSE);
		assert_true(e.msg[0] != '\0');
		assert_null(doc);
	}
}

static void test_json_parse_duplicate_key_keeps_the_last(void **state)
{
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(json_parse("{\"a\":1,\"a\":2}", 13, &doc, NULL), 0);
	assert_int_equal(jint_or(doc, "a", 0), 2);
	json_decref(doc);
}

static void test_json_parse_truncated_valid_doc(void **state)
{
	static const char text[] = "{\"stat\":\"ok\",\"photo\":{\"id\":\"1\"}}";
	json_t *doc = NULL;

	(void)state;
	for (size_t len = 0; len < sizeof(text) - 1; len++) {
		struct err e = { 0 };

		assert_int_equal(json_parse(text, len, &doc, &e), FA_EPARSE);
		assert_null(doc);
	}
	assert_int_equal(json_parse(text, sizeof(text) - 1, &doc, NULL), 0);
	assert_string_equal(jstr(doc, "stat"), "ok");
	json_decref(doc);
}

static void test_json_parse_reads_only_len_bytes(void **state)
{
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(json_parse("{\"a\":1}garbage", 7, &doc, NULL), 0);
	assert_true(jint_or(doc, "a", 0) == 1);
	json_decref(doc);
}

static void test_json_parse_too_large(void **state)
{
	size_t len = JSON_MAX_DOC_BYTES + 1;
	char *big = calloc(1, len);
	struct err e = { 0 };
	json_t *doc = NULL;

	(void)state;
	assert_non_null(big);
	assert_int_equal(json_parse(big, len, &doc, &e), FA_EPARSE);
	assert_null(doc);
	assert_non_null(strstr(e.msg, "too large"));
	free(big);
}

/* ---- repairing strings before parsing ------------------------------------ */

#define FFFD "\xef\xbf\xbd"

struct repair_case {
	const char *in;   /* {"a": <in>} as raw bytes */
	long fixes;
	const char *out;  /* the value of "a" once parsed */
};

static const struct repair_case repair_cases[] = {
	{ "\"plain\"", 0, "plain" },
	{ "\"caf\xe9\"", 1, "caf" FFFD },                        /* Latin-1 caption */
	{ "\"\xff\xfe\"", 2, FFFD FFFD },
	{ "\"\xc3\"", 1, FFFD },                                 /* cut sequence */
	{ "\"\xed\xa0\x80\"", 3, FFFD FFFD FFFD },              /* encoded surrogate */
	{ "\"x\\u0000y\"", 1, "x" FFFD "y" },                    /* escaped NUL */
	{ "\"\\ud800\"", 1, FFFD },                              /* lone high surrogate */
	{ "\"\\udc00x\"", 1, FFFD "x" },                         /* lone low surrogate */
	{ "\"\\ud800\\u0041\"", 1, FFFD "A" },                 /* high, then not a low */
	{ "\"\\ud83d\\ude00\"", 0, "\xf0\x9f\x98\x80" },        /* a real pair is kept */
	{ "\"a\tb\nc\"", 2, "a\tb\nc" },                          /* raw control characters */
	{ "\"\\\"\xff\"", 1, "\"" FFFD },                         /* after an escaped quote */
	{ "\"\\\\\"", 0, "\\" },                                  /* an escaped backslash ends */
	{ "\"caf\xc3\xa9 \xe2\x98\x83\"", 0, "caf\xc3\xa9 \xe2\x98\x83" },
	{ NULL, 0, NULL },
};

static void test_json_parse_repairs_strings(void **state)
{
	(void)state;
	for (const struct repair_case *c = repair_cases; c->in; c++) {
		struct buf text = BUF_INIT;
		json_t *doc = NULL;
		struct err e = { 0 };
		const char *got;

		assert_int_equal(buf_printf(&text, "{\"a\":%s}", c->in), 0);
		print_message("repair %s\n", text.data);
		assert_int_equal(json_repair_strings(text.data, text.len, NULL), c->fixes);
		assert_int_equal(json_parse(text.data, text.len, &doc, &e), 0);
		got = jstr(doc, "a");
		assert_non_null(got);
		assert_string_equal(got, c->out);
		json_decref(doc);
		buf_release(&text);
	}
}

static void test_json_parse_repairs_raw_nul_and_keys(void **state)
{
	static const char text[] = "{\"k\xff\":\"a\0b\",\"n\":1}";
	json_t *doc = NULL;

	(void)state;
	assert_int_equal(json_repair_strings(text, sizeof(text) - 1, NULL), 2);
	assert_int_equal(json_parse(text, sizeof(text) - 1, &doc, NULL), 0);
	assert_string_equal(jstr(doc, "k" FFFD), "a" FFFD "b");
	assert_true(jint_or(doc, "n", 0) == 1);
	json_decref(doc);
}

static void test_json_repair_copies_only_strings(void **state)
{
	static const char text[] = "[\"\xff\", 1, \"ok\"]";
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(json_repair_strings(text, sizeof(text) - 1, &out), 1);
	assert_string_equal(out.data, "[\"" FFFD "\", 1, \"ok\"]");
	buf_release(&out);
	assert_int_equal(json_repair_strings("", 0, NULL), 0);
}

/* One item of a listing page with a bad caption costs nothing else. */
static void test_json_parse_listing_with_one_bad_title(void **state)
{
	static const char text[] =
		"{\"photos\":{\"page\":1,\"pages\":1,\"photo\":["
		"{\"id\":\"1\",\"title\":\"one\"},"
		"{\"id\":\"2\",\"title\":\"Sch\xf6ne Gr\xfc\xdf" "e\"},"
		"{\"id\":\"3\",\"title\":\"three\"}]},\"stat\":\"ok\"}";
	json_t *doc = NULL;
	const json_t *list;

	(void)state;
	assert_int_equal(json_parse(text, sizeof(text) - 1, &doc, NULL), 0);
	list = json_object_get(jobj(doc, "photos"), "photo");
	assert_int_equal(jlist_size(list), 3);
	assert_string_equal(jstr(jlist_at(list, 1), "title"),
			    "Sch" FFFD "ne Gr" FFFD FFFD "e");
	assert_string_equal(jstr(jlist_at(list, 2), "title"), "three");
	json_decref(doc);
}

/* ---- lossy UTF-8 -------------------------------------------------------- */

struct lossy_case {
	const char *in;
	const char *out;
};

static const struct lossy_case lossy_cases[] = {
	{ "abc", "abc" },
	{ "", "" },
	{ "caf\xc3\xa9", "caf\xc3\xa9" },                       /* valid 2-byte kept */
	{ "\xe2\x98\x83 \xf0\x9f\x98\x80", "\xe2\x98\x83 \xf0\x9f\x98\x80" }, /* 3 and 4 bytes */
	{ "a\xff" "b", "a" FFFD "b" },
	{ "caf\xe9", "caf" FFFD },                              /* Latin-1 */
	{ "\xc3", FFFD },                                        /* truncated sequence */
	{ "\xe2\x98", FFFD FFFD },
	{ "\xc0\xaf", FFFD FFFD },                               /* overlong '/' */
	{ "\xed\xa0\x80", FFFD FFFD FFFD },                      /* UTF-16 surrogate */
	{ "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD },             /* above U+10FFFF */
	{ "\x80" "x\xc3\xa9", FFFD "x\xc3\xa9" },                /* lone continuation */
	{ NULL, NULL },
};

static void test_jstring_lossy_table(void **state)
{
	(void)state;
	for (const struct lossy_case *c = lossy_cases; c->in; c++) {
		json_t *s = jstring_lossy(c->in);

		assert_non_null(s);
		assert_true(json_is_string(s));
		assert_int_equal(json_string_length(s), strlen(c->out));
		assert_memory_equal(json_string_value(s), c->out, strlen(c->out));
		json_decref(s);
	}
}

/* ---- setters and output ------------------------------------------------- */

static void test_setters(void **state)
{
	json_t *o = json_object();
	json_t *src = ut_json("{\"k\":[1,2]}");

	(void)state;
	assert_int_equal(jset_str(o, "s", "x"), 0);
	assert_int_equal(jset_str(o, "n", NULL), 0);
	assert_int_equal(jset_str(o, "bad", "a\xff"), 0);
	assert_int_equal(jset_int(o, "i", 1234567890123LL), 0);
	assert_int_equal(jset_real(o, "r", 44.375), 0);
	assert_int_equal(jset_bool(o, "b", true), 0);
	assert_int_equal(jset_new(o, "new", NULL), 0);
	assert_int_equal(jcopy(o, "copied", src, "k"), 0);
	assert_int_equal(jcopy(o, "absent", src, "missing"), 0);

	assert_string_equal(jstr(o, "s"), "x");
	assert_true(json_is_null(json_object_get(o, "n")));
	assert_string_equal(jstr(o, "bad"), "a" FFFD);
	assert_true(json_integer_value(json_object_get(o, "i")) == 1234567890123LL);
	assert_true(json_is_real(json_object_get(o, "r")));
	assert_true(json_is_true(json_object_get(o, "b")));
	assert_true(json_is_null(json_object_get(o, "new")));
	assert_int_equal(json_array_size(json_object_get(o, "copied")), 2);
	assert_null(json_object_get(o, "absent"));
	json_decref(o);
	json_decref(src);
}

static void test_json_dump_buf_format(void **state)
{
	json_t *o = json_object();
	struct buf b = BUF_INIT;

	(void)state;
	/* insertion order, two-space indent, raw UTF-8, final newline */
	jset_int(o, "z", 1);
	jset_str(o, "a", "Marohni\xc4\x87");
	assert_int_equal(json_dump_buf(o, &b), 0);
	assert_string_equal(buf_cstr(&b), "{\n  \"z\": 1,\n  \"a\": \"Marohni\xc4\x87\"\n}\n");
	buf_release(&b);
	json_decref(o);
}

/* A real set in a record equals itself read back from the file (51.64 + 0.09 is
 * 51.730000000000004: written as 51.73, it must not look like an edit). */
static void test_jset_real_round_trips(void **state)
{
	json_t *o = json_object(), *back = NULL;
	struct buf b = BUF_INIT;

	(void)state;
	jset_real(o, "latitude", 51.64 + 0.09);
	jset_real(o, "longitude", -5.0 - 9.0 / 50);
	jset_real(o, "tiny", 1e-300);
	assert_int_equal(json_dump_buf(o, &b), 0);
	assert_int_equal(json_parse(b.data, b.len, &back, NULL), 0);
	assert_true(json_equal(o, back));
	assert_true(json_real_value(json_object_get(o, "latitude")) == 51.73);
	json_decref(back);
	buf_release(&b);
	json_decref(o);
}

static void test_json_write_atomic_and_load_path(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "metadata.json");
	json_t *o = ut_json("{\"id\":\"8130464513\",\"views\":3}");
	json_t *back = NULL;
	struct err e = { 0 };

	assert_int_equal(json_write_atomic(path, o, &e), 0);
	assert_int_equal(ut_count_entries(dir), 1);
	assert_int_equal(json_load_path(path, &back, &e), 0);
	assert_true(json_equal(o, back));
	json_decref(back);
	json_decref(o);
	free(path);
}

static void test_json_load_path_errors(void **state)
{
	const char *dir = *state;
	char *missing = ut_join(dir, "missing.json");
	char *bad = ut_join(dir, "bad.json");
	json_t *doc = NULL;
	struct err e = { 0 };

	assert_int_equal(json_load_path(missing, &doc, &e), FA_ENOTFOUND);
	assert_null(doc);
	ut_write_str(bad, "{\"truncated\":");
	assert_int_equal(json_load_path(bad, &doc, &e), FA_EPARSE);
	assert_null(doc);
	assert_non_null(strstr(e.msg, "bad.json")); /* the message names the file */
	free(missing);
	free(bad);
}

/* ---- json_each_in_array ------------------------------------------------- */

/* Collects each element, dumped compactly, one per line. */
static int collect(void *ud, json_t *elem)
{
	char *text = json_dumps(elem, JSON_COMPACT);

	assert_non_null(text);
	assert_int_equal(buf_printf(ud, "%s\n", text), 0);
	free(text);
	return 0;
}

static int stop_at_second(void *ud, json_t *elem)
{
	(void)elem;
	return ++*(int *)ud == 2 ? FA_EINTR : 0;
}

struct each_case {
	const char *doc;
	int result;
	const char *seen;       /* what collect() or collect_member() saw */
};

static const struct each_case each_cases[] = {
	{ "[]", 0, "" },
	{ " [ ]\n", 0, "" },
	{ "[{\"id\":\"1\"},\n {\"id\":\"2\"}]\n", 0, "{\"id\":\"1\"}\n{\"id\":\"2\"}\n" },
	/* brackets and quotes inside strings do not end an element */
	{ "[{\"t\":\"a]}\\\"{\"},[1,[2]]]", 0, "{\"t\":\"a]}\\\"{\"}\n[1,[2]]\n" },
	/* scalars are skipped */
	{ "[1, \"x,]\", null, {\"a\":1}, true]", 0, "{\"a\":1}\n" },
	/* a bad string is repaired, as json_parse() does */
	{ "[{\"t\":\"\xff\"}]", 0, "{\"t\":\"\xef\xbf\xbd\"}\n" },
	{ "{\"a\":1}", FA_EPARSE, "" },
	{ "", FA_EPARSE, "" },
	{ "[{\"a\":1},{\"b\":", FA_EPARSE, "{\"a\":1}\n" },
	{ "[{\"a\":1} {\"b\":2}]", FA_EPARSE, "{\"a\":1}\n" },
	{ "[{\"a\":1},", FA_EPARSE, "{\"a\":1}\n" },
	{ "[{\"a\":}]", FA_EPARSE, "" },
};

/* The readers, collecting into seen (run_each_cases()). */
static int walk_array(const char *path, struct buf *seen, struct err *e)
{
	return json_each_in_array(path, collect, seen, e);
}

/* Runs each case: writes its file, walks it, checks the result and what was seen. */
static void run_each_cases(const char *dir, const struct each_case *cases, size_t n,
			   int (*walk)(const char *path, struct buf *seen, struct err *e))
{
	char *path = ut_join(dir, "walked.json");

	for (size_t i = 0; i < n; i++) {
		struct buf seen = BUF_INIT;
		struct err e = { 0 };

		ut_write_str(path, cases[i].doc);
		if (walk(path, &seen, &e) != cases[i].result || strcmp(buf_cstr(&seen), cases[i].seen))
			fail_msg("case %zu: '%s' gave '%s' (%s)", i, cases[i].doc, buf_cstr(&seen),
				 e.msg);
		buf_release(&seen);
	}
	free(path);
}

static void test_json_each_in_array_table(void **state)
{
	run_each_cases(*state, each_cases, N_ELEMS(each_cases), walk_array);
}

/* Elements that cross the reader's 64 KB pieces, and a file of many of them. */
static void test_json_each_in_array_large(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "big.json");
	struct buf doc = BUF_INIT, seen = BUF_INIT, want = BUF_INIT;
	struct err e = { 0 };
	int calls = 0;

	assert_int_equal(buf_puts(&doc, "[\n"), 0);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(buf_printf(&doc, "%s{\"id\":\"%d\",\"pad\":\"", i ? ",\n" : "", i), 0);
		assert_int_equal(buf_printf(&want, "{\"id\":\"%d\",\"pad\":\"", i), 0);
		for (int k = 0; k < (i % 100 == 7 ? 70000 : i % 50); k++) {
			assert_int_equal(buf_putc(&doc, 'x'), 0);
			assert_int_equal(buf_putc(&want, 'x'), 0);
		}
		assert_int_equal(buf_puts(&doc, "\"}"), 0);
		assert_int_equal(buf_puts(&want, "\"}\n"), 0);
	}
	assert_int_equal(buf_puts(&doc, "\n]\n"), 0);
	ut_write_file(path, doc.data, doc.len);
	assert_int_equal(json_each_in_array(path, collect, &seen, &e), 0);
	assert_string_equal(buf_cstr(&seen), buf_cstr(&want));
	assert_int_equal(json_each_in_array(path, stop_at_second, &calls, &e), FA_EINTR);
	assert_int_equal(calls, 2);
	free(path);
	path = ut_join(dir, "missing.json");
	assert_int_equal(json_each_in_array(path, collect, &seen, &e), FA_ENOTFOUND);
	buf_release(&doc);
	buf_release(&seen);
	buf_release(&want);
	free(path);
}

/* Collects each member as name=value (compact), one per line. */
static int collect_member(void *ud, const char *name, json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT);

	assert_non_null(text);
	assert_int_equal(buf_printf(ud, "%s=%s\n", name, text), 0);
	free(text);
	return 0;
}

static const struct each_case member_cases[] = {
	{ "{\"version\":1,\"thumbs\":{\"a\":{\"x\":1},\"b\":[1],\"c\":3,\"d\\\"q\":{\"y\":\"}\"}},"
	  "\"after\":[", 0, "a={\"x\":1}\nb=[1]\nd\"q={\"y\":\"}\"}\n" },
	/* indented, as json_dump_buf() writes */
	{ "{\n  \"version\": 1,\n  \"thumbs\": {\n    \"photo/1\": {\n      \"w\": 2\n    },\n"
	  "    \"photo/2\": {}\n  }\n}\n", 0, "photo/1={\"w\":2}\nphoto/2={}\n" },
	/* the key is found after members that hold braces and the key itself */
	{ "{\"skip\":{\"thumbs\":{\"no\":{}}},\"s\":\"},{\",\"n\":-1.5e3,\"thumbs\":{\"yes\":{}}}", 0,
	  "yes={}\n" },
	{ "{\"version\":1}", 0, "" },
	{ "{\"thumbs\":[{\"a\":1}]}", 0, "" },
	{ "{}", 0, "" },
	{ "[{\"thumbs\":{}}]", FA_EPARSE, "" },
	{ "{\"thumbs\":{\"a\":{\"x\":1},\"b\":", FA_EPARSE, "a={\"x\":1}\n" },
	{ "{\"thumbs\":{\"a\" {}}}", FA_EPARSE, "" },
	{ "{\"thumbs\":{\"a\":{} \"b\":{}}}", FA_EPARSE, "a={}\n" },
};

static int walk_thumbs(const char *path, struct buf *seen, struct err *e)
{
	return json_each_in_object(path, "thumbs", collect_member, seen, e);
}

static void test_json_each_in_object_table(void **state)
{
	run_each_cases(*state, member_cases, N_ELEMS(member_cases), walk_thumbs);
}

/* Names and values that cross the reader's 64 KB pieces. */
static void test_json_each_in_object_large(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "big.json");
	struct buf doc = BUF_INIT, seen = BUF_INIT, want = BUF_INIT;
	struct err e = { 0 };

	assert_int_equal(buf_puts(&doc, "{\"version\": 1, \"thumbs\": {"), 0);
	for (int i = 0; i < 3000; i++) {
		int pad = i % 100 == 7 ? 70000 : i % 50;

		assert_int_equal(buf_printf(&doc, "%s\n    \"photo/%d", i ? "," : "", i), 0);
		assert_int_equal(buf_printf(&want, "photo/%d", i), 0);
		for (int k = 0; k < pad; k++) {
			assert_int_equal(buf_putc(&doc, 'n'), 0);
			assert_int_equal(buf_putc(&want, 'n'), 0);
		}
		assert_int_equal(buf_printf(&doc, "\": {\"pad\": \""), 0);
		assert_int_equal(buf_printf(&want, "={\"pad\":\""), 0);
		for (int k = 0; k < pad; k++) {
			assert_int_equal(buf_putc(&doc, 'x'), 0);
			assert_int_equal(buf_putc(&want, 'x'), 0);
		}
		assert_int_equal(buf_puts(&doc, "\"}"), 0);
		assert_int_equal(buf_puts(&want, "\"}\n"), 0);
	}
	assert_int_equal(buf_puts(&doc, "\n  }\n}\n"), 0);
	ut_write_file(path, doc.data, doc.len);
	assert_int_equal(json_each_in_object(path, "thumbs", collect_member, &seen, &e), 0);
	assert_string_equal(buf_cstr(&seen), buf_cstr(&want));
	buf_release(&doc);
	buf_release(&seen);
	buf_release(&want);
	free(path);
}

/* The value of one member, dumped compactly (any type). */
static int walk_version(const char *path, struct buf *seen, struct err *e)
{
	json_t *value = NULL;
	int r = json_member_in_object(path, "version", &value, e);
	char *text = r == 0 ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	if (text)
		assert_int_equal(buf_printf(seen, "%s\n", text), 0);
	free(text);
	json_decref(value);
	return r;
}

static const struct each_case version_cases[] = {
	{ "{\"version\":1,\"thumbs\":{}}", 0, "1\n" },
	{ "{ \"thumbs\" : {\"version\":2,\"s\":\"}\"} , \"version\" : \"3\" }", 0, "\"3\"\n" },
	{ "{\"version\":{\"major\":[2]}}", 0, "{\"major\":[2]}\n" },
	{ "{\"version\":null}", 0, "null\n" },
	{ "{\"version\":\"\xff\"}", 0, "\"\xef\xbf\xbd\"\n" },
	/* duplicate keys: the first wins */
	{ "{\"version\":1,\"version\":2}", 0, "1\n" },
	/* the file after the member is not read */
	{ "{\"version\":4,", 0, "4\n" },
	{ "{\"a\":{\"version\":1}}", FA_ENOTFOUND, "" },
	{ "{}", FA_ENOTFOUND, "" },
	{ "[{\"version\":1}]", FA_EPARSE, "" },
	{ "{\"version\":", FA_EPARSE, "" },
	{ "{\"version\":}", FA_EPARSE, "" },
	{ "{\"version\":1 2}", FA_EPARSE, "" },
	{ "{\"a\":{} \"version\":1}", FA_EPARSE, "" },
};

static void test_json_member_in_object_table(void **state)
{
	run_each_cases(*state, version_cases, N_ELEMS(version_cases), walk_version);
}

/* A NUL byte is no white space: before the '[', around a ',', after a name. */
static void test_json_each_nul_is_not_space(void **state)
{
#define NUL_CASE(text) { text, sizeof(text) - 1 }
	static const struct {
		const char *doc;
		size_t len;
	} arrays[] = {
		NUL_CASE("\0[{\"a\":1}]"),
		NUL_CASE("[{\"a\":1}\0,{\"b\":2}]"),
		NUL_CASE("[{\"a\":1},\0{\"b\":2}]"),
	}, object = NUL_CASE("{\"thumbs\"\0:{\"a\":{}}}");
#undef NUL_CASE
	char *path = ut_join(*state, "nul.json");
	struct buf seen = BUF_INIT;
	struct err e = { 0 };

	for (size_t i = 0; i < N_ELEMS(arrays); i++) {
		ut_write_file(path, arrays[i].doc, arrays[i].len);
		if (json_each_in_array(path, collect, &seen, &e) != FA_EPARSE)
			fail_msg("array %zu: a NUL taken for white space", i);
	}
	ut_write_file(path, object.doc, object.len);
	assert_int_equal(json_each_in_object(path, "thumbs", collect_member, &seen, &e), FA_EPARSE);
	assert_null(strstr(buf_cstr(&seen), "a="));
	buf_release(&seen);
	free(path);
}

/* An error names the file once. */
static void test_json_each_names_the_file_once(void **state)
{
	char *path = ut_join(*state, "once.json");
	struct buf seen = BUF_INIT, want = BUF_INIT;
	struct err e = { 0 };

	ut_write_str(path, "[{\"a\":1},{\"b\":");
	assert_int_equal(json_each_in_array(path, collect, &seen, &e), FA_EPARSE);
	assert_int_equal(buf_printf(&want, "'%s' is truncated", path), 0);
	assert_string_equal(e.msg, buf_cstr(&want));
	ut_write_str(path, "{\"thumbs\":{\"a\":{\"b\":}}}");
	assert_int_equal(json_each_in_object(path, "thumbs", collect_member, &seen, &e), FA_EPARSE);
	buf_reset(&want);
	assert_int_equal(buf_printf(&want, "'%s': malformed JSON", path), 0);
	assert_true(!strncmp(e.msg, buf_cstr(&want), want.len));
	assert_null(strstr(e.msg + want.len, path));
	buf_release(&seen);
	buf_release(&want);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jint_table),
		cmocka_unit_test(test_jint_null_object),
		cmocka_unit_test(test_jint_value_direct),
		cmocka_unit_test(test_jreal_table),
		cmocka_unit_test(test_jflag_table),
		cmocka_unit_test(test_text_getters_table),
		cmocka_unit_test(test_jtext_real_number),
		cmocka_unit_test(test_jlist_array),
		cmocka_unit_test(test_jlist_lone_object_is_one_item),
		cmocka_unit_test(test_jlist_absent_null_and_scalars),
		cmocka_unit_test(test_jobj),
		cmocka_unit_test(test_json_parse_malformed),
		cmocka_unit_test(test_json_parse_duplicate_key_keeps_the_last),
		cmocka_unit_test(test_json_parse_truncated_valid_doc),
		cmocka_unit_test(test_json_parse_reads_only_len_bytes),
		cmocka_unit_test(test_json_parse_too_large),
		cmocka_unit_test(test_json_parse_repairs_strings),
		cmocka_unit_test(test_json_parse_repairs_raw_nul_and_keys),
		cmocka_unit_test(test_json_repair_copies_only_strings),
		cmocka_unit_test(test_json_parse_listing_with_one_bad_title),
		cmocka_unit_test(test_jstring_lossy_table),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_json_dump_buf_format),
		cmocka_unit_test(test_jset_real_round_trips),
		cmocka_unit_test_setup_teardown(test_json_write_atomic_and_load_path,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_load_path_errors,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_in_array_table,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_in_array_large,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_in_object_table,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_in_object_large,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_member_in_object_table,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_nul_is_not_space,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_json_each_names_the_file_once,
						ut_setup_tmpdir, ut_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
