/*
 * quota.h: Flickr's hourly API quota, counted the way Flickr defines it: at
 * most `limit` calls in any rolling span (an hour), with no other spacing.
 *
 * The window holds the calls made in the last span, from every process that
 * shares the API key (quota_log.h keeps them on disk), as (time, count)
 * entries in ascending time.  A 429 or Retry-After holds every call back: the
 * window then counts as full until the time the server named.
 *
 * Pure: the caller passes the clock (unix milliseconds).  Not thread-safe:
 * the caller locks.
 */
#ifndef FA_QUOTA_H
#define FA_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#define QUOTA_SPAN_MS (3600 * 1000LL)

struct quota_entry {
	int64_t at_ms;
	long calls;
};

struct quota_window {
	long limit;                 /* calls in any span; <= 0: unlimited */
	int64_t span_ms;
	struct quota_entry *entries; /* live ones are [head, n), ascending by at_ms */
	size_t head, n, cap;
	long in_window;             /* calls of the live entries */
	int64_t held_until_ms;      /* 0, or no call before this (429 / Retry-After) */
};

void quota_window_init(struct quota_window *w, long limit, int64_t span_ms);
void quota_window_release(struct quota_window *w);
/* Forgets every call and hold (the record was replaced: it is read again). */
void quota_window_clear(struct quota_window *w);

/* Counts `calls` calls made at at_ms (in any order); FA_ENOMEM. */
int quota_window_add(struct quota_window *w, int64_t at_ms, long calls);
/* No call goes before until_ms; a later hold wins over an earlier one. */
void quota_window_hold(struct quota_window *w, int64_t until_ms);

/*
 * How many ms from now_ms until `calls` more calls can all have gone, each as
 * early as the rolling limit (and a hold) allow: 0 when the span has room
 * for them now.  calls = 1 is the wait of the next call; more give the ETA.
 * Drops the calls that left the window.
 */
int64_t quota_window_wait(struct quota_window *w, int64_t now_ms, long calls);

/* The live entries, for writing the record anew. */
size_t quota_window_entries(const struct quota_window *w, const struct quota_entry **ret);

#endif
