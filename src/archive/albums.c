/*
 * albums.c: the album list and each album's members, counted against what
 * Flickr says they hold, and the members the photostream did not list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "albums.h"
#include "clock.h"
#include "fsutil.h"
#include "log.h" /* the progress line only (src/README.md) */
#include "record.h"
#include "upstream.h"

#define PER_PAGE 500

struct album_photos {
	struct albums_sync *as;
	json_t *ids;
	struct id_set seen;       /* ids, borrowed from the strings in ids */
	size_t album;             /* index in as->albums */
	const char *title;
	long total;               /* photosets.getPhotos's own count */
};

static int add_album_member(struct album_photos *ap, const char *id)
{
	json_t *s;
	int r;

	if (!store_valid_id(id) || id_set_find(&ap->seen, id))
		return 0;
	s = json_string(id);
	if (json_array_append_new(ap->ids, s) < 0)
		return FA_ENOMEM;
	r = id_set_add(&ap->seen, json_string_value(s));
	/* the string stays in the album's photo_ids for as long as as->albums lives */
	return r < 0 ? r : album_members_add(ap->as->members, json_string_value(s), ap->album);
}

static int collect_album_photo(void *ud, json_t *photo, const struct flickr_page *pg)
{
	return add_album_member(ud, jstr(photo, "id"));
}

static json_t *album_entry(const json_t *set)
{
	json_t *a = json_object();
	long long v;

	jset_str(a, "id", jstr(set, "id"));
	jset_str(a, "title", jcontent(set, "title") ? jcontent(set, "title") : "");
	jset_str(a, "description", jcontent(set, "description") ? jcontent(set, "description") : "");
	jset_str(a, "primary", jtext(set, "primary"));
	if (jint(set, "photos", &v))
		jset_int(a, "count_photos", v);
	if (jint(set, "videos", &v))
		jset_int(a, "count_videos", v);
	if (jint(set, "count_views", &v))
		jset_int(a, "count_views", v);
	if (jint(set, "count_comments", &v))
		jset_int(a, "count_comments", v);
	if (jtext(set, "date_create")) {
		char iso[21];

		jset_str(a, "date_create", jtext(set, "date_create"));
		record_iso8601(jint_or(set, "date_create", 0), iso);
		jset_str(a, "date_create_formatted", iso);
	}
	if (jtext(set, "date_update"))
		jset_str(a, "date_update", jtext(set, "date_update"));
	return a;
}

struct album_list {
	struct albums_sync *as;
	struct id_set seen;       /* album ids, borrowed from as->albums */
};

static int collect_album(void *ud, json_t *set, const struct flickr_page *pg)
{
	struct album_list *al = ud;
	const char *id = jstr(set, "id");
	json_t *entry;

	if (!store_valid_id(id)) {
		al->as->invalid++;
		return 0;
	}
	if (id_set_find(&al->seen, id))
		return 0;
	entry = album_entry(set);
	if (json_array_append_new(al->as->albums, entry) < 0)
		return FA_ENOMEM;
	return id_set_add(&al->seen, jstr(entry, "id")) < 0 ? FA_ENOMEM : 0;
}

/* How many items Flickr says an album holds. */
static long album_count(const json_t *album)
{
	return (long)(jint_or(album, "count_photos", 0) + jint_or(album, "count_videos", 0));
}

/*
 * Whether the members listed make the album whole: as many as its photos and
 * videos, or (unverified whether an album's "photos" counts its videos too)
 * as many as its photos when getPhotos's own total says that is all.
 */
static int album_whole(const json_t *album, long got, long listed_total)
{
	return got >= album_count(album) ||
	       (got >= listed_total && listed_total == jint_or(album, "count_photos", -1));
}

/* The last sync's photo ids of an album Flickr says has not changed since, or NULL. */
static const json_t *unchanged_album_ids(const struct albums_sync *as, const json_t *album)
{
	static const char *const keys[] = { "date_update", "count_photos", "count_videos" };

	for (size_t i = 0; i < json_array_size(as->old_albums); i++) {
		const json_t *old = json_array_get(as->old_albums, i);
		const json_t *ids = json_object_get(old, "photo_ids");

		if (!jstr(old, "id") || strcmp(jstr(old, "id"), jstr(album, "id")))
			continue;
		for (size_t k = 0; k < 3; k++)
			if (!json_equal(json_object_get(old, keys[k]), json_object_get(album, keys[k])))
				return NULL;
		/* a list the last run could not complete is listed again */
		if (!jflag(old, "photo_ids_complete", (long)json_array_size(ids) >= album_count(old)))
			return NULL;
		return json_is_array(ids) && jstr(album, "date_update") ? ids : NULL;
	}
	return NULL;
}

static int list_album_members(struct album_photos *ap, const json_t *album, struct err *e)
{
	const char *args[] = { "photoset_id", jstr(album, "id"), "user_id", ap->as->nsid,
			       "extras", "media", NULL };
	struct flickr_page last = { 0, 0, 0 };
	int r = 0;

	/* a short list is asked for once more before it counts as short */
	for (int attempt = 0; r == 0 && attempt < 2; attempt++) {
		if (attempt && album_whole(album, (long)json_array_size(ap->ids), ap->total))
			break;
		r = flickr_paginate(ap->as->fc, "flickr.photosets.getPhotos", args, "photoset",
				    "photo", PER_PAGE, collect_album_photo, ap, &last, e);
		if (last.total > ap->total)
			ap->total = last.total;
	}
	return r;
}

static int list_album_photos(struct albums_sync *as, size_t index, struct err *e)
{
	json_t *album = json_array_get(as->albums, index);
	struct album_photos ap = { as, json_array(), ID_SET_INIT, index, jstr(album, "title"), 0 };
	const json_t *known = unchanged_album_ids(as, album);
	char what[160];
	long got;
	int r = 0;

	if (!ap.ids)
		return err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; known && r == 0 && i < json_array_size(known); i++)
		r = add_album_member(&ap, json_string_value(json_array_get(known, i)));
	if (!known && r == 0)
		r = list_album_members(&ap, album, e);
	got = (long)json_array_size(ap.ids);
	id_set_release(&ap.seen);
	snprintf(what, sizeof(what), "%s album '%.100s' (%zu items)",
		 known ? "unchanged" : "listed", ap.title, json_array_size(ap.ids));
	jset_new(album, "photo_ids", ap.ids);
	progress_item(what, as->fc->calls);
	if (r < 0)
		return r;
	jset_bool(album, "photo_ids_complete", known || album_whole(album, got, ap.total));
	as->counted += jflag(album, "photo_ids_complete", true) ? got : album_count(album);
	as->listed += got;
	if (!jflag(album, "photo_ids_complete", true)) {
		char listing[200];

		snprintf(listing, sizeof(listing), "album %s", jstr(album, "id"));
		r = ledger_note(as->ledger, listing, album_count(album), got, LEDGER_SAFESEARCH_HINT,
				json_pack("{ss}", "title", ap.title ? ap.title : ""));
	}
	return r < 0 ? err_set(e, r, "out of memory") : 0;
}

int albums_list(struct albums_sync *as, struct err *e)
{
	const char *args[] = { "user_id", as->nsid, NULL };
	struct album_list al = { as, ID_SET_INIT };
	struct flickr_page last = { 0, 0, 0 };
	struct buf path = BUF_INIT;
	long n;
	int r;

	store_root_path(as->store, "albums_index.json", &path);
	if (json_load_path(path.data, &as->old_albums, NULL) < 0)
		as->old_albums = NULL;
	buf_release(&path);
	r = flickr_paginate(as->fc, "flickr.photosets.getList", args, "photosets", "photoset",
			    PER_PAGE, collect_album, &al, &last, e);
	/* short: asked for once more; the albums found then come after the others */
	if (r == 0 && (long)json_array_size(as->albums) < last.total)
		r = flickr_paginate(as->fc, "flickr.photosets.getList", args, "photosets",
				    "photoset", PER_PAGE, collect_album, &al, &last, e);
	id_set_release(&al.seen);
	n = (long)json_array_size(as->albums);
	if (r == 0 && ledger_note(as->ledger, "albums", last.total > n ? last.total : n, n, NULL,
				  NULL) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && n)
		progress_begin("albums", n);
	for (size_t i = 0; r == 0 && i < json_array_size(as->albums); i++)
		r = list_album_photos(as, i, e);
	progress_end();
	album_members_sort(as->members);
	as->pctx->now = clock_unix_now();
	if (r == 0)
		r = upstream_check_albums(as->pctx, as->albums, as->old_albums, &as->marked, e);
	json_decref(as->old_albums); /* what it told is in as->albums now */
	as->old_albums = NULL;
	return r;
}

struct album_only {
	struct albums_sync *as;
	const struct store_ids *listed;
	struct fs_tmp tmp;
	struct store_ids *found;
	struct id_set seen;       /* found, borrowed */
};

static int spool_album_only(void *ud, json_t *photo, const struct flickr_page *pg)
{
	struct album_only *ao = ud;
	const char *id = jstr(photo, "id");
	char *line;
	int r;

	if (!store_valid_id(id) || store_ids_contains(ao->listed, id) || id_set_find(&ao->seen, id))
		return 0;
	/* an album's items carry no owner: they are the account's */
	if (!jstr(photo, "owner") && ao->as->nsid)
		jset_str(photo, "owner", ao->as->nsid);
	line = json_dumps(photo, JSON_COMPACT);
	if (!line)
		return FA_ENOMEM;
	r = fs_tmp_write(&ao->tmp, line, strlen(line), NULL);
	if (r == 0)
		r = fs_tmp_write(&ao->tmp, "\n", 1, NULL);
	free(line);
	if (r == 0)
		r = ledger_fill_gap(ao->as->ledger, "photostream", jint_or(photo, "dateupload", -1));
	if (r == 0)
		r = store_ids_add(ao->found, id);
	if (r == 0)
		r = id_set_add(&ao->seen, ao->found->v[ao->found->n - 1]);
	return r < 0 ? r : 0;
}

static int album_has_unlisted(const json_t *album, const struct store_ids *listed)
{
	const json_t *ids = json_object_get(album, "photo_ids");

	for (size_t i = 0; i < json_array_size(ids); i++)
		if (!store_ids_contains(listed, json_string_value(json_array_get(ids, i))))
			return 1;
	return 0;
}

int albums_spool_unlisted(struct albums_sync *as, const struct store_ids *listed,
			  const char *path, struct store_ids *ret_found, struct err *e)
{
	struct album_only ao = { as, listed, FS_TMP_INIT, ret_found, ID_SET_INIT };
	int r = fs_tmp_open(&ao.tmp, path, 0644, e);

	for (size_t i = 0; r == 0 && i < json_array_size(as->albums); i++) {
		const json_t *album = json_array_get(as->albums, i);
		const char *args[] = { "photoset_id", jstr(album, "id"), "user_id", as->nsid,
				       "extras", FLICKR_LISTING_EXTRAS, NULL };

		if (album_has_unlisted(album, listed))
			r = flickr_paginate(as->fc, "flickr.photosets.getPhotos", args, "photoset",
					    "photo", PER_PAGE, spool_album_only, &ao, NULL, e);
	}
	if (r == FA_EIO || r == FA_ENOSPC || r == FA_ENOMEM)
		err_set(e, r, "cannot write the listing '%s': %s", path, fa_strerror(r));
	if (r == 0)
		r = fs_tmp_commit(&ao.tmp, path, e);
	fs_tmp_abort(&ao.tmp);
	id_set_release(&ao.seen);
	return r;
}
