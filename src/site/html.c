/*
 * html.c: escaping, and a small allow-list sanitiser for Flickr's markup.
 *
 * The sanitiser is a tokenizer that follows the HTML parsing rules closely
 * enough to find the same tags a browser would (quoted attribute values may
 * hold ">", comments run to "-->", an unterminated tag is text), and a writer
 * that emits only what the allow-list names, re-serialised by us: nothing of
 * the input reaches the output unescaped except bytes of plain text.  Both
 * outputs (HTML and plain text) share the tokenizer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "html.h"
#include "utf8.h"

#define MAX_DEPTH 64
#define TAG_NAME_MAX 15
#define FLICKR_HOST "https://www.flickr.com"
#define LINK_REL "nofollow noopener noreferrer"

/* ---- escaping --------------------------------------------------------------- */

static const char *escape_of(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	default: return NULL;
	}
}

int html_escape_n(struct buf *out, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep = escape_of((unsigned char)s[i]);

		if (!rep)
			continue;
		if (buf_append(out, s + start, i - start) < 0 || buf_puts(out, rep) < 0)
			return FA_ENOMEM;
		start = i + 1;
	}
	return buf_append(out, s + start, len - start) < 0 ? FA_ENOMEM : 0;
}

int html_escape(struct buf *out, const char *s)
{
	return s ? html_escape_n(out, s, strlen(s)) : 0;
}

/* ---- UTF-8 ------------------------------------------------------------------- */

/* ---- JavaScript strings -------------------------------------------------------- */

static int js_put_unit(struct buf *out, uint32_t unit)
{
	return buf_printf(out, "\\u%04x", (unsigned)unit) < 0 ? FA_ENOMEM : 0;
}

static int js_put_char(struct buf *out, uint32_t cp)
{
	switch (cp) {
	case '"': return buf_puts(out, "\\\"") < 0 ? FA_ENOMEM : 0;
	case '\\': return buf_puts(out, "\\\\") < 0 ? FA_ENOMEM : 0;
	case '\n': return buf_puts(out, "\\n") < 0 ? FA_ENOMEM : 0;
	case '<': case '>': case '&': return js_put_unit(out, cp);
	default: break;
	}
	if (cp >= 0x20 && cp < 0x7F)
		return buf_putc(out, (char)cp) < 0 ? FA_ENOMEM : 0;
	if (cp < 0x10000)
		return js_put_unit(out, cp);
	/* ASCII only, so the file reads the same whatever encoding a browser assumes */
	cp -= 0x10000;
	if (js_put_unit(out, 0xD800 + (cp >> 10)) < 0 || js_put_unit(out, 0xDC00 + (cp & 0x3FF)) < 0)
		return FA_ENOMEM;
	return 0;
}

int html_js_string(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);

	if (buf_putc(out, '"') < 0)
		return FA_ENOMEM;
	while (n > 0) {
		size_t used;
		long cp = utf8_decode(p, n, &used);

		if (js_put_char(out, cp < 0 ? UTF8_REPLACEMENT : (uint32_t)cp) < 0)
			return FA_ENOMEM;
		p += used;
		n -= used;
	}
	return buf_putc(out, '"') < 0 ? FA_ENOMEM : 0;
}

/* ---- character references ------------------------------------------------------ */

struct charref {
	uint32_t cp;    /* the character, 0 for a name we do not know */
	size_t len;     /* bytes of the reference, ";" included */
};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A character that must not come out of a numeric reference. */
static uint32_t checked_cp(uint32_t cp)
{
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	    (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp < 0xA0))
		return 0xFFFD;
	return cp;
}

/* At s[0] == '&': a well-formed reference (utf8_charref()), or len 0 (a literal "&"). */
static struct charref parse_charref(const char *s, size_t n)
{
	struct charref r = { 0, 0 };
	long cp;

	r.len = utf8_charref(s, n, &cp);
	if (r.len && cp >= 0)
		r.cp = s[1] == '#' ? checked_cp((uint32_t)(cp > 0x10FFFF ? 0 : cp)) : (uint32_t)cp;
	return r;
}

/* An attribute value with its character references decoded (unknown names kept). */
static int decode_attr(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		struct charref ref = s[i] == '&' ? parse_charref(s + i, n - i) : (struct charref){ 0, 0 };

		if (ref.len && ref.cp) {
			if (utf8_put(out, ref.cp) < 0)
				return FA_ENOMEM;
			i += ref.len;
		} else {
			if (buf_putc(out, s[i]) < 0)
				return FA_ENOMEM;
			i++;
		}
	}
	return 0;
}

/* ---- URLs ------------------------------------------------------------------------ */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int has_prefix_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !strncasecmp(s, prefix, k);
}

char *html_allowed_url(const char *url, size_t len)
{
	struct buf out = BUF_INIT;
	const char *prefix = "";

	while (len > 0 && ((unsigned char)url[0] <= ' '))
		url++, len--;
	while (len > 0 && ((unsigned char)url[len - 1] <= ' '))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7F)
			return NULL;
	if (has_prefix_ci(url, len, "http://") || has_prefix_ci(url, len, "https://") ||
	    has_prefix_ci(url, len, "mailto:"))
		prefix = "";
	else if (len >= 3 && url[0] == '/' && url[1] == '/' && url[2] != '/' && url[2] != '\\')
		prefix = "https:";
	else if (len >= 1 && url[0] == '/' && (len == 1 || (url[1] != '/' && url[1] != '\\')))
		prefix = FLICKR_HOST;
	else
		return NULL;
	if (buf_puts(&out, prefix) < 0 || buf_append(&out, url, len) < 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

/* ---- the tokenizer ------------------------------------------------------------------ */

struct slice {
	const char *p;
	size_t n;
	int present;
};

struct tag {
	char name[TAG_NAME_MAX + 1]; /* lower case; "" when too long to be one we know */
	int closing;
	struct slice href, title, src, alt;
};

enum token_kind { TOK_END, TOK_TEXT, TOK_REF, TOK_NEWLINE, TOK_TAG, TOK_LITERAL };

struct token {
	enum token_kind kind;
	const char *p;       /* TOK_TEXT, TOK_LITERAL, TOK_REF: the bytes */
	size_t n;
	uint32_t cp;         /* TOK_REF: the character, 0 for an unknown name */
	struct tag tag;      /* TOK_TAG */
};

struct scanner {
	const char *s;
	size_t n, pos;
};

static void set_attr(struct tag *t, const char *name, size_t name_len, struct slice v)
{
	static const struct {
		const char *name;
		size_t offset;
	} wanted[] = {
		{ "href", offsetof(struct tag, href) }, { "title", offsetof(struct tag, title) },
		{ "src", offsetof(struct tag, src) }, { "alt", offsetof(struct tag, alt) },
	};

	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		struct slice *slot = (struct slice *)((char *)t + wanted[i].offset);

		/* the first of duplicate attributes wins, as in browsers */
		if (strlen(wanted[i].name) == name_len && !strncasecmp(wanted[i].name, name, name_len) &&
		    !slot->present)
			*slot = v;
	}
}

/* One attribute at s[*i]; returns 0 at the end of the input (the tag is then text). */
static int parse_attr(const char *s, size_t n, size_t *i, struct tag *t)
{
	size_t name = *i, name_len, k = *i;
	struct slice v = { "", 0, 1 };

	while (k < n && !is_space(s[k]) && s[k] != '/' && s[k] != '>' && (s[k] != '=' || k == name))
		k++;
	name_len = k - name;
	while (k < n && is_space(s[k]))
		k++;
	if (k < n && s[k] == '=') {
		k++;
		while (k < n && is_space(s[k]))
			k++;
		if (k < n && (s[k] == '"' || s[k] == '\'')) {
			const char *end = memchr(s + k + 1, s[k], n - k - 1);

			if (!end)
				return 0;
			v.p = s + k + 1;
			v.n = (size_t)(end - v.p);
			k = (size_t)(end - s) + 1;
		} else {
			v.p = s + k;
			while (k < n && !is_space(s[k]) && s[k] != '>')
				k++;
			v.n = (size_t)(s + k - v.p);
		}
	}
	set_attr(t, s + name, name_len, v);
	*i = k;
	return k < n;
}

/* At s[0] == '<': the length of a tag, or 0 when this "<" is text. */
static size_t parse_tag(const char *s, size_t n, struct tag *t)
{
	size_t i = 1, name;

	memset(t, 0, sizeof(*t));
	if (i < n && s[i] == '/')
		t->closing = 1, i++;
	if (i >= n || !is_alpha(s[i]))
		return 0;
	for (name = i; i < n && !is_space(s[i]) && s[i] != '/' && s[i] != '>'; i++)
		;
	if (i - name <= TAG_NAME_MAX)
		for (size_t k = name; k < i; k++) {
			if (!is_alpha(s[k]) && !is_digit(s[k])) {
				t->name[0] = '\0'; /* no tag we know */
				break;
			}
			t->name[k - name] = (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] + 32 : s[k]);
		}
	for (;;) {
		while (i < n && (is_space(s[i]) || s[i] == '/'))
			i++;
		if (i >= n)
			return 0;
		if (s[i] == '>')
			return i + 1;
		if (!parse_attr(s, n, &i, t))
			return 0;
	}
}

/* Comments, doctypes and processing instructions: their length (to the end if unterminated). */
static size_t markup_decl_len(const char *s, size_t n)
{
	const char *end;

	if (n >= 4 && !memcmp(s, "<!--", 4)) {
		for (size_t i = 4; i + 3 <= n; i++)
			if (!memcmp(s + i, "-->", 3))
				return i + 3;
		return n;
	}
	end = memchr(s, '>', n);
	return end ? (size_t)(end - s) + 1 : n;
}

static int is_plain_byte(unsigned char c)
{
	return c != '<' && c != '&' && c != '\n' && c != '\r' && (c >= 0x20 || c == '\t') &&
	       c != 0x7F;
}

static void next_token(struct scanner *sc, struct token *tk)
{
	const char *s = sc->s + sc->pos;
	size_t n = sc->n - sc->pos, len = 1;

	memset(tk, 0, sizeof(*tk));
	tk->p = s;
	if (n == 0) {
		tk->kind = TOK_END;
		return;
	}
	if (is_plain_byte((unsigned char)s[0])) {
		while (len < n && is_plain_byte((unsigned char)s[len]))
			len++;
		tk->kind = TOK_TEXT;
	} else if (s[0] == '\n') {
		tk->kind = TOK_NEWLINE;
	} else if (s[0] == '&') {
		struct charref ref = parse_charref(s, n);

		tk->kind = ref.len ? TOK_REF : TOK_LITERAL;
		tk->cp = ref.cp;
		len = ref.len ? ref.len : 1;
	} else if (s[0] == '<') {
		len = parse_tag(s, n, &tk->tag);
		tk->kind = len ? TOK_TAG : TOK_LITERAL;
		if (!len && n > 1 && (s[1] == '!' || s[1] == '?')) {
			len = markup_decl_len(s, n);
			tk->kind = TOK_TEXT;
			tk->n = 0; /* dropped */
			sc->pos += len;
			return;
		}
		if (!len)
			len = 1;
	} else {
		tk->kind = TOK_TEXT; /* a control byte or \r: dropped */
		tk->n = 0;
		sc->pos += 1;
		return;
	}
	tk->n = len;
	sc->pos += len;
}

/* After <script> or <style>: skips to its end tag (or the end). */
static void skip_raw_text(struct scanner *sc, const char *name)
{
	size_t k = strlen(name);

	for (size_t i = sc->pos; i + 2 + k <= sc->n; i++)
		if (sc->s[i] == '<' && sc->s[i + 1] == '/' && !strncasecmp(sc->s + i + 2, name, k)) {
			sc->pos = i;
			return;
		}
	sc->pos = sc->n;
}

/* ---- the allow-list --------------------------------------------------------------- */

enum tag_flags {
	TAG_VOID = 1 << 0,   /* no end tag */
	TAG_INLINE = 1 << 1, /* no word break in plain text */
	TAG_PRE = 1 << 2,
};

static const struct {
	const char *name;
	unsigned flags;
} allowed_tags[] = {
	{ "a", TAG_INLINE }, { "abbr", TAG_INLINE }, { "b", TAG_INLINE }, { "big", TAG_INLINE },
	{ "blockquote", 0 }, { "br", TAG_VOID }, { "cite", TAG_INLINE }, { "code", TAG_INLINE },
	{ "del", TAG_INLINE }, { "em", TAG_INLINE }, { "hr", TAG_VOID }, { "i", TAG_INLINE },
	{ "ins", TAG_INLINE }, { "kbd", TAG_INLINE }, { "li", 0 }, { "ol", 0 }, { "p", 0 },
	{ "pre", TAG_PRE }, { "q", TAG_INLINE }, { "s", TAG_INLINE }, { "small", TAG_INLINE },
	{ "strike", TAG_INLINE }, { "strong", TAG_INLINE }, { "sub", TAG_INLINE },
	{ "sup", TAG_INLINE }, { "tt", TAG_INLINE }, { "u", TAG_INLINE }, { "ul", 0 },
	{ "var", TAG_INLINE },
};

#define N_ALLOWED (sizeof(allowed_tags) / sizeof(allowed_tags[0]))

/* Index in allowed_tags, or -1. */
static int allowed_index(const char *name)
{
	for (size_t i = 0; i < N_ALLOWED; i++)
		if (!strcmp(allowed_tags[i].name, name))
			return (int)i;
	return -1;
}

/* Inline formatting that is not on the list (span, font) is no word break either. */
static int is_inline_name(const char *name)
{
	int k = allowed_index(name);

	return (k >= 0 && (allowed_tags[k].flags & TAG_INLINE)) || !strcmp(name, "span") ||
	       !strcmp(name, "font");
}

/* ---- the writers ------------------------------------------------------------------ */

struct writer {
	struct buf *out;
	int text_only;
	int stack[MAX_DEPTH];     /* allowed_tags index; -1: an <a> opened without a link */
	int depth;
	int in_pre;
	int in_link;              /* a link we wrote is open: no link may start inside it */
	int space_pending;        /* text mode: a word break before the next text */
	int wrote_text;           /* text mode: a word was written (no leading space) */
};

static int text_put(struct writer *w, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (w->space_pending && w->wrote_text && buf_putc(w->out, ' ') < 0)
		return FA_ENOMEM;
	w->space_pending = 0;
	w->wrote_text = 1;
	return buf_append(w->out, p, n) < 0 ? FA_ENOMEM : 0;
}

/* Plain text: runs of white space become one pending space. */
static int open_link(struct writer *w, const char *url);

/* A bare http(s) URL in text at p[*at..]: where it starts (*at) and its length, or 0. */
static size_t find_bare_url(const char *p, size_t n, size_t *at)
{
	for (size_t i = 0; i + 7 < n; i++) {
		size_t k = has_prefix_ci(p + i, n - i, "https://") ? 8
			   : has_prefix_ci(p + i, n - i, "http://") ? 7 : 0;
		size_t end = i + k;

		if (!k || (i > 0 && (is_alpha(p[i - 1]) || is_digit(p[i - 1]))))
			continue;
		while (end < n && !is_space(p[end]) && !strchr("<>\"'", p[end]))
			end++;
		/* a sentence's punctuation is not part of the link */
		while (end > i + k && strchr(".,;:!?)]", p[end - 1]))
			end--;
		if (end > i + k) {
			*at = i;
			return end - i;
		}
	}
	return 0;
}

/* HTML text: escaped, with bare http(s) URLs made links, as Flickr shows them. */
static int put_html_text(struct writer *w, const char *p, size_t n)
{
	size_t at, len;

	while (!w->in_link && (len = find_bare_url(p, n, &at)) > 0) {
		struct buf url = BUF_INIT;
		int r = buf_append(&url, p + at, len) < 0 ? FA_ENOMEM : 0;

		if (r == 0)
			r = html_escape_n(w->out, p, at);
		if (r == 0)
			r = open_link(w, url.data);
		if (r == 0 && (html_escape_n(w->out, p + at, len) < 0 || buf_puts(w->out, "</a>") < 0))
			r = FA_ENOMEM;
		buf_release(&url);
		if (r < 0)
			return r;
		p += at + len;
		n -= at + len;
	}
	return html_escape_n(w->out, p, n);
}

static int put_text(struct writer *w, const char *p, size_t n)
{
	size_t start = 0;

	if (!w->text_only)
		return put_html_text(w, p, n);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !is_space(p[i]))
			continue;
		if (text_put(w, p + start, i - start) < 0)
			return FA_ENOMEM;
		if (i < n)
			w->space_pending = 1;
		start = i + 1;
	}
	return 0;
}

static int put_ref(struct writer *w, const struct token *tk)
{
	struct buf one = BUF_INIT;
	int r;

	if (!tk->cp) /* a name we do not know: literal in text, left for the browser in HTML */
		return w->text_only ? put_text(w, tk->p, tk->n)
				    : (buf_append(w->out, tk->p, tk->n) < 0 ? FA_ENOMEM : 0);
	if (tk->cp == '\n' || tk->cp == '\t' || tk->cp == 0xA0) {
		if (w->text_only)
			return put_text(w, " ", 1);
	}
	r = utf8_put(&one, tk->cp);
	if (r == 0)
		r = put_text(w, one.data, one.len);
	buf_release(&one);
	return r;
}

static int put_newline(struct writer *w)
{
	if (w->text_only) {
		w->space_pending = 1;
		return 0;
	}
	return buf_puts(w->out, w->in_pre ? "\n" : "<br>\n") < 0 ? FA_ENOMEM : 0;
}

static int open_link(struct writer *w, const char *url)
{
	if (buf_puts(w->out, "<a href=\"") < 0 || html_escape(w->out, url) < 0 ||
	    buf_puts(w->out, "\" rel=\"" LINK_REL "\">") < 0)
		return FA_ENOMEM;
	return 0;
}

/* A decoded attribute value as a checked URL (NULL when absent or refused). */
static char *attr_url(const struct slice *v, int *ret_oom)
{
	struct buf dec = BUF_INIT;
	char *url = NULL;

	*ret_oom = 0;
	if (!v->present)
		return NULL;
	if (decode_attr(&dec, v->p, v->n) < 0)
		*ret_oom = 1;
	else
		url = html_allowed_url(buf_cstr(&dec), dec.len);
	buf_release(&dec);
	return url;
}

/* An <img>: a link to where it was (never loaded), labelled with its alt text. */
static int put_image(struct writer *w, const struct tag *t)
{
	struct buf alt = BUF_INIT;
	int oom, r = 0;
	char *url = attr_url(&t->src, &oom);

	if (oom || (t->alt.present && decode_attr(&alt, t->alt.p, t->alt.n) < 0)) {
		r = FA_ENOMEM;
		goto cleanup;
	}
	if (w->text_only) {
		r = put_text(w, alt.data ? alt.data : "", alt.len);
		goto cleanup;
	}
	if (url && !w->in_link)
		r = open_link(w, url);
	if (r == 0 && (buf_puts(w->out, alt.len ? "[image: " : "[image") < 0 ||
		       html_escape_n(w->out, buf_cstr(&alt), alt.len) < 0 || buf_putc(w->out, ']') < 0))
		r = FA_ENOMEM;
	if (r == 0 && url && !w->in_link && buf_puts(w->out, "</a>") < 0)
		r = FA_ENOMEM;
cleanup:
	free(url);
	buf_release(&alt);
	return r;
}

/* Pops the top of the stack, writing its end tag. */
static int pop_tag(struct writer *w)
{
	int k = w->stack[--w->depth];

	if (k >= 0 && !strcmp(allowed_tags[k].name, "a"))
		w->in_link = 0;
	if (k >= 0 && (allowed_tags[k].flags & TAG_PRE))
		w->in_pre = 0;
	if (k < 0 || w->text_only)
		return 0;
	return buf_printf(w->out, "</%s>", allowed_tags[k].name) < 0 ? FA_ENOMEM : 0;
}

static int find_open(const struct writer *w, int k)
{
	for (int i = w->depth - 1; i >= 0; i--)
		if (w->stack[i] == k || (w->stack[i] < 0 && !strcmp(allowed_tags[k].name, "a")))
			return i;
	return -1;
}

static int close_tag(struct writer *w, int k)
{
	int at = find_open(w, k);

	while (at >= 0 && w->depth > at)
		if (pop_tag(w) < 0)
			return FA_ENOMEM;
	return 0;
}

/* An <a>: a link when its href is allowed, else only its text. */
static int open_anchor(struct writer *w, const struct tag *t, int k)
{
	int oom;
	char *url = attr_url(&t->href, &oom);
	int r = oom ? FA_ENOMEM : 0;

	if (r == 0 && find_open(w, k) >= 0)
		r = close_tag(w, k); /* links do not nest */
	if (r == 0) {
		w->stack[w->depth++] = url ? k : -1;
		w->in_link = url != NULL;
		if (url && !w->text_only)
			r = open_link(w, url);
	}
	free(url);
	return r;
}

static int open_tag(struct writer *w, const struct tag *t, int k)
{
	unsigned flags = allowed_tags[k].flags;

	if (flags & TAG_VOID)
		return w->text_only ? (w->space_pending = 1, 0)
				    : (buf_printf(w->out, "<%s>", t->name) < 0 ? FA_ENOMEM : 0);
	if (w->depth >= MAX_DEPTH)
		return 0;
	if (!strcmp(t->name, "a"))
		return open_anchor(w, t, k);
	w->stack[w->depth++] = k;
	if (flags & TAG_PRE)
		w->in_pre = 1;
	if (w->text_only)
		return 0;
	return buf_printf(w->out, "<%s>", t->name) < 0 ? FA_ENOMEM : 0;
}

static int put_tag(struct writer *w, struct scanner *sc, const struct tag *t)
{
	int k = allowed_index(t->name);

	if (w->text_only && !is_inline_name(t->name))
		w->space_pending = 1;
	if (!t->closing && (!strcmp(t->name, "script") || !strcmp(t->name, "style"))) {
		skip_raw_text(sc, t->name);
		return 0;
	}
	if (!t->closing && !strcmp(t->name, "img"))
		return put_image(w, t);
	if (k < 0)
		return 0;
	if (t->closing)
		return (allowed_tags[k].flags & TAG_VOID) ? 0 : close_tag(w, k);
	return open_tag(w, t, k);
}

/* The input without control bytes (tab and newline kept) and carriage returns. */
static int drop_controls(struct buf *out, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : 0;

		if (i < len && (c >= 0x20 || c == '\t' || c == '\n') && c != 0x7F)
			continue;
		if (buf_append(out, s + start, i - start) < 0)
			return FA_ENOMEM;
		start = i + 1;
	}
	return 0;
}

static int run(struct writer *w, const char *s, size_t len)
{
	struct buf clean = BUF_INIT;
	struct scanner sc;
	struct token tk;
	int r = s ? drop_controls(&clean, s, len) : 0;

	sc.s = buf_cstr(&clean);
	sc.n = clean.len;
	sc.pos = 0;

	for (next_token(&sc, &tk); r == 0 && tk.kind != TOK_END; next_token(&sc, &tk)) {
		/* control bytes are gone: text runs are whole, as they will be when read again */
		switch (tk.kind) {
		case TOK_TEXT: case TOK_LITERAL: r = put_text(w, tk.p, tk.n); break;
		case TOK_REF: r = put_ref(w, &tk); break;
		case TOK_NEWLINE: r = put_newline(w); break;
		case TOK_TAG: r = put_tag(w, &sc, &tk.tag); break;
		case TOK_END: break;
		}
	}
	while (r == 0 && w->depth > 0)
		r = pop_tag(w);
	buf_release(&clean);
	return r;
}

int html_sanitize(struct buf *out, const char *s, size_t len)
{
	struct writer w = { .out = out };

	return run(&w, s, len);
}

int html_to_text(struct buf *out, const char *s, size_t len)
{
	/* a space is only ever written before more text: the result is trimmed */
	struct writer w = { .out = out, .text_only = 1 };

	return run(&w, s, len);
}
