/*
 * export_read.c: Flickr's export read member by member from a ZIP
 * (libarchive, which streams: a member is decompressed as it is read) or
 * from the folder it was unpacked into.
 */
#include "export_read.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
	struct archive *zip;        /* or */
	int fd;
	struct export_ahead *ahead; /* reading zip on a thread (EXPORT_READ_AHEAD) */
	int fatal;                  /* the ZIP cannot be read past this member */
	int damaged;                /* this member could not be read whole */
	int at_end;                 /* ... read whole: */
	unsigned char sha256[32];
	EVP_MD_CTX *md;             /* hashing as it is read (not when ahead) */
};

const char *export_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The next bytes as the caller reads them, from the ZIP or the file. */
static int read_now(struct export_stream *s, void *buf, size_t len, size_t *ret_n,
		    struct err *e)
{
	if (s->zip) {
		la_ssize_t n = archive_read_data(s->zip, buf, len);

		if (n < 0) {
			s->fatal = n == ARCHIVE_FATAL;
			return err_set(e, FA_EIO, "%s", archive_error_string(s->zip)
				       ? archive_error_string(s->zip) : "cannot be read");
		}
		*ret_n = (size_t)n;
		return 0;
	}
	for (;;) {
		ssize_t n = read(s->fd, buf, len);

		if (n >= 0) {
			*ret_n = (size_t)n;
			return 0;
		}
		if (errno != EINTR)
			return err_set(e, FA_EIO, "%s", strerror(errno));
	}
}

int export_stream_read(struct export_stream *s, void *buf, size_t len, size_t *ret_n,
		       struct err *e)
{
	int r;

	*ret_n = 0;
	if (clock_stop_requested())
		return err_set(e, FA_EINTR, "interrupted");
	if (s->at_end)
		return 0;
	if (s->ahead)
		r = export_ahead_read(s->ahead, buf, len, ret_n, s->sha256, &s->fatal, e);
	else
		r = read_now(s, buf, len, ret_n, e);
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

/* The ZIP's next regular member, read now or by the thread ahead. */
static enum export_ahead_at next_member(struct export_stream *s, const char **name,
					int64_t *size)
{
	struct archive_entry *entry;
	int ar;

	if (s->ahead)
		return export_ahead_next(s->ahead, name, size);
	while ((ar = archive_read_next_header(s->zip, &entry)) != ARCHIVE_EOF) {
		if (ar < ARCHIVE_WARN)
			return AHEAD_BROKEN;
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		*name = export_entry_name(entry);
		*size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
		return AHEAD_MEMBER;
	}
	return AHEAD_END;
}

static int read_zip(struct reader *rd, const char *path, struct err *e)
{
	struct export_stream s = { .zip = archive_read_new(), .fd = -1, .md = rd->md };
	struct buf name = BUF_INIT;
	struct err unused = { 0 };
	enum export_ahead_at at;
	const char *member;
	int64_t size;
	int r = 0;

	if (!s.zip)
		return err_set(e, FA_ENOMEM, "out of memory");
	archive_read_support_format_zip(s.zip);
	/*
	 * libarchive checks the CRC of each block it reads: a caller that reads only a
	 * member's head is given small blocks, so the rest is skipped unread
	 */
	if (archive_read_open_filename(s.zip, path, rd->mode == EXPORT_READ_AHEAD
				       ? AHEAD_READ_BLOCK : ASKED_READ_BLOCK) != ARCHIVE_OK) {
		r = err_set(e, FA_EINVAL, "'%s' is neither a folder nor a ZIP file (%s)", path,
			    archive_error_string(s.zip));
		goto cleanup;
	}
	/* without a thread, the same reading on this one: slower, as correct */
	if (rd->mode == EXPORT_READ_AHEAD)
		(void)export_ahead_start(s.zip, &s.ahead, &unused);
	while (r == 0 && !s.fatal && (at = next_member(&s, &member, &size)) != AHEAD_END) {
		struct export_member m = { 0 };

		if (at == AHEAD_BROKEN) {
			/* the ZIP ends or breaks here: what follows cannot be named */
			r = note_damage(rd->damaged, path,
					buf_cstr(&name)[0] ? buf_cstr(&name) : "(start)", REST_LOST);
			break;
		}
		if (set_name(&name, member) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			break;
		}
		m.name = name.data;
		m.size = size;
		r = visit(rd, path, &m, &s, e);
		if (r == 0 && s.fatal)
			r = note_damage(rd->damaged, path, m.name, REST_LOST);
	}
cleanup:
	export_ahead_stop(s.ahead);
	archive_read_free(s.zip);
	buf_release(&name);
	return r;
}

static int read_dir(struct reader *rd, const char *dir, int depth, struct err *e);

/* One entry of a folder: a regular file is a member, a folder is walked. */
static int read_dir_entry(struct reader *rd, const char *path, int depth, struct err *e)
{
	struct export_stream s = { .fd = -1, .md = rd->md };
	struct export_member m = { 0 };
	struct buf name = BUF_INIT;
	struct stat st;
	int r;

	if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode))
		return 0;
	if (S_ISDIR(st.st_mode))
		return depth < EXPORT_DIR_DEPTH ? read_dir(rd, path, depth + 1, e) : 0;
	if (!S_ISREG(st.st_mode))
		return 0;
	if (set_name(&name, path) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	s.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (s.fd < 0) {
		r = note_damage(rd->damaged, path, name.data, strerror(errno));
		goto cleanup;
	}
	m.name = name.data;
	m.size = st.st_size;
	r = visit(rd, path, &m, &s, e);
	close(s.fd);
cleanup:
	buf_release(&name);
	return r;
}

static int read_dir(struct reader *rd, const char *dir, int depth, struct err *e)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return err_set(e, FA_EIO, "cannot read '%s': %s", dir, strerror(errno));
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", dir, de->d_name) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else
			r = read_dir_entry(rd, path.data, depth, e);
	}
	closedir(d);
	buf_release(&path);
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
		r = read_dir(&rd, path, 0, e);
	else
		r = read_zip(&rd, path, e);
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	EVP_MD_CTX_free(rd.md);
	return r;
}
