/*
 * fuzz_html.c: the site's HTML sanitiser, plain-text extraction and JS
 * strings on hostile bytes.  Invariants: sanitised output holds only tags of
 * the allow-list, balanced, with no attribute but a's href (http, https or
 * mailto, quoted) and rel; no NUL or other control byte, no bare "&";
 * sanitising it again changes nothing (line ends and links aside); plain text is
 * trimmed; JS strings are printable ASCII without < > & and read back as
 * JSON; escaped text holds no < > " ' nor a bare "&"; an allowed URL has an
 * allowed scheme and no control byte.
 */
#include <ctype.h>

#include "fuzz.h"
#include "html.h"

#define MAX_OPEN 256

static const char *const allowed[] = {
	"a", "abbr", "b", "big", "blockquote", "br", "cite", "code", "del", "em", "hr", "i",
	"ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "strike", "strong", "sub",
	"sup", "tt", "u", "ul", "var", NULL,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int is_allowed(const char *name, size_t n)
{
	for (const char *const *a = allowed; *a; a++)
		if (strlen(*a) == n && !memcmp(*a, name, n))
			return 1;
	return 0;
}

static int is_void(const char *name, size_t n)
{
	return (n == 2 && !memcmp(name, "br", 2)) || (n == 2 && !memcmp(name, "hr", 2));
}

/* The only attributes: href="<http(s) or mailto URL without quotes or <>>" rel="...". */
static size_t check_anchor_attrs(const char *s, size_t n)
{
	static const char rel[] = "\" rel=\"nofollow noopener noreferrer\">";
	size_t i = 0;

	if (n >= 1 && s[0] == '>')
		return 1;
	FUZZ_CHECK(n > 7 && !memcmp(s, " href=\"", 7));
	i = 7;
	FUZZ_CHECK(!strncasecmp(s + i, "http://", 7) || !strncasecmp(s + i, "https://", 8) ||
		   !strncasecmp(s + i, "mailto:", 7));
	for (; i < n && s[i] != '"'; i++)
		FUZZ_CHECK(s[i] != '<' && s[i] != '>' && s[i] != '\'' && (unsigned char)s[i] >= 0x20);
	FUZZ_CHECK(n - i >= sizeof(rel) - 1 && !memcmp(s + i, rel, sizeof(rel) - 1));
	return i + sizeof(rel) - 1;
}

/* A character reference the sanitiser let through: "&name;" or "&#...;". */
static void check_reference(const char *s, size_t n)
{
	size_t k = 1;

	while (k < n && k < 40 && (isalnum((unsigned char)s[k]) || s[k] == '#'))
		k++;
	FUZZ_CHECK(k > 1 && k < n && s[k] == ';');
}

static void check_sanitized(const char *s, size_t n)
{
	const char *open[MAX_OPEN];
	size_t open_len[MAX_OPEN], depth = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t start, k;
		int closing;

		FUZZ_CHECK(c != 0 && (c >= 0x20 || c == '\n' || c == '\t') && c != 0x7F);
		FUZZ_CHECK(c != '>' && c != '"' && c != '\'');
		if (c == '&')
			check_reference(s + i, n - i);
		if (c != '<') {
			i++;
			continue;
		}
		closing = i + 1 < n && s[i + 1] == '/';
		start = i + 1 + (size_t)closing;
		k = start;

		while (k < n && islower((unsigned char)s[k]))
			k++;
		FUZZ_CHECK(is_allowed(s + start, k - start));
		if (closing) {
			FUZZ_CHECK(k < n && s[k] == '>');
			FUZZ_CHECK(depth > 0 && open_len[depth - 1] == k - start &&
				   !memcmp(open[depth - 1], s + start, k - start));
			depth--;
			i = k + 1;
			continue;
		}
		if (k - start == 1 && s[start] == 'a') {
			i = k + check_anchor_attrs(s + k, n - k);
		} else {
			FUZZ_CHECK(k < n && s[k] == '>');
			i = k + 1;
		}
		if (!is_void(s + start, k - start)) {
			FUZZ_CHECK(depth < MAX_OPEN);
			open[depth] = s + start;
			open_len[depth++] = k - start;
		}
	}
	FUZZ_CHECK(depth == 0);
}

/* s without the start and end tags of links (copied into out). */
static void without_links(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if ((n - i >= 3 && !memcmp(s + i, "<a ", 3)) || (n - i >= 4 && !memcmp(s + i, "</a>", 4))) {
			const char *end = memchr(s + i, '>', n - i);

			FUZZ_CHECK(end != NULL);
			i = (size_t)(end - s) + 1;
			continue;
		}
		FUZZ_CHECK(buf_putc(out, s[i++]) == 0);
	}
}

/*
 * Its output is a fixed point, line ends aside (a newline there comes from a
 * <br>), and links aside: a URL that a character reference spelled in part
 * becomes a bare URL, made a link the second time.
 */
static void check_fixed_point(const struct buf *once)
{
	struct buf flat = BUF_INIT, again = BUF_INIT, a = BUF_INIT, b = BUF_INIT;

	for (size_t i = 0; i < once->len; i++)
		if (once->data[i] != '\n')
			FUZZ_CHECK(buf_putc(&flat, once->data[i]) == 0);
	FUZZ_CHECK(html_sanitize(&again, buf_cstr(&flat), flat.len) == 0);
	without_links(&a, buf_cstr(&flat), flat.len);
	without_links(&b, buf_cstr(&again), again.len);
	FUZZ_CHECK(a.len == b.len && !memcmp(buf_cstr(&a), buf_cstr(&b), a.len));
	buf_release(&flat);
	buf_release(&again);
	buf_release(&a);
	buf_release(&b);
}

static void check_escaped(const char *in, size_t n)
{
	struct buf out = BUF_INIT;

	FUZZ_CHECK(html_escape_n(&out, in, n) == 0);
	for (size_t i = 0; i < out.len; i++) {
		char c = out.data[i];

		FUZZ_CHECK(c == '\0' || !strchr("<>\"'", c));
		if (c == '&')
			FUZZ_CHECK(!strncmp(out.data + i, "&amp;", 5) || !strncmp(out.data + i, "&lt;", 4) ||
				   !strncmp(out.data + i, "&gt;", 4) || !strncmp(out.data + i, "&quot;", 6) ||
				   !strncmp(out.data + i, "&#39;", 5));
	}
	buf_release(&out);
}

static void check_url(const char *s, size_t n)
{
	char *url = html_allowed_url(s, n);

	if (url) {
		FUZZ_CHECK(!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8) ||
			   !strncasecmp(url, "mailto:", 7));
		for (const char *c = url; *c; c++)
			FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F);
	}
	free(url);
}

static void check_js(const char *s)
{
	struct buf out = BUF_INIT;

	FUZZ_CHECK(html_js_string(&out, s) == 0);
	FUZZ_CHECK(out.len >= 2 && out.data[0] == '"' && out.data[out.len - 1] == '"');
	for (size_t i = 0; i < out.len; i++) {
		unsigned char c = (unsigned char)out.data[i];

		FUZZ_CHECK(c >= 0x20 && c < 0x7F && c != '<' && c != '>' && c != '&');
		if (c == '"')
			FUZZ_CHECK(i == 0 || i == out.len - 1 || out.data[i - 1] == '\\');
	}
	/* it is a JSON string, and Jansson reads it back */
	{
		json_error_t je;
		json_t *v = json_loadb(out.data, out.len, JSON_DECODE_ANY, &je);

		FUZZ_CHECK(v != NULL && json_is_string(v));
		json_decref(v);
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf html = BUF_INIT, text = BUF_INIT;
	char *s = fuzz_strndup(data, size);

	FUZZ_CHECK(html_sanitize(&html, (const char *)data, size) == 0);
	check_sanitized(buf_cstr(&html), html.len);
	check_fixed_point(&html);
	FUZZ_CHECK(html_to_text(&text, (const char *)data, size) == 0);
	FUZZ_CHECK(memchr(text.data ? text.data : "", '\0', text.len) == NULL);
	FUZZ_CHECK(text.len == 0 || (text.data[0] != ' ' && text.data[text.len - 1] != ' '));
	check_escaped((const char *)data, size);
	check_js(s);
	check_js(buf_cstr(&text));
	check_url((const char *)data, size);
	buf_release(&html);
	buf_release(&text);
	free(s);
	return 0;
}
