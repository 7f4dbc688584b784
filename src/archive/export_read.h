/*
 * export_read.h: the members of Flickr's account export ("Your Flickr
 * Data", ../shared/flickr-export.md), one at a time, streamed.
 *
 * A source is a ZIP as downloaded (read with libarchive: never a whole
 * member in memory) or a folder it was unpacked into (walked, symbolic links
 * never followed).  The export is flat, so a member is known by its base
 * name; what it is, the caller decides from its first bytes (head).
 *
 * A damaged or truncated ZIP gives every whole member: a member whose bytes
 * cannot all be read (a bad CRC, the file ends inside it) is reported to the
 * caller as FA_EIO from export_stream_read(), and named in the damage list
 * with, when the ZIP cannot be read past it, "the rest of the ZIP".
 */
#ifndef FA_EXPORT_READ_H
#define FA_EXPORT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "json.h"

#define EXPORT_HEAD_MAX 64

struct export_member {
	const char *name;              /* base name */
	int64_t size;                  /* -1 when the source does not say */
	unsigned char head[EXPORT_HEAD_MAX]; /* the first bytes (fewer for a short member) */
	size_t head_len;
};

struct export_stream;

/*
 * Reads the member's next bytes after head (head is not read again); 0 in
 * *ret_n at its end.  FA_EIO with the reason in e when the member is damaged.
 */
int export_stream_read(struct export_stream *s, void *buf, size_t len, size_t *ret_n,
		       struct err *e);

/* Read at most this much at a time by export_stream_read_block() when not read ahead. */
#define EXPORT_STREAM_BLOCK (256u << 10)

/*
 * The same without a copy when read ahead: *data points to the member's next
 * bytes, valid until the next read of s.
 */
int export_stream_read_block(struct export_stream *s, const void **data, size_t *ret_n,
			     struct err *e);

/*
 * Told about each regular member.  It may read the stream or not; when it
 * fails because export_stream_read() could not read the member whole, the
 * member is named in the damage list and the next one read; any other error
 * (the disk, a stop request) stops the reading there.
 */
typedef int export_member_fn(void *ud, const struct export_member *m,
			     struct export_stream *s, struct err *e);

/*
 * The member's SHA-256 (its head included), once export_stream_read() has
 * given its end; FA_EINVAL before.
 */
int export_stream_sha256(const struct export_stream *s, unsigned char sha256[32]);

/* How export_read() reads a ZIP. */
enum export_read_mode {
	EXPORT_READ_AS_ASKED, /* each member as the caller reads it */
	EXPORT_READ_AHEAD,    /* every member whole, on a second thread ahead of the caller */
};

/*
 * Reads the ZIP or folder at path.  damaged gets {"source", "member",
 * "problem"} for each member that could not be read whole.  FA_EINVAL when
 * path is neither a folder nor a ZIP; FA_EINTR on a stop request.
 */
int export_read(const char *path, enum export_read_mode mode, export_member_fn *fn, void *ud,
		json_t *damaged, struct err *e);

/* The base name of a member's path ("a/b/c.jpg" -> "c.jpg"). */
const char *export_base_name(const char *path);

#endif
