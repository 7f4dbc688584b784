/*
 * buf.h: a growable byte buffer with a hard maximum size.
 *
 * Invariants: after buf_init() (or BUF_INIT), buf_cstr() is always a valid
 * NUL-terminated string; data may hold NUL bytes (len counts them).  A buffer
 * refuses to grow past `max` (0 means no limit) and then returns FA_ENOMEM-like
 * FA_EPARSE so a server cannot make us swallow an unbounded body.
 * buf_release() frees the contents; buf_detach() hands them to the caller,
 * who frees them with free().  A function that can fail is FA_MUST_CHECK: a
 * path or a text built short must not be used.
 */
#ifndef FA_BUF_H
#define FA_BUF_H

#include <stddef.h>

#include "error.h"

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_init(struct buf *b, size_t max);
int buf_grow(struct buf *b, size_t extra) FA_MUST_CHECK;
int buf_append(struct buf *b, const void *data, size_t len) FA_MUST_CHECK;
int buf_puts(struct buf *b, const char *s) FA_MUST_CHECK;
int buf_putc(struct buf *b, char c) FA_MUST_CHECK;
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))) FA_MUST_CHECK;
/* Replaces the contents with s. */
int buf_set(struct buf *b, const char *s) FA_MUST_CHECK;
void buf_reset(struct buf *b);
/* Keeps the first len bytes (a longer len changes nothing). */
void buf_truncate(struct buf *b, size_t len);
void buf_release(struct buf *b);
/* Exchanges the contents (and the memory) of a and b. */
void buf_swap(struct buf *a, struct buf *b);
/* Returns the contents (never NULL) and leaves b empty; free() the result. */
char *buf_detach(struct buf *b);
const char *buf_cstr(const struct buf *b);

#endif
