/* avatar.c: fetching and recording the buddy icons of users_cache.json's people. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avatar.h"
#include "clock.h"
#include "damage.h"
#include "fetch.h"
#include "fsutil.h"
#include "http.h"
#include "log.h" /* the progress line only (src/README.md) */
#include "manifest.h"
#include "pace.h"
#include "pool.h"
#include "record.h"

#define NSID_DIGITS_MAX 20
#define NSID_SUFFIX_DIGITS_MAX 4
#define ICONSERVER_DIGITS_MAX 10
#define ICONFARM_MAX 9999
/* An icon missed is fetched on the next run: a few retries, not the archive's six
 * (whose backoff adds up to two minutes for a host that cannot be resolved). */
#define AVATAR_RETRIES_MAX 2

/* One icon to fetch. */
struct avatar_job {
	const char *nsid; /* borrowed from users */
	json_t *user;     /* borrowed: its record */
	char server[16];
	long long farm;
	int repair;       /* the archived icon is damaged: kept aside when replaced */
	int written;      /* fetched and installed by this run */
	char kept[128];   /* the damaged icon's name once kept aside, or "" */
};

void avatar_result_release(struct avatar_result *res)
{
	json_decref(res->failed);
	json_decref(res->repaired_kept);
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
	/* out of memory it is not known to be current: the fetch then reports it */
	return store_root_path(ctx->store, rel->data, path) == 0 && fs_exists(path->data);
}

/* Keeps the damaged icon at path as "damaged-<t>-<nsid>.jpg" beside it, named in job. */
static int keep_damaged(const struct avatar_ctx *ctx, struct avatar_job *job, const char *path,
			struct err *e)
{
	struct buf kept = BUF_INIT;
	int r = damage_keep_file(path, (long long)ctx->pctx->now, &kept, e);

	if (r == 0)
		snprintf(job->kept, sizeof(job->kept), "%s", kept.data);
	buf_release(&kept);
	return r;
}

/* Downloads url to path (atomically): a whole JPEG, or nothing. */
static int fetch_icon(const struct avatar_ctx *ctx, struct avatar_job *job,
		      const char *url, const char *path, struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	struct http_response res;
	unsigned char head[3];
	char shown[512];
	int r;

	http_redact_url(url, shown, sizeof(shown));
	notice(ctx->notice, NOTICE_DEBUG, "download '%s'", shown);
	r = fs_tmp_open(&tmp, path, 0644, e);
	if (r == 0)
		r = fetch_file(ctx->pctx->http, &ctx->pctx->retry, url, &tmp, AVATAR_MAX_BYTES,
			       &res, e);
	if (r == 0 && (pread(tmp.fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
		       memcmp(head, "\xff\xd8\xff", sizeof(head))))
		r = err_set(e, FA_EPARSE, "'%s' is not a JPEG (Content-Type '%s')", shown,
			    res.content_type[0] ? res.content_type : "none");
	if (r == 0 && job->repair)
		r = keep_damaged(ctx, job, path, e);
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
}

/* The icon of nsid replaced, and where its damaged copy was kept. */
static void record_kept(struct avatar_result *res, const char *nsid, const char *kept)
{
	json_t *k = json_object();

	jset_new(k, "icon", json_sprintf("%s/%s.jpg", STORE_AVATARS_DIR, nsid));
	jset_new(k, "kept", json_sprintf("%s/%s", STORE_AVATARS_DIR, kept));
	json_array_append_new(res->repaired_kept, k);
}

/*
 * The downloads, on --jobs threads.  A worker takes the next job until none
 * is left, a fatal error came, or AVATAR_HOST_FAILURES_MAX downloads finished
 * in a row failed for want of the host: the rest waits for the next run.  Until
 * a download has shown the host works (and again after one blamed it), one
 * download goes at a time, so that a host that is down costs
 * AVATAR_HOST_FAILURES_MAX tries, not one per worker.
 */
struct avatar_pool {
	const struct avatar_ctx *ctx;
	struct avatar_job *jobs;
	size_t n;
	pthread_mutex_t lock;       /* the fields below, res and the users' records */
	pthread_cond_t finished;    /* a download finished */
	struct avatar_result *res;
	size_t next;                /* the next job to start */
	long in_flight;
	int host_works;             /* the last download that finished reached the host */
	int host_failures;          /* in a row, as downloads finish */
	int r;                      /* first fatal error, or 0 */
	struct err e;
};

/* The next job to fetch, or NULL when the pool is to stop. */
static struct avatar_job *next_job(struct avatar_pool *pool)
{
	struct avatar_job *job = NULL;

	pthread_mutex_lock(&pool->lock);
	while (!pool->host_works && pool->in_flight > 0 && pool->r == 0)
		pthread_cond_wait(&pool->finished, &pool->lock);
	if (pool->r == 0 && clock_stop_requested())
		pool->r = err_set(&pool->e, FA_EINTR, "interrupted");
	if (pool->r == 0 && pool->host_failures < AVATAR_HOST_FAILURES_MAX &&
	    pool->next < pool->n) {
		job = &pool->jobs[pool->next++];
		pool->in_flight++;
	}
	pthread_mutex_unlock(&pool->lock);
	return job;
}

/* Records what one download came to (r: its result, one: its error). */
static void record_outcome(struct avatar_pool *pool, struct avatar_job *job,
			   const char *rel, int r, const struct err *one)
{
	struct avatar_result *res = pool->res;
	char what[128];

	pthread_mutex_lock(&pool->lock);
	pool->in_flight--;
	pthread_cond_broadcast(&pool->finished);
	if (job->kept[0]) /* kept aside even if installing the fresh one then failed */
		record_kept(res, job->nsid, job->kept);
	/* the breaker tripped on the icons' host: the icons wait, the sync is done */
	if (r < 0 && err_is_fatal(r) && r != FA_EUNREACHABLE) {
		if (pool->r == 0) {
			pool->r = r;
			pool->e = *one;
		}
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	if (r == 0) {
		jset_str(job->user, "avatar", rel);
		jset_str(job->user, "avatar_iconserver", job->server);
		job->written = 1;
		res->fetched++;
		res->repaired += job->repair;
	} else {
		record_failure(res, job->nsid, one->msg[0] ? one->msg : fa_strerror(r));
	}
	/* a host that cannot be resolved, reached, or that answers 429/5xx */
	pool->host_works = !(r == FA_ENET || r == FA_EUNREACHABLE ||
			     (r == FA_EHTTP && retry_http_status(one->http_status)));
	pool->host_failures = pool->host_works ? 0 : r == FA_EUNREACHABLE ? AVATAR_HOST_FAILURES_MAX
					      : pool->host_failures + 1;
	res->archived += jstr(job->user, "avatar") != NULL; /* a failed update keeps the old */
	pthread_mutex_unlock(&pool->lock);
	snprintf(what, sizeof(what), "avatar of %s %s", job->nsid, r == 0 ? "archived" : "failed");
	progress_item(what, -1);
}

/* Fetches one icon into the archive; the outcome is recorded in the pool. */
static void fetch_one(struct avatar_pool *pool, struct avatar_job *job)
{
	const struct avatar_ctx *ctx = pool->ctx;
	struct buf rel = BUF_INIT, path = BUF_INIT;
	char *built = record_avatar_url(job->farm, job->server, job->nsid);
	char *url = built ? http_url_on_host(ctx->static_url, built) : NULL;
	struct err one = { 0 };
	int r;

	if (!url || relative_path(job->nsid, &rel) < 0 ||
	    store_root_path(ctx->store, rel.data, &path) < 0)
		r = err_set(&one, FA_ENOMEM, "out of memory");
	else
		r = fetch_icon(ctx, job, url, path.data, &one);
	record_outcome(pool, job, rel.data, r, &one);
	free(built);
	free(url);
	buf_release(&rel);
	buf_release(&path);
}

static void fetch_worker(void *ud, long slot)
{
	struct avatar_pool *pool = ud;
	struct avatar_job *job;

	(void)slot;
	while ((job = next_job(pool)))
		fetch_one(pool, job);
}

/* Fetches the n jobs on up to --jobs threads; the first fatal error, or 0. */
static int fetch_all(const struct avatar_ctx *ctx, struct avatar_job *jobs, size_t n,
		     struct avatar_result *res, struct err *e)
{
	struct photo_ctx pctx = *ctx->pctx;
	struct avatar_ctx own = { &pctx, ctx->store, ctx->static_url, ctx->jobs, ctx->notice };
	struct avatar_pool pool = { .ctx = &own, .jobs = jobs, .n = n, .res = res };
	long threads = ctx->jobs > 1 ? ctx->jobs : 1;

	if ((size_t)threads > n)
		threads = (long)n;
	if (pctx.retry.max_retries > AVATAR_RETRIES_MAX)
		pctx.retry.max_retries = AVATAR_RETRIES_MAX;
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.finished, NULL);
	progress_begin("avatars", (long)n);
	if (pool_run(threads, fetch_worker, &pool) < 0)
		pool.r = err_set(&pool.e, FA_ENOMEM, "cannot start a worker thread");
	progress_end();
	pthread_cond_destroy(&pool.finished);
	pthread_mutex_destroy(&pool.lock);
	if (pool.r < 0) {
		if (e)
			*e = pool.e;
		return pool.r;
	}
	if (pool.next < n) {
		res->postponed = (long)(n - pool.next);
		for (size_t i = pool.next; i < n; i++)
			res->archived += jstr(jobs[i].user, "avatar") != NULL;
	}
	return 0;
}

static int compare_jobs(const void *a, const void *b)
{
	return strcmp(((const struct avatar_job *)a)->nsid, ((const struct avatar_job *)b)->nsid);
}

/*
 * Sorts users into res's counts and the jobs to fetch (in NSID order), and
 * sets every valid record's "avatar_default".
 */
static int plan(const struct avatar_ctx *ctx, json_t *users, const struct damage *damaged,
		struct avatar_result *res, struct avatar_job **ret_jobs, size_t *ret_n)
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
			notice(ctx->notice, NOTICE_DEBUG, "skipping the avatar of user '%.80s': not "
			       "Flickr's NSID or iconserver", nsid);
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
		} else if (!icon_current(ctx, job, &rel, &path)) {
			n++;
		} else if (damage_has(damaged, rel.data + strlen(STORE_AVATARS_DIR "/"))) {
			job->repair = 1; /* the icon Flickr has now replaces it */
			n++;
		} else {
			res->archived++;
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

/*
 * Records the icons this run installed in the avatars' manifest; every other
 * file keeps its recorded digest, so a damaged icon that could not be fetched
 * again stays damaged for verify (kept copies are not listed, as in items).
 */
static int write_avatar_manifest(const char *dir, const struct avatar_job *jobs, size_t n,
				 struct err *e)
{
	static const char *const skip[] = { STORE_DAMAGED_PREFIX "*", NULL };
	const char **written = calloc(n + 1, sizeof(*written));
	char (*names)[AVATAR_NAME_MAX] = calloc(n + 1, sizeof(*names));
	size_t k = 0;
	int r;

	if (!written || !names) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].written)
			continue;
		snprintf(names[k], sizeof(names[k]), "%s.jpg", jobs[i].nsid);
		written[k] = names[k];
		k++;
	}
	r = manifest_write_dir(dir, STORE_AVATARS_DIR, skip, written, e);
cleanup:
	free(written);
	free(names);
	return r;
}

int avatar_sync(const struct avatar_ctx *ctx, json_t *users, struct avatar_result *res,
		struct err *e)
{
	struct avatar_job *jobs = NULL;
	struct damage damaged = DAMAGE_INIT;
	struct buf dir = BUF_INIT;
	size_t n = 0;
	int r = 0;

	avatar_result_release(res);
	res->failed = json_array();
	res->repaired_kept = json_array();
	if (!res->failed || !res->repaired_kept ||
	    store_root_path(ctx->store, STORE_AVATARS_DIR, &dir) < 0) {
		buf_release(&dir);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	if (fs_exists(dir.data) && !fs_is_real_dir(dir.data)) {
		res->dir_not_followed = 1;
		goto cleanup;
	}
	if (fs_is_real_dir(dir.data))
		fs_sweep_temps(dir.data); /* left by a killed run */
	r = damage_check_dir(dir.data, STORE_AVATARS_DIR "/", &damaged, e);
	if (r == 0 && plan(ctx, users, &damaged, res, &jobs, &n) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && n)
		r = fs_mkdirs(dir.data, 0755, e);
	if (r == 0 && n)
		r = fetch_all(ctx, jobs, n, res, e);
	/* what was installed is recorded even when the phase was cut short */
	if (n && fs_is_real_dir(dir.data)) {
		struct err why = { 0 };
		int w = write_avatar_manifest(dir.data, jobs, n, r < 0 ? &why : e);

		if (r == 0)
			r = w;
	}
cleanup:
	free(jobs);
	damage_release(&damaged);
	buf_release(&dir);
	return r;
}
