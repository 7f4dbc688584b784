/*
 * pool.h: a fixed number of threads running one function, each with its
 * slot number, until it returns; the caller waits for them all.
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

#endif
