/* quota.c: the rolling-hour count of API calls. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "quota.h"

void quota_window_init(struct quota_window *w, long limit, int64_t span_ms)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
	w->span_ms = span_ms > 0 ? span_ms : QUOTA_SPAN_MS;
}

void quota_window_release(struct quota_window *w)
{
	free(w->entries);
	memset(w, 0, sizeof(*w));
}

void quota_window_clear(struct quota_window *w)
{
	w->head = w->n = 0;
	w->in_window = 0;
	w->held_until_ms = 0;
}

/* Room for one more entry at the end, dropping the expired head first. */
static int make_room(struct quota_window *w)
{
	if (w->head > 0 && w->head >= w->n / 2) {
		memmove(w->entries, w->entries + w->head, (w->n - w->head) * sizeof(*w->entries));
		w->n -= w->head;
		w->head = 0;
	}
	return ALLOC_GROW(w->entries, w->n + 1, w->cap);
}

int quota_window_add(struct quota_window *w, int64_t at_ms, long calls)
{
	size_t i;

	if (calls <= 0)
		return 0;
	if (make_room(w) < 0)
		return FA_ENOMEM;
	/* records come in time order but for clocks that disagree: insert from the end */
	for (i = w->n; i > w->head && w->entries[i - 1].at_ms > at_ms; i--)
		w->entries[i] = w->entries[i - 1];
	w->entries[i] = (struct quota_entry){ at_ms, calls };
	w->n++;
	w->in_window += calls;
	return 0;
}

void quota_window_hold(struct quota_window *w, int64_t until_ms)
{
	if (until_ms > w->held_until_ms)
		w->held_until_ms = until_ms;
}

static void expire(struct quota_window *w, int64_t now_ms)
{
	while (w->head < w->n && w->entries[w->head].at_ms + w->span_ms <= now_ms) {
		w->in_window -= w->entries[w->head].calls;
		w->head++;
	}
}

/* The time of the index-th oldest call in the window (0-based, index < in_window). */
static int64_t call_time(const struct quota_window *w, long index)
{
	size_t i = w->head;

	while (i + 1 < w->n && index >= w->entries[i].calls) {
		index -= w->entries[i].calls;
		i++;
	}
	return w->entries[i].at_ms;
}

/*
 * Call k of a run that fills the window goes once the call `limit` before it
 * has left the window; going back `limit` calls at a time from the last call
 * wanted reaches one in the window (or a free slot) after some whole spans.
 */
int64_t quota_window_wait(struct quota_window *w, int64_t now_ms, long calls)
{
	int64_t held = w->held_until_ms > now_ms ? w->held_until_ms - now_ms : 0;
	int64_t spans = 0, at;
	long index;

	expire(w, now_ms);
	if (w->limit <= 0 || calls <= 0)
		return held;
	index = w->in_window + calls - 1 - w->limit;
	while (index >= w->in_window) {
		index -= w->limit;
		spans++;
	}
	at = index < 0 ? now_ms + spans * w->span_ms
		       : call_time(w, index) + (spans + 1) * w->span_ms;
	return at - now_ms > held ? at - now_ms : held;
}

size_t quota_window_entries(const struct quota_window *w, const struct quota_entry **ret)
{
	*ret = w->entries + w->head;
	return w->n - w->head;
}
