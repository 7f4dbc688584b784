/* upstream.c: confirming and marking what Flickr no longer lists. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pace.h"
#include "upstream.h"

/* Whether an earlier run already marked it (then it is not asked about again). */
static int already_marked(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			  int *ret_archived)
{
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int marked = 0;

	*ret_archived = 0;
	if (store_item_path(ctx->store, kind, id, "metadata.json", &path) == 0 &&
	    json_load_path(path.data, &meta, NULL) == 0) {
		*ret_archived = 1;
		/* "unavailable" may pass (a private photo made public again): ask again */
		marked = jstr(jobj(meta, "upstream"), "status") &&
			 strcmp(jstr(jobj(meta, "upstream"), "status"), "unavailable");
	}
	json_decref(meta);
	buf_release(&path);
	return marked;
}

/* What getInfo says about an unlisted item: a status to mark, or NULL to leave it be. */
static const char *ask_flickr(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			      char *detail, size_t detail_size, struct err *e)
{
	const char *args[] = { "photo_id", id, NULL };
	json_t *resp = NULL;
	struct err one = { 0 };
	const char *status = NULL;
	int r;

	r = flickr_call(ctx->fc, "flickr.photos.getInfo", args, &resp, &one);
	if (r == 0) {
		if (kind == STORE_FAV && !jflag(jobj(resp, "photo"), "isfavorite", true)) {
			status = "unfavorited";
			snprintf(detail, detail_size, "no longer among the account's favorites");
		}
	} else if (r == FA_EAPI && !retry_api_code(one.api_code)) {
		status = one.api_code == 1 ? "deleted" : "unavailable";
		snprintf(detail, detail_size, "Flickr: %.200s", one.msg);
	} else if (e) {
		/* a transient failure (network, 105 "service unavailable") proves nothing */
		*e = one;
	}
	json_decref(resp);
	return status;
}

/* Returns 1 when the item is settled (marked, or known to exist), 0 to ask again next run. */
static int check_one(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
		     int64_t last_seen, long *marked, struct err *e)
{
	char detail[300] = "", what[400];
	const char *status;
	struct err one = { 0 };
	int archived, r;

	if (already_marked(ctx, kind, id, &archived) || !archived)
		return 1;
	status = ask_flickr(ctx, kind, id, detail, sizeof(detail), &one);
	if (!status) {
		if (one.code && err_is_fatal(one.code)) {
			if (e)
				*e = one;
			return one.code;
		}
		if (one.code) {
			msg_warn("%s/%s: not listed, and asking Flickr failed: %s; will ask again "
				 "next run", store_kind_dir(kind), id, one.msg);
			return 0;
		}
		msg_debug("%s/%s: not listed, but Flickr still has it", store_kind_dir(kind), id);
		return 1;
	}
	r = photo_mark_upstream(ctx, kind, id, status, detail, last_seen, &one);
	if (r < 0 && !err_is_fatal(r)) {
		msg_warn("%s/%s: %s upstream, but marking it failed: %s", store_kind_dir(kind), id,
			 status, one.msg);
		return 0;
	}
	if (r < 0 && e)
		*e = one;
	if (r < 0)
		return r;
	if (r > 0) {
		(*marked)++;
		snprintf(what, sizeof(what), "%s/%s: %s upstream (%s); kept in the archive",
			 store_kind_dir(kind), id, status, detail);
		progress_item(what, ctx->fc->calls);
	}
	return 1;
}

int upstream_check(const struct photo_ctx *ctx, enum store_kind kind,
		   const struct store_ids *listed, int64_t last_seen, long *ret_marked,
		   long *ret_pending, struct err *e)
{
	struct store_ids archived = STORE_IDS_INIT;
	size_t missing = 0, asked = 0;
	int r;

	*ret_marked = 0;
	*ret_pending = 0;
	r = store_list_ids(ctx->store, kind, &archived);
	if (r < 0) {
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
		goto cleanup;
	}
	for (size_t i = 0; i < archived.n; i++)
		missing += !store_ids_contains(listed, archived.v[i]);
	if (!missing)
		goto cleanup;
	msg_info("%zu archived item%s in %s not listed by Flickr; checking", missing,
		 missing == 1 ? "" : "s", store_kind_dir(kind));
	for (size_t i = 0; r >= 0 && i < archived.n; i++) {
		if (store_ids_contains(listed, archived.v[i]))
			continue;
		/* a listing glitch must not eat the quota: the rest waits for the next run */
		if (asked >= UPSTREAM_MAX_CHECKS) {
			(*ret_pending)++;
			continue;
		}
		asked++;
		r = check_one(ctx, kind, archived.v[i], last_seen, ret_marked, e);
		*ret_pending += r == 0;
	}
	r = r < 0 ? r : 0;
cleanup:
	store_ids_free(&archived);
	return r;
}
