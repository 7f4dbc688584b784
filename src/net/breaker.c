/* breaker.c: consecutive network failures across threads, and the trip that ends a run. */
#include <stdio.h>

#include "breaker.h"

void breaker_init(struct breaker *b, int limit)
{
	pthread_mutex_init(&b->lock, NULL);
	b->limit = limit > 0 ? limit : 0;
	b->in_a_row = 0;
	atomic_store(&b->tripped, 0);
	b->why[0] = '\0';
}

void breaker_release(struct breaker *b)
{
	pthread_mutex_destroy(&b->lock);
}

void breaker_success(struct breaker *b)
{
	pthread_mutex_lock(&b->lock);
	b->in_a_row = 0;
	pthread_mutex_unlock(&b->lock);
}

int breaker_failure(struct breaker *b, const char *why)
{
	pthread_mutex_lock(&b->lock);
	b->in_a_row++;
	if (b->limit && b->in_a_row >= b->limit && !atomic_load(&b->tripped)) {
		snprintf(b->why, sizeof(b->why), "%s", why);
		atomic_store(&b->tripped, 1);
	}
	pthread_mutex_unlock(&b->lock);
	return atomic_load(&b->tripped);
}

int breaker_check(struct breaker *b, struct err *e)
{
	int r;

	if (!atomic_load(&b->tripped))
		return 0;
	pthread_mutex_lock(&b->lock);
	r = err_set(e, FA_EUNREACHABLE, "Flickr is unreachable: %s", b->why);
	pthread_mutex_unlock(&b->lock);
	return r;
}
