/* site_spool.c: the site's temporary file (see site_spool.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "site_spool.h"

/* Appends are written in pieces of about this size. */
#define SPOOL_PIECE 65536

int site_spool_open(struct site_spool *sp, const char *dir, struct err *e)
{
	struct fs_tmp t = FS_TMP_INIT;
	struct buf name = BUF_INIT;
	int r;

	sp->fd = -1;
	sp->len = 0;
	buf_init(&sp->pending, 0);
	r = buf_printf(&name, "%s/spool", dir) < 0 ? err_set(e, FA_ENOMEM, "out of memory") : 0;
	if (r == 0)
		r = fs_tmp_open(&t, name.data, 0600, e);
	if (r == 0) {
		/* the open descriptor keeps it: nothing to remove later */
		unlink(t.tmp_path);
		sp->fd = t.fd;
		t.fd = -1;
	}
	fs_tmp_abort(&t);
	buf_release(&name);
	return r;
}

void site_spool_close(struct site_spool *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	buf_release(&sp->pending);
}

/* Writes the pending bytes at the end of the file. */
static int flush(struct site_spool *sp, struct err *e)
{
	uint64_t at = sp->len - sp->pending.len;
	size_t done = 0;

	while (done < sp->pending.len) {
		ssize_t n = pwrite(sp->fd, sp->pending.data + done, sp->pending.len - done,
				   (off_t)(at + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fs_errno_error(e, "write", "the site's temporary file", errno);
		done += (size_t)n;
	}
	buf_reset(&sp->pending);
	return 0;
}

int site_spool_add(struct site_spool *sp, const void *data, size_t len, uint64_t *ret_off,
		   struct err *e)
{
	if (ret_off)
		*ret_off = sp->len;
	if (buf_append(&sp->pending, data, len) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	sp->len += len;
	return sp->pending.len >= SPOOL_PIECE ? flush(sp, e) : 0;
}

/* Reads exactly len bytes at off into dst. */
static int read_at(struct site_spool *sp, uint64_t off, char *dst, size_t len, struct err *e)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(sp->fd, dst + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, FA_EIO, "cannot read the site's temporary file: %s",
				       n < 0 ? strerror(errno) : "it is shorter than written");
		done += (size_t)n;
	}
	return 0;
}

int site_spool_read(struct site_spool *sp, uint64_t off, size_t len, struct buf *out,
		    struct err *e)
{
	int r = sp->pending.len ? flush(sp, e) : 0;

	if (r == 0 && buf_grow(out, len) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = read_at(sp, off, out->data + out->len, len, e);
	if (r == 0) {
		out->len += len;
		out->data[out->len] = '\0';
	}
	return r;
}

int site_spool_each(struct site_spool *sp, uint64_t off, uint64_t len,
		    int (*fn)(void *ud, const void *data, size_t len), void *ud, struct err *e)
{
	char *piece = malloc(SPOOL_PIECE);
	int r = piece ? 0 : err_set(e, FA_ENOMEM, "out of memory");

	if (r == 0 && sp->pending.len)
		r = flush(sp, e);
	while (r == 0 && len > 0) {
		size_t n = len < SPOOL_PIECE ? (size_t)len : SPOOL_PIECE;

		r = read_at(sp, off, piece, n, e);
		if (r == 0)
			r = fn(ud, piece, n);
		off += n;
		len -= n;
	}
	free(piece);
	return r;
}
