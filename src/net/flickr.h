/*
 * flickr.h: Flickr REST calls with OAuth signing, Flickr's JSON envelope,
 * pacing under the hourly quota, retries, and paging.
 *
 * flickr_call() returns the whole response object ({"photo": ..., "stat":
 * "ok"}); the caller owns it (json_decref).  Errors: FA_EAPI with
 * err.api_code for stat=fail, FA_EAUTH for refused credentials, FA_ENET when
 * Flickr cannot be reached, FA_ERATELIMIT when still throttled after every
 * retry, FA_EPARSE for malformed responses.
 */
#ifndef FA_FLICKR_H
#define FA_FLICKR_H

#include <pthread.h>

#include "error.h"
#include "http.h"
#include "json.h"
#include "notice.h"
#include "oauth.h"
#include "pace.h"
#include "quota.h"
#include "quota_log.h"

/*
 * Safe to use from several threads at once: they share the quota and
 * counters.  Calls are counted in a rolling hour (quota.h) shared with other
 * processes (quota_log.h) once flickr_client_share_quota() succeeded; until
 * then, or once that record failed, the token bucket paces them.
 */
struct flickr_client {
	struct http_client *http; /* borrowed */
	struct oauth_creds creds; /* borrowed strings */
	const char *api_url;      /* borrowed */
	pthread_mutex_t pacer_lock; /* the fields down to waited_ms */
	struct pacer pacer;
	struct quota_window window;
	struct quota_log log;
	int shared;               /* 1: the window and its record pace the calls */
	int64_t waited_ms;        /* time some call waited for its turn (union of the waits) */
	int64_t wait_end_ms;      /* monotonic end of the last wait counted */
	long calls_per_hour;
	struct retry_policy retry;
	_Atomic long calls;     /* requests sent to the REST endpoint, retries included */
	_Atomic long retries;
	_Atomic long throttled; /* 429 / error 105 answers seen */
	_Atomic long short_pages; /* listing pages that came back short and were asked again */
	/* where the client tells what it does (a quota wait, the --verbose trace of each
	 * call and of each download through it): set by the caller after
	 * flickr_client_init(), which leaves it empty (nothing is told) */
	struct notice_sink notice;
};

void flickr_client_init(struct flickr_client *fc, struct http_client *http,
			const struct oauth_creds *creds, const char *api_url,
			long calls_per_hour, const struct retry_policy *retry);

void flickr_client_release(struct flickr_client *fc);

/*
 * Counts the calls in a rolling hour recorded under state_dir, shared with
 * every process that uses the same API key.  When that record cannot be
 * kept (state_dir NULL, unwritable, damaged), the token bucket stays, with
 * one warning; it never fails.  Nothing happens for calls_per_hour 0.
 */
void flickr_client_share_quota(struct flickr_client *fc, const char *state_dir);

/* How long, in ms, until `calls` more calls may have gone under the quota (for an ETA). */
int64_t flickr_quota_wait_for(struct flickr_client *fc, long calls);
/* How long calls have waited for their turn under the quota so far. */
int64_t flickr_quota_waited_ms(struct flickr_client *fc);

/* Calls the current thread has sent, through any client. */
long flickr_calls_of_this_thread(void);

/* args: NULL-terminated key, value, key, value, ... */
int flickr_call(struct flickr_client *fc, const char *method, const char *const *args,
		json_t **ret, struct err *e);

struct flickr_page {
	long page;
	long pages;
	long total;
};

/* Called for each item; return < 0 to stop (that value is returned). */
typedef int (*flickr_item_fn)(void *ud, json_t *item, const struct flickr_page *pg);

/*
 * Calls method for page 1..pages with per_page, walking
 * response[container][item_key].  Stops on `pages` (never on an empty page)
 * and treats pages=0 as nothing to fetch.  A page before the last that holds
 * fewer items than a page is asked for once more, and the fuller answer kept.
 * ret_last (may be NULL) gets the last page's page, pages and total, also
 * when no item came.
 */
int flickr_paginate(struct flickr_client *fc, const char *method, const char *const *args,
		    const char *container, const char *item_key, int per_page,
		    flickr_item_fn fn, void *ud, struct flickr_page *ret_last, struct err *e);

/*
 * The pure steps of reading an answer, exposed for tests and fuzzing.
 * flickr_parse_body: a 200 body (JSON, or JSONP "jsonFlickrApi(...)") to a
 * document; FA_EPARSE when malformed.  flickr_check_envelope: 0 for stat=ok;
 * FA_EAPI with the code in *ret_api_code (and e->api_code) for stat=fail,
 * FA_EAUTH for the credential codes 96-100, FA_EPARSE without a valid stat.
 * The caller keeps doc.  flickr_oauth_problem: "oauth_problem=token_rejected&..."
 * of a 4xx body -> "token_rejected" (empty when absent), cut to fit n > 0.
 */
int flickr_parse_body(const char *method, const char *data, size_t len, json_t **ret,
		      struct err *e);
int flickr_check_envelope(const char *method, const json_t *doc, int *ret_api_code,
			  struct err *e);
void flickr_oauth_problem(const char *body, char *out, size_t n);

/* The photo-list extras the archiver asks for on every listing call. */
extern const char FLICKR_LISTING_EXTRAS[];

#endif
