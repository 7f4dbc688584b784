/* test_pace.c: the token-bucket pacer and the retry policy. */
#include "unit.h"

#include "pace.h"

/* ---- pacer -------------------------------------------------------------- */

struct step {
	int64_t now_ms;
	int64_t wait_ms;
};

/* 3600 calls/h is one token per 1000 ms; burst 3. */
static const struct step steps_3600[] = {
	{ 0, 0 }, { 0, 0 }, { 0, 0 },  /* the burst */
	{ 0, 1000 },                   /* then one token per second */
	{ 0, 2000 },
	{ 2000, 1000 },                /* 2 s refilled 2 tokens, both already owed */
	{ 3000, 1000 },
	{ 4000, 1000 },
	{ -1, 0 },
};

static void test_pacer_burst_then_paced(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3600, 3, 0);
	for (const struct step *s = steps_3600; s->now_ms >= 0; s++) {
		print_message("t=%lld\n", (long long)s->now_ms);
		assert_true(pacer_reserve(&p, s->now_ms) == s->wait_ms);
	}
}

static void test_pacer_caller_that_waits_is_paced_evenly(void **state)
{
	struct pacer p;
	int64_t t = 0;

	(void)state;
	pacer_init(&p, 3600, 2, 0);
	assert_true(pacer_reserve(&p, t) == 0);
	assert_true(pacer_reserve(&p, t) == 0);
	for (int i = 0; i < 10; i++) {
		int64_t w = pacer_reserve(&p, t);

		assert_true(w == 1000);
		t += w;
	}
}

static void test_pacer_refill_is_capped_at_burst(void **state)
{
	struct pacer p;
	int64_t t = 10LL * 3600 * 1000; /* ten idle hours */

	(void)state;
	pacer_init(&p, 3600, 2, 0);
	assert_true(pacer_reserve(&p, 0) == 0);
	assert_true(pacer_reserve(&p, t) == 0);
	assert_true(pacer_reserve(&p, t) == 0);
	assert_true(pacer_reserve(&p, t) == 1000);
}

static void test_pacer_default_rate_after_burst(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, PACE_DEFAULT_CALLS_PER_HOUR, PACE_DEFAULT_BURST, 0);
	for (int i = 0; i < PACE_DEFAULT_BURST; i++)
		assert_true(pacer_reserve(&p, 0) == 0);
	/* 3600000 / 3500 = 1028.57 ms per token, rounded up */
	assert_true(pacer_reserve(&p, 0) == 1029);
}

static void test_pacer_default_stays_under_flickr_limit(void **state)
{
	struct pacer p;
	int64_t t = 0;
	long calls = 0;

	(void)state;
	pacer_init(&p, PACE_DEFAULT_CALLS_PER_HOUR, PACE_DEFAULT_BURST, 0);
	/* a caller that always calls as soon as allowed, for one hour */
	for (;;) {
		t += pacer_reserve(&p, t);
		if (t >= 3600000)
			break;
		calls++;
	}
	/* at most burst + calls_per_hour, which is Flickr's 3600 */
	assert_in_range(calls, PACE_DEFAULT_CALLS_PER_HOUR,
			PACE_DEFAULT_BURST + PACE_DEFAULT_CALLS_PER_HOUR);
	assert_true(calls <= 3600);
}

static void test_pacer_unlimited_when_zero(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 0, 5, 0);
	for (int i = 0; i < 100000; i++)
		assert_true(pacer_reserve(&p, 0) == 0);
}

static void test_pacer_zero_burst_means_one(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3600, 0, 0);
	assert_true(pacer_reserve(&p, 0) == 0);
	assert_true(pacer_reserve(&p, 0) == 1000);
}

static void test_pacer_block_holds_calls(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3600, 10, 0);
	pacer_block(&p, 1000, 5000);
	assert_true(pacer_reserve(&p, 1000) == 5000);
	assert_true(pacer_reserve(&p, 3000) == 3000);
	assert_true(pacer_reserve(&p, 6000) == 0);
	assert_true(pacer_reserve(&p, 7000) == 0);
}

static void test_pacer_block_never_shortens(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3600, 10, 0);
	pacer_block(&p, 0, 5000);
	pacer_block(&p, 0, 1000);
	assert_true(pacer_reserve(&p, 0) == 5000);
	pacer_block(&p, 0, 8000);
	assert_true(pacer_reserve(&p, 0) == 8000);
}

static void test_pacer_block_applies_when_unlimited(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 0, 0, 0);
	pacer_block(&p, 100, 3000);
	assert_true(pacer_reserve(&p, 100) == 3000);
	assert_true(pacer_reserve(&p, 3100) == 0);
}

/* ---- retry policy ------------------------------------------------------- */

static const struct retry_policy policy = { RETRY_DEFAULT_MAX, RETRY_DEFAULT_BASE_MS,
					    RETRY_DEFAULT_MAX_DELAY_MS };

struct delay_case {
	int attempt;
	int64_t retry_after_ms;
	double rand01;
	int64_t expect;
};

static const struct delay_case delay_cases[] = {
	{ 1, 5000, 0.5, 5000 },          /* Retry-After honoured as is */
	{ 3, 0, 0.9, 0 },
	{ 1, 1000000000, 0.0, 300000 },  /* and capped */
	{ 1, -1, 0.0, 1000 },            /* base 2000: [1000, 2000] */
	{ 1, -1, 0.5, 1500 },
	{ 2, -1, 0.0, 2000 },            /* 4000 */
	{ 3, -1, 0.0, 4000 },            /* 8000 */
	{ 3, -1, 0.5, 6000 },
	{ 8, -1, 0.0, 128000 },          /* 256000 */
	{ 9, -1, 0.0, 150000 },          /* 512000 capped at 300000 */
	{ 40, -1, 0.0, 150000 },
	{ 0, 0, 0, -1 },
};

static void test_retry_delay_table(void **state)
{
	(void)state;
	for (const struct delay_case *c = delay_cases; c->expect >= 0; c++) {
		int64_t d = retry_delay_ms(&policy, c->attempt, c->retry_after_ms, c->rand01);

		print_message("attempt %d retry_after %lld rand %.2f -> %lld\n", c->attempt,
			      (long long)c->retry_after_ms, c->rand01, (long long)d);
		assert_true(d == c->expect);
	}
}

static void test_retry_delay_jitter_bounds(void **state)
{
	static const double rands[] = { 0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999, 0.9999999999 };

	(void)state;
	for (int attempt = 1; attempt <= 64; attempt++) {
		int64_t full = policy.base_ms, prev = -1;

		for (int i = 1; i < attempt && full < policy.max_delay_ms; i++)
			full *= 2;
		if (full > policy.max_delay_ms)
			full = policy.max_delay_ms;
		for (size_t i = 0; i < N_ELEMS(rands); i++) {
			int64_t d = retry_delay_ms(&policy, attempt, -1, rands[i]);

			assert_true(d >= full / 2);
			assert_true(d <= full);
			assert_true(d >= prev); /* more random, longer wait */
			prev = d;
		}
	}
}

static void test_retry_delay_out_of_range_random_is_clamped(void **state)
{
	(void)state;
	assert_true(retry_delay_ms(&policy, 1, -1, -3.0) == 1000);
	assert_in_range(retry_delay_ms(&policy, 1, -1, 1.0), 1000, 2000);
	assert_in_range(retry_delay_ms(&policy, 1, -1, 42.0), 1000, 2000);
}

static void test_retry_delay_small_cap(void **state)
{
	const struct retry_policy p = { 3, 100, 250 };

	(void)state;
	assert_true(retry_delay_ms(&p, 1, -1, 0.0) == 50);
	assert_true(retry_delay_ms(&p, 2, -1, 0.0) == 100);
	assert_true(retry_delay_ms(&p, 3, -1, 0.0) == 125); /* 400 capped to 250 */
	assert_in_range(retry_delay_ms(&p, 3, -1, 0.999999), 125, 250);
	assert_true(retry_delay_ms(&p, 1, 10000, 0.0) == 250);
}

struct code_case {
	long code;
	int retry;
};

static const struct code_case http_cases[] = {
	{ 408, 1 }, { 429, 1 }, { 500, 1 }, { 502, 1 }, { 503, 1 }, { 504, 1 },
	{ 200, 0 }, { 301, 0 }, { 302, 0 }, { 400, 0 }, { 401, 0 }, { 403, 0 },
	{ 404, 0 }, { 410, 0 }, { 501, 0 }, { 505, 0 }, { 0, 0 }, { -1, -1 },
};

static void test_retry_http_status_table(void **state)
{
	(void)state;
	for (const struct code_case *c = http_cases; c->retry >= 0; c++) {
		print_message("HTTP %ld\n", c->code);
		assert_int_equal(retry_http_status(c->code), c->retry);
	}
}

static const struct code_case api_cases[] = {
	{ 0, 1 }, { 105, 1 }, { 201, 1 },
	{ 1, 0 }, { 2, 0 }, { 95, 0 }, { 96, 0 }, { 98, 0 }, { 99, 0 }, { 100, 0 },
	{ 112, 0 }, { 116, 0 }, { -1, -1 },
};

static void test_retry_api_code_table(void **state)
{
	(void)state;
	for (const struct code_case *c = api_cases; c->retry >= 0; c++) {
		print_message("API code %ld\n", c->code);
		assert_int_equal(retry_api_code((int)c->code), c->retry);
	}
}

static void test_pacer_wait_for_many_calls(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3600, 10, 0); /* one token a second, 10 in hand */
	assert_true(pacer_wait_for(&p, 0, 10) == 0);
	assert_true(pacer_wait_for(&p, 0, 70) == 60000);
	assert_true(pacer_reserve(&p, 0) == 0); /* takes one; wait_for takes none */
	assert_true(pacer_wait_for(&p, 0, 10) == 1000);
	assert_true(pacer_wait_for(&p, 0, 10) == 1000);
	pacer_block(&p, 0, 5000);
	assert_true(pacer_wait_for(&p, 0, 1) == 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pacer_burst_then_paced),
		cmocka_unit_test(test_pacer_caller_that_waits_is_paced_evenly),
		cmocka_unit_test(test_pacer_refill_is_capped_at_burst),
		cmocka_unit_test(test_pacer_default_rate_after_burst),
		cmocka_unit_test(test_pacer_default_stays_under_flickr_limit),
		cmocka_unit_test(test_pacer_unlimited_when_zero),
		cmocka_unit_test(test_pacer_zero_burst_means_one),
		cmocka_unit_test(test_pacer_block_holds_calls),
		cmocka_unit_test(test_pacer_block_never_shortens),
		cmocka_unit_test(test_pacer_block_applies_when_unlimited),
		cmocka_unit_test(test_pacer_wait_for_many_calls),
		cmocka_unit_test(test_retry_delay_table),
		cmocka_unit_test(test_retry_delay_jitter_bounds),
		cmocka_unit_test(test_retry_delay_out_of_range_random_is_clamped),
		cmocka_unit_test(test_retry_delay_small_cap),
		cmocka_unit_test(test_retry_http_status_table),
		cmocka_unit_test(test_retry_api_code_table),
	};

	return cmocka_run_group_tests_name("pace", tests, NULL, NULL);
}
