/* test_breaker.c: network failures in a row across threads, and the trip. */
#include <pthread.h>

#include "unit.h"

#include "breaker.h"

/* 'F' a network failure, 'S' an answer; the index of the failure that trips, or -1. */
struct run {
	int limit;
	const char *events;
	int trips_at;
};

static const struct run runs[] = {
	{ 3, "FFF", 2 },
	{ 3, "FFSFFSFF", -1 },     /* any answer starts the count again */
	{ 3, "FFSFFF", 5 },
	{ 3, "FFFS", 2 },          /* and once tripped, it stays tripped */
	{ 0, "FFFFFFFFFFFF", -1 }, /* 0: never */
	{ 1, "SF", 1 },
	{ 0, NULL, 0 },
};

static void test_runs(void **state)
{
	(void)state;
	for (const struct run *r = runs; r->events; r++) {
		struct breaker b;
		struct err e = { 0 };
		int tripped_at = -1;

		breaker_init(&b, r->limit);
		for (int i = 0; r->events[i]; i++) {
			int now = r->events[i] == 'F' ? breaker_failure(&b, "Connection refused")
						    : (breaker_success(&b), breaker_check(&b, NULL) < 0);

			if (now && tripped_at < 0)
				tripped_at = i;
		}
		assert_int_equal(tripped_at, r->trips_at);
		if (r->trips_at >= 0) {
			assert_int_equal(breaker_check(&b, &e), FA_EUNREACHABLE);
			assert_string_equal(e.msg, "Flickr is unreachable: Connection refused");
		} else {
			assert_int_equal(breaker_check(&b, &e), 0);
		}
		breaker_release(&b);
	}
}

static void test_first_why_is_kept(void **state)
{
	struct breaker b;
	struct err e = { 0 };

	(void)state;
	breaker_init(&b, 2);
	breaker_failure(&b, "first");
	breaker_failure(&b, "Could not resolve host: api.flickr.com");
	breaker_failure(&b, "later");
	assert_int_equal(breaker_check(&b, &e), FA_EUNREACHABLE);
	assert_string_equal(e.msg, "Flickr is unreachable: Could not resolve host: api.flickr.com");
	breaker_release(&b);
}

#define THREADS 8
#define FAILURES 1000

static void *fail_many(void *arg)
{
	for (int i = 0; i < FAILURES; i++)
		breaker_failure(arg, "Connection reset by peer");
	return NULL;
}

/* Failures from many threads add up (a lost update would never reach the limit). */
static void test_threads_add_up(void **state)
{
	pthread_t t[THREADS];
	struct breaker b;

	(void)state;
	breaker_init(&b, THREADS * FAILURES);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fail_many, &b), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(breaker_check(&b, NULL), FA_EUNREACHABLE);
	breaker_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_first_why_is_kept),
		cmocka_unit_test(test_threads_add_up),
	};

	return cmocka_run_group_tests_name("breaker", tests, NULL, NULL);
}
