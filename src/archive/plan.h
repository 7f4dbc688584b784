/*
 * plan.h: what archiving a listed item would cost, without archiving it
 * (sync --plan).
 *
 * The calls follow photo.h's rules from what the listing says: getInfo
 * always; comments when there are some; a getFavorites page per 50 faves;
 * getSizes, getStreamInfo and getExif for a video; getSizes and getExif for
 * a photo without url_o.  people.getList (only known from getInfo) is not
 * counted.  An archived item that is current costs nothing; a changed one
 * costs getInfo and the parts whose counts moved.  Bytes come from the
 * original's pixel size (o_width x o_height at PLAN_BYTES_PER_PIXEL, an
 * estimate: JPEG sizes vary); a video's are not known before its sizes are
 * asked for.
 */
#ifndef FA_PLAN_H
#define FA_PLAN_H

#include "json.h"
#include "photo.h"
#include "store.h"

/* A typical JPEG original's bytes per pixel (an estimate, said as one). */
#define PLAN_BYTES_PER_PIXEL 0.4

enum plan_state { PLAN_NEW, PLAN_CHANGED, PLAN_UNCHANGED };

struct plan_item {
	enum plan_state state;
	long calls;          /* API calls archiving it would make */
	long long bytes;     /* bytes to download, estimated; 0 when none or not known */
	int bytes_unknown;   /* a download whose size the listing does not tell (a video) */
};

/* Reads (never writes) the archived item of the listing and says what a sync would do. */
void plan_item(const struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
	       struct plan_item *ret);

/* The calls a sync makes for an archived item the listing no longer has: 1, or 0 if marked. */
long plan_unlisted_calls(const struct photo_ctx *ctx, enum store_kind kind, const char *id);

#endif
