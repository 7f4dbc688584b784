/*
 * export_ahead.h: a ZIP read on a second thread, ahead of its reader.
 *
 * Reading a member costs libarchive's CRC check and our SHA-256 as much as
 * the disk; the archive's side (writing the file, the item's records) costs
 * as much again.  Two threads do the first (one reads and checks the CRC,
 * one hashes) into a ring of blocks while the caller does the second, so an
 * import keeps the cores and the disk busy at once.  Memory stays bounded
 * (16 MB): the reader waits when every block is full.
 *
 * Used by export_read.c only; one reader thread (the caller) per ZIP.
 */
#ifndef FA_EXPORT_AHEAD_H
#define FA_EXPORT_AHEAD_H

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct export_ahead;

/* What export_ahead_next() found. */
enum export_ahead_at {
	AHEAD_MEMBER, /* a regular member: name and size set */
	AHEAD_END,    /* the ZIP's end */
	AHEAD_BROKEN, /* the ZIP cannot be read past here */
};

/*
 * Starts reading zip (opened, no header read yet) on its threads; zip belongs
 * to them until export_ahead_stop().
 */
int export_ahead_start(struct archive *zip, struct export_ahead **ret, struct err *e);

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

/* A member's name as UTF-8 (a name the C locale cannot convert is not lost), or "". */
const char *export_entry_name(struct archive_entry *entry);

/* Ends the threads (they stop where they are) and frees everything; a may be NULL. */
void export_ahead_stop(struct export_ahead *a);

#endif
