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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_line_is_kept),
		cmocka_unit_test(test_cut_never_splits_a_character),
		cmocka_unit_test(test_ascii_cut_at_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
