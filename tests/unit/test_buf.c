/* test_buf.c: the growable buffer: growth, the hard maximum, printf, detach. */
#include "unit.h"

#include "buf.h"
#include "error.h"

static void test_empty_cstr_is_empty_string(void **state)
{
	struct buf a = BUF_INIT, b;

	(void)state;
	buf_init(&b, 10);
	assert_non_null(buf_cstr(&a));
	assert_string_equal(buf_cstr(&a), "");
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(a.len, 0);
	assert_int_equal(b.max, 10);
	buf_release(&a);
	buf_release(&b);
}

static void test_growth_keeps_contents_and_terminator(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
		assert_true(b.cap > b.len);
		assert_int_equal(b.data[b.len], '\0');
	}
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(buf_cstr(&b)), 10000);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_append_binary_with_nul(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4); /* and a terminator after the data */
	buf_release(&b);
}

static void test_max_refuses_growth_past_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0); /* exactly max is fine */
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_putc(&b, '9'), FA_EPARSE);
	assert_int_equal(buf_puts(&b, "more"), FA_EPARSE);
	assert_int_equal(buf_printf(&b, "%d", 1), FA_EPARSE);
	/* a refused append leaves the contents alone */
	assert_int_equal(b.len, 8);
	assert_string_equal(buf_cstr(&b), "12345678");
	buf_release(&b);
}

static void test_max_refuses_single_large_append(void **state)
{
	struct buf b;
	char big[100];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 64);
	assert_int_equal(buf_append(&b, big, sizeof(big)), FA_EPARSE);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_append(&b, big, 64), 0);
	assert_int_equal(b.len, 64);
	buf_release(&b);
}

static void test_grow_overflow_is_refused(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_grow(&b, SIZE_MAX), FA_ENOMEM);
	assert_int_equal(buf_grow(&b, SIZE_MAX - 3), FA_ENOMEM);
	assert_string_equal(buf_cstr(&b), "abc");
	buf_release(&b);
}

static void test_printf_appends(void **state)
{
	struct buf b = BUF_INIT;
	char expect[2100];

	(void)state;
	assert_int_equal(buf_puts(&b, "x="), 0);
	assert_int_equal(buf_printf(&b, "%d-%s-%05.1f", 42, "ab", 3.14159), 0);
	assert_string_equal(buf_cstr(&b), "x=42-ab-003.1");
	buf_reset(&b);
	/* longer than the first allocation */
	assert_int_equal(buf_printf(&b, "%2000d|", 7), 0);
	snprintf(expect, sizeof(expect), "%2000d|", 7);
	assert_int_equal(b.len, 2001);
	assert_string_equal(buf_cstr(&b), expect);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 2001);
	buf_release(&b);
}

static void test_set_and_reset(void **state)
{
	struct buf b = BUF_INIT;
	size_t cap;

	(void)state;
	assert_int_equal(buf_set(&b, "first value"), 0);
	assert_int_equal(buf_set(&b, "2nd"), 0);
	assert_string_equal(buf_cstr(&b), "2nd");
	assert_int_equal(b.len, 3);
	cap = b.cap;
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap); /* reset keeps the memory */
	buf_release(&b);
}

static void test_detach_hands_over_and_empties(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	(void)state;
	assert_int_equal(buf_puts(&b, "hello"), 0);
	s = buf_detach(&b);
	assert_string_equal(s, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_cstr(&b), "");
	/* the buffer is usable again */
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(buf_cstr(&b), "again");
	free(s);
	buf_release(&b);
}

static void test_detach_of_empty_is_empty_string(void **state)
{
	struct buf b = BUF_INIT;
	char *s = buf_detach(&b);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_swap_exchanges_memory(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *a_mem;

	(void)state;
	assert_int_equal(buf_puts(&a, "the member's name"), 0);
	a_mem = a.data;
	buf_swap(&a, &b);
	assert_null(a.data);
	assert_int_equal(a.len, 0);
	assert_ptr_equal(b.data, a_mem);
	assert_string_equal(buf_cstr(&b), "the member's name");
	assert_int_equal(buf_puts(&a, "x"), 0);
	buf_swap(&a, &b);
	assert_string_equal(buf_cstr(&a), "the member's name");
	assert_string_equal(buf_cstr(&b), "x");
	buf_release(&a);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_cstr_is_empty_string),
		cmocka_unit_test(test_growth_keeps_contents_and_terminator),
		cmocka_unit_test(test_append_binary_with_nul),
		cmocka_unit_test(test_max_refuses_growth_past_limit),
		cmocka_unit_test(test_max_refuses_single_large_append),
		cmocka_unit_test(test_grow_overflow_is_refused),
		cmocka_unit_test(test_printf_appends),
		cmocka_unit_test(test_set_and_reset),
		cmocka_unit_test(test_detach_hands_over_and_empties),
		cmocka_unit_test(test_detach_of_empty_is_empty_string),
		cmocka_unit_test(test_swap_exchanges_memory),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
