/*
 * pace.h: the conservative pacing of API calls, and how long to wait before
 * a retry.
 *
 * Flickr allows 3600 calls an hour per key; quota.h counts them as Flickr
 * does, shared through quota_log.h.  Where that record cannot be kept, the
 * pacer spaces calls out instead: a token bucket that
 * holds at most `burst` tokens and refills at calls_per_hour; a call takes a
 * token or waits for one.  Over any hour at most burst + calls_per_hour calls
 * go out, so the default (3500/h, burst 100) stays within Flickr's 3600.
 * Both are pure: the caller passes the clock.
 */
#ifndef FA_PACE_H
#define FA_PACE_H

#include <stdint.h>

#define PACE_DEFAULT_CALLS_PER_HOUR 3500
#define PACE_DEFAULT_BURST 100

struct pacer {
	double calls_per_ms; /* 0: unlimited */
	double tokens;
	double burst;
	int64_t last_ms;
	int64_t blocked_until_ms; /* set by a 429 / Retry-After */
};

void pacer_init(struct pacer *p, long calls_per_hour, long burst, int64_t now_ms);
/* Takes a token; returns how many ms the caller must wait before calling. */
int64_t pacer_reserve(struct pacer *p, int64_t now_ms);
/* How many ms until `calls` more calls could go (the ETA); takes nothing. */
int64_t pacer_wait_for(const struct pacer *p, int64_t now_ms, long calls);
/* Holds every call back until now + delay (server asked us to slow down). */
void pacer_block(struct pacer *p, int64_t now_ms, int64_t delay_ms);

struct retry_policy {
	int max_retries;      /* retries after the first attempt */
	int64_t base_ms;      /* first backoff */
	int64_t max_delay_ms; /* cap for one wait */
};

#define RETRY_DEFAULT_MAX 6
#define RETRY_DEFAULT_BASE_MS 2000
#define RETRY_DEFAULT_MAX_DELAY_MS 300000

/*
 * Delay before retry number `attempt` (1 = first retry): the server's
 * Retry-After when it gave one (capped), else exponential backoff
 * base * 2^(attempt-1) with "equal jitter" (half fixed, half random from
 * rand01 in [0,1)), capped at max_delay_ms.
 */
int64_t retry_delay_ms(const struct retry_policy *p, int attempt,
		       int64_t retry_after_ms, double rand01);

/* HTTP statuses worth retrying: 408, 429, 500, 502, 503, 504. */
int retry_http_status(long status);
/* Flickr error codes that mean "try again later": 0, 105, 201. */
int retry_api_code(int code);

#endif
