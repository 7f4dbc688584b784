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

#endif
