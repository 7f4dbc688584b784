/*
 * site_spool.h: a temporary file for what a build of the site writes once and
 * reads back later (the search index's items, the comments shown again on
 * people's pages, the tags of the index files), so that it need not stay in
 * memory.  The file is unlinked as soon as it is made: nothing is left behind,
 * even by a killed run.
 *
 * Appends are buffered; a read sees everything appended before it.  Offsets
 * are where site_spool_add() put the bytes.
 */
#ifndef FA_SITE_SPOOL_H
#define FA_SITE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

struct site_spool {
	int fd;
	uint64_t len;             /* bytes appended, written or still pending */
	struct buf pending;       /* appended, not written yet */
};

#define SITE_SPOOL_INIT { -1, 0, BUF_INIT }

/* Makes the file in dir.  Errors: a full disk or other write failure, out of memory. */
int site_spool_open(struct site_spool *sp, const char *dir, struct err *e);
/* Closes (and so removes) the file; safe on a never-opened spool. */
void site_spool_close(struct site_spool *sp);

/* Appends len bytes; *ret_off (when not NULL) is where they start.  FA_ENOMEM, FA_EIO, FA_ENOSPC. */
int site_spool_add(struct site_spool *sp, const void *data, size_t len, uint64_t *ret_off,
		   struct err *e);
/* Appends the len bytes at off to out. */
int site_spool_read(struct site_spool *sp, uint64_t off, size_t len, struct buf *out,
		    struct err *e);
/*
 * Hands the bytes [off, off + len) to fn a piece at a time, in order; fn's
 * first negative result stops and is returned.
 */
int site_spool_each(struct site_spool *sp, uint64_t off, uint64_t len,
		    int (*fn)(void *ud, const void *data, size_t len), void *ud, struct err *e);

#endif
