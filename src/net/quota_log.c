/* quota_log.c: the shared, append-only record of the last hour's API calls. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "filelock.h"
#include "fsutil.h"
#include "quota_log.h"

/* Bigger than compaction ever lets it grow: no record of ours. */
#define RECORD_MAX_BYTES (16 * 1024 * 1024)
/* Plausible times: 2001 to 5138, in unix ms. */
#define AT_MS_MIN 1000000000000LL
#define AT_MS_MAX 99999999999999LL
#define CALLS_MAX 1000000
#define LINE_MAX_BYTES 40

int quota_log_default_dir(char **ret_dir)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	struct buf p = BUF_INIT;
	int r;

	*ret_dir = NULL;
	if (xdg && *xdg == '/')
		r = buf_printf(&p, "%s/flickr-archive", xdg);
	else if (home && *home)
		r = buf_printf(&p, "%s/.local/state/flickr-archive", home);
	else
		return 0;
	if (r < 0) {
		buf_release(&p);
		return FA_ENOMEM;
	}
	*ret_dir = buf_detach(&p);
	return 0;
}

/* DIR/<SHA-256 hex of key><suffix>. */
static int key_path(const char *dir, const char *key, const char *suffix, struct buf *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(key, strlen(key), md, &n, EVP_sha256(), NULL))
		return FA_ENOMEM;
	buf_reset(out);
	if (buf_printf(out, "%s/", dir) < 0)
		return FA_ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		if (buf_printf(out, "%02x", md[i]) < 0)
			return FA_ENOMEM;
	return buf_puts(out, suffix) < 0 ? FA_ENOMEM : 0;
}

int quota_log_open(struct quota_log *l, const char *dir, const char *api_key, struct err *e)
{
	struct buf p = BUF_INIT;
	int r;

	*l = (struct quota_log)QUOTA_LOG_INIT;
	r = fs_mkdirs(dir, 0700, e);
	if (r == 0 && (key_path(dir, api_key, ".calls", &p) < 0 || !(l->path = strdup(p.data)) ||
		       key_path(dir, api_key, ".lock", &p) < 0))
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = filelock_open(AT_FDCWD, p.data, p.data, FILELOCK_CREATE, 0600, &l->lock_fd, e);
	buf_release(&p);
	if (r < 0)
		quota_log_close(l);
	return r;
}

/* Safe on a log never opened, zeroed or QUOTA_LOG_INIT (the descriptors go with path). */
void quota_log_close(struct quota_log *l)
{
	if (!l->path)
		return;
	if (l->fd >= 0)
		close(l->fd);
	if (l->lock_fd >= 0)
		close(l->lock_fd);
	free(l->path);
	*l = (struct quota_log)QUOTA_LOG_INIT;
}

/* One line without its newline: a call or a hold counted into w, or FA_EPARSE. */
static int parse_line(const char *s, size_t len, struct quota_window *w)
{
	char line[LINE_MAX_BYTES + 1], *end;
	long long at, calls = 1;
	int hold = 0;

	if (len == 0 || len > LINE_MAX_BYTES)
		return FA_EPARSE;
	memcpy(line, s, len);
	line[len] = '\0';
	if (!strncmp(line, "hold ", 5))
		hold = 1;
	if (line[hold ? 5 : 0] < '0' || line[hold ? 5 : 0] > '9')
		return FA_EPARSE;
	at = strtoll(line + (hold ? 5 : 0), &end, 10);
	if (!hold && *end == ' ' && end[1] >= '0' && end[1] <= '9')
		calls = strtoll(end + 1, &end, 10);
	if (*end || at < AT_MS_MIN || at > AT_MS_MAX || calls < 1 || calls > CALLS_MAX)
		return FA_EPARSE;
	if (hold) {
		quota_window_hold(w, at);
		return 0;
	}
	return quota_window_add(w, at, (long)calls);
}

/* Counts the complete lines of data into w; returns the bytes they span. */
static size_t count_lines(struct quota_log *l, const char *data, size_t len,
			  struct quota_window *w, int *ret_nomem)
{
	size_t done = 0;
	const char *nl;

	while (done < len && (nl = memchr(data + done, '\n', len - done))) {
		int r = parse_line(data + done, (size_t)(nl - data - done), w);

		if (r == FA_ENOMEM)
			*ret_nomem = 1;
		else if (r < 0)
			l->damaged = 1;
		l->lines++;
		done = (size_t)(nl - data) + 1;
	}
	return done;
}

/* Reads what was appended since read_to; a torn last line is cut off. */
static int read_new(struct quota_log *l, struct quota_window *w, struct err *e)
{
	struct buf data = BUF_INIT;
	struct stat st;
	size_t want, used;
	ssize_t got;
	int nomem = 0, r = 0;

	if (fstat(l->fd, &st) < 0)
		return fs_errno_error(e, "read", l->path, errno);
	if (st.st_size < l->read_to) { /* cut short by someone: count it all again */
		quota_window_clear(w);
		l->read_to = 0;
		l->lines = 0;
	}
	if (st.st_size == l->read_to)
		return 0;
	if (st.st_size - l->read_to > RECORD_MAX_BYTES)
		return err_set(e, FA_EPARSE, "'%s' is too big to be a record of API calls",
			       l->path);
	want = (size_t)(st.st_size - l->read_to);
	if (buf_grow(&data, want) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	got = pread(l->fd, data.data, want, l->read_to);
	if (got < 0)
		r = fs_errno_error(e, "read", l->path, errno);
	if (r == 0) {
		used = count_lines(l, data.data, (size_t)got, w, &nomem);
		l->read_to += (off_t)used;
		if (nomem)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if (used < (size_t)got && ftruncate(l->fd, l->read_to) < 0)
			r = fs_errno_error(e, "repair", l->path, errno);
	}
	buf_release(&data);
	return r;
}

static int open_record(struct quota_log *l, struct err *e)
{
	struct stat st;

	if (l->fd >= 0)
		close(l->fd);
	l->read_to = 0;
	l->lines = 0;
	l->fd = open(l->path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (l->fd < 0 || fstat(l->fd, &st) < 0)
		return fs_errno_error(e, "open", l->path, errno);
	l->ino = st.st_ino;
	return 0;
}

/* Writes the record anew from w's live calls, then appends to the new file. */
static int rewrite(struct quota_log *l, const struct quota_window *w, struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	const struct quota_entry *en;
	size_t n = quota_window_entries(w, &en);
	struct buf text = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		r = buf_printf(&text, "%" PRId64 " %ld\n", en[i].at_ms, en[i].calls) < 0 ? FA_ENOMEM : 0;
	/* a hold older than every call of the hour is over: it goes */
	if (r == 0 && n && w->held_until_ms >= en[0].at_ms &&
	    buf_printf(&text, "hold %" PRId64 "\n", w->held_until_ms) < 0)
		r = FA_ENOMEM;
	if (r < 0)
		r = err_set(e, r, "out of memory");
	if (r == 0)
		r = fs_tmp_open(&tmp, l->path, 0600, e);
	if (r == 0 && text.len)
		r = fs_tmp_write(&tmp, text.data, text.len, e);
	if (r == 0)
		r = fs_tmp_commit(&tmp, l->path, e);
	fs_tmp_abort(&tmp);
	if (r == 0)
		r = open_record(l, e);
	if (r == 0) {
		l->read_to = (off_t)text.len;
		l->lines = (long)n + 1;
		l->damaged = 0;
	}
	buf_release(&text);
	return r;
}

int quota_log_lock(struct quota_log *l, struct quota_window *w, struct err *e)
{
	struct stat st;
	int r;

	r = filelock_take(l->lock_fd, FILELOCK_EXCLUSIVE | FILELOCK_WAIT, l->path, e);
	if (r < 0)
		return r;
	if (stat(l->path, &st) < 0) {
		r = errno == ENOENT ? rewrite(l, w, e) /* first use, or deleted: what we know */
				    : fs_errno_error(e, "open", l->path, errno);
	} else if (l->fd < 0 || st.st_ino != l->ino) {
		quota_window_clear(w); /* written anew by another process: read it all */
		r = open_record(l, e);
	}
	if (r == 0)
		r = read_new(l, w, e);
	if (r < 0)
		quota_log_unlock(l);
	return r;
}

void quota_log_unlock(struct quota_log *l)
{
	filelock_drop(l->lock_fd);
}

static int append_line(struct quota_log *l, const char *line, struct err *e)
{
	size_t len = strlen(line);
	ssize_t put = write(l->fd, line, len);
	int errnum = put < 0 ? errno : ENOSPC;

	if (put == (ssize_t)len) {
		l->read_to += (off_t)len;
		l->lines++;
		return 0;
	}
	/* no half line left behind; should even this fail, the next reader cuts it off */
	(void)!ftruncate(l->fd, l->read_to);
	return fs_errno_error(e, "write", l->path, errnum);
}

int quota_log_add_call(struct quota_log *l, struct quota_window *w, int64_t at_ms,
		       struct err *e)
{
	char line[LINE_MAX_BYTES];
	int r;

	snprintf(line, sizeof(line), "%" PRId64 " 1\n", at_ms);
	r = append_line(l, line, e);
	if (r == 0 && quota_window_add(w, at_ms, 1) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	return r;
}

int quota_log_add_hold(struct quota_log *l, struct quota_window *w, int64_t until_ms,
		       struct err *e)
{
	char line[LINE_MAX_BYTES];

	snprintf(line, sizeof(line), "hold %" PRId64 "\n", until_ms);
	quota_window_hold(w, until_ms);
	return append_line(l, line, e);
}

int quota_log_compact(struct quota_log *l, const struct quota_window *w, struct err *e)
{
	const struct quota_entry *en;
	size_t live = quota_window_entries(w, &en);

	if (!l->damaged && l->lines <= 2 * (long)live + 256)
		return 0;
	return rewrite(l, w, e);
}
