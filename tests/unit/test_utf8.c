/* test_utf8.c: one UTF-8 character read (only well-formed ones) and written; one HTML
 * character reference read. */
#include "unit.h"

#include "buf.h"
#include "utf8.h"

struct decode_case {
	const char *bytes;
	size_t avail;
	long cp;    /* -1: invalid */
	size_t len; /* 1 when invalid */
};

static const struct decode_case decode_cases[] = {
	{ "a", 1, 'a', 1 },
	{ "\0", 1, 0, 1 },
	{ "\x7f", 1, 0x7f, 1 },
	{ "\xc3\xa9", 2, 0xe9, 2 },                  /* é */
	{ "\xe2\x80\x94", 3, 0x2014, 3 },             /* em dash */
	{ "\xe6\x9d\xb1", 3, 0x6771, 3 },             /* 東 */
	{ "\xf0\x9f\x93\xb7", 4, 0x1f4f7, 4 },        /* camera emoji */
	{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff, 4 },       /* the last code point */
	{ "\xef\xbf\xbd", 3, 0xfffd, 3 },             /* a real U+FFFD is a character */
	{ "\x80", 1, -1, 1 },                         /* a continuation byte alone */
	{ "\xbf\x80", 2, -1, 1 },
	{ "\xc0\x80", 2, -1, 1 },                     /* overlong NUL */
	{ "\xc1\xbf", 2, -1, 1 },                     /* overlong DEL */
	{ "\xe0\x9f\xbf", 3, -1, 1 },                 /* overlong 3 bytes */
	{ "\xf0\x8f\xbf\xbf", 4, -1, 1 },             /* overlong 4 bytes */
	{ "\xed\xa0\x80", 3, -1, 1 },                 /* a surrogate */
	{ "\xed\xbf\xbf", 3, -1, 1 },
	{ "\xf4\x90\x80\x80", 4, -1, 1 },             /* past U+10FFFF */
	{ "\xf8\x88\x80\x80\x80", 5, -1, 1 },         /* five bytes */
	{ "\xff", 1, -1, 1 },
	{ "\xc3", 1, -1, 1 },                         /* cut short by the end */
	{ "\xe2\x80\x94", 2, -1, 1 },                 /* cut short by avail */
	{ "\xe2\x80x", 3, -1, 1 },                    /* cut short by a non-continuation */
	{ "\xe2\x80", 3, -1, 1 },                     /* ... or by the NUL */
	{ NULL, 0, 0, 0 },
};

static void test_decode_reads_only_well_formed_characters(void **state)
{
	(void)state;
	for (const struct decode_case *c = decode_cases; c->bytes; c++) {
		size_t len = 99;
		long cp = utf8_decode((const unsigned char *)c->bytes, c->avail, &len);

		if (cp != c->cp || len != c->len)
			fail_msg("case %d: got %ld/%zu, want %ld/%zu", (int)(c - decode_cases), cp, len,
				 c->cp, c->len);
	}
}

struct put_case {
	unsigned long cp;
	const char *bytes;
};

static const struct put_case put_cases[] = {
	{ 'a', "a" },
	{ 0x7f, "\x7f" },
	{ 0x80, "\xc2\x80" },
	{ 0xe9, "\xc3\xa9" },
	{ 0x7ff, "\xdf\xbf" },
	{ 0x800, "\xe0\xa0\x80" },
	{ 0x2014, "\xe2\x80\x94" },
	{ 0xffff, "\xef\xbf\xbf" },
	{ 0x10000, "\xf0\x90\x80\x80" },
	{ 0x1f4f7, "\xf0\x9f\x93\xb7" },
	{ 0x10ffff, "\xf4\x8f\xbf\xbf" },
	{ 0, "\xef\xbf\xbd" },          /* NUL would end the string */
	{ 0xd800, "\xef\xbf\xbd" },     /* surrogates */
	{ 0xdfff, "\xef\xbf\xbd" },
	{ 0x110000, "\xef\xbf\xbd" },   /* past Unicode */
	{ 0xffffffffUL, "\xef\xbf\xbd" },
	{ 1, NULL },
};

static void test_put_writes_utf8_and_replaces_what_is_no_character(void **state)
{
	(void)state;
	for (const struct put_case *c = put_cases; c->bytes; c++) {
		struct buf b = BUF_INIT;

		assert_int_equal(buf_puts(&b, "<"), 0);
		assert_int_equal(utf8_put(&b, c->cp), 0);
		assert_int_equal(b.len, 1 + strlen(c->bytes));
		assert_memory_equal(b.data + 1, c->bytes, strlen(c->bytes));
		buf_release(&b);
	}
}

/* Every code point written is read back as itself, with its length. */
static void test_put_then_decode_round_trips(void **state)
{
	(void)state;
	for (unsigned long cp = 1; cp <= 0x10ffff; cp += cp < 0x1000 ? 1 : 37) {
		struct buf b = BUF_INIT;
		size_t len;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		assert_int_equal(utf8_put(&b, cp), 0);
		assert_int_equal(utf8_decode((const unsigned char *)b.data, b.len, &len), (long)cp);
		assert_int_equal(len, b.len);
		buf_release(&b);
	}
}

static void test_put_reports_a_full_buffer(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 2);
	assert_int_equal(utf8_put(&b, 0xe9), 0);
	assert_int_equal(utf8_put(&b, 'a'), FA_ENOMEM);
	assert_int_equal(b.len, 2);
	buf_release(&b);
}

struct charref_case {
	const char *s;
	size_t len; /* 0: no reference */
	long cp;    /* -1: a name the table does not know */
};

static const struct charref_case charref_cases[] = {
	{ "&amp;", 5, '&' },
	{ "&amp;amp;", 5, '&' },         /* one reference at a time */
	{ "&lt;b&gt;", 4, '<' },
	{ "&nbsp;x", 6, 0xa0 },
	{ "&eacute;", 8, 0xe9 },
	{ "&hellip;", 8, 0x2026 },
	{ "&#233;", 6, 0xe9 },
	{ "&#xE9;", 6, 0xe9 },
	{ "&#Xe9;", 6, 0xe9 },
	{ "&#x1F4F7;", 9, 0x1f4f7 },
	{ "&#0;", 4, 0 },                /* as written: the caller decides */
	{ "&#1;", 4, 1 },
	{ "&#x110000;", 10, 0x110000 },
	{ "&#99999999;", 11, 99999999 }, /* 8 digits */
	{ "&#999999999;", 0, -1 },       /* 9: none */
	{ "&unknown;", 9, -1 },          /* well-formed, kept as written */
	{ "&amp", 0, -1 },               /* no ';' */
	{ "& b", 0, -1 },
	{ "&;", 0, -1 },
	{ "&#;", 0, -1 },
	{ "&#x;", 0, -1 },
	{ "&#12a;", 0, -1 },
	{ "&1ab;", 0, -1 },              /* a name begins with a letter */
	{ "&", 0, -1 },
	{ "&abcdefghijabcdefghijabcdefghijab;", 34, -1 }, /* 32 letters */
	{ "&abcdefghijabcdefghijabcdefghijabc;", 0, -1 }, /* 33 */
	{ NULL, 0, 0 },
};

static void test_charref_reads_one_reference(void **state)
{
	(void)state;
	for (const struct charref_case *c = charref_cases; c->s; c++) {
		long cp = 12345;
		size_t len = utf8_charref(c->s, strlen(c->s), &cp);

		if (len != c->len || (len && cp != c->cp))
			fail_msg("'%s': %zu, %ld; expected %zu, %ld", c->s, len, cp, c->len, c->cp);
	}
}

static void test_charref_reads_no_further_than_n(void **state)
{
	long cp;

	(void)state;
	assert_int_equal(utf8_charref("&amp;", 4, &cp), 0);
	assert_int_equal(utf8_charref("&#233;", 5, &cp), 0);
	assert_int_equal(utf8_charref("&amp;", 5, &cp), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_reads_only_well_formed_characters),
		cmocka_unit_test(test_put_writes_utf8_and_replaces_what_is_no_character),
		cmocka_unit_test(test_put_then_decode_round_trips),
		cmocka_unit_test(test_put_reports_a_full_buffer),
		cmocka_unit_test(test_charref_reads_one_reference),
		cmocka_unit_test(test_charref_reads_no_further_than_n),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
