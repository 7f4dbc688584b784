/*
 * utf8.h: one UTF-8 character read or written, for the code that cleans
 * untrusted text (the XMP sidecar, the search index, the site's escaping,
 * JSON repair).  Only well-formed UTF-8 is read as a character: overlong
 * forms, surrogates, code points past U+10FFFF and sequences cut short are
 * not, so each caller decides what an invalid byte becomes.
 */
#ifndef FA_UTF8_H
#define FA_UTF8_H

#include <stddef.h>

#include "buf.h"

/* The Unicode replacement character, what a bad byte or code point becomes. */
#define UTF8_REPLACEMENT 0xfffdL

/*
 * The code point of the character at s (avail > 0 bytes readable), its
 * length in *ret_len; -1 for an invalid sequence, with length 1.
 */
long utf8_decode(const unsigned char *s, size_t avail, size_t *ret_len);

/*
 * Appends code point cp as UTF-8.  NUL (which would end a C string),
 * surrogates and code points past U+10FFFF are written as U+FFFD.
 * Returns 0 or FA_ENOMEM.
 */
int utf8_put(struct buf *out, unsigned long cp) FA_MUST_CHECK;

/* The longest character reference utf8_charref() reads: "&" a 32-letter name ";". */
#define UTF8_CHARREF_MAX 34

/*
 * The HTML character reference at s (s[0] == '&', n bytes readable):
 * "&amp;", "&#233;", "&#xE9;" (at most 8 digits).  Returns its length, ";"
 * included, with its code point in *ret_cp as written (a control character,
 * 0 or one past U+10FFFF too: each caller decides what those become), -1
 * for a well-formed name the table does not know (kept as written); 0 when
 * s begins no reference (a literal "&").  The names are the common ones of
 * Flickr's texts (&amp; &nbsp; &eacute; &hellip;...), not all of HTML's.
 */
size_t utf8_charref(const char *s, size_t n, long *ret_cp);

#endif
