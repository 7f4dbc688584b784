/* avatar.c: fetching and recording the buddy icons of users_cache.json's people. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar.h"
#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "pace.h"
#include "record.h"

#define NSID_DIGITS_MAX 20
#define NSID_SUFFIX_DIGITS_MAX 4
#define ICONSERVER_DIGITS_MAX 10
#define ICONFARM_MAX 9999
/* Downloads that may fail in a row for want of the host (after their retries) before
 * the rest waits for the next run: a blocked or down static host must not cost
 * minutes of backoff per person. */
#define HOST_FAILURES_MAX 3

/* One icon to fetch. */
struct avatar_job {
	const char *nsid; /* borrowed from users */
	json_t *user;     /* borrowed: its record */
	char server[16];
	long long farm;
};

void avatar_result_release(struct avatar_result *res)
{
	json_decref(res->failed);
	memset(res, 0, sizeof(*res));
}

/* The number of leading ASCII digits of s. */
static size_t count_digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int avatar_valid_nsid(const char *nsid)
{
	size_t head, tail;

	if (!nsid)
		return 0;
	head = count_digits(nsid);
	if (head == 0 || head > NSID_DIGITS_MAX || strncmp(nsid + head, "@N", 2))
		return 0;
	tail = count_digits(nsid + head + 2);
	return tail > 0 && tail <= NSID_SUFFIX_DIGITS_MAX && nsid[head + 2 + tail] == '\0';
}

/* iconserver and iconfarm from an icon URL record_avatar_url() built for nsid. */
static int icon_from_url(const char *url, const char *nsid, char server[16],
			 long long *ret_farm)
{
	long long farm = -1;
	int n = 0;

	if (!url || sscanf(url, "https://farm%4lld.staticflickr.com/%10[0-9]/buddyicons/%n",
			   &farm, server, &n) != 2 || n == 0)
		return 0;
	url += n;
	if (strncmp(url, nsid, strlen(nsid)) || strcmp(url + strlen(nsid), ".jpg"))
		return 0;
	*ret_farm = farm;
	return 1;
}

int avatar_icon_of(const json_t *user, const char *nsid, char ret_server[16],
		   long long *ret_farm)
{
	const char *text = jtext(user, "iconserver");
	char server[16] = "";
	long long farm = 0;

	if (text && !*text) {
		return 0; /* "": no icon known, as for 0 */
	} else if (text) {
		size_t n = count_digits(text);

		if (n == 0 || n > ICONSERVER_DIGITS_MAX || text[n])
			return FA_EPARSE;
		memcpy(server, text, n + 1); /* text is jtext's scratch: copy it now */
		farm = jint_or(user, "iconfarm", 0);
	} else if (!icon_from_url(jstr(user, "avatar_url"), nsid, server, &farm)) {
		return 0; /* no icon known: Flickr's default */
	}
	if (farm < 0 || farm > ICONFARM_MAX)
		return FA_EPARSE;
	if (strtoll(server, NULL, 10) == 0)
		return 0;
	memcpy(ret_server, server, sizeof(server));
	*ret_farm = farm;
	return 1;
}

/* "avatars/<nsid>.jpg", relative to the archive root (the record's "avatar"). */
static int relative_path(const char *nsid, struct buf *out)
{
	buf_reset(out);
	return buf_printf(out, "%s/%s.jpg", STORE_AVATARS_DIR, nsid) < 0 ? FA_ENOMEM : 0;
}

/* Whether the record's icon is the one the person has now, and still on disk. */
static int icon_current(const struct avatar_ctx *ctx, const struct avatar_job *job,
			struct buf *rel, struct buf *path)
{
	const char *had = jtext(job->user, "avatar_iconserver");

	if (!jstr(job->user, "avatar") || strcmp(jstr(job->user, "avatar"), rel->data) ||
	    !had || strcmp(had, job->server))
		return 0;
	store_root_path(ctx->store, rel->data, path);
	return fs_exists(path->data);
}

/* Downloads url to path (atomically): a whole JPEG, or nothing. */
static int fetch_icon(const struct avatar_ctx *ctx, const char *url, const char *path,
		      struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	struct http_response res;
	unsigned char head[3];
	char shown[512];
	int r;

	http_redact_url(url, shown, sizeof(shown));
	msg_debug("download '%s'", shown);
	r = fs_tmp_open(&tmp, path, 0644, e);
	if (r == 0)
		r = photo_fetch_file(ctx->pctx, url, &tmp, AVATAR_MAX_BYTES, &res, e);
	if (r == 0 && (pread(tmp.fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
		       memcmp(head, "\xff\xd8\xff", sizeof(head))))
		r = err_set(e, FA_EPARSE, "'%s' is not a JPEG (Content-Type '%s')", shown,
			    res.content_type[0] ? res.content_type : "none");
	if (r == 0)
		r = fs_tmp_commit(&tmp, path, e);
	fs_tmp_abort(&tmp);
	return r;
}

static void record_failure(struct avatar_result *res, const char *nsid, const char *reason)
{
	json_t *f = json_object();

	jset_str(f, "nsid", nsid);
	jset_str(f, "error", reason);
	json_array_append_new(res->failed, f);
	msg_warn("avatar of %s: %s; will retry on the next run", nsid, reason);
}

/*
 * Fetches one icon and records it; 0 also when it failed (recorded in res),
 * then *ret_host_failed tells whether the host seemed the trouble (network,
 * 429, 5xx) rather than this icon.
 */
static int fetch_one(const struct avatar_ctx *ctx, const struct avatar_job *job,
		     struct avatar_result *res, int *ret_host_failed, struct err *e)
{
	struct buf rel = BUF_INIT, path = BUF_INIT;
	char *built = record_avatar_url(job->farm, job->server, job->nsid);
	char *url = built ? options_static_url_for(ctx->o, built) : NULL;
	struct err one = { 0 };
	char what[128];
	int r;

	if (!url || relative_path(job->nsid, &rel) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	store_root_path(ctx->store, rel.data, &path);
	r = fetch_icon(ctx, url, path.data, &one);
	if (r < 0 && err_is_fatal(r)) {
		if (e)
			*e = one;
		goto cleanup;
	}
	if (r == 0) {
		jset_str(job->user, "avatar", rel.data);
		jset_str(job->user, "avatar_iconserver", job->server);
		res->fetched++;
	} else {
		record_failure(res, job->nsid, one.msg[0] ? one.msg : fa_strerror(r));
	}
	*ret_host_failed = r == FA_ENET || (r == FA_EHTTP && retry_http_status(one.http_status));
	res->archived += jstr(job->user, "avatar") != NULL; /* a failed update keeps the old */
	snprintf(what, sizeof(what), "avatar of %s %s", job->nsid, r == 0 ? "archived" : "failed");
	progress_item(what, -1);
	r = 0;
cleanup:
	free(built);
	free(url);
	buf_release(&rel);
	buf_release(&path);
	return r;
}

static int compare_jobs(const void *a, const void *b)
{
	return strcmp(((const struct avatar_job *)a)->nsid, ((const struct avatar_job *)b)->nsid);
}

/*
 * Sorts users into res's counts and the jobs to fetch (in NSID order), and
 * sets every valid record's "avatar_default".
 */
static int plan(const struct avatar_ctx *ctx, json_t *users, struct avatar_result *res,
		struct avatar_job **ret_jobs, size_t *ret_n)
{
	struct avatar_job *jobs = calloc(json_object_size(users) + 1, sizeof(*jobs));
	struct buf rel = BUF_INIT, path = BUF_INIT;
	const char *nsid;
	json_t *user;
	size_t n = 0;
	int r = 0;

	if (!jobs)
		return FA_ENOMEM;
	json_object_foreach(users, nsid, user) {
		struct avatar_job *job = &jobs[n];
		int icon = json_is_object(user) && avatar_valid_nsid(nsid)
			   ? avatar_icon_of(user, nsid, job->server, &job->farm) : FA_EPARSE;

		if (icon < 0) {
			res->invalid++;
			msg_debug("skipping the avatar of user '%.80s': not Flickr's NSID or "
				  "iconserver", nsid);
			continue;
		}
		res->people++;
		job->nsid = nsid;
		job->user = user;
		r = jset_bool(user, "avatar_default", icon == 0);
		if (r == 0)
			r = relative_path(nsid, &rel);
		if (r < 0)
			break;
		if (icon == 0) {
			res->default_icon++; /* an icon archived before is kept */
			res->archived += jstr(user, "avatar") != NULL;
		} else if (icon_current(ctx, job, &rel, &path)) {
			res->archived++;
		} else {
			n++;
		}
	}
	buf_release(&rel);
	buf_release(&path);
	if (r < 0) {
		free(jobs);
		return r;
	}
	qsort(jobs, n, sizeof(*jobs), compare_jobs);
	*ret_jobs = jobs;
	*ret_n = n;
	return 0;
}

int avatar_sync(const struct avatar_ctx *ctx, json_t *users, struct avatar_result *res,
		struct err *e)
{
	struct avatar_job *jobs = NULL;
	struct buf dir = BUF_INIT;
	size_t n = 0, i;
	int r, host_failures = 0;

	avatar_result_release(res);
	res->failed = json_array();
	if (!res->failed)
		return err_set(e, FA_ENOMEM, "out of memory");
	store_root_path(ctx->store, STORE_AVATARS_DIR, &dir);
	if (fs_is_dir(dir.data))
		fs_sweep_temps(dir.data); /* left by a killed run */
	r = plan(ctx, users, res, &jobs, &n);
	if (r < 0) {
		r = err_set(e, r, "out of memory");
		goto cleanup;
	}
	if (n)
		r = fs_mkdirs(dir.data, 0755, e);
	if (r == 0 && n)
		progress_begin("avatars", (long)n);
	for (i = 0; i < n && r == 0 && host_failures < HOST_FAILURES_MAX; i++) {
		int host_failed = 0;

		if (clock_stop_requested())
			r = err_set(e, FA_EINTR, "interrupted");
		else
			r = fetch_one(ctx, &jobs[i], res, &host_failed, e);
		host_failures = host_failed ? host_failures + 1 : 0;
	}
	progress_end();
	if (r == 0 && i < n) {
		res->postponed = (long)(n - i);
		for (; i < n; i++)
			res->archived += jstr(jobs[i].user, "avatar") != NULL;
		msg_warn("%d avatar downloads failed in a row; the other %ld wait for the next run",
			 HOST_FAILURES_MAX, res->postponed);
	}
cleanup:
	free(jobs);
	buf_release(&dir);
	return r;
}
