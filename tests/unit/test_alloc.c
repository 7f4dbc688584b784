/* test_alloc.c: ALLOC_GROW: growth keeps the elements, overflow is refused. */
#include "unit.h"

#include "alloc.h"
#include "error.h"

static void test_grows_from_empty_and_keeps_elements(void **state)
{
	long *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (long i = 0; i < 1000; i++) {
		assert_int_equal(ALLOC_GROW(v, n + 1, cap), 0);
		assert_true(cap >= n + 1);
		v[n++] = i * 3;
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], (long)i * 3);
	free(v);
}

static void test_enough_room_changes_nothing(void **state)
{
	int *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(ALLOC_GROW(v, 5, cap), 0);
	assert_int_equal(cap, 16);
	before = v;
	assert_int_equal(ALLOC_GROW(v, 16, cap), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(ALLOC_GROW(v, 17, cap), 0);
	assert_int_equal(cap, 32);
	/* a jump past the doubling gets exactly what it asks for */
	assert_int_equal(ALLOC_GROW(v, 1000, cap), 0);
	assert_int_equal(cap, 1000);
	free(v);
}

static void test_overflow_is_refused_and_array_kept(void **state)
{
	struct { char b[64]; } *v = NULL, *before;
	size_t cap = 0;

	(void)state;
	assert_int_equal(ALLOC_GROW(v, 1, cap), 0);
	before = v;
	assert_int_equal(ALLOC_GROW(v, SIZE_MAX / 32, cap), FA_ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	assert_int_equal(ALLOC_GROW(v, SIZE_MAX, cap), FA_ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_from_empty_and_keeps_elements),
		cmocka_unit_test(test_enough_room_changes_nothing),
		cmocka_unit_test(test_overflow_is_refused_and_array_kept),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
