#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

/* A line of `n` bytes: `prefix` 'a's, then `fill` repeated. */
static void make_line(char *s, size_t n, size_t prefix, const char *fill)
{
	size_t i = 0, f = strlen(fill);

	for (; i < prefix && i < n; i++)
		s[i] = 'a';
	for (size_t j = 0; i < n; i++, j++)
		s[i] = fill[j % f];
	s[n] = '\0';
}

static void test_short_line_is_kept(void **state)
{
	char s[] = "caf\xc3\xa9 ok";

	(void)state;
	log_fit_line(s);
	assert_string_equal(s, "caf\xc3\xa9 ok");
}

/* Every cut position inside a 2-, 3- and 4-byte character ends before it. */
static void test_cut_never_splits_a_character(void **state)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x93\xb7" };
	static char s[LOG_LINE_MAX + 64];

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		size_t len = strlen(chars[c]);

		for (size_t shift = 0; shift < len; shift++) {
			size_t n;

			make_line(s, LOG_LINE_MAX + 16, LOG_LINE_MAX - 8 + shift, chars[c]);
			log_fit_line(s);
			n = strlen(s);
			assert_true(n < LOG_LINE_MAX);
			assert_true(n >= LOG_LINE_MAX - len);
			/* what is left ends on a whole character */
			assert_int_equal((n - (LOG_LINE_MAX - 8 + shift)) % len, 0);
		}
	}
}

static void test_ascii_cut_at_the_limit(void **state)
{
	static char s[LOG_LINE_MAX + 64];

	(void)state;
	make_line(s, LOG_LINE_MAX + 10, LOG_LINE_MAX + 10, "a");
	log_fit_line(s);
	assert_int_equal(strlen(s), LOG_LINE_MAX - 1);
}

/* ---- the time left on the progress line ---- */

struct fake_quota {
	long asked;      /* calls the ETA asked about */
	int64_t wait_ms; /* what the quota answers */
};

static int64_t fake_quota_wait(void *ud, long calls)
{
	struct fake_quota *q = ud;

	q->asked = calls;
	return q->wait_ms;
}

static void test_eta_without_quota_is_items_over_rate(void **state)
{
	(void)state;
	assert_true(progress_eta_seconds(100, 2.0, 1.5, NULL, NULL) == 50.0);
	assert_true(progress_eta_seconds(100, 0.0, 1.5, NULL, NULL) < 0.0); /* no rate yet */
}

static void test_eta_counts_what_the_hour_still_allows(void **state)
{
	struct fake_quota q = { 0, 0 };

	(void)state;
	/* room in the hour: the rate decides */
	assert_true(progress_eta_seconds(100, 2.0, 1.5, fake_quota_wait, &q) == 50.0);
	assert_int_equal(q.asked, 150); /* 100 items at 1.5 calls each */
	/* the hour is spent: the calls wait 20 minutes for it to roll on */
	q.wait_ms = 1200000;
	assert_true(progress_eta_seconds(100, 2.0, 1.5, fake_quota_wait, &q) == 1200.0);
	/* items that make no call never wait for the quota */
	q.asked = -1;
	assert_true(progress_eta_seconds(100, 2.0, 0.0, fake_quota_wait, &q) == 50.0);
	assert_int_equal(q.asked, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_line_is_kept),
		cmocka_unit_test(test_cut_never_splits_a_character),
		cmocka_unit_test(test_ascii_cut_at_the_limit),
		cmocka_unit_test(test_eta_without_quota_is_items_over_rate),
		cmocka_unit_test(test_eta_counts_what_the_hour_still_allows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
