/*
 * utf8.c: one UTF-8 character read or written (see utf8.h).
 */
#include "utf8.h"

#include <string.h>

long utf8_decode(const unsigned char *s, size_t avail, size_t *ret_len)
{
	static const long min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned char c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		 : (c & 0xf8) == 0xf0 ? 4 : 0;
	long cp;

	*ret_len = 1;
	if (n == 1)
		return c;
	if (n == 0 || n > avail)
		return -1;
	cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min_for_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*ret_len = n;
	return cp;
}

int utf8_put(struct buf *out, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, u, n) < 0 ? FA_ENOMEM : 0;
}

static const struct {
	const char *name;
	long cp;
} named_refs[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", 0xA0 }, { "copy", 0xA9 }, { "reg", 0xAE }, { "trade", 0x2122 },
	{ "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
	{ "rsquo", 0x2019 }, { "ldquo", 0x201C }, { "rdquo", 0x201D }, { "laquo", 0xAB },
	{ "raquo", 0xBB }, { "middot", 0xB7 }, { "bull", 0x2022 }, { "deg", 0xB0 },
	{ "eacute", 0xE9 }, { "egrave", 0xE8 }, { "agrave", 0xE0 }, { "aacute", 0xE1 },
	{ "ccedil", 0xE7 }, { "uuml", 0xFC }, { "ouml", 0xF6 }, { "auml", 0xE4 },
	{ "szlig", 0xDF }, { "euro", 0x20AC }, { "pound", 0xA3 }, { "times", 0xD7 },
};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The value of a digit of base 10 or 16, or -1. */
static int digit_value(int c, int base)
{
	int v = is_digit(c) ? c - '0' : is_alpha(c) ? (c | 0x20) - 'a' + 10 : -1;

	return v < base ? v : -1;
}

static size_t numeric_ref(const char *s, size_t n, long *ret_cp)
{
	int hex = n > 2 && (s[2] == 'x' || s[2] == 'X');
	size_t i = hex ? 3 : 2, start = i;
	long cp = 0;

	for (; i < n && i - start < 8; i++) {
		int d = digit_value(s[i], hex ? 16 : 10);

		if (d < 0)
			break;
		cp = cp * (hex ? 16 : 10) + d;
	}
	if (i == start || i >= n || s[i] != ';')
		return 0;
	*ret_cp = cp;
	return i + 1;
}

size_t utf8_charref(const char *s, size_t n, long *ret_cp)
{
	size_t i = 1;

	*ret_cp = -1;
	if (n > 1 && s[1] == '#')
		return numeric_ref(s, n, ret_cp);
	while (i < n && i <= 32 && (is_alpha(s[i]) || is_digit(s[i])))
		i++;
	if (i == 1 || i >= n || s[i] != ';' || !is_alpha(s[1]))
		return 0;
	for (size_t k = 0; k < sizeof(named_refs) / sizeof(named_refs[0]); k++)
		if (strlen(named_refs[k].name) == i - 1 && !memcmp(named_refs[k].name, s + 1, i - 1))
			*ret_cp = named_refs[k].cp;
	return i + 1;
}
