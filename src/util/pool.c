/* pool.c: starting and joining the worker threads of sync and of the avatars. */
#include <pthread.h>
#include <stdlib.h>

#include "error.h"
#include "pool.h"

struct pool_thread {
	pool_fn fn;
	void *ud;
	long slot;
	pthread_t thread;
};

static void *thread_main(void *arg)
{
	struct pool_thread *t = arg;

	t->fn(t->ud, t->slot);
	return NULL;
}

long pool_run(long n, pool_fn fn, void *ud)
{
	struct pool_thread *ts = calloc(n > 0 ? (size_t)n : 1, sizeof(*ts));
	long started = 0;

	if (!ts)
		return FA_ENOMEM;
	for (; started < n; started++) {
		ts[started] = (struct pool_thread){ fn, ud, started, 0 };
		if (pthread_create(&ts[started].thread, NULL, thread_main, &ts[started]) != 0)
			break;
	}
	for (long i = 0; i < started; i++)
		pthread_join(ts[i].thread, NULL);
	free(ts);
	return started ? started : FA_ENOMEM;
}
