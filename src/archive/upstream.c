/* upstream.c: confirming and marking what Flickr no longer lists. */
#include <stdio.h>
#include <string.h>

#include "log.h" /* the progress line only (src/README.md) */
#include "merge.h"
#include "pace.h"
#include "photo_update.h"
#include "upstream.h"

/* Whether an earlier run already marked it (then it is not asked about again). */
static int already_marked(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			  int *ret_archived)
{
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int marked = 0;

	*ret_archived = 0;
	if (photo_load_meta(ctx, kind, id, &path, &meta, NULL) == 0) {
		*ret_archived = 1;
		/* a refusal other than "not found" may pass (a private photo made public
		 * again): ask again; "not found or not permitted" (error 1) settles it */
		marked = jstr(jobj(meta, "upstream"), "status") &&
			 (strcmp(jstr(jobj(meta, "upstream"), "status"), "unavailable") ||
			  jint_or(jobj(meta, "upstream"), "flickr_error", 0) == 1);
	}
	json_decref(meta);
	buf_release(&path);
	return marked;
}

/*
 * What Flickr answers about something it no longer lists: its error code
 * (> 0) when a permanent error settles it, 0 otherwise.  For photos, code 1
 * is "not found *or not permitted*" (a favorite turned private, a suspended
 * owner): Flickr does not say which.  A transient failure (network, 105
 * "service unavailable") proves nothing and goes to e.  ret_resp gets the answer.
 */
static int ask_flickr(const struct photo_ctx *ctx, const char *method,
		      const char *const *args, json_t **ret_resp, char *detail,
		      size_t detail_size, struct err *e)
{
	struct err one = { 0 };
	int r;

	*ret_resp = NULL;
	r = flickr_call(ctx->fc, method, args, ret_resp, &one);
	if (r == FA_EAPI && !retry_api_code(one.api_code)) {
		snprintf(detail, detail_size, "Flickr: %.200s", one.msg);
		return one.api_code > 0 ? one.api_code : 1000;
	}
	if (r < 0 && e)
		*e = one;
	return 0;
}

/*
 * What getInfo says about an unlisted item: a status to mark ("unavailable",
 * with Flickr's code in *ret_code, or "unfavorited"), or NULL to leave it be.
 */
static const char *ask_about_item(const struct photo_ctx *ctx, enum store_kind kind,
				  const char *id, int *ret_code, char *detail,
				  size_t detail_size, struct err *e)
{
	const char *args[] = { "photo_id", id, NULL };
	json_t *resp = NULL;
	const char *status = NULL;

	*ret_code = ask_flickr(ctx, "flickr.photos.getInfo", args, &resp, detail, detail_size, e);
	if (*ret_code)
		status = "unavailable";
	if (!status && resp && kind == STORE_FAV &&
	    !jflag(jobj(resp, "photo"), "isfavorite", true)) {
		status = "unfavorited";
		snprintf(detail, detail_size, "no longer among the account's favorites");
	}
	json_decref(resp);
	return status;
}

/* Asking about id, or marking it, failed: it is asked about again next run. */
static int record_failure(struct upstream_result *res, const char *id, const char *status,
			  const char *error)
{
	json_t *f = json_pack("{s:s, s:s}", "id", id, "error", error);

	if (f && status && jset_str(f, "status", status) < 0) {
		json_decref(f);
		f = NULL;
	}
	return f && json_array_append_new(res->failed, f) == 0 ? 0 : FA_ENOMEM;
}

/*
 * Returns 1 when the item is settled (marked, or known to exist: then added
 * to res->still_there), 0 to ask again next run.
 */
static int check_one(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
		     int64_t last_seen, struct upstream_result *res, struct err *e)
{
	char detail[300] = "", what[400];
	const char *status;
	struct err one = { 0 };
	int archived, code, r;

	if (already_marked(ctx, kind, id, &archived) || !archived)
		return 1;
	status = ask_about_item(ctx, kind, id, &code, detail, sizeof(detail), &one);
	if (!status) {
		if (one.code && err_is_fatal(one.code)) {
			if (e)
				*e = one;
			return one.code;
		}
		if (one.code)
			r = record_failure(res, id, NULL, one.msg);
		else
			r = store_ids_add(&res->still_there, id);
		return r < 0 ? err_set(e, r, "out of memory") : !one.code;
	}
	r = photo_mark_upstream(ctx, kind, id, status, code, detail, last_seen, &one);
	if (r < 0 && !err_is_fatal(r))
		return record_failure(res, id, status, one.msg) < 0
		       ? err_set(e, FA_ENOMEM, "out of memory") : 0;
	if (r < 0 && e)
		*e = one;
	if (r < 0)
		return r;
	if (r > 0) {
		res->marked++;
		snprintf(what, sizeof(what), "%s/%s: %s upstream (%s); kept in the archive",
			 store_kind_dir(kind), id, status, detail);
		progress_item(what, ctx->fc->calls);
	}
	return 1;
}

int upstream_unlisted(const struct store *store, enum store_kind kind,
		      const struct store_ids *listed, struct store_ids *ret_unlisted,
		      struct err *e)
{
	struct store_ids archived = STORE_IDS_INIT;
	int r = store_list_ids(store, kind, &archived);

	if (r < 0)
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
	for (size_t i = 0; r == 0 && i < archived.n; i++)
		if (!store_ids_contains(listed, archived.v[i]) &&
		    store_ids_add(ret_unlisted, archived.v[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	store_ids_free(&archived);
	return r;
}

void upstream_result_release(struct upstream_result *res)
{
	store_ids_free(&res->still_there);
	json_decref(res->failed);
	memset(res, 0, sizeof(*res));
}

int upstream_check(const struct photo_ctx *ctx, enum store_kind kind,
		   const struct store_ids *unlisted, int64_t last_seen,
		   struct upstream_result *res, struct err *e)
{
	int r = 0;

	upstream_result_release(res);
	res->failed = json_array();
	if (!res->failed)
		return err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < unlisted->n; i++) {
		/* unlisted items keep their XMP sidecar current too, with no API call */
		r = photo_keep_sidecar(ctx, kind, unlisted->v[i], e);
		if (r < 0)
			break;
		/* a listing glitch must not eat the quota: the rest waits for the next run */
		if (i >= UPSTREAM_MAX_CHECKS) {
			res->pending++;
			continue;
		}
		r = check_one(ctx, kind, unlisted->v[i], last_seen, res, e);
		res->pending += r == 0;
	}
	return r < 0 ? r : 0;
}

/* ---- albums ---- */

static const json_t *find_album(const json_t *albums, const char *id)
{
	for (size_t i = 0; id && i < json_array_size(albums); i++) {
		const json_t *a = json_array_get(albums, i);

		if (jstr(a, "id") && !strcmp(jstr(a, "id"), id))
			return a;
	}
	return NULL;
}

/* An album listed again keeps its history, and its old mark becomes part of it. */
static int carry_album_past(json_t *album, const json_t *old, int64_t now)
{
	json_t *history = json_object_get(old, "history");
	json_t *mark = json_object_get(old, "upstream");

	if (json_is_array(history) && jset_new(album, "history", json_deep_copy(history)) < 0)
		return FA_ENOMEM;
	return mark ? merge_add_history(album, "upstream", mark, now) : 0;
}

/* An album the last run had and this one's listing lacks, appended to fresh as it stands. */
static int check_album(const struct photo_ctx *ctx, json_t *fresh, const json_t *old,
		       long *marked, struct err *e)
{
	const char *args[] = { "photoset_id", jstr(old, "id"), "user_id", ctx->nsid, NULL };
	json_t *kept = json_deep_copy(old), *resp = NULL;
	char detail[300] = "";
	struct err one = { 0 };
	int code = 0, r = 0;

	if (!kept)
		return FA_ENOMEM;
	if (!json_object_get(kept, "upstream"))
		code = ask_flickr(ctx, "flickr.photosets.getInfo", args, &resp, detail,
				  sizeof(detail), &one);
	/* only "not found" (of the account's own album) settles it; other refusals are
	 * asked again next run */
	if (code == 1) {
		r = merge_mark_upstream(kept, "deleted", detail, 0, ctx->now);
		*marked += r == 0;
	} else if (one.code && err_is_fatal(one.code)) {
		r = one.code;
		if (e)
			*e = one;
	}
	if (r == 0 && json_array_append(fresh, kept) < 0)
		r = FA_ENOMEM;
	json_decref(kept);
	json_decref(resp);
	return r;
}

int upstream_check_albums(const struct photo_ctx *ctx, json_t *fresh, const json_t *old,
			  long *ret_marked, struct err *e)
{
	size_t n_fresh = json_array_size(fresh);
	int r = 0;

	*ret_marked = 0;
	for (size_t i = 0; r == 0 && i < n_fresh; i++) {
		json_t *album = json_array_get(fresh, i);
		const json_t *before = find_album(old, jstr(album, "id"));

		if (before)
			r = carry_album_past(album, before, ctx->now);
	}
	for (size_t i = 0; r == 0 && i < json_array_size(old); i++) {
		const json_t *a = json_array_get(old, i);

		if (store_valid_id(jstr(a, "id")) && !find_album(fresh, jstr(a, "id")))
			r = check_album(ctx, fresh, a, ret_marked, e);
	}
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	return r;
}
