/*
 * export_ahead.h: an export's members read on threads of their own, ahead
 * of their reader.
 *
 * Reading a member costs libarchive's CRC check and our SHA-256 as much as
 * the disk; the archive's side (writing the file, the item's records) costs
 * as much again.  Two threads do the first (one reads and checks the CRC,
 * one hashes) into a ring of blocks while the caller does the second, so an
 * import keeps the cores and the disk busy at once.  Memory stays bounded
 * (16 MB): the reader waits when every block is full.
 *
 * Used by export_read.c only, for a ZIP or a folder (export_source); one
 * caller per source.
 */
#ifndef FA_EXPORT_AHEAD_H
#define FA_EXPORT_AHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct export_ahead;

/* What the next member is. */
enum export_ahead_at {
	AHEAD_MEMBER, /* a regular member: name and size set */
	AHEAD_END,    /* the source's end */
	AHEAD_BROKEN, /* the source cannot be read past here */
};

/* Where the members come from (a ZIP, a folder), asked by one thread at a time. */
struct export_source {
	/* The next member; name valid until the next call, size -1 when unknown. */
	enum export_ahead_at (*next)(void *ud, const char **name, int64_t *size);
	/*
	 * The member's next bytes, 0 in *ret_n at its end; FA_EIO with the reason
	 * when it cannot be read whole (*ret_fatal: nor anything after it).
	 */
	int (*read)(void *ud, void *buf, size_t len, size_t *ret_n, int *ret_fatal,
		    struct err *e);
	void *ud;
};

/*
 * Starts reading src on its threads; src is theirs until
 * export_ahead_stop().
 */
int export_ahead_start(const struct export_source *src, struct export_ahead **ret,
		       struct err *e);

/*
 * The next member (the rest of the one before is skipped).  name is valid
 * until the next call; size is -1 when the ZIP does not say.
 */
enum export_ahead_at export_ahead_next(struct export_ahead *a, const char **name,
				       int64_t *size);

/*
 * The member's next bytes; 0 in *ret_n at its end, where its SHA-256 is in
 * sha256.  FA_EIO when it could not be read whole (*ret_fatal: nor anything
 * after it).
 */
int export_ahead_read(struct export_ahead *a, void *buf, size_t len, size_t *ret_n,
		      unsigned char sha256[32], int *ret_fatal, struct err *e);

/*
 * The same without a copy: *data points to at most max of the member's next
 * bytes, in the ring, valid until the next call on a.
 */
int export_ahead_read_block(struct export_ahead *a, const void **data, size_t max,
			    size_t *ret_n, unsigned char sha256[32], int *ret_fatal, struct err *e);

/* Ends the threads (they stop where they are) and frees everything; a may be NULL. */
void export_ahead_stop(struct export_ahead *a);

#endif
