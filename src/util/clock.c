/* clock.c: time sources, sleeping that honours the stop flag, randomness. */
#include <errno.h>
#include <pthread.h>
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

/* FLICKR_ARCHIVE_FAKE_NOW's unix seconds, or 0 when it is not set (or not a time). */
static int64_t fake_now(void)
{
	const char *fake = getenv("FLICKR_ARCHIVE_FAKE_NOW");
	char *end;
	long long v;

	if (!fake || !*fake)
		return 0;
	v = strtoll(fake, &end, 10);
	return *end == '\0' && v > 0 ? v : 0;
}

int64_t clock_unix_now(void)
{
	int64_t fake = fake_now();

	return fake ? fake : (int64_t)time(NULL);
}

static pthread_once_t wall_once = PTHREAD_ONCE_INIT;
static int64_t fake_wall_start_ms; /* 0: the real clock */
static int64_t fake_wall_mono_ms;

static void read_fake_wall(void)
{
	if (fake_now()) {
		fake_wall_start_ms = fake_now() * 1000;
		fake_wall_mono_ms = clock_now_ms();
	}
}

int64_t clock_wall_ms(void)
{
	struct timespec ts;

	pthread_once(&wall_once, read_fake_wall);
	if (fake_wall_start_ms)
		return fake_wall_start_ms + (clock_now_ms() - fake_wall_mono_ms);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
