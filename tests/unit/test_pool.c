/* test_pool.c: the threads of pool_run() and the worker that runs one job at a time. */
#include "unit.h"

#include <stdatomic.h>
#include <unistd.h>

#include "pool.h"

static void count_slot(void *ud, long slot)
{
	atomic_int *seen = ud;

	atomic_fetch_add(&seen[slot], 1);
}

static void test_run_calls_every_slot_once(void **state)
{
	atomic_int seen[8] = { 0 };

	(void)state;
	assert_int_equal(pool_run(8, count_slot, seen), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(atomic_load(&seen[i]), 1);
}

struct job {
	int n;           /* the job's number */
	int *last;       /* the number of the job that ran last, written by the job */
	int saw;         /* what *last was when this job began */
	int done;
};

static void run_job(void *ud)
{
	struct job *j = ud;

	j->saw = *j->last;
	usleep(2000); /* a job still running when the next is handed over */
	*j->last = j->n;
	j->done = 1;
}

static void run_jobs(struct pool_worker *w)
{
	struct job jobs[2] = { 0 };
	int last = 0;

	for (int n = 1; n <= 20; n++) {
		struct job *j = &jobs[n % 2];

		/* job n - 2 used this slot: handing job n - 1 over waited for its end */
		if (n > 2) {
			assert_true(j->done);
			assert_int_equal(j->saw, j->n - 1);
		}
		*j = (struct job){ .n = n, .last = &last };
		pool_worker_run(w, run_job, j);
	}
	pool_worker_wait(w);
	assert_int_equal(last, 20);
	assert_true(jobs[0].done && jobs[1].done);
	assert_int_equal(jobs[0].saw, 19);
}

static void test_worker_runs_jobs_one_at_a_time_in_order(void **state)
{
	struct pool_worker *w = pool_worker_start();

	(void)state;
	assert_non_null(w);
	run_jobs(w);
	pool_worker_stop(w);
}

static void test_without_a_worker_jobs_run_in_the_caller(void **state)
{
	(void)state;
	run_jobs(NULL);
	pool_worker_wait(NULL);
	pool_worker_stop(NULL);
}

static void test_stop_finishes_the_job_in_hand(void **state)
{
	struct pool_worker *w = pool_worker_start();
	int last = 0;
	struct job j = { .n = 7, .last = &last };

	(void)state;
	assert_non_null(w);
	pool_worker_run(w, run_job, &j);
	pool_worker_stop(w);
	assert_true(j.done);
	assert_int_equal(last, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_calls_every_slot_once),
		cmocka_unit_test(test_worker_runs_jobs_one_at_a_time_in_order),
		cmocka_unit_test(test_without_a_worker_jobs_run_in_the_caller),
		cmocka_unit_test(test_stop_finishes_the_job_in_hand),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
