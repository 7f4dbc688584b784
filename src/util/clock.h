/*
 * clock.h: time, interruptible sleeping, and the process-wide stop flag that
 * SIGINT/SIGTERM set.
 */
#ifndef FA_CLOCK_H
#define FA_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds, for intervals. */
int64_t clock_now_ms(void);
/* Wall-clock unix seconds; FLICKR_ARCHIVE_FAKE_NOW pins it (tests only). */
int64_t clock_unix_now(void);
/*
 * Wall-clock unix milliseconds, for times other processes share (the API
 * quota).  Under FLICKR_ARCHIVE_FAKE_NOW it starts there when first read and
 * runs on, so that tests can place a run within or after another's hour.
 */
int64_t clock_wall_ms(void);
/* The true wall clock, never pinned: OAuth timestamps must be real. */
int64_t clock_real_unix_now(void);

/* Sleeps ms milliseconds; returns FA_EINTR early if a stop was requested. */
int clock_sleep_ms(int64_t ms);

/* Async-signal-safe: asks long loops to wrap up. */
void clock_request_stop(void);
int clock_stop_requested(void);

/* Fills out with n cryptographically random bytes. */
int clock_random_bytes(void *out, size_t n);

#endif
