/*
 * galleries.c: galleries_index.json, each gallery with its photos in order
 * and the curator's comment on each, counted against Flickr's counts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "damage.h"
#include "galleries.h"
#include "fsutil.h"
#include "manifest.h"
#include "record.h"

#define PER_PAGE 500

/* a photo leaving a gallery is marked in its list, not kept twice in history */
static const char *const gallery_tracked[] = { "title", "description", NULL };
static const struct account_list_spec galleries_file = {
	"galleries_index.json", "galleries", "id", gallery_tracked, "deleted",
};
static const char *const photo_tracked[] = { "comment", NULL };

static json_t *gallery_entry(const json_t *g)
{
	json_t *a = json_object();
	int r = a ? 0 : FA_ENOMEM;

	r |= jset_str(a, "id", jstr(g, "id"));
	r |= jset_str(a, "url", jstr(g, "url"));
	r |= jset_str(a, "title", jcontent(g, "title") ? jcontent(g, "title") : "");
	r |= jset_str(a, "description", jcontent(g, "description") ? jcontent(g, "description")
								     : "");
	r |= jset_str(a, "primary_photo_id", jtext(g, "primary_photo_id"));
	r |= account_set_time(a, "date_create", jtext(g, "date_create"));
	r |= jset_str(a, "date_update", jtext(g, "date_update"));
	r |= jset_int(a, "count_photos", jint_or(g, "count_photos", 0));
	r |= jset_int(a, "count_videos", jint_or(g, "count_videos", 0));
	r |= jset_int(a, "count_views", jint_or(g, "count_views", 0));
	r |= jset_int(a, "count_comments", jint_or(g, "count_comments", 0));
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static long gallery_count(const json_t *g)
{
	return (long)(jint_or(g, "count_photos", 0) + jint_or(g, "count_videos", 0));
}

struct gallery_photos {
	struct account_sync *as;
	json_t *photos;            /* [{id, owner, title, comment}] */
};

static int collect_photo(void *ud, json_t *p, const struct flickr_page *pg)
{
	struct gallery_photos *gp = ud;
	const char *id = jstr(p, "id");
	json_t *entry;

	(void)pg;
	if (!store_valid_id(id) || account_find(gp->photos, "id", id))
		return 0;
	entry = json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "id", id, "owner", jstr(p, "owner"),
			  "ownername", jstr(p, "ownername"), "title", jtext(p, "title"),
			  "comment", jcontent(p, "comment") ? jcontent(p, "comment") : "");
	if (!entry || json_array_append_new(gp->photos, entry) < 0 ||
	    json_array_append(gp->as->gallery_listing, p) < 0)
		return FA_ENOMEM;
	return 0;
}

/*
 * Whether the archived gallery photo's files are what its manifest recorded
 * (the check hashes only files touched since: cheap when nothing was).  One
 * that cannot be checked counts as whole: the catalog reports it.
 */
static int undamaged(const struct store *s, const char *id)
{
	struct damage d = DAMAGE_INIT;
	struct err one = { 0 };
	int whole = damage_find_item(s, STORE_GALLERY, id, &d, &one) < 0 || d.n == 0;

	damage_release(&d);
	return whole;
}

/*
 * Whether every photo of the list is archived whole under gallery_photos/:
 * else the gallery is listed again, so that the photo is archived, or its
 * damaged files fetched again, as a listed favorite's are.
 */
static int all_archived(const struct store *s, const json_t *photos)
{
	for (size_t i = 0; i < json_array_size(photos); i++) {
		const json_t *p = json_array_get(photos, i);
		const char *id = jstr(p, "id");

		/* one that left the gallery before it could be archived is not asked for */
		if (store_valid_id(id) && !json_object_get(p, "upstream") &&
		    (!store_item_complete(s, STORE_GALLERY, id) || !undamaged(s, id)))
			return 0;
	}
	return 1;
}

/* The archived photos of a gallery not listed again: the sync keeps them current without a call. */
static int keep_photos(struct account_sync *as, const json_t *photos)
{
	for (size_t i = 0; i < json_array_size(photos); i++) {
		const json_t *p = json_array_get(photos, i);
		const char *id = jstr(p, "id");

		if (store_valid_id(id) && !json_object_get(p, "upstream") &&
		    json_array_append_new(as->gallery_kept, json_string(id)) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/*
 * The last run's photos of a gallery Flickr says has not changed since, and
 * whose photos are all archived, or NULL.
 */
static const json_t *unchanged_photos(const struct store *s, const json_t *old,
				      const json_t *gallery)
{
	static const char *const keys[] = { "date_update", "count_photos", "count_videos" };
	const json_t *photos = json_object_get(old, "photos");

	if (!old || !json_is_array(photos) || !jflag(old, "photos_complete", false))
		return NULL;
	for (size_t k = 0; k < 3; k++)
		if (!json_equal(json_object_get(old, keys[k]), json_object_get(gallery, keys[k])))
			return NULL;
	return all_archived(s, photos) ? photos : NULL;
}

static int list_gallery(struct account_sync *as, json_t *gallery, const json_t *old,
			struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "gallery_id", jstr(gallery, "id"), "extras",
			       FLICKR_LISTING_EXTRAS, NULL };
	struct gallery_photos gp = { as, json_array() };
	struct flickr_page last = { 0, 0, 0 };
	const json_t *known = ar->refresh ? NULL : unchanged_photos(ar->store, old, gallery);
	char listing[200];
	long got;
	int r = 0;

	if (!gp.photos)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (known) {
		json_decref(gp.photos);
		gp.photos = json_deep_copy(known);
		r = keep_photos(as, known);
	} else {
		r = account_paginate(ar, "flickr.galleries.getPhotos", args, "photos", "photo",
				     PER_PAGE, collect_photo, &gp, &last, e);
	}
	if (r != 0 || !gp.photos) {
		json_decref(gp.photos);
		/* refused: the gallery keeps the photos it had */
		if (r == 1 && old && json_object_get(old, "photos"))
			jset_new(gallery, "photos", json_deep_copy(json_object_get(old, "photos")));
		return r < 0 ? r : (gp.photos ? 0 : err_set(e, FA_ENOMEM, "out of memory"));
	}
	got = (long)json_array_size(gp.photos);
	if (!known) {
		json_t *was = json_object_get(old, "photos");

		if (account_merge_list(gp.photos, was, "id", photo_tracked, "removed_from_gallery",
				       got >= gallery_count(gallery), ar->now) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		got = 0;
		for (size_t i = 0; i < json_array_size(gp.photos); i++)
			got += !json_object_get(json_array_get(gp.photos, i), "upstream");
	}
	jset_new(gallery, "photos", gp.photos);
	jset_bool(gallery, "photos_complete", got >= gallery_count(gallery));
	snprintf(listing, sizeof(listing), "gallery %s", jstr(gallery, "id"));
	if (r == 0)
		r = account_note(ar, listing, gallery_count(gallery), got, e);
	return r;
}

struct gallery_list {
	json_t *list;
};

static int collect_gallery(void *ud, json_t *g, const struct flickr_page *pg)
{
	struct gallery_list *gl = ud;
	const char *id = jstr(g, "id");
	json_t *entry;

	(void)pg;
	/* "<owner's number>-<gallery id>": digits and one dash make a safe path part */
	if (!id || !*id || strspn(id, "0123456789-") != strlen(id) || strlen(id) > 64 ||
	    account_find(gl->list, "id", id))
		return 0;
	entry = gallery_entry(g);
	return entry && json_array_append_new(gl->list, entry) == 0 ? 0 : FA_ENOMEM;
}

int galleries_sync(struct account_sync *as, struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "user_id", ar->nsid, NULL };
	struct gallery_list gl = { json_array() };
	struct flickr_page last = { 0, 0, 0 };
	json_t *old = NULL;
	const json_t *old_list;
	int r;

	if (!gl.list)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = account_paginate(ar, "flickr.galleries.getList", args, "galleries", "gallery",
			     PER_PAGE, collect_gallery, &gl, &last, e);
	if (r != 0)
		goto cleanup;
	as->galleries = (long)json_array_size(gl.list);
	r = account_note(ar, "galleries", last.total, as->galleries, e);
	old = account_load(ar, "galleries_index.json");
	old_list = json_object_get(old, "galleries");
	if (r == 0 && account_adopt_export(json_object_get(old, "galleries"), gl.list, "id") < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < json_array_size(gl.list); i++) {
		json_t *g = json_array_get(gl.list, i);

		r = list_gallery(as, g, account_find(old_list, "id", jstr(g, "id")), e);
		r = r < 0 ? r : 0;
	}
	if (r == 0)
		r = account_save_list(ar, &galleries_file, gl.list, old,
				      as->galleries >= last.total, e);
cleanup:
	json_decref(gl.list);
	json_decref(old);
	return r < 0 ? r : 0;
}

/* The files a gallery photo can share with the same favorite. */
static int shareable(const char *name)
{
	return !strncmp(name, "original.", 9) || !strcmp(name, "poster.jpg") ||
	       !strcmp(name, "sizes.json");
}

int galleries_share_favorite(const struct store *s, const char *id, struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	DIR *dir = NULL;
	struct dirent *de;
	int r = 0;

	if (!store_valid_id(id) || store_item_complete(s, STORE_GALLERY, id) ||
	    !store_item_complete(s, STORE_FAV, id))
		return 0;
	if (store_item_path(s, STORE_FAV, id, NULL, &from) < 0 ||
	    store_item_path(s, STORE_GALLERY, id, NULL, &to) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = fs_mkdirs(to.data, 0755, e);
	dir = r == 0 ? opendir(from.data) : NULL;
	while (dir && r == 0 && (de = readdir(dir)) != NULL) {
		struct buf src = BUF_INIT, dst = BUF_INIT;

		if (!shareable(de->d_name))
			continue;
		if (buf_printf(&src, "%s/%s", from.data, de->d_name) < 0 ||
		    buf_printf(&dst, "%s/%s", to.data, de->d_name) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		/* an existing file stays: the photo's own archiving decides about it */
		else if (linkat(AT_FDCWD, src.data, AT_FDCWD, dst.data, 0) < 0 && errno == ENOSPC)
			r = err_set(e, FA_ENOSPC, "cannot link '%s': %s", dst.data, strerror(errno));
		buf_release(&src);
		buf_release(&dst);
	}
cleanup:
	if (dir)
		closedir(dir);
	buf_release(&from);
	buf_release(&to);
	return r;
}

/* The digest the item's own manifest records for its file name: 1, 0 when none, or an error. */
static int recorded_digest(const struct store *s, enum store_kind kind, const char *id,
			   const char *name, unsigned char ret[MANIFEST_DIGEST_LEN])
{
	struct manifest m = MANIFEST_INIT;
	struct buf rel = BUF_INIT;
	const struct manifest_entry *found;
	int root = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, r;

	if (root < 0)
		return FA_EIO;
	r = buf_printf(&rel, "%s/%s/" MANIFEST_NAME, store_kind_dir(kind), id) < 0 ? FA_ENOMEM : 0;
	if (r == 0)
		r = manifest_open(root, rel.data, &fd, NULL);
	if (r == 0)
		r = manifest_read_fd(fd, &m, NULL, NULL, NULL);
	buf_reset(&rel);
	if (r == 0 && buf_printf(&rel, "%s/%s/%s", store_kind_dir(kind), id, name) < 0)
		r = FA_ENOMEM;
	if (r == 0) {
		manifest_sort(&m);
		found = manifest_find(&m, rel.data);
		if (found)
			memcpy(ret, found->digest, MANIFEST_DIGEST_LEN);
		r = found != NULL;
	}
	if (fd >= 0)
		close(fd);
	close(root);
	manifest_release(&m);
	buf_release(&rel);
	return r == FA_ENOTFOUND ? 0 : r;
}

/*
 * Whether the gallery's damaged file name can be the favorite's again: the
 * favorite's is whole and both manifests record the same bytes.
 */
static int same_as_whole_favorite(const struct store *s, const char *id, const char *name,
				  const struct damage *fav_damage)
{
	unsigned char mine[MANIFEST_DIGEST_LEN], theirs[MANIFEST_DIGEST_LEN];

	return shareable(name) && !damage_has(fav_damage, name) &&
	       recorded_digest(s, STORE_GALLERY, id, name, mine) == 1 &&
	       recorded_digest(s, STORE_FAV, id, name, theirs) == 1 &&
	       !memcmp(mine, theirs, sizeof(mine));
}

/* Keeps the damaged dir/name aside and links the favorite's file from in its place. */
static int relink_one(const char *from, const char *dir, const char *name, long long now,
		      struct err *e)
{
	struct buf src = BUF_INIT, tmp = BUF_INIT, dst = BUF_INIT, kept = BUF_INIT;
	int r = 0;

	if (buf_printf(&src, "%s/%s", from, name) < 0 ||
	    buf_printf(&tmp, "%s/.relink-%s", dir, name) < 0 ||
	    buf_printf(&dst, "%s/%s", dir, name) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	unlink(tmp.data); /* a killed run's */
	if (linkat(AT_FDCWD, src.data, AT_FDCWD, tmp.data, 0) < 0) {
		/* no link (another file system, a full disk): sync downloads it */
		r = errno == ENOSPC ? fs_errno_error(e, "cannot link", tmp.data, errno) : 1;
		goto cleanup;
	}
	r = damage_keep_copy(dir, name, now, &kept, e);
	if (r == 0 && rename(tmp.data, dst.data) < 0)
		r = fs_errno_error(e, "cannot rename", tmp.data, errno);
	if (r == 0)
		r = fs_fsync_dir(dir) < 0 ? fs_errno_error(e, "cannot sync", dir, errno) : 0;
cleanup:
	if (r != 0)
		unlink(tmp.data);
	buf_release(&src);
	buf_release(&tmp);
	buf_release(&dst);
	buf_release(&kept);
	return r;
}

int galleries_relink_favorite(const struct store *s, const char *id, long long now,
			      struct store_ids *ret_names, struct err *e)
{
	struct damage mine = DAMAGE_INIT, theirs = DAMAGE_INIT;
	struct buf from = BUF_INIT, dir = BUF_INIT;
	const char **written = NULL;
	int r = 0;

	if (!store_valid_id(id) || !store_item_complete(s, STORE_GALLERY, id) ||
	    !store_item_complete(s, STORE_FAV, id))
		return 0;
	/* what cannot be checked is left to the item's own archiving */
	if (damage_find_item(s, STORE_GALLERY, id, &mine, &(struct err){ 0 }) < 0 || !mine.n ||
	    damage_find_item(s, STORE_FAV, id, &theirs, &(struct err){ 0 }) < 0)
		goto cleanup;
	if (store_item_path(s, STORE_FAV, id, NULL, &from) < 0 ||
	    store_item_path(s, STORE_GALLERY, id, NULL, &dir) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (size_t i = 0; i < mine.n && r >= 0; i++) {
		const char *name = mine.v[i].name;
		int one;

		if (!same_as_whole_favorite(s, id, name, &theirs))
			continue;
		one = relink_one(from.data, dir.data, name, now, e);
		if (one == 0 && store_ids_add(ret_names, name) < 0)
			one = err_set(e, FA_ENOMEM, "out of memory");
		r = one < 0 ? one : r;
	}
	/* the manifest records the same bytes again, with a time after the new links' */
	if (r == 0 && ret_names->n) {
		written = calloc(ret_names->n + 1, sizeof(*written));
		for (size_t i = 0; written && i < ret_names->n; i++)
			written[i] = ret_names->v[i];
		r = written ? store_write_manifest(s, STORE_GALLERY, id, written, e)
			    : err_set(e, FA_ENOMEM, "out of memory");
	}
cleanup:
	free(written);
	damage_release(&mine);
	damage_release(&theirs);
	buf_release(&from);
	buf_release(&dir);
	return r;
}
