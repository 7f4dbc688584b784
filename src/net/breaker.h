/*
 * breaker.h: the one circuit breaker of a run.  Every request's transport
 * outcome is counted across all threads: a network failure (refused, reset,
 * DNS, timeout) adds one, any answer from the server (whatever its HTTP
 * status) starts the count again.  When `limit` failures come in a row the
 * breaker trips, for good: Flickr is unreachable, and waiting out every
 * item's own retries would take hours.  Thread-safe.
 */
#ifndef FA_BREAKER_H
#define FA_BREAKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "error.h"

#define BREAKER_DEFAULT_LIMIT 10

struct breaker {
	pthread_mutex_t lock; /* in_a_row and why */
	int limit;            /* failures in a row that trip it; 0: never trips */
	int in_a_row;
	atomic_int tripped;
	char why[256];        /* the failure that tripped it */
};

void breaker_init(struct breaker *b, int limit);
void breaker_release(struct breaker *b);
/* The server answered. */
void breaker_success(struct breaker *b);
/* A network failure, why in a few words; returns 1 once the breaker has tripped. */
int breaker_failure(struct breaker *b, const char *why);
/* 0, or FA_EUNREACHABLE with "Flickr is unreachable: <why>" in e once tripped. */
int breaker_check(struct breaker *b, struct err *e);

#endif
