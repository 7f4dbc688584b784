/* test_retry.c: the one retry loop: what is tried again, how often, and how long it waits. */
#include "unit.h"

#include "http.h"
#include "retry.h"

/*
 * Each character is one attempt's outcome: 'S' success, 'F' a failure not
 * worth another try, 'T' a transient failure, 'R' one with a Retry-After of
 * 7 ms, 'B' an answer that is no error but worth another try (a busy OAuth
 * endpoint: its last one is returned as is).
 */
struct run {
	int max_retries;
	const char *script;
	int attempts; /* how many the loop makes */
	int r;        /* what it returns */
};

static const struct run runs[] = {
	{ 3, "S", 1, 0 },
	{ 3, "TTS", 3, 0 },
	{ 2, "TTTS", 3, FA_ENET },  /* the last attempt's error, after max_retries */
	{ 0, "TS", 1, FA_ENET },
	{ 6, "F", 1, FA_EHTTP },    /* never tried again */
	{ 6, "TFS", 2, FA_EHTTP },
	{ 3, "RS", 2, 0 },
	{ 1, "BBS", 2, 0 },
	{ 0, NULL, 0, 0 },
};

struct script {
	const char *steps;
	int attempts;
	int waits;
	int64_t delays[8];
	int last_r; /* the result before_wait was given */
};

static int scripted_attempt(void *ud, struct retry_outcome *out, struct err *e)
{
	struct script *s = ud;
	char step = s->steps[s->attempts++];

	assert_true(step != '\0'); /* never tried past its script */
	out->again = step == 'T' || step == 'R' || step == 'B';
	if (step == 'R')
		out->retry_after_ms = 7;
	if (step == 'T' || step == 'R')
		return err_set(e, FA_ENET, "transient %d", s->attempts);
	if (step == 'F')
		return err_set(e, FA_EHTTP, "refused");
	return 0;
}

static void note_wait(void *ud, int r, const struct retry_outcome *out, int64_t delay_ms)
{
	struct script *s = ud;

	(void)out;
	if (s->waits < 8)
		s->delays[s->waits] = delay_ms;
	s->waits++;
	s->last_r = r;
}

static struct http_client *new_client(void)
{
	struct http_client_options o = { 0 };
	struct http_client *c = NULL;

	assert_int_equal(http_client_new(&o, &c, NULL), 0);
	return c;
}

static void test_runs(void **state)
{
	const struct retry_policy p = { 0, 0, 1000 }; /* no backoff: waits of 0 ms */
	struct http_client *c = new_client();

	(void)state;
	for (const struct run *run = runs; run->script; run++) {
		struct script s = { .steps = run->script };
		struct retry_policy pr = p;
		const struct retry_ops ops = { scripted_attempt, note_wait, "test", NULL };
		struct err e = { 0 };
		int r;

		pr.max_retries = run->max_retries;
		r = retry_run(c, &pr, &ops, &s, &e);
		assert_int_equal(r, run->r);
		assert_int_equal(s.attempts, run->attempts);
		assert_int_equal(s.waits, run->attempts - 1); /* one wait before each retry */
		if (run->script[0] == 'R')
			assert_int_equal(s.delays[0], 7); /* the server's Retry-After */
		if (run->script[0] == 'T' && s.waits)
			assert_int_equal(s.last_r, FA_ENET);
	}
	http_client_free(c);
}

/* Without a Retry-After: base * 2^(n-1), half of it fixed, half jitter. */
static void test_backoff(void **state)
{
	const struct retry_policy p = { 3, 4, 1000 };
	struct http_client *c = new_client();
	struct script s = { .steps = "TTTS" };
	const struct retry_ops ops = { scripted_attempt, note_wait, "test", NULL };

	(void)state;
	assert_int_equal(retry_run(c, &p, &ops, &s, NULL), 0);
	assert_int_equal(s.waits, 3);
	for (int i = 0; i < 3; i++) {
		int64_t full = 4LL << i;

		assert_true(s.delays[i] >= full / 2 && s.delays[i] <= full);
	}
	http_client_free(c);
}

/* No hook: the loop runs without one. */
static void test_without_hook(void **state)
{
	const struct retry_policy p = { 2, 0, 1000 };
	struct http_client *c = new_client();
	struct script s = { .steps = "TS" };
	const struct retry_ops ops = { scripted_attempt, NULL, "test", NULL };

	(void)state;
	assert_int_equal(retry_run(c, &p, &ops, &s, NULL), 0);
	assert_int_equal(s.attempts, 2);
	http_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_without_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
