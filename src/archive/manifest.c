/* manifest.c: SHA-256 manifests: hashing, BagIt lines, safe opening, writing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "alloc.h"
#include "clock.h"
#include "fsutil.h"
#include "manifest.h"

#define HASH_CHUNK (256 * 1024)
#define READ_CHUNK 65536

void manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}

/* Copies path (which must be valid) into a new entry. */
static int manifest_add(struct manifest *m, const unsigned char digest[MANIFEST_DIGEST_LEN],
			const char *path)
{
	struct manifest_entry *ent;

	if (ALLOC_GROW(m->v, m->n + 1, m->cap) < 0)
		return FA_ENOMEM;
	ent = &m->v[m->n];
	ent->path = strdup(path);
	if (!ent->path)
		return FA_ENOMEM;
	memcpy(ent->digest, digest, MANIFEST_DIGEST_LEN);
	m->n++;
	return 0;
}

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->path,
		      ((const struct manifest_entry *)b)->path);
}

void manifest_sort(struct manifest *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), compare_entries);
}

size_t manifest_lower_bound(const struct manifest *m, const char *key)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->v[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct manifest_entry *manifest_find(const struct manifest *m, const char *path)
{
	size_t i = manifest_lower_bound(m, path);

	return i < m->n && !strcmp(m->v[i].path, path) ? &m->v[i] : NULL;
}

/* ---- hashing ------------------------------------------------------------- */

int manifest_hash_fd(int fd, unsigned char ret_digest[MANIFEST_DIGEST_LEN],
		     uint64_t *ret_size, struct err *e)
{
	return manifest_hash_fd_each(fd, ret_digest, ret_size, NULL, NULL, e);
}

int manifest_hash_fd_each(int fd, unsigned char ret_digest[MANIFEST_DIGEST_LEN],
			  uint64_t *ret_size, manifest_chunk_fn *each, void *ud, struct err *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *chunk = malloc(HASH_CHUNK);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	uint64_t size = 0;
	int r = 0;

	if (!ctx || !chunk || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		r = err_set(e, FA_ENOMEM, "cannot start a SHA-256 digest");
		goto cleanup;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	for (;;) {
		ssize_t n = read(fd, chunk, HASH_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = err_set(e, FA_EIO, "%s", strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		if (clock_stop_requested()) {
			r = err_set(e, FA_EINTR, "interrupted");
			goto cleanup;
		}
		if (!EVP_DigestUpdate(ctx, chunk, (size_t)n)) {
			r = err_set(e, FA_EIO, "SHA-256 failed");
			goto cleanup;
		}
		if (each)
			each(ud, chunk, (size_t)n);
		size += (uint64_t)n;
	}
	if (!EVP_DigestFinal_ex(ctx, digest, &digest_len) || digest_len != MANIFEST_DIGEST_LEN) {
		r = err_set(e, FA_EIO, "SHA-256 failed");
		goto cleanup;
	}
	memcpy(ret_digest, digest, MANIFEST_DIGEST_LEN);
	if (ret_size)
		*ret_size = size;
cleanup:
	EVP_MD_CTX_free(ctx);
	free(chunk);
	return r;
}

void manifest_hex(const unsigned char digest[MANIFEST_DIGEST_LEN],
		  char out[MANIFEST_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < MANIFEST_DIGEST_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[MANIFEST_HEX_LEN] = '\0';
}

/* 0-15 for a hex digit of either case, -1 for anything else. */
static int hex_digit(char c)
{
	return OPENSSL_hexchar2int((unsigned char)c);
}

/* ---- paths and lines ------------------------------------------------------ */

int manifest_path_valid(const char *path)
{
	const char *p = path;

	if (!path || !*path || *path == '/')
		return 0;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return 0; /* a trailing slash names a directory */
	}
	return strlen(path) < 4096;
}

int manifest_encode_path(struct buf *out, const char *path, enum manifest_encoding enc)
{
	int r = 0;

	for (const unsigned char *p = (const unsigned char *)path; *p && r == 0; p++) {
		int encode = *p == '\r' || *p == '\n' || *p == '%' ||
			     (enc == MANIFEST_ENC_DISPLAY && (*p < 0x20 || *p == 0x7f));

		r = encode ? buf_printf(out, "%%%02X", *p) : buf_putc(out, (char)*p);
	}
	return r < 0 ? FA_ENOMEM : 0;
}

int manifest_format_line(struct buf *out, const unsigned char digest[MANIFEST_DIGEST_LEN],
			 const char *path)
{
	char hex[MANIFEST_HEX_LEN + 1];

	manifest_hex(digest, hex);
	if (buf_append(out, hex, MANIFEST_HEX_LEN) < 0 || buf_putc(out, ' ') < 0 ||
	    manifest_encode_path(out, path, MANIFEST_ENC_BAGIT) < 0 || buf_putc(out, '\n') < 0)
		return FA_ENOMEM;
	return 0;
}

/* BagIt encodes exactly CR, LF and "%"; any other "%" sequence is damage. */
static int decode_path(const char *s, size_t len, struct buf *out, struct err *e)
{
	buf_reset(out);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\0')
			return err_set(e, FA_EPARSE, "a NUL byte in the path");
		if (c == '%') {
			int hi = i + 2 < len ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_digit(s[i + 2]) : -1;
			int v = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;

			if (v != '\r' && v != '\n' && v != '%')
				return err_set(e, FA_EPARSE, "a '%%' that is not %%0D, %%0A or %%25");
			c = (char)v;
			i += 2;
		}
		if (buf_putc(out, c) < 0)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	if (!manifest_path_valid(buf_cstr(out)))
		return err_set(e, FA_EPARSE, "not a path inside the archive");
	return 0;
}

int manifest_parse_line(const char *line, size_t len,
			unsigned char ret_digest[MANIFEST_DIGEST_LEN], struct buf *ret_path,
			struct err *e)
{
	unsigned char digest[MANIFEST_DIGEST_LEN];
	size_t i = MANIFEST_HEX_LEN;
	int r;

	if (len < MANIFEST_HEX_LEN + 2)
		return err_set(e, FA_EPARSE, "too short for a digest and a path");
	for (size_t k = 0; k < MANIFEST_DIGEST_LEN; k++) {
		int hi = hex_digit(line[2 * k]), lo = hex_digit(line[2 * k + 1]);

		if (hi < 0 || lo < 0)
			return err_set(e, FA_EPARSE, "not a SHA-256 digest");
		digest[k] = (unsigned char)(hi * 16 + lo);
	}
	if (line[i] != ' ' && line[i] != '\t')
		return err_set(e, FA_EPARSE, "no space after the digest");
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len)
		return err_set(e, FA_EPARSE, "no path");
	r = decode_path(line + i, len - i, ret_path, e);
	if (r == 0)
		memcpy(ret_digest, digest, MANIFEST_DIGEST_LEN);
	return r;
}

/* ---- reading -------------------------------------------------------------- */

struct line_reader {
	int fd;
	char in[READ_CHUNK];
	size_t pos;
	size_t end;
	int eof;
	char line[MANIFEST_LINE_MAX + 1];
	size_t len;
	int too_long;
};

static int reader_fill(struct line_reader *lr, struct err *e)
{
	ssize_t n;

	do
		n = read(lr->fd, lr->in, sizeof(lr->in));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(e, FA_EIO, "%s", strerror(errno));
	lr->pos = 0;
	lr->end = (size_t)n;
	lr->eof = n == 0;
	return 0;
}

/* Next line into lr->line/len; 1 when there is one, 0 at the end, or an error. */
static int reader_next(struct line_reader *lr, struct err *e)
{
	int any = 0;

	lr->len = 0;
	lr->too_long = 0;
	for (;;) {
		char c;

		if (lr->pos == lr->end) {
			int r = lr->eof ? 0 : reader_fill(lr, e);

			if (r < 0)
				return r;
			if (lr->eof)
				return any;
			continue;
		}
		c = lr->in[lr->pos++];
		any = 1;
		if (c == '\n')
			return 1;
		if (c == '\r') {
			/* CRLF: swallow the LF, which may be in the next chunk */
			if (lr->pos == lr->end && !lr->eof) {
				int r = reader_fill(lr, e);

				if (r < 0)
					return r;
			}
			if (lr->pos < lr->end && lr->in[lr->pos] == '\n')
				lr->pos++;
			return 1;
		}
		if (lr->len < MANIFEST_LINE_MAX)
			lr->line[lr->len++] = c;
		else
			lr->too_long = 1;
	}
}

static int blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int manifest_read_fd(int fd, struct manifest *m, manifest_bad_line_fn *on_bad, void *ud,
		     struct err *e)
{
	struct line_reader *lr = calloc(1, sizeof(*lr));
	struct buf path = BUF_INIT;
	long line_no = 0;
	int r;

	if (!lr)
		return err_set(e, FA_ENOMEM, "out of memory");
	lr->fd = fd;
	while ((r = reader_next(lr, e)) == 1) {
		unsigned char digest[MANIFEST_DIGEST_LEN];
		struct err why = { 0 };

		line_no++;
		if (lr->too_long) {
			if (on_bad)
				on_bad(ud, line_no, "line too long");
			continue;
		}
		if (blank(lr->line, lr->len))
			continue;
		r = manifest_parse_line(lr->line, lr->len, digest, &path, &why);
		if (r == FA_ENOMEM)
			break;
		if (r < 0) {
			if (on_bad)
				on_bad(ud, line_no, why.msg);
			continue;
		}
		r = manifest_add(m, digest, path.data);
		if (r < 0)
			break;
	}
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	buf_release(&path);
	free(lr);
	return r < 0 ? r : 0;
}

/* ---- opening files below a directory -------------------------------------- */

/* Why opening name in dir_fd failed; a symbolic link is told apart (ENOTDIR or ELOOP). */
static int open_error(struct err *e, int dir_fd, const char *name, int errnum)
{
	struct stat st;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return err_set(e, FA_EINVAL, "a symbolic link, not a regular file");
	if (errnum == ENOENT || errnum == ENOTDIR)
		return err_set(e, FA_ENOTFOUND, "no such file");
	return err_set(e, FA_EIO, "%s", strerror(errnum));
}

int manifest_open(int dir_fd, const char *path, int *ret_fd, struct err *e)
{
	struct buf comp = BUF_INIT;
	const char *p = path;
	int fd = -1, at = dir_fd, r = 0;
	struct stat st;

	if (!manifest_path_valid(path))
		return err_set(e, FA_EINVAL, "not a path inside the archive");
	for (;;) {
		const char *slash = strchr(p, '/');
		int next;

		buf_reset(&comp);
		if (buf_append(&comp, p, slash ? (size_t)(slash - p) : strlen(p)) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			goto cleanup;
		}
		/* O_NONBLOCK: a FIFO planted in the archive must not hang us */
		next = openat(at, comp.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			      (slash ? O_DIRECTORY : O_NONBLOCK));
		if (next < 0) {
			r = open_error(e, at, comp.data, errno);
			goto cleanup;
		}
		if (at != dir_fd)
			close(at);
		at = next;
		if (!slash)
			break;
		p = slash + 1;
	}
	fd = at;
	at = dir_fd;
	if (fstat(fd, &st) < 0) {
		r = err_set(e, FA_EIO, "%s", strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		r = err_set(e, FA_EINVAL, "not a regular file");
		goto cleanup;
	}
	*ret_fd = fd;
	fd = -1;
cleanup:
	if (at != dir_fd)
		close(at);
	if (fd >= 0)
		close(fd);
	buf_release(&comp);
	return r;
}

/* ---- writing -------------------------------------------------------------- */

/* Writes m (sorted first) to path atomically. */
static int manifest_write(struct manifest *m, const char *path, struct err *e)
{
	struct buf text = BUF_INIT;
	int r = 0;

	manifest_sort(m);
	for (size_t i = 0; i < m->n && r == 0; i++)
		r = manifest_format_line(&text, m->v[i].digest, m->v[i].path);
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else
		r = fs_write_atomic(path, text.data ? text.data : "", text.len, 0644, e);
	buf_release(&text);
	return r;
}

/* An entry of skip ending in '*' skips every name it begins. */
static int skipped(const char *name, const char *const *skip)
{
	if (name[0] == '.' || !strcmp(name, MANIFEST_NAME))
		return 1;
	for (size_t i = 0; skip && skip[i]; i++) {
		size_t n = strlen(skip[i]);

		if (n && skip[i][n - 1] == '*' ? !strncmp(name, skip[i], n - 1)
					      : !strcmp(name, skip[i]))
			return 1;
	}
	return 0;
}

static int listed(const char *name, const char *const *names)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

int manifest_changed_since(const struct stat *st, const struct stat *since)
{
	struct stat ctime_as_mtime = *st;

	/* the ctime too: a copy with its old mtime put back (cp -p, touch -r) is a change */
#ifdef __APPLE__
	ctime_as_mtime.st_mtimespec = st->st_ctimespec;
#else
	ctime_as_mtime.st_mtim = st->st_ctim;
#endif
	return !fs_mtime_not_older(since, st) || !fs_mtime_not_older(since, &ctime_as_mtime);
}

/* The manifest already in the directory (sorted) and its status, if readable. */
static int load_previous(int dir_fd, struct manifest *old, struct stat *ret_st)
{
	int fd = -1, r;

	if (manifest_open(dir_fd, MANIFEST_NAME, &fd, NULL) < 0)
		return 0;
	r = fstat(fd, ret_st) < 0 ? 0 : manifest_read_fd(fd, old, NULL, NULL, NULL) == 0;
	close(fd);
	manifest_sort(old);
	return r;
}

/*
 * Adds name (in dir_fd) to m: a file the caller did not write keeps the
 * digest recorded in old, whatever its bytes are now (damage is never
 * blessed); any other is hashed.  Skips what is not a regular file.
 */
static int add_file(int dir_fd, const char *name, const char *path, const struct manifest *old,
		    const struct stat *old_st, const char *const *written,
		    const struct manifest_known *known, struct manifest *m, int *kept_damage,
		    struct err *e)
{
	const struct manifest_entry *prev = old_st ? manifest_find(old, path) : NULL;
	int trusted = written == NULL || listed(name, written);
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct err why = { 0 };
	struct stat st;
	int fd = -1, r;

	r = manifest_open(dir_fd, name, &fd, &why);
	if (r == FA_EINVAL || r == FA_ENOTFOUND) {
		/* a link, a directory, or gone: not one of our files, but what it was stays */
		if (prev && !trusted && manifest_add(m, prev->digest, path) < 0)
			return err_set(e, FA_ENOMEM, "out of memory");
		*kept_damage |= prev && !trusted;
		return 0;
	}
	if (r < 0)
		return err_set(e, r, "cannot open '%s': %s", path, why.msg);
	if (fstat(fd, &st) < 0) {
		r = fs_errno_error(e, "read", path, errno);
		goto cleanup;
	}
	if (prev && !manifest_changed_since(&st, old_st)) {
		r = manifest_add(m, prev->digest, path);
	} else if (known && !strcmp(name, known->name) && (uint64_t)st.st_size == known->size &&
		   trusted) {
		r = manifest_add(m, known->digest, path);
	} else {
		r = manifest_hash_fd(fd, digest, NULL, e);
		if (r < 0) {
			r = err_wrap(e, r, "cannot read '%s'", path);
			goto cleanup;
		}
		if (prev && !trusted && memcmp(digest, prev->digest, MANIFEST_DIGEST_LEN)) {
			memcpy(digest, prev->digest, MANIFEST_DIGEST_LEN);
			*kept_damage = 1;
		}
		r = manifest_add(m, digest, path);
	}
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
cleanup:
	close(fd);
	return r;
}

/* What old records but the folder no longer holds stays recorded, unless the caller removed it. */
static int keep_vanished(const struct manifest *old, const char *prefix,
			 const char *const *written, struct manifest *m, int *kept_damage)
{
	size_t n = strlen(prefix);

	if (!written)
		return 0;
	manifest_sort(m);
	for (size_t i = 0; i < old->n; i++) {
		const char *path = old->v[i].path;

		if (strncmp(path, prefix, n) || path[n] != '/' || listed(path + n + 1, written) ||
		    manifest_find(m, path))
			continue;
		if (manifest_add(m, old->v[i].digest, path) < 0)
			return FA_ENOMEM;
		*kept_damage = 1;
		manifest_sort(m);
	}
	return 0;
}

static void keep_time(const char *path, const struct stat *was)
{
	struct timespec t[2];

#ifdef __APPLE__
	t[0] = t[1] = was->st_mtimespec;
#else
	t[0] = t[1] = was->st_mtim;
#endif
	utimensat(AT_FDCWD, path, t, 0);
}

int manifest_write_dir(const char *dir, const char *prefix, const char *const *skip,
		       const char *const *written, struct err *e)
{
	return manifest_write_dir_known(dir, prefix, skip, written, NULL, e);
}

int manifest_write_dir_known(const char *dir, const char *prefix, const char *const *skip,
			     const char *const *written, const struct manifest_known *known,
			     struct err *e)
{
	struct manifest m = MANIFEST_INIT, old = MANIFEST_INIT;
	struct buf path = BUF_INIT, out = BUF_INIT;
	struct stat old_st;
	struct dirent *de;
	DIR *d = opendir(dir);
	int have_old, kept_damage = 0, r = 0;

	if (!d)
		return fs_errno_error(e, "read directory", dir, errno);
	have_old = load_previous(dirfd(d), &old, &old_st);
	while (r == 0 && (de = readdir(d))) {
		if (skipped(de->d_name, skip))
			continue;
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", prefix, de->d_name) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if (manifest_path_valid(path.data))
			r = add_file(dirfd(d), de->d_name, path.data, &old,
				     have_old ? &old_st : NULL, written, known, &m, &kept_damage,
				     e);
	}
	if (r == 0 && keep_vanished(&old, prefix, written, &m, &kept_damage) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && buf_printf(&out, "%s/%s", dir, MANIFEST_NAME) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = manifest_write(&m, out.data, e);
	/* damage is still there: the manifest keeps the time it was last true of every
	 * file, so the damaged ones stay newer than it and are found again */
	if (r == 0 && kept_damage)
		keep_time(out.data, &old_st);
	closedir(d);
	manifest_release(&m);
	manifest_release(&old);
	buf_release(&path);
	buf_release(&out);
	return r;
}
