/* retry.c: the one retry loop, as curl keeps retrying in one place (see retry.h). */
#include "clock.h"
#include "retry.h"

int retry_run(struct http_client *http, const struct retry_policy *p,
	      const struct retry_ops *ops, void *ud, struct err *e)
{
	for (int attempt = 0;; attempt++) {
		struct retry_outcome out = { 0, -1 };
		int r = ops->attempt(ud, &out, e);
		unsigned char rnd;
		int64_t delay;

		if (!out.again || attempt >= p->max_retries)
			return r;
		clock_random_bytes(&rnd, 1);
		delay = retry_delay_ms(p, attempt + 1, out.retry_after_ms, rnd / 256.0);
		if (ops->before_wait)
			ops->before_wait(ud, r, &out, delay);
		notice(ops->notice, NOTICE_DEBUG, "%s failed (%s); retrying in %lld ms (%d left)",
		       ops->what, r == 0 ? "a transient answer" : e ? e->msg : fa_strerror(r),
		       (long long)delay, p->max_retries - attempt);
		r = http_client_wait(http, delay, e);
		if (r < 0)
			return r;
	}
}
