/* plan.c: a listed item's cost, estimated from the listing and the archive (sync --plan). */
#include <string.h>

#include "plan.h"

#define FAVES_PER_PAGE 50 /* photo.c's getFavorites page */

static long long listed_count(const json_t *listing, const char *key)
{
	long long n;

	return jint(listing, key, &n) ? n : -1;
}

/* Calls for the parts whose counts moved since meta (NULL: a new item, every part). */
static long part_calls(const json_t *meta, const json_t *listing)
{
	long long comments = listed_count(listing, "count_comments");
	long long faves = listed_count(listing, "count_faves");
	long long was;
	long calls = 0;

	if (comments != 0 && !(meta && jint(meta, "count_comments", &was) && was == comments))
		calls++; /* one call holds every comment; an unknown count is asked */
	if (faves != 0 && !(meta && jint(meta, "count_faves", &was) && was == faves))
		calls += faves < 0 ? 1 : (long)((faves + FAVES_PER_PAGE - 1) / FAVES_PER_PAGE);
	return calls;
}

/* Calls and bytes of the media: a video's streams, a photo's sizes when url_o is missing. */
static void media_cost(const json_t *listing, struct plan_item *ret)
{
	const char *url_o = jstr(listing, "url_o");
	const char *media = jstr(listing, "media");
	long long w, h;

	if (media && !strcmp(media, "video")) {
		ret->calls += 3; /* getSizes, getStreamInfo, getExif */
		ret->bytes_unknown = 1;
		return;
	}
	if (!url_o || !*url_o)
		ret->calls += 2; /* getSizes, and getExif: no original to read it from */
	if (jint(listing, "o_width", &w) && jint(listing, "o_height", &h) && w > 0 && h > 0)
		ret->bytes = (long long)((double)w * (double)h * PLAN_BYTES_PER_PIXEL);
	else
		ret->bytes_unknown = 1;
}

void plan_item(const struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
	       struct plan_item *ret)
{
	const char *id = jstr(listing, "id");
	struct buf path = BUF_INIT;
	json_t *meta = NULL;

	memset(ret, 0, sizeof(*ret));
	ret->state = PLAN_NEW;
	if (store_valid_id(id) && store_item_complete(ctx->store, kind, id) &&
	    photo_load_meta(ctx, kind, id, &path, &meta, NULL) == 0)
		ret->state = !ctx->refetch_all && photo_is_current(meta, listing)
			     ? PLAN_UNCHANGED : PLAN_CHANGED;
	if (ret->state == PLAN_NEW) {
		ret->calls = 1 + part_calls(NULL, listing);
		media_cost(listing, ret);
	} else if (ret->state == PLAN_CHANGED) {
		ret->calls = 1 + part_calls(ctx->refetch_all ? NULL : meta, listing);
	}
	json_decref(meta);
	buf_release(&path);
}

long plan_unlisted_calls(const struct photo_ctx *ctx, enum store_kind kind, const char *id)
{
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	long calls = 0;

	if (store_item_complete(ctx->store, kind, id) &&
	    photo_load_meta(ctx, kind, id, &path, &meta, NULL) == 0)
		calls = json_object_get(meta, "upstream") ? 0 : 1;
	json_decref(meta);
	buf_release(&path);
	return calls;
}
