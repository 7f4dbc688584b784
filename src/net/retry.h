/*
 * retry.h: the one retry loop of every request (REST calls, OAuth steps,
 * file downloads), over pace.h's policy.
 *
 * An attempt tells whether its failure is worth another try and passes on
 * the server's Retry-After.  The loop then waits retry_delay_ms() (the
 * Retry-After, else exponential backoff with jitter) through
 * http_client_wait(), so that Ctrl-C and a tripped breaker end the wait at
 * once, and gives up after p->max_retries retries, returning what the last
 * attempt returned.
 */
#ifndef FA_RETRY_H
#define FA_RETRY_H

#include <stdint.h>

#include "error.h"
#include "http.h"
#include "notice.h"
#include "pace.h"

struct retry_outcome {
	int again;              /* worth another try (a transient failure) */
	int64_t retry_after_ms; /* the server's Retry-After, -1 if none */
};

struct retry_ops {
	/* One attempt: 0 or an error in e; sets out->again when it is worth another. */
	int (*attempt)(void *ud, struct retry_outcome *out, struct err *e);
	/* Before the wait of each retry (r: the attempt's result), or NULL. */
	void (*before_wait)(void *ud, int r, const struct retry_outcome *out, int64_t delay_ms);
	const char *what; /* for the trace line: a method, or a URL without its query */
	const struct notice_sink *notice; /* where "retrying in" goes (NOTICE_DEBUG), or NULL */
};

int retry_run(struct http_client *http, const struct retry_policy *p,
	      const struct retry_ops *ops, void *ud, struct err *e);

#endif
