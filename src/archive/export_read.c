/*
 * export_read.c: Flickr's export read member by member from a ZIP
 * (libarchive, which streams: a member is decompressed as it is read) or
 * from the folder it was unpacked into.  Both are a source (export_ahead.h)
 * that the caller reads from, or that threads read ahead of it.
 */
#include "export_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <locale.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "export_ahead.h"

#define REST_LOST "the ZIP cannot be read past it (truncated or damaged)"

/* what libarchive reads at a time */
#define AHEAD_READ_BLOCK (1 << 20)
#define ASKED_READ_BLOCK (1 << 14)

/* how deep a folder of unpacked ZIPs is walked (the export is flat) */
#define EXPORT_DIR_DEPTH 4

struct export_stream {
	struct export_source src;   /* read as asked, or */
	struct export_ahead *ahead; /* by threads ahead (EXPORT_READ_AHEAD) */
	int fatal;                  /* the source cannot be read past this member */
	int damaged;                /* this member could not be read whole */
	int at_end;                 /* ... read whole: */
	unsigned char sha256[32];
	EVP_MD_CTX *md;             /* hashing as it is read (not when ahead) */
	unsigned char *block;       /* export_stream_read_block()'s, when not ahead */
};

const char *export_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- a ZIP ---- */

/* The member's name as UTF-8 (a name the C locale cannot convert is not lost), or "". */
static const char *entry_name(struct archive_entry *entry)
{
	const char *name = archive_entry_pathname_utf8(entry);

	if (!name)
		name = archive_entry_pathname(entry);
	return name ? name : "";
}

static enum export_ahead_at zip_next(void *ud, const char **name, int64_t *size)
{
	struct archive_entry *entry;
	int ar;

	while ((ar = archive_read_next_header(ud, &entry)) != ARCHIVE_EOF) {
		if (ar < ARCHIVE_WARN)
			return AHEAD_BROKEN;
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		*name = entry_name(entry);
		*size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
		return AHEAD_MEMBER;
	}
	return AHEAD_END;
}

static int zip_read(void *ud, void *buf, size_t len, size_t *ret_n, int *ret_fatal,
		    struct err *e)
{
	la_ssize_t n = archive_read_data(ud, buf, len);

	if (n < 0) {
		*ret_fatal = n == ARCHIVE_FATAL;
		return err_set(e, FA_EIO, "%s", archive_error_string(ud)
			       ? archive_error_string(ud) : "cannot be read");
	}
	*ret_n = (size_t)n;
	return 0;
}

/* ---- a folder, walked (symbolic links never followed) ---- */

struct dir_walk {
	DIR *open[EXPORT_DIR_DEPTH + 1];
	size_t path_len[EXPORT_DIR_DEPTH + 1]; /* of the folder open at each depth */
	int depth;                             /* -1: walked */
	struct buf path;                       /* the member's */
	int fd;                                /* the member's, or -1 when: */
	int open_errno;                        /* ... it could not be opened */
};

/* Goes into a subfolder; one that cannot be read is a member that cannot be. */
static int dir_enter(struct dir_walk *w)
{
	DIR *d;

	if (w->depth >= EXPORT_DIR_DEPTH)
		return 0;
	d = opendir(w->path.data);
	if (!d) {
		w->open_errno = errno;
		return 1;
	}
	w->open[++w->depth] = d;
	w->path_len[w->depth] = w->path.len;
	return 0;
}

/* Opens the file at w->path as the next member (or says why it cannot be read). */
static int dir_open_member(struct dir_walk *w, int64_t *size)
{
	struct stat st;

	if (lstat(w->path.data, &st) < 0 || S_ISLNK(st.st_mode))
		return 0;
	if (S_ISDIR(st.st_mode))
		return dir_enter(w);
	if (!S_ISREG(st.st_mode))
		return 0;
	*size = st.st_size;
	w->fd = open(w->path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (w->fd < 0)
		w->open_errno = errno;
	return 1;
}

static enum export_ahead_at dir_next(void *ud, const char **name, int64_t *size)
{
	struct dir_walk *w = ud;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->open_errno = 0;
	*size = -1;
	while (w->depth >= 0) {
		struct dirent *de = readdir(w->open[w->depth]);

		if (!de) {
			closedir(w->open[w->depth]);
			w->open[w->depth--] = NULL;
			continue;
		}
		if (de->d_name[0] == '.')
			continue;
		buf_truncate(&w->path, w->path_len[w->depth]);
		if (buf_printf(&w->path, "/%s", de->d_name) < 0)
			w->open_errno = ENOMEM;
		if (w->open_errno || dir_open_member(w, size)) {
			*name = w->path.data;
			return AHEAD_MEMBER;
		}
	}
	return AHEAD_END;
}

static int dir_read(void *ud, void *buf, size_t len, size_t *ret_n, int *ret_fatal,
		    struct err *e)
{
	struct dir_walk *w = ud;

	*ret_fatal = 0;
	if (w->open_errno)
		return err_set(e, FA_EIO, "%s", strerror(w->open_errno));
	for (;;) {
		ssize_t n = read(w->fd, buf, len);

		if (n >= 0) {
			*ret_n = (size_t)n;
			return 0;
		}
		if (errno != EINTR)
			return err_set(e, FA_EIO, "%s", strerror(errno));
	}
}

static void dir_walk_end(struct dir_walk *w)
{
	if (w->fd >= 0)
		close(w->fd);
	for (; w->depth >= 0; w->depth--)
		closedir(w->open[w->depth]);
	buf_release(&w->path);
}

/* ---- the stream ---- */

/*
 * The member's next bytes: into buf, or (buf NULL, read ahead) where the
 * threads put them, at *data.
 */
static int stream_next(struct export_stream *s, void *buf, const void **data, size_t len,
		       size_t *ret_n, struct err *e)
{
	int r;

	*ret_n = 0;
	if (clock_stop_requested())
		return err_set(e, FA_EINTR, "interrupted");
	if (s->at_end)
		return 0;
	if (s->ahead && !buf)
		r = export_ahead_read_block(s->ahead, data, len, ret_n, s->sha256, &s->fatal, e);
	else if (s->ahead)
		r = export_ahead_read(s->ahead, buf, len, ret_n, s->sha256, &s->fatal, e);
	else
		r = s->src.read(s->src.ud, buf, len, ret_n, &s->fatal, e);
	if (r == FA_EIO)
		s->damaged = 1;
	if (r < 0)
		return r;
	if (*ret_n == 0)
		s->at_end = 1;
	if (s->ahead)
		return 0;
	if (*ret_n && EVP_DigestUpdate(s->md, buf, *ret_n) != 1)
		return err_set(e, FA_ENOMEM, "SHA-256 failed");
	if (s->at_end && EVP_DigestFinal_ex(s->md, s->sha256, NULL) != 1)
		return err_set(e, FA_ENOMEM, "SHA-256 failed");
	return 0;
}

int export_stream_read(struct export_stream *s, void *buf, size_t len, size_t *ret_n,
		       struct err *e)
{
	return stream_next(s, buf, NULL, len, ret_n, e);
}

int export_stream_read_block(struct export_stream *s, const void **data, size_t *ret_n,
			     struct err *e)
{
	if (s->ahead)
		return stream_next(s, NULL, data, SIZE_MAX, ret_n, e);
	if (!s->block && !(s->block = malloc(EXPORT_STREAM_BLOCK)))
		return err_set(e, FA_ENOMEM, "out of memory");
	*data = s->block;
	return stream_next(s, s->block, NULL, EXPORT_STREAM_BLOCK, ret_n, e);
}

int export_stream_sha256(const struct export_stream *s, unsigned char sha256[32])
{
	if (!s->at_end)
		return FA_EINVAL;
	memcpy(sha256, s->sha256, sizeof(s->sha256));
	return 0;
}

/* Fills m->head from the stream. */
static int read_head(struct export_stream *s, struct export_member *m, struct err *e)
{
	m->head_len = 0;
	while (m->head_len < EXPORT_HEAD_MAX) {
		size_t n;
		int r = export_stream_read(s, m->head + m->head_len, EXPORT_HEAD_MAX - m->head_len,
					   &n, e);

		if (r < 0)
			return r;
		if (n == 0)
			break;
		m->head_len += n;
	}
	return 0;
}

/*
 * Names a damaged member once: both passes of an import read the same ZIP,
 * and a member that breaks the ZIP is also where the rest is lost.
 */
static int note_damage(json_t *damaged, const char *source, const char *member,
		       const char *problem)
{
	json_t *d;

	for (size_t i = 0; i < json_array_size(damaged); i++) {
		const char *was;
		char both[512];

		d = json_array_get(damaged, i);
		was = jstr(d, "problem");
		if (strcmp(jstr(d, "source") ? jstr(d, "source") : "", source) ||
		    strcmp(jstr(d, "member") ? jstr(d, "member") : "", member))
			continue;
		if (was && strstr(was, problem))
			return 0;
		snprintf(both, sizeof(both), "%s; %s", was ? was : "", problem);
		return jset_str(d, "problem", both) < 0 ? FA_ENOMEM : 0;
	}
	d = json_object();
	if (!d || jset_str(d, "source", source) < 0 || jset_str(d, "member", member) < 0 ||
	    jset_str(d, "problem", problem) < 0 || json_array_append_new(damaged, d) < 0)
		return FA_ENOMEM;
	return 0;
}

/* A member's base name, its control bytes made '?' (it is printed, and it is the server's). */
static int set_name(struct buf *name, const char *path)
{
	if (buf_set(name, export_base_name(path)) < 0)
		return FA_ENOMEM;
	for (size_t i = 0; i < name->len; i++)
		if ((unsigned char)name->data[i] < 0x20 || name->data[i] == 0x7f)
			name->data[i] = '?';
	return 0;
}

/* One export_read(): what it was given. */
struct reader {
	export_member_fn *fn;
	void *ud;
	json_t *damaged;
	enum export_read_mode mode;
	EVP_MD_CTX *md;
};

/*
 * One member: its head, then the caller.  A member the stream could not read
 * whole is named, and the next one read; any other error (the disk) stops.
 */
static int visit(struct reader *rd, const char *source, struct export_member *m,
		 struct export_stream *s, struct err *e)
{
	struct err me = { 0 };
	int r = 0;

	s->damaged = 0;
	s->at_end = 0;
	if (!s->ahead && EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
		r = err_set(&me, FA_ENOMEM, "SHA-256 failed");
	if (r == 0)
		r = read_head(s, m, &me);
	if (r == 0)
		r = rd->fn(rd->ud, m, s, &me);
	if (r < 0 && r != FA_EINTR && s->damaged)
		return note_damage(rd->damaged, source, m->name,
				   me.msg[0] ? me.msg : "cannot be read");
	if (r < 0)
		return err_set(e, r, "%s", me.msg[0] ? me.msg : fa_strerror(r));
	return 0;
}

/*
 * Every member of src, read as the caller asks or by threads ahead of it.
 * A damaged member is named with zip as its source, or (a folder's) with
 * its own path.
 */
static int read_members(struct reader *rd, const struct export_source *src, const char *zip,
			struct err *e)
{
	struct export_stream s = { .src = *src, .md = rd->md };
	struct buf name = BUF_INIT, path = BUF_INIT;
	struct err unused = { 0 };
	enum export_ahead_at at;
	const char *member;
	int64_t size;
	int r = 0;

	/* without threads, the same reading on this one: slower, as correct */
	if (rd->mode == EXPORT_READ_AHEAD)
		(void)export_ahead_start(src, &s.ahead, &unused);
	while (r == 0 && !s.fatal) {
		struct export_member m = { 0 };

		at = s.ahead ? export_ahead_next(s.ahead, &member, &size)
			     : src->next(src->ud, &member, &size);
		if (at == AHEAD_END)
			break;
		if (at == AHEAD_BROKEN) {
			/* the ZIP ends or breaks here: what follows cannot be named */
			r = note_damage(rd->damaged, zip,
					buf_cstr(&name)[0] ? buf_cstr(&name) : "(start)", REST_LOST);
			break;
		}
		if (set_name(&name, member) < 0 || (!zip && buf_set(&path, member) < 0)) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			break;
		}
		m.name = name.data;
		m.size = size;
		r = visit(rd, zip ? zip : path.data, &m, &s, e);
		if (r == 0 && s.fatal)
			r = note_damage(rd->damaged, zip ? zip : path.data, m.name, REST_LOST);
	}
	export_ahead_stop(s.ahead);
	free(s.block);
	buf_release(&name);
	buf_release(&path);
	return r;
}

static int read_zip(struct reader *rd, const char *path, struct err *e)
{
	struct archive *zip = archive_read_new();
	struct export_source src = { zip_next, zip_read, zip };
	int r;

	if (!zip)
		return err_set(e, FA_ENOMEM, "out of memory");
	archive_read_support_format_zip(zip);
	/*
	 * libarchive checks the CRC of each block it reads: a caller that reads only a
	 * member's head is given small blocks, so the rest is skipped unread
	 */
	if (archive_read_open_filename(zip, path, rd->mode == EXPORT_READ_AHEAD
				       ? AHEAD_READ_BLOCK : ASKED_READ_BLOCK) != ARCHIVE_OK)
		r = err_set(e, FA_EINVAL, "'%s' is neither a folder nor a ZIP file (%s)", path,
			    archive_error_string(zip));
	else
		r = read_members(rd, &src, path, e);
	archive_read_free(zip);
	return r;
}

static int read_dir(struct reader *rd, const char *dir, struct err *e)
{
	struct dir_walk w = { .depth = 0, .path = BUF_INIT, .fd = -1 };
	struct export_source src = { dir_next, dir_read, &w };
	int r;

	w.open[0] = opendir(dir);
	if (!w.open[0])
		return err_set(e, FA_EIO, "cannot read '%s': %s", dir, strerror(errno));
	if (buf_set(&w.path, dir) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else {
		w.path_len[0] = w.path.len;
		r = read_members(rd, &src, NULL, e);
	}
	dir_walk_end(&w);
	return r;
}

int export_read(const char *path, enum export_read_mode mode, export_member_fn *fn, void *ud,
		json_t *damaged, struct err *e)
{
	struct reader rd = { fn, ud, damaged, mode, EVP_MD_CTX_new() };
	/* libarchive gives names in the thread's locale: UTF-8, so a "grand-mère" is not lost */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;
	struct stat st;
	int r;

	if (!rd.md)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else if (stat(path, &st) < 0)
		r = err_set(e, FA_EINVAL, "cannot read '%s': %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		r = read_dir(&rd, path, e);
	else
		r = read_zip(&rd, path, e);
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	EVP_MD_CTX_free(rd.md);
	return r;
}
