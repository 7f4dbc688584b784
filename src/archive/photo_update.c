/*
 * photo_update.c: what changes an archived item without an API call: what
 * the listing alone tells (views, albums, listed again), and the mark of an
 * item gone upstream.
 */
#include <string.h>

#include "damage.h"
#include "fsutil.h"
#include "merge.h"
#include "photo_internal.h"
#include "photo_update.h"
#include "record.h"
#include "xmp.h"

/* The listing fields that tell whether an item changed. */
enum change_key { CHANGE_LASTUPDATE, CHANGE_COMMENTS, CHANGE_FAVES, CHANGE_KEYS };
static const char *const change_keys[CHANGE_KEYS] = {
	[CHANGE_LASTUPDATE] = "lastupdate",
	[CHANGE_COMMENTS] = "count_comments",
	[CHANGE_FAVES] = "count_faves",
};

json_t *photo_listed_snapshot(const json_t *listing, const struct photo_result *res)
{
	json_t *seen = json_object();

	for (int k = 0; seen && k < CHANGE_KEYS; k++)
		jcopy(seen, change_keys[k], listing, change_keys[k]);
	if (res->comments.got < res->comments.expected)
		json_object_del(seen, change_keys[CHANGE_COMMENTS]);
	if (res->faves.got < res->faves.expected)
		json_object_del(seen, change_keys[CHANGE_FAVES]);
	return seen;
}

int photo_same_update(const json_t *meta, const json_t *listing)
{
	long long was, is;

	return jint(meta, "last_update", &was) &&
	       jint(listing, change_keys[CHANGE_LASTUPDATE], &is) && was == is;
}

int photo_load_meta(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
		    struct buf *path, json_t **ret, struct err *e)
{
	int r = store_item_path(ctx->store, kind, id, "metadata.json", path);

	if (r == 0)
		r = json_load_path(path->data, ret, e);
	if (r == 0 && !json_is_object(*ret)) {
		json_decref(*ret);
		*ret = NULL;
		r = err_set(e, FA_EPARSE, "'%s' is not a JSON object", path->data);
	}
	return r;
}

/* Builds the sidecar of dir/media from meta; due when the file there differs. */
int sidecar_prepare(struct sidecar *sc, const char *dir, const char *media, const json_t *meta,
		    struct err *e)
{
	int r = xmp_sidecar_name(media, &sc->name);

	if (r == 0)
		r = xmp_build(meta, &sc->xmp);
	if (r == 0 && buf_printf(&sc->path, "%s/%s", dir, sc->name.data) < 0)
		r = FA_ENOMEM;
	if (r < 0)
		return err_set(e, r, "cannot make the sidecar of '%s/%s'", dir, media);
	sc->due = xmp_differs(sc->path.data, &sc->xmp);
	return 0;
}

int sidecar_write(struct sidecar *sc, struct err *e)
{
	return sc->due ? fs_write_atomic(sc->path.data, sc->xmp.data, sc->xmp.len, 0644, e) : 0;
}

void sidecar_release(struct sidecar *sc)
{
	buf_release(&sc->name);
	buf_release(&sc->path);
	buf_release(&sc->xmp);
}

static int names_have(const char *const *names, const char *name)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/*
 * Writes metadata.json (when path is not NULL) and the item's sidecar when
 * meta makes it differ, then renews the item's completion (and with it its
 * manifest); nothing at all when neither is due.  damaged: the item's
 * damaged files (NULL-terminated, or NULL), never taken for ours; a damaged
 * sidecar is kept aside and made again.
 */
static int save_item_meta(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			  const char *path, const json_t *meta, const char *const *damaged,
			  struct err *e)
{
	const char *written[3] = { NULL, NULL, NULL };
	struct sidecar sc = SIDECAR_INIT;
	struct buf dir = BUF_INIT, media = BUF_INIT, kept = BUF_INIT;
	int complete = store_item_complete(ctx->store, kind, id), r;
	size_t n = 0;

	r = store_item_path(ctx->store, kind, id, NULL, &dir);
	if (r == 0 && store_find_media(dir.data, "original", &media))
		r = sidecar_prepare(&sc, dir.data, media.data, meta, e);
	if (r < 0 || (!path && !sc.due && !names_have(damaged, buf_cstr(&sc.name))))
		goto cleanup;
	if (complete)
		r = store_begin_rewrite(ctx->store, kind, id, damaged, e);
	if (r == 0 && path) {
		r = json_write_atomic(path, meta, e);
		written[n++] = "metadata.json";
	}
	if (r == 0 && sc.name.len && names_have(damaged, buf_cstr(&sc.name))) {
		sc.due = 1;
		r = damage_keep_copy(dir.data, sc.name.data, (long long)ctx->now, &kept, e);
	}
	if (r == 0)
		r = sidecar_write(&sc, e);
	if (r == 0 && sc.due)
		written[n++] = sc.name.data;
	if (r == 0 && complete)
		r = store_mark_complete(ctx->store, kind, id, written, e);
cleanup:
	sidecar_release(&sc);
	buf_release(&dir);
	buf_release(&media);
	buf_release(&kept);
	return r;
}

static int same_text(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The count archived is the listing's, or the listing has none. */
static int same_count(const json_t *meta, const json_t *listing, const char *key)
{
	long long was, is;

	return !jint(listing, key, &is) || (jint(meta, key, &was) && was == is);
}

/* Before "listed" existed: compare with the values fetched (getInfo, getFavorites). */
static int fetched_values_match(const json_t *meta, const json_t *listing)
{
	/* without the extra (never seen, but unverified), the counts decide alone */
	if (json_object_get(listing, change_keys[CHANGE_LASTUPDATE]) &&
	    !photo_same_update(meta, listing))
		return 0;
	return same_count(meta, listing, change_keys[CHANGE_COMMENTS]) &&
	       same_count(meta, listing, change_keys[CHANGE_FAVES]);
}

int photo_is_current(const json_t *meta, const json_t *listing)
{
	const json_t *seen = jobj(meta, "listed");
	const char *url_o = jstr(listing, "url_o");

	if (seen) {
		/* compared as given, so a count Flickr reports differently elsewhere cannot
		 * make an item look changed on every run */
		for (int k = 0; k < CHANGE_KEYS; k++) {
			const json_t *is = json_object_get(listing, change_keys[k]);

			if (is && !json_equal(is, json_object_get(seen, change_keys[k])))
				return 0;
		}
	} else if (!fetched_values_match(meta, listing)) {
		return 0;
	}
	/* a part or the original Flickr refused last time is asked for again */
	if (json_object_size(jobj(jobj(meta, "synced"), "missing")))
		return 0;
	/* the original is offered now where a smaller size had to do (e.g. the account went Pro) */
	if (url_o && *url_o && !jflag(meta, "original_archived", true) &&
	    !same_text(jstr(meta, "media"), "video"))
		return 0;
	return 1;
}

/*
 * A video archived by an earlier version as a transcode after its original
 * was refused, never asked for again (nothing in synced.missing says so).
 */
static int video_original_refused_before(const struct photo_ctx *ctx, enum store_kind kind,
					 const char *id, const json_t *meta)
{
	struct buf path = BUF_INIT;
	json_t *sizes = NULL;
	int refused_before;

	if (!same_text(jstr(meta, "media"), "video") || jflag(meta, "original_archived", true) ||
	    jobj(jobj(meta, "synced"), "missing") ||
	    store_item_path(ctx->store, kind, id, "sizes.json", &path) < 0) {
		buf_release(&path);
		return 0;
	}
	if (json_load_path(path.data, &sizes, NULL) < 0)
		sizes = NULL;
	refused_before = photo_tried_original(json_object_get(sizes, "video_attempts"));
	json_decref(sizes);
	buf_release(&path);
	return refused_before;
}

int photo_update_local(const struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		       const json_t *albums, int *ret_changed, struct err *e)
{
	const char *id = jstr(listing, "id");
	struct buf path = BUF_INIT;
	json_t *meta = NULL, *now_albums = albums ? json_deep_copy(albums) : json_array();
	long long views;
	int r, changed = 0;

	*ret_changed = 0;
	r = photo_load_meta(ctx, kind, id, &path, &meta, e);
	if (r < 0 || !photo_is_current(meta, listing) ||
	    video_original_refused_before(ctx, kind, id, meta))
		goto cleanup;
	r = 1;
	if (jint(listing, "views", &views) && views != jint_or(meta, "views", -1)) {
		jset_int(meta, "views", views);
		changed = 1;
	}
	if (kind == STORE_MY && now_albums && !json_equal(now_albums, json_object_get(meta, "albums"))) {
		merge_add_history(meta, "albums", json_object_get(meta, "albums"), ctx->now);
		jset_new(meta, "albums", json_incref(now_albums));
		changed = 1;
	}
	if (kind == STORE_FAV && jtext(listing, "date_faved") &&
	    !same_text(jtext(listing, "date_faved"), jstr(meta, "date_faved"))) {
		/* favorited again after being withdrawn */
		merge_add_history(meta, "date_faved", json_object_get(meta, "date_faved"), ctx->now);
		record_set_date_faved(meta, listing);
		changed = 1;
	}
	if (json_object_get(meta, "upstream")) {
		/* listed again: it is back (re-favorited, or restored) */
		merge_add_history(meta, "upstream", json_object_get(meta, "upstream"), ctx->now);
		json_object_del(meta, "upstream");
		changed = 1;
	}
	{
		/* the sync checked the item's files just before: only a sidecar may be damaged;
		 * unchanged, only the sidecar may be due (an archive made before sidecars) */
		int w = save_item_meta(ctx, kind, id, changed ? path.data : NULL, meta,
				       ctx->damaged ? ctx->damaged->names : NULL, e);

		r = w < 0 ? w : 1;
		*ret_changed = changed;
	}
cleanup:
	json_decref(meta);
	json_decref(now_albums);
	buf_release(&path);
	return r;
}

/*
 * The item's damage into ret (see damage.h); FA_EPARSE when its metadata.json
 * is damaged: never built upon.
 */
static int meta_not_damaged(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			    struct damage *ret, struct err *e)
{
	int r = 0;

	if (!store_item_complete(ctx->store, kind, id))
		return 0;
	r = damage_check_item(ctx->store, kind, id, ret, e);
	for (size_t i = 0; r == 0 && i < ret->n; i++)
		if (!strcmp(ret->v[i].name, "metadata.json"))
			r = err_set(e, FA_EPARSE, "'%s/%s/metadata.json' is damaged (%s); restore "
				    "it from a backup", store_kind_dir(kind), id,
				    damage_kind_text(ret->v[i].kind));
	return r;
}

/* The item's metadata.json into *ret, unless it is damaged; its damage into d. */
static int load_undamaged_meta(const struct photo_ctx *ctx, enum store_kind kind,
			       const char *id, struct damage *d, struct buf *path, json_t **ret,
			       struct err *e)
{
	int r = meta_not_damaged(ctx, kind, id, d, e);

	return r < 0 ? r : photo_load_meta(ctx, kind, id, path, ret, e);
}

int photo_update_sidecar(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			 struct err *e)
{
	struct damage d = DAMAGE_INIT;
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int r = load_undamaged_meta(ctx, kind, id, &d, &path, &meta, e);

	if (r == 0)
		r = save_item_meta(ctx, kind, id, NULL, meta, d.names, e);
	damage_release(&d);
	json_decref(meta);
	buf_release(&path);
	return r;
}

int photo_keep_sidecar(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
		       struct err *e)
{
	struct err one = { 0 };
	int r = photo_update_sidecar(ctx, kind, id, &one);

	if (r < 0 && err_is_fatal(r)) {
		if (e)
			*e = one;
		return r;
	}
	return 0;
}

int photo_mark_upstream(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			const char *status, int api_code, const char *detail, int64_t last_seen,
			struct err *e)
{
	struct damage d = DAMAGE_INIT;
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int r = load_undamaged_meta(ctx, kind, id, &d, &path, &meta, e);

	if (r < 0)
		goto cleanup;
	if (same_text(jstr(jobj(meta, "upstream"), "status"), status))
		goto cleanup; /* marked by an earlier run: keep its dates */
	if (last_seen <= 0)
		last_seen = jint_or(jobj(meta, "synced"), "info", 0);
	r = merge_mark_upstream(meta, status, detail, last_seen, ctx->now);
	if (r == 0 && api_code > 0 && jset_int(jobj(meta, "upstream"), "flickr_error", api_code) < 0)
		r = FA_ENOMEM;
	if (r == 0)
		r = save_item_meta(ctx, kind, id, path.data, meta, d.names, e);
	if (r == 0)
		r = 1;
cleanup:
	damage_release(&d);
	json_decref(meta);
	buf_release(&path);
	return r;
}


int photo_set_meta_field(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			 const char *key, const json_t *value, struct err *e)
{
	struct damage d = DAMAGE_INIT;
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	const json_t *was;
	int r;

	if (!store_item_complete(ctx->store, kind, id))
		return 0; /* archived later, with its own run of this */
	r = load_undamaged_meta(ctx, kind, id, &d, &path, &meta, e);
	if (r < 0)
		goto cleanup;
	was = json_object_get(meta, key);
	if (json_equal(was, value) || (!was && json_array_size(value) == 0))
		goto cleanup;
	if (was && merge_add_history(meta, key, was, ctx->now) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && json_object_set(meta, key, (json_t *)value) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = save_item_meta(ctx, kind, id, path.data, meta, d.names, e);
	if (r == 0)
		r = 1;
cleanup:
	damage_release(&d);
	json_decref(meta);
	buf_release(&path);
	return r;
}
