/* clock.c: time sources, sleeping that honours the stop flag, randomness. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/rand.h>

#include "clock.h"
#include "error.h"

static atomic_int stop_requested; /* set by a signal handler, read by every thread */

int64_t clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_unix_now(void)
{
	const char *fake = getenv("FLICKR_ARCHIVE_FAKE_NOW");

	if (fake && *fake) {
		char *end;
		long long v = strtoll(fake, &end, 10);

		if (*end == '\0' && v > 0)
			return v;
	}
	return (int64_t)time(NULL);
}

int64_t clock_real_unix_now(void)
{
	return (int64_t)time(NULL);
}

int clock_sleep_ms(int64_t ms)
{
	/* sleep in short slices so Ctrl-C is noticed promptly */
	while (ms > 0) {
		int64_t slice = ms > 100 ? 100 : ms;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };

		if (stop_requested)
			return FA_EINTR;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (stop_requested)
				return FA_EINTR;
		ms -= slice;
	}
	return stop_requested ? FA_EINTR : 0;
}

void clock_request_stop(void)
{
	stop_requested = 1;
}

int clock_stop_requested(void)
{
	return stop_requested;
}

int clock_random_bytes(void *out, size_t n)
{
	return RAND_bytes(out, (int)n) == 1 ? 0 : FA_EIO;
}
