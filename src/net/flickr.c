/*
 * flickr.c: one function sends a REST call and decides, in one place, what
 * is retried: transport failures, HTTP 408/429/5xx, a 401 nonce_used (signed
 * anew), a 403 that carries no oauth_problem (a web page from the API host),
 * Flickr codes 0/105/201 and truncated JSON; retry.h's loop waits and tries
 * again, honouring Retry-After.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "flickr.h"
#include "log.h" /* the progress line only (src/README.md) */
#include "retry.h"

#define MAX_PAGES 10000 /* Flickr clamps deeper pages; a bound for hostile data */

const char FLICKR_LISTING_EXTRAS[] =
	"description,license,date_upload,date_taken,owner_name,icon_server,"
	"original_format,last_update,geo,tags,machine_tags,o_dims,views,media,"
	"path_alias,url_sq,url_t,url_s,url_q,url_m,url_n,url_z,url_c,url_l,"
	"url_h,url_k,url_3k,url_4k,url_5k,url_6k,url_o,count_comments,count_faves";

void flickr_client_init(struct flickr_client *fc, struct http_client *http,
			const struct oauth_creds *creds, const char *api_url,
			long calls_per_hour, const struct retry_policy *retry)
{
	memset(fc, 0, sizeof(*fc));
	fc->http = http;
	fc->creds = *creds;
	fc->api_url = api_url;
	fc->retry = *retry;
	fc->calls_per_hour = calls_per_hour;
	fc->log = (struct quota_log)QUOTA_LOG_INIT;
	pthread_mutex_init(&fc->pacer_lock, NULL);
	pacer_init(&fc->pacer, calls_per_hour, PACE_DEFAULT_BURST, clock_now_ms());
	quota_window_init(&fc->window, calls_per_hour, QUOTA_SPAN_MS);
}

/* per thread, so that a worker can tell what one item cost */
static _Thread_local long calls_of_this_thread;

long flickr_calls_of_this_thread(void)
{
	return calls_of_this_thread;
}

void flickr_client_release(struct flickr_client *fc)
{
	quota_log_close(&fc->log);
	quota_window_release(&fc->window);
	pthread_mutex_destroy(&fc->pacer_lock);
}

/* The record failed: the token bucket paces what is left.  Called with pacer_lock. */
static void stop_sharing(struct flickr_client *fc, const char *why, char *warning, size_t n)
{
	snprintf(warning, n, "cannot keep the count of API calls: %s; pacing conservatively "
		 "(%ld calls an hour, evenly) this run", why, fc->calls_per_hour);
	quota_log_close(&fc->log);
	fc->shared = 0;
}

void flickr_client_share_quota(struct flickr_client *fc, const char *state_dir)
{
	char warning[FA_ERR_MSG_MAX + 256];
	struct err e = { 0 };

	if (fc->calls_per_hour <= 0)
		return;
	if (state_dir && quota_log_open(&fc->log, state_dir, fc->creds.consumer_key, &e) == 0) {
		fc->shared = 1;
		return;
	}
	stop_sharing(fc, state_dir ? e.msg : "neither $XDG_STATE_HOME nor $HOME is set",
		     warning, sizeof(warning));
	notice(&fc->notice, NOTICE_WARN, "%s", warning);
}

/* A wait this long is told, once, so that a log without a progress line explains it. */
#define LONG_WAIT_MS 60000

/*
 * Adds [now, now + wait) to the time spent waiting (waits of several workers
 * overlap); returns 1 when it begins a long wait.
 */
static int count_wait(struct flickr_client *fc, int64_t now_ms, int64_t wait)
{
	int64_t from = now_ms > fc->wait_end_ms ? now_ms : fc->wait_end_ms;
	int begins = now_ms >= fc->wait_end_ms;

	if (wait <= 0 || now_ms + wait <= from)
		return 0;
	fc->waited_ms += now_ms + wait - from;
	fc->wait_end_ms = now_ms + wait;
	return begins && wait >= LONG_WAIT_MS;
}

/*
 * Under the shared record: the call is counted and 0 returned when the hour
 * has room, else the ms until it may have.  Called with pacer_lock.
 */
static int64_t reserve_in_window(struct flickr_client *fc, int *ret_reserved, char *warning,
				 size_t n)
{
	int64_t now = clock_wall_ms(), wait = 0;
	struct err e = { 0 };
	int r;

	*ret_reserved = 0;
	r = quota_log_lock(&fc->log, &fc->window, &e);
	if (r < 0) {
		stop_sharing(fc, e.msg, warning, n);
		return 0;
	}
	if (fc->log.damaged) {
		char why[FA_ERR_MSG_MAX + 64];

		snprintf(why, sizeof(why), "'%s' was damaged (written anew)", fc->log.path);
		quota_log_compact(&fc->log, &fc->window, &e);
		quota_log_unlock(&fc->log);
		stop_sharing(fc, why, warning, n);
		return 0;
	}
	wait = quota_window_wait(&fc->window, now, 1);
	if (wait == 0)
		r = quota_log_add_call(&fc->log, &fc->window, now, &e);
	if (r == 0)
		r = quota_log_compact(&fc->log, &fc->window, &e);
	quota_log_unlock(&fc->log);
	if (r < 0) {
		stop_sharing(fc, e.msg, warning, n);
		return 0;
	}
	*ret_reserved = wait == 0;
	return wait;
}

/*
 * How long this call must wait; *ret_reserved tells whether it then has its
 * turn (the bucket's token) or must ask again (the window's slot).
 */
static int64_t reserve_call(struct flickr_client *fc, int *ret_reserved)
{
	char warning[FA_ERR_MSG_MAX + 256] = "";
	int64_t wait = 0;
	int long_wait;

	pthread_mutex_lock(&fc->pacer_lock);
	if (fc->shared)
		wait = reserve_in_window(fc, ret_reserved, warning, sizeof(warning));
	if (!fc->shared) {
		wait = pacer_reserve(&fc->pacer, clock_now_ms());
		*ret_reserved = 1;
	}
	long_wait = count_wait(fc, clock_now_ms(), wait);
	pthread_mutex_unlock(&fc->pacer_lock);
	if (warning[0])
		notice(&fc->notice, NOTICE_WARN, "%s", warning);
	if (long_wait)
		notice(&fc->notice, NOTICE_INFO, "The API quota is spent (%ld calls in any hour); "
		       "the next call goes in %lld min %02lld s", fc->calls_per_hour,
		       (long long)(wait / 60000), (long long)(wait / 1000 % 60));
	return wait;
}

/* Waits for this call's turn under the quota, the progress line kept alive; FA_EINTR,
 * FA_EUNREACHABLE (see http_client_wait()). */
static int wait_for_turn(struct flickr_client *fc, struct err *e)
{
	int reserved = 0;

	while (!reserved) {
		int64_t wait = reserve_call(fc, &reserved);

		while (wait > 0) {
			int64_t slice = wait > 1000 ? 1000 : wait;
			int r = http_client_wait(fc->http, slice, e);

			if (r < 0)
				return r; /* Ctrl-C, or Flickr found unreachable meanwhile */
			progress_tick(fc->calls);
			wait -= slice;
		}
	}
	return 0;
}

/* Flickr asked to slow down: every caller waits, and other processes too. */
static void hold_calls(struct flickr_client *fc, int64_t delay_ms)
{
	char warning[FA_ERR_MSG_MAX + 256] = "";
	struct err e = { 0 };

	pthread_mutex_lock(&fc->pacer_lock);
	pacer_block(&fc->pacer, clock_now_ms(), delay_ms);
	count_wait(fc, clock_now_ms(), delay_ms); /* the caller's own wait, which others share */
	if (fc->shared && quota_log_lock(&fc->log, &fc->window, &e) == 0) {
		if (quota_log_add_hold(&fc->log, &fc->window, clock_wall_ms() + delay_ms, &e) < 0)
			stop_sharing(fc, e.msg, warning, sizeof(warning));
		else
			quota_log_unlock(&fc->log);
	} else if (fc->shared) {
		stop_sharing(fc, e.msg, warning, sizeof(warning));
	}
	pthread_mutex_unlock(&fc->pacer_lock);
	if (warning[0])
		notice(&fc->notice, NOTICE_WARN, "%s", warning);
}

int64_t flickr_quota_wait_for(struct flickr_client *fc, long calls)
{
	int64_t wait;

	pthread_mutex_lock(&fc->pacer_lock);
	wait = fc->shared ? quota_window_wait(&fc->window, clock_wall_ms(), calls)
			  : pacer_wait_for(&fc->pacer, clock_now_ms(), calls);
	pthread_mutex_unlock(&fc->pacer_lock);
	return wait;
}

int64_t flickr_quota_waited_ms(struct flickr_client *fc)
{
	int64_t waited;

	pthread_mutex_lock(&fc->pacer_lock);
	waited = fc->waited_ms;
	pthread_mutex_unlock(&fc->pacer_lock);
	return waited;
}

static int build_signed_url(struct flickr_client *fc, const char *method,
			    const char *const *args, struct buf *url)
{
	struct oauth_params params = OAUTH_PARAMS_INIT;
	char nonce[33];
	int r;

	r = oauth_params_add(&params, "method", method);
	if (r == 0)
		r = oauth_params_add(&params, "format", "json");
	if (r == 0)
		r = oauth_params_add(&params, "nojsoncallback", "1");
	for (size_t i = 0; args && args[i] && args[i + 1] && r == 0; i += 2)
		r = oauth_params_add(&params, args[i], args[i + 1]);
	if (r == 0)
		r = oauth_make_nonce(nonce);
	if (r == 0)
		r = oauth_sign(&params, &fc->creds, "GET", fc->api_url, clock_real_unix_now(), nonce);
	if (r == 0)
		r = oauth_build_url(url, fc->api_url, &params);
	oauth_params_release(&params);
	return r;
}

/* Flickr answers JSONP when nojsoncallback is ignored: strip the wrapper. */
static void strip_jsonp(const char **data, size_t *len)
{
	static const char prefix[] = "jsonFlickrApi(";
	size_t plen = sizeof(prefix) - 1;

	if (*len > plen && !memcmp(*data, prefix, plen)) {
		const char *end = *data + *len;

		while (end > *data && (end[-1] == ')' || end[-1] == ';' ||
				       end[-1] == '\n' || end[-1] == ' '))
			end--;
		*data += plen;
		*len = (size_t)(end - *data);
	}
}

void flickr_oauth_problem(const char *body, char *out, size_t n)
{
	const char *p = strstr(body, "oauth_problem=");
	size_t len;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen("oauth_problem=");
	len = strcspn(p, "&\r\n");
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

enum attempt_result { ATTEMPT_DONE, ATTEMPT_RETRY };

struct attempt {
	int r;                  /* final result when DONE, last error when RETRY */
	int api_code;           /* Flickr's error code, 0 if none */
	int64_t retry_after_ms; /* server's hint, -1 if none */
	json_t *doc;
};

static enum attempt_result classify_status(const char *method, long status,
					   const struct buf *body, struct attempt *a,
					   struct err *e)
{
	char problem[128];

	if (retry_http_status(status)) {
		a->r = err_set(e, status == 429 ? FA_ERATELIMIT : FA_EHTTP,
			       "%s: HTTP %ld from Flickr", method, status);
		if (e)
			e->http_status = (int)status;
		return ATTEMPT_RETRY;
	}
	flickr_oauth_problem(buf_cstr(body), problem, sizeof(problem));
	if (status == 401 && !strcmp(problem, "nonce_used")) {
		/* libcurl resent a request whose answer was lost: sign it anew */
		a->r = err_set(e, FA_EHTTP, "%s: Flickr saw this request twice (nonce_used)",
			       method);
		if (e)
			e->http_status = 401;
		return ATTEMPT_RETRY;
	}
	if (status == 403 && !problem[0]) {
		/* a web page, not an OAuth answer: the host turned the request away for now */
		a->r = err_set(e, FA_EHTTP, "%s: Flickr refused the request (HTTP 403)", method);
		if (e)
			e->http_status = 403;
		return ATTEMPT_RETRY;
	}
	if (status == 400 || status == 401 || status == 403) {
		a->r = err_set(e, FA_EAUTH,
			       "Flickr refused the credentials (HTTP %ld%s%s); check the API key "
			       "and run 'flickr-archive auth' again", status,
			       problem[0] ? ", oauth_problem=" : "", problem);
		return ATTEMPT_DONE;
	}
	a->r = err_set(e, FA_EHTTP, "%s: unexpected HTTP %ld from Flickr", method, status);
	return ATTEMPT_DONE;
}

int flickr_parse_body(const char *method, const char *data, size_t len, json_t **ret,
		      struct err *e)
{
	int r;

	strip_jsonp(&data, &len);
	r = json_parse(data, len, ret, e);
	if (r < 0)
		err_wrap(e, r, "%s", method);
	return r;
}

int flickr_check_envelope(const char *method, const json_t *doc, int *ret_api_code,
			  struct err *e)
{
	const char *stat = jstr(doc, "stat");
	long long code = -1;
	const char *message;

	*ret_api_code = 0;
	if (stat && !strcmp(stat, "ok"))
		return 0;
	if (!stat || strcmp(stat, "fail") != 0)
		return err_set(e, FA_EPARSE, "%s: response without a valid \"stat\"", method);
	/* an int keeps every code Flickr uses; a hostile one must not overflow */
	if (!jint(doc, "code", &code) || code < -1 || code > 1000000)
		code = -1;
	*ret_api_code = (int)code;
	message = jstr(doc, "message");
	if (code >= 96 && code <= 100) {
		err_set(e, FA_EAUTH,
			"Flickr refused the credentials: %s (error %lld); check the API key "
			"and run 'flickr-archive auth' again", message ? message : "invalid", code);
		if (e)
			e->api_code = (int)code;
		return FA_EAUTH;
	}
	err_set(e, FA_EAPI, "%s: %s (Flickr error %lld)", method, message ? message : "failed",
		code);
	if (e)
		e->api_code = (int)code;
	return FA_EAPI;
}

static enum attempt_result classify_envelope(const char *method, json_t *doc,
					     struct attempt *a, struct err *e)
{
	a->r = flickr_check_envelope(method, doc, &a->api_code, e);
	if (a->r == 0) {
		a->doc = doc;
		return ATTEMPT_DONE;
	}
	json_decref(doc);
	if (a->r == FA_EAPI && retry_api_code(a->api_code))
		return ATTEMPT_RETRY;
	return ATTEMPT_DONE;
}

static enum attempt_result attempt_once(struct flickr_client *fc, const char *method,
					const char *const *args, struct attempt *a,
					struct err *e)
{
	struct buf url = BUF_INIT, body = BUF_INIT;
	struct http_response res;
	enum attempt_result out = ATTEMPT_DONE;
	json_t *doc = NULL;
	int64_t t0 = clock_now_ms();

	a->retry_after_ms = -1;
	a->api_code = 0;
	a->doc = NULL;
	buf_init(&body, JSON_MAX_DOC_BYTES);
	if (build_signed_url(fc, method, args, &url) < 0) {
		a->r = err_set(e, FA_ENOMEM, "cannot build the request for %s", method);
		goto cleanup;
	}
	fc->calls++;
	calls_of_this_thread++;
	a->r = http_get(fc->http, url.data, &body, &res, e);
	notice(&fc->notice, NOTICE_DEBUG, "API %s -> HTTP %ld, %lld bytes, %lld ms", method,
	       res.status, (long long)body.len, (long long)(clock_now_ms() - t0));
	if (a->r < 0) {
		if (a->r == FA_ENET) {
			err_wrap(e, FA_ENET, "cannot reach Flickr");
			out = res.transient ? ATTEMPT_RETRY : ATTEMPT_DONE;
		}
		goto cleanup;
	}
	a->retry_after_ms = res.retry_after_ms;
	if (res.status != 200) {
		out = classify_status(method, res.status, &body, a, e);
		goto cleanup;
	}
	a->r = flickr_parse_body(method, buf_cstr(&body), body.len, &doc, e);
	if (a->r < 0) {
		/* a cut-off body is worth another try; a persistent one is reported */
		out = a->r == FA_EPARSE ? ATTEMPT_RETRY : ATTEMPT_DONE;
		goto cleanup;
	}
	out = classify_envelope(method, doc, a, e);
cleanup:
	buf_release(&url);
	buf_release(&body);
	return out;
}

/* One call across its attempts. */
struct call {
	struct flickr_client *fc;
	const char *method;
	const char *const *args;
	json_t *doc; /* the answer, once one came */
};

/* An attempt in its turn under the quota (retry.h). */
static int call_once(void *ud, struct retry_outcome *out, struct err *e)
{
	struct call *c = ud;
	struct attempt a;
	int r = wait_for_turn(c->fc, e);

	if (r < 0)
		return r;
	out->again = attempt_once(c->fc, c->method, c->args, &a, e) == ATTEMPT_RETRY;
	out->retry_after_ms = a.retry_after_ms;
	if (out->again && (a.r == FA_ERATELIMIT || a.api_code == 105))
		c->fc->throttled++;
	c->doc = a.doc;
	return a.r;
}

/* Before a retry's wait: a 429 or a Retry-After holds every caller back as long. */
static void before_retry(void *ud, int r, const struct retry_outcome *out, int64_t delay_ms)
{
	struct call *c = ud;

	if (r == FA_ERATELIMIT || out->retry_after_ms >= 0)
		hold_calls(c->fc, delay_ms);
	c->fc->retries++;
}

int flickr_call(struct flickr_client *fc, const char *method, const char *const *args,
		json_t **ret, struct err *e)
{
	struct call c = { fc, method, args, NULL };
	const struct retry_ops ops = { call_once, before_retry, method, &fc->notice };
	int r = retry_run(fc->http, &fc->retry, &ops, &c, e);

	if (r == 0)
		*ret = c.doc;
	return r;
}

static int page_arg_list(const char *const *args, const char **out, size_t cap,
			 char *page_s, char *per_page_s)
{
	size_t n = 0;

	for (size_t i = 0; args && args[i] && args[i + 1] && n + 6 < cap; i += 2) {
		out[n++] = args[i];
		out[n++] = args[i + 1];
	}
	out[n++] = "page";
	out[n++] = page_s;
	out[n++] = "per_page";
	out[n++] = per_page_s;
	out[n] = NULL;
	return 0;
}

/* How many items a full page holds: Flickr's own perpage when it says, else what was asked. */
static long page_capacity(const json_t *box, int per_page)
{
	long long v;

	if ((jint(box, "perpage", &v) || jint(box, "per_page", &v)) && v > 0 && v < per_page)
		return (long)v;
	return per_page;
}

/* One call for a page; ret_n gets how many items it holds. */
static int call_page(struct flickr_client *fc, const char *method, const char *const *args,
		     const char *container, const char *item_key, json_t **ret_doc,
		     size_t *ret_n, struct err *e)
{
	json_t *doc = NULL;
	int r = flickr_call(fc, method, args, &doc, e);

	if (r < 0)
		return r;
	if (!jobj(doc, container)) {
		json_decref(doc);
		return err_set(e, FA_EPARSE, "%s: response has no \"%s\"", method, container);
	}
	*ret_doc = doc;
	*ret_n = jlist_size(json_object_get(jobj(doc, container), item_key));
	return 0;
}

static void read_page_counts(const json_t *box, struct flickr_page *pg)
{
	long long v;

	pg->pages = jint(box, "pages", &v) ? (long)v : 1;
	pg->total = jint(box, "total", &v) ? (long)v : 0;
}

/*
 * A page; one that holds fewer items than a page and is not the last is
 * asked for once more, and the fuller answer kept: pages can come back short,
 * and whole when asked again (markdoliner/flickrmirrorer#21).  Not a retry:
 * the page came (a failed call is retried inside call_page, by retry_run),
 * and a second short one is kept.
 */
static int fetch_page(struct flickr_client *fc, const char *method, const char *const *args,
		      const char *container, const char *item_key, int per_page,
		      struct flickr_page *pg, json_t **ret_doc, struct err *e)
{
	json_t *doc = NULL, *again = NULL;
	size_t n = 0, n_again = 0;
	int r = call_page(fc, method, args, container, item_key, &doc, &n, e);

	if (r < 0)
		return r;
	read_page_counts(jobj(doc, container), pg);
	if (pg->page < pg->pages && (long)n < page_capacity(jobj(doc, container), per_page)) {
		fc->short_pages++;
		notice(&fc->notice, NOTICE_DEBUG, "%s: page %ld of %ld held %zu items; asking again",
		       method, pg->page, pg->pages, n);
		r = call_page(fc, method, args, container, item_key, &again, &n_again, e);
		if (r < 0) {
			json_decref(doc);
			return r;
		}
		if (n_again > n) {
			json_decref(doc);
			doc = again;
			read_page_counts(jobj(doc, container), pg);
		} else {
			json_decref(again);
		}
	}
	*ret_doc = doc;
	return 0;
}

int flickr_paginate(struct flickr_client *fc, const char *method, const char *const *args,
		    const char *container, const char *item_key, int per_page,
		    flickr_item_fn fn, void *ud, struct flickr_page *ret_last, struct err *e)
{
	struct flickr_page pg = { 1, 1, 0 };
	char page_s[24], per_page_s[24];
	const char *full[40];
	int r = 0;

	snprintf(per_page_s, sizeof(per_page_s), "%d", per_page);
	for (pg.page = 1; pg.page <= pg.pages && pg.page <= MAX_PAGES; pg.page++) {
		json_t *doc = NULL, *items;

		snprintf(page_s, sizeof(page_s), "%ld", pg.page);
		page_arg_list(args, full, sizeof(full) / sizeof(full[0]), page_s, per_page_s);
		r = fetch_page(fc, method, full, container, item_key, per_page, &pg, &doc, e);
		if (r < 0)
			return r;
		if (ret_last)
			*ret_last = pg;
		items = json_object_get(jobj(doc, container), item_key);
		for (size_t i = 0; i < jlist_size(items) && r == 0; i++)
			r = fn(ud, jlist_at(items, i), &pg);
		json_decref(doc);
		if (r < 0)
			return r;
	}
	return 0;
}
