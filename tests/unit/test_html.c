/* test_html.c: escaping, the sanitiser (with hostile input), plain text, JS strings. */
#include "unit.h"

#include "html.h"

struct html_case {
	const char *in;
	const char *want;
};

static void check_sanitize(const char *in, const char *want)
{
	struct buf out = BUF_INIT;

	assert_int_equal(html_sanitize(&out, in, strlen(in)), 0);
	if (strcmp(buf_cstr(&out), want))
		fail_msg("sanitize(%s)\n  got:  %s\n  want: %s", in, buf_cstr(&out), want);
	buf_release(&out);
}

static void check_text(const char *in, const char *want)
{
	struct buf out = BUF_INIT;

	assert_int_equal(html_to_text(&out, in, strlen(in)), 0);
	if (strcmp(buf_cstr(&out), want))
		fail_msg("to_text(%s)\n  got:  [%s]\n  want: [%s]", in, buf_cstr(&out), want);
	buf_release(&out);
}

static void test_escape(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(html_escape(&out, "a<b>&\"c'd</script>"), 0);
	assert_string_equal(buf_cstr(&out), "a&lt;b&gt;&amp;&quot;c&#39;d&lt;/script&gt;");
	buf_reset(&out);
	assert_int_equal(html_escape(&out, NULL), 0);
	assert_string_equal(buf_cstr(&out), "");
	assert_int_equal(html_escape_n(&out, "x\0<", 3), 0);
	assert_int_equal(out.len, 6); /* x NUL &lt; */
	buf_release(&out);
}

static void test_sanitize_keeps_flickr_markup(void **state)
{
	static const struct html_case cases[] = {
		{ "plain text", "plain text" },
		{ "", "" },
		{ "Visiting <b>Babcia</b> &amp; <a href=\"https://en.wikipedia.org/wiki/Krak%C3%B3w\" "
		  "rel=\"nofollow\">Krak\xc3\xb3w</a>",
		  "Visiting <b>Babcia</b> &amp; <a href=\"https://en.wikipedia.org/wiki/Krak%C3%B3w\" "
		  "rel=\"nofollow noopener noreferrer\">Krak\xc3\xb3w</a>" },
		{ "line one\nline two", "line one<br>\nline two" },
		{ "a\r\nb", "a<br>\nb" },
		{ "<I>Italic</I> <STRONG>x</STRONG>", "<i>Italic</i> <strong>x</strong>" },
		{ "<ul><li>one<li>two</ul>", "<ul><li>one<li>two</li></li></ul>" },
		{ "<pre>a\nb</pre>c\nd", "<pre>a\nb</pre>c<br>\nd" },
		{ "x<br/>y<br />z", "x<br>y<br>z" },
		{ "&eacute;&hellip;&unknownname; &#233; &#xE9;",
		  "\xc3\xa9\xe2\x80\xa6&unknownname; \xc3\xa9 \xc3\xa9" },
		{ "<a href='mailto:a@b.example'>mail</a>",
		  "<a href=\"mailto:a@b.example\" rel=\"nofollow noopener noreferrer\">mail</a>" },
		{ "<a href=\"/photos/jan/\">rel</a>",
		  "<a href=\"https://www.flickr.com/photos/jan/\" rel=\"nofollow noopener noreferrer\">"
		  "rel</a>" },
		{ "<a href=//example.org/x>proto-relative</a>",
		  "<a href=\"https://example.org/x\" rel=\"nofollow noopener noreferrer\">"
		  "proto-relative</a>" },
		{ "<a href=\"https://x.example/?a=1&amp;b=2\">q</a>",
		  "<a href=\"https://x.example/?a=1&amp;b=2\" rel=\"nofollow noopener noreferrer\">q</a>" },
		{ "unclosed <b>bold", "unclosed <b>bold</b>" },
		{ "stray </b> close", "stray  close" },
		{ "<b><i>mis</b>nested</i>", "<b><i>mis</i></b>nested" },
		{ "<a href=\"http://a.example\">one <a href=\"http://b.example\">two</a>",
		  "<a href=\"http://a.example\" rel=\"nofollow noopener noreferrer\">one </a>"
		  "<a href=\"http://b.example\" rel=\"nofollow noopener noreferrer\">two</a>" },
		{ "<img src=\"https://farm1.staticflickr.com/1/2.jpg\" alt=\"sunset\">",
		  "<a href=\"https://farm1.staticflickr.com/1/2.jpg\" rel=\"nofollow noopener "
		  "noreferrer\">[image: sunset]</a>" },
		{ "<img src=x>", "[image]" },
		{ "More at https://example.org/a_b. And (http://x.example/p)!",
		  "More at <a href=\"https://example.org/a_b\" rel=\"nofollow noopener noreferrer\">"
		  "https://example.org/a_b</a>. And (<a href=\"http://x.example/p\" rel=\"nofollow "
		  "noopener noreferrer\">http://x.example/p</a>)!" },
		{ "<a href=\"https://a.example/\">https://a.example/</a> xhttps://no.example",
		  "<a href=\"https://a.example/\" rel=\"nofollow noopener noreferrer\">"
		  "https://a.example/</a> xhttps://no.example" },
		{ "https:// alone", "https:// alone" },
		{ "http://e", "<a href=\"http://e\" rel=\"nofollow noopener noreferrer\">http://e</a>" },
		{ "<a href=\"javascript:x\">see http://e.example</a>",
		  "see <a href=\"http://e.example\" rel=\"nofollow noopener noreferrer\">"
		  "http://e.example</a>" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		check_sanitize(cases[i].in, cases[i].want);
}

static void test_sanitize_hostile(void **state)
{
	static const struct html_case cases[] = {
		{ "<script>alert(1)</script>after", "after" },
		{ "<SCRIPT src=x></SCRIPT >after", "after" },
		{ "<script>never closed", "" },
		{ "<style>body{display:none}</style>shown", "shown" },
		{ "<iframe src=\"https://evil.example\"></iframe>x", "x" },
		{ "<a href=\"javascript:alert(1)\">js</a>", "js" },
		{ "<a href=\"JaVaScRiPt:alert(1)\">js</a>", "js" },
		{ "<a href=\"jav&#x61;script:alert(1)\">js</a>", "js" },
		{ "<a href=\" javascript:alert(1)\">js</a>", "js" },
		{ "<a href=\"java\tscript:alert(1)\">js</a>", "js" },
		{ "<a href=\"data:text/html,<script>alert(1)</script>\">d</a>", "d" },
		{ "<a href=\"vbscript:x\">v</a>", "v" },
		/* control bytes go before parsing: the URL is checked as a browser would read it */
		{ "<a href=\"http://ok.example/\x01x\">ctl</a>",
		  "<a href=\"http://ok.example/x\" rel=\"nofollow noopener noreferrer\">ctl</a>" },
		{ "<a href=\"java\x01script:alert(1)\">js</a>", "js" },
		{ "<a href=\"///evil.example\">triple</a>", "triple" },
		{ "<a href=\"/\\evil.example\">backslash</a>", "backslash" },
		{ "<a href=\"https://x.example/\" onclick=\"alert(1)\">on</a>",
		  "<a href=\"https://x.example/\" rel=\"nofollow noopener noreferrer\">on</a>" },
		{ "<a href=\"https://x.example/\"\"><script>alert(1)</script>\">q</a>",
		  "<a href=\"https://x.example/\" rel=\"nofollow noopener noreferrer\">&quot;&gt;q</a>" },
		{ "<a href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\">q</a>",
		  "<a href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\" "
		  "rel=\"nofollow noopener noreferrer\">q</a>" },
		{ "<b onmouseover=alert(1)>b</b>", "<b>b</b>" },
		{ "<img src=x onerror=alert(1)>", "[image]" },
		{ "<img src=\"javascript:alert(1)\" alt=\"<script>\">", "[image: &lt;script&gt;]" },
		{ "<svg><script>alert(1)</script></svg>", "" },
		{ "<!-- <script>alert(1)</script> -->ok", "ok" },
		{ "<!-- never closed <b>", "" },
		{ "<!DOCTYPE html>x<?php echo 1 ?>y", "xy" },
		{ "a < b && c > d", "a &lt; b &amp;&amp; c &gt; d" },
		{ "<b title=\"x>y\">t</b>", "<b>t</b>" },
		{ "<b title=\"unterminated>t", "&lt;b title=&quot;unterminated&gt;t" },
		{ "<<script>>", "&lt;" },
		{ "</script><script>alert(1)</script>", "" },
		{ "&#0;&#x110000;&#xD800;&#1;&#99999999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "\xef\xbf\xbd&amp;#99999999999;" },
		{ "&lt;script&gt;", "&lt;script&gt;" },
		{ "&#60;script&#62;", "&lt;script&gt;" },
		{ "a\x01\x7f" "b", "ab" },
		{ "\"quotes\" & 'apostrophes'", "&quot;quotes&quot; &amp; &#39;apostrophes&#39;" },
		{ "<a\x01href=javascript:x>y</a>", "y" },
		{ "<textarea><b>x</b></textarea>", "<b>x</b>" },
		{ "<p><p><p>", "<p><p><p></p></p></p>" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		check_sanitize(cases[i].in, cases[i].want);
}

static void test_sanitize_deep_nesting_is_bounded(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t opens = 0, closes = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&in, "<b>"), 0);
	assert_int_equal(html_sanitize(&out, in.data, in.len), 0);
	for (const char *p = out.data; (p = strstr(p, "<b>")); p++)
		opens++;
	for (const char *p = out.data; (p = strstr(p, "</b>")); p++)
		closes++;
	assert_true(opens > 0 && opens <= 64);
	assert_int_equal(opens, closes);
	buf_release(&in);
	buf_release(&out);
}

static void test_sanitize_binary_input(void **state)
{
	static const char in[] = "a\0<b>\0</b>\xff\xfe";
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(html_sanitize(&out, in, sizeof(in) - 1), 0);
	assert_int_equal(strlen(buf_cstr(&out)), out.len); /* no NUL comes out */
	assert_string_equal(buf_cstr(&out), "a<b></b>\xff\xfe");
	buf_release(&out);
	assert_int_equal(html_sanitize(&out, NULL, 5), 0);
	assert_string_equal(buf_cstr(&out), "");
	buf_release(&out);
}

static void test_to_text(void **state)
{
	static const struct html_case cases[] = {
		{ "Visiting <b>Babcia</b> &amp; <a href=\"https://x\">Krak\xc3\xb3w</a>",
		  "Visiting Babcia & Krak\xc3\xb3w" },
		{ "  lots   of\n\n space  ", "lots of space" },
		{ "one<br>two<p>three</p><li>four", "one two three four" },
		{ "it<b>al</b>ic<span>s</span>", "italics" },
		{ "<script>var x = 1;</script>text", "text" },
		{ "&lt;script&gt; &#233;&nbsp;&unknown;", "<script> \xc3\xa9 &unknown;" },
		{ "<img src=x alt=\"a cat\">", "a cat" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		check_text(cases[i].in, cases[i].want);
}

static void test_js_string(void **state)
{
	static const struct html_case cases[] = {
		{ "plain", "\"plain\"" },
		{ "</script><!--", "\"\\u003c/script\\u003e\\u003c!--\"" },
		{ "q\"b\\s\nn\tt", "\"q\\\"b\\\\s\\nn\\u0009t\"" },
		{ "A&B", "\"A\\u0026B\"" },
		{ "\xc3\xa9", "\"\\u00e9\"" },
		{ "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
		{ "\xf0\x9f\x8e\x89", "\"\\ud83c\\udf89\"" },
		{ "\xff" "a\xc3", "\"\\ufffda\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
	};
	struct buf out = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		buf_reset(&out);
		assert_int_equal(html_js_string(&out, cases[i].in), 0);
		if (strcmp(buf_cstr(&out), cases[i].want))
			fail_msg("js_string case %zu: got %s want %s", i, buf_cstr(&out), cases[i].want);
	}
	buf_reset(&out);
	assert_int_equal(html_js_string(&out, NULL), 0);
	assert_string_equal(buf_cstr(&out), "\"\"");
	buf_release(&out);
}

static void test_allowed_url(void **state)
{
	static const struct html_case cases[] = {
		{ "https://example.org/a?b=c", "https://example.org/a?b=c" },
		{ "  HTTP://EXAMPLE.ORG  ", "HTTP://EXAMPLE.ORG" },
		{ "mailto:x@y.example", "mailto:x@y.example" },
		{ "/photos/x/", "https://www.flickr.com/photos/x/" },
		{ "//example.org/", "https://example.org/" },
		{ "/", "https://www.flickr.com/" },
		{ "javascript:alert(1)", NULL },
		{ "file:///etc/passwd", NULL },
		{ "relative/path", NULL },
		{ "#fragment", NULL },
		{ "", NULL },
		{ "https://a.example/\nx", NULL },
		{ "///x", NULL },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char *got = html_allowed_url(cases[i].in, strlen(cases[i].in));

		if (!cases[i].want && got)
			fail_msg("url '%s' allowed as '%s'", cases[i].in, got);
		if (cases[i].want && (!got || strcmp(got, cases[i].want)))
			fail_msg("url '%s': got '%s' want '%s'", cases[i].in, got ? got : "(null)",
				 cases[i].want);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_sanitize_keeps_flickr_markup),
		cmocka_unit_test(test_sanitize_hostile),
		cmocka_unit_test(test_sanitize_deep_nesting_is_bounded),
		cmocka_unit_test(test_sanitize_binary_input),
		cmocka_unit_test(test_to_text),
		cmocka_unit_test(test_js_string),
		cmocka_unit_test(test_allowed_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
