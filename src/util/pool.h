/*
 * pool.h: a fixed number of threads running one function, each with its
 * slot number, until it returns; the caller waits for them all.  And a
 * worker: one thread that runs the jobs handed to it one at a time, while
 * the caller prepares the next.
 */
#ifndef FA_POOL_H
#define FA_POOL_H

typedef void (*pool_fn)(void *ud, long slot);

/*
 * Runs fn(ud, 0) .. fn(ud, n - 1) on n threads and joins them.  Returns
 * how many started (fewer when the system refused more threads; the work is
 * then shared among those), or FA_ENOMEM when none could.
 */
long pool_run(long n, pool_fn fn, void *ud);

typedef void (*pool_job_fn)(void *job);
struct pool_worker;

/* A worker's thread started; NULL when none could be (jobs then run in the caller). */
struct pool_worker *pool_worker_start(void);

/*
 * fn(job) run on the worker (in the caller when w is NULL), after the job
 * handed before it is done.  The job is the worker's until pool_worker_wait().
 */
void pool_worker_run(struct pool_worker *w, pool_job_fn fn, void *job);

/* Waits until the job handed last is done; w may be NULL. */
void pool_worker_wait(struct pool_worker *w);

/* Waits for the job in hand, ends the thread and frees w; w may be NULL. */
void pool_worker_stop(struct pool_worker *w);

#endif
