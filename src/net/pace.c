/* pace.c: the token bucket that paces API calls without a record, and the retry backoff. */
#include "pace.h"

void pacer_init(struct pacer *p, long calls_per_hour, long burst, int64_t now_ms)
{
	p->calls_per_ms = calls_per_hour > 0 ? (double)calls_per_hour / 3600000.0 : 0.0;
	p->burst = burst > 0 ? (double)burst : 1.0;
	p->tokens = p->burst;
	p->last_ms = now_ms;
	p->blocked_until_ms = 0;
}

static void refill(struct pacer *p, int64_t now_ms)
{
	if (now_ms > p->last_ms) {
		p->tokens += (double)(now_ms - p->last_ms) * p->calls_per_ms;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
		p->last_ms = now_ms;
	}
}

int64_t pacer_reserve(struct pacer *p, int64_t now_ms)
{
	int64_t wait = 0;

	if (p->blocked_until_ms > now_ms)
		wait = p->blocked_until_ms - now_ms;
	if (p->calls_per_ms <= 0.0)
		return wait;
	refill(p, now_ms);
	p->tokens -= 1.0;
	if (p->tokens < 0.0) {
		int64_t need = (int64_t)(-p->tokens / p->calls_per_ms + 0.999);

		if (need > wait)
			wait = need;
	}
	return wait;
}

int64_t pacer_wait_for(const struct pacer *p, int64_t now_ms, long calls)
{
	int64_t held = p->blocked_until_ms > now_ms ? p->blocked_until_ms - now_ms : 0;
	double tokens = p->tokens, need;

	if (p->calls_per_ms <= 0.0)
		return held;
	if (now_ms > p->last_ms)
		tokens += (double)(now_ms - p->last_ms) * p->calls_per_ms;
	if (tokens > p->burst)
		tokens = p->burst;
	need = ((double)calls - tokens) / p->calls_per_ms;
	return need > (double)held ? (int64_t)need : held;
}

void pacer_block(struct pacer *p, int64_t now_ms, int64_t delay_ms)
{
	if (now_ms + delay_ms > p->blocked_until_ms)
		p->blocked_until_ms = now_ms + delay_ms;
}

int64_t retry_delay_ms(const struct retry_policy *p, int attempt,
		       int64_t retry_after_ms, double rand01)
{
	int64_t delay;

	if (retry_after_ms >= 0)
		return retry_after_ms < p->max_delay_ms ? retry_after_ms : p->max_delay_ms;
	delay = p->base_ms;
	for (int i = 1; i < attempt && delay < p->max_delay_ms; i++)
		delay *= 2;
	if (delay > p->max_delay_ms)
		delay = p->max_delay_ms;
	if (rand01 < 0.0)
		rand01 = 0.0;
	if (rand01 >= 1.0)
		rand01 = 0.999999;
	return delay / 2 + (int64_t)((double)(delay - delay / 2) * rand01);
}

int retry_http_status(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504;
}

int retry_api_code(int code)
{
	return code == 0 || code == 105 || code == 201;
}
