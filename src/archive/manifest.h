/*
 * manifest.h: SHA-256 manifests in BagIt's format (RFC 8493, section 2.1.3),
 * so that the archive can be checked years from now, by this tool or by any
 * BagIt reader or `sha256sum -c`.
 *
 * One line per file: "<64 lowercase hex digits> <path>", the path relative
 * to the archive root with forward slashes.  In a path, CR, LF and "%" are
 * written "%0D", "%0A" and "%25" (BagIt's rule); nothing else is encoded.
 * Readers accept one or more spaces or tabs after the digest, either case of
 * hex, and LF, CRLF or CR line ends.
 *
 * A manifest on disk is data that may be damaged or hostile: every path read
 * from one passes manifest_path_valid() (relative, no "." or ".." or empty
 * components), and files are opened with manifest_open(), which refuses
 * symbolic links on the way, so a manifest line can never reach a file
 * outside the archive.
 *
 * The layout (where the manifests are, which files they list) is the store's
 * and the catalog's business; this module knows only directories and paths.
 */
#ifndef FA_MANIFEST_H
#define FA_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "buf.h"
#include "error.h"

#define MANIFEST_NAME "manifest-sha256.txt"
#define MANIFEST_DIGEST_LEN 32
#define MANIFEST_HEX_LEN 64
/* Longest line accepted; a longer one is damage, not a path. */
#define MANIFEST_LINE_MAX 8192

struct manifest_entry {
	unsigned char digest[MANIFEST_DIGEST_LEN];
	char *path; /* decoded and valid; owned by the manifest */
};

/* A list of entries; manifest_sort() orders it by path (bytewise). */
struct manifest {
	struct manifest_entry *v;
	size_t n;
	size_t cap;
};

#define MANIFEST_INIT { NULL, 0, 0 }

void manifest_release(struct manifest *m);
void manifest_sort(struct manifest *m);
/* The entry for path in a sorted manifest, or NULL.  Borrowed. */
const struct manifest_entry *manifest_find(const struct manifest *m, const char *path);
/* Index of the first entry of a sorted manifest whose path is >= key. */
size_t manifest_lower_bound(const struct manifest *m, const char *key);

/*
 * SHA-256 of everything fd reads until end of file, in fixed-size chunks
 * (memory stays small for any file size).  ret_size may be NULL.  FA_EINTR
 * when a stop is requested (clock.h) before the end: a 20 GB video must not
 * make Ctrl-C wait.
 */
int manifest_hash_fd(int fd, unsigned char ret_digest[MANIFEST_DIGEST_LEN],
		     uint64_t *ret_size, struct err *e);
/* The same, each chunk also given to each(ud, ...) as it is read: one pass for two checks. */
typedef void manifest_chunk_fn(void *ud, const unsigned char *chunk, size_t n);
int manifest_hash_fd_each(int fd, unsigned char ret_digest[MANIFEST_DIGEST_LEN],
			  uint64_t *ret_size, manifest_chunk_fn *each, void *ud, struct err *e);
/* 64 lowercase hex digits and a NUL. */
void manifest_hex(const unsigned char digest[MANIFEST_DIGEST_LEN],
		  char out[MANIFEST_HEX_LEN + 1]);

/* True for a relative path with no empty, "." or ".." component (and no NUL). */
int manifest_path_valid(const char *path);

enum manifest_encoding {
	MANIFEST_ENC_BAGIT = 0,    /* CR, LF, "%": for manifest lines */
	MANIFEST_ENC_DISPLAY = 1,  /* also every other control byte: for messages */
};

/* Appends path percent-encoded as enc says. */
int manifest_encode_path(struct buf *out, const char *path, enum manifest_encoding enc);
/* Appends "<hex> <encoded path>\n". */
int manifest_format_line(struct buf *out, const unsigned char digest[MANIFEST_DIGEST_LEN],
			 const char *path);
/*
 * Parses one line (without its line end).  On success fills ret_digest and
 * sets ret_path to the decoded, valid path.  FA_EPARSE with the reason in e
 * for anything else.
 */
int manifest_parse_line(const char *line, size_t len,
			unsigned char ret_digest[MANIFEST_DIGEST_LEN], struct buf *ret_path,
			struct err *e);

/* Told about each line that does not parse: its number (from 1) and why. */
typedef void manifest_bad_line_fn(void *ud, long line_no, const char *reason);

/*
 * Reads the manifest fd refers to, adding every good line to m (unsorted).
 * Bad lines are skipped and passed to on_bad (which may be NULL); blank lines
 * are ignored.  Fails only on a read error or out of memory.
 */
int manifest_read_fd(int fd, struct manifest *m, manifest_bad_line_fn *on_bad, void *ud,
		     struct err *e);

/*
 * Opens the regular file at path (relative, checked) below the directory
 * dir_fd, read-only, without following a symbolic link at any step (and
 * without blocking on a FIFO).  FA_ENOTFOUND when it does not exist,
 * FA_EINVAL when the path is not valid or something on the way is a
 * symbolic link or not a regular file, FA_EIO otherwise; e gets a short
 * reason without the path.  The caller closes *ret_fd.
 */
int manifest_open(int dir_fd, const char *path, int *ret_fd, struct err *e);

/*
 * Writes DIR/manifest-sha256.txt listing every regular file directly in dir
 * as "prefix/NAME", except the manifest itself, names starting with "." (our
 * temporaries among them) and the names in skip (NULL-terminated, may be
 * NULL; an entry ending in '*' skips every name it begins).
 *
 * written names the files the caller wrote (or removed) since the existing
 * manifest: only those are hashed anew.  Any other file keeps the digest
 * recorded there, and so does one that vanished or became a link, so damage
 * is never blessed into the manifest (verify goes on reporting it).  A new
 * name is hashed.  written NULL: the caller may have rewritten any file, and
 * those modified since the manifest (see manifest_changed_since()) are
 * hashed.
 */
int manifest_write_dir(const char *dir, const char *prefix, const char *const *skip,
		       const char *const *written, struct err *e);

/*
 * A digest the caller computed while it wrote a file (the import hashes a
 * member as it streams it to disk), so the file is not read a second time:
 * used while the file still has that size.
 */
struct manifest_known {
	const char *name;          /* its name in dir */
	uint64_t size;
	const unsigned char *digest; /* MANIFEST_DIGEST_LEN bytes */
};

/* manifest_write_dir() with known (may be NULL) taken instead of hashing its file. */
int manifest_write_dir_known(const char *dir, const char *prefix, const char *const *skip,
			     const char *const *written, const struct manifest_known *known,
			     struct err *e);

/*
 * True when st's file was modified (mtime) or changed (ctime: also a copy
 * whose old mtime was put back) after since's mtime: a file the manifest
 * whose status since is may no longer record truly, so it is hashed.
 */
int manifest_changed_since(const struct stat *st, const struct stat *since);

#endif
