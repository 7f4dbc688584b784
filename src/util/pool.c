/* pool.c: the worker threads of sync and of the avatars, and the import's worker. */
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

struct pool_worker {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pool_job_fn fn;   /* the job in hand, NULL when idle */
	void *job;
	int stop;
	pthread_t thread;
};

static void *worker_main(void *arg)
{
	struct pool_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->fn && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (!w->fn)
			break;
		pthread_mutex_unlock(&w->lock);
		w->fn(w->job);
		pthread_mutex_lock(&w->lock);
		w->fn = NULL;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct pool_worker *pool_worker_start(void)
{
	struct pool_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		pthread_cond_destroy(&w->changed);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void pool_worker_wait(struct pool_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->fn)
		pthread_cond_wait(&w->changed, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void pool_worker_run(struct pool_worker *w, pool_job_fn fn, void *job)
{
	if (!w) {
		fn(job);
		return;
	}
	pthread_mutex_lock(&w->lock);
	while (w->fn)
		pthread_cond_wait(&w->changed, &w->lock);
	w->fn = fn;
	w->job = job;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

void pool_worker_stop(struct pool_worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
