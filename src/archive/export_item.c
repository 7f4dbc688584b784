/*
 * export_item.c: a media file of Flickr's export compared with, put over,
 * or made into an archived item (see export_item.h).
 */
#include "export_item.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "clock.h"
#include "export_map.h"
#include "export_read.h"
#include "export_media.h"
#include "export_scan.h"
#include "record.h"
#include "xmp.h"

static int from_export(const json_t *meta)
{
	const char *src = jstr(meta, "source");

	return src && !strcmp(src, EXPORT_SOURCE);
}

static json_t *load_item_json(const struct store *s, const char *id, const char *file)
{
	struct buf path = BUF_INIT;
	json_t *doc = NULL;

	if (store_item_path(s, STORE_MY, id, file, &path) < 0 ||
	    json_load_path(path.data, &doc, NULL) < 0)
		doc = NULL;
	buf_release(&path);
	return doc;
}

static int is_video_item(const json_t *meta)
{
	return jstr(meta, "media") && !strcmp(jstr(meta, "media"), "video");
}

/*
 * The item's media file: the one sizes.json's "archived" names when it is
 * there, else any original.<ext>.  Two are there only while a picture of the
 * export gives way to its video (video_over_poster(), stopped between its
 * steps): the records name the one they describe.
 */
static void recorded_media(const struct store *s, const char *id, const char *dir,
			   const json_t *sizes, struct buf *ret_media)
{
	const char *file = jstr(jobj(sizes, "archived"), "file");
	struct buf path = BUF_INIT;

	if (file && !strncmp(file, "original.", 9) && !strchr(file, '/') &&
	    store_item_path(s, STORE_MY, id, file, &path) == 0 && fs_exists(path.data) &&
	    buf_set(ret_media, file) == 0) {
		buf_release(&path);
		return;
	}
	buf_release(&path);
	buf_reset(ret_media);
	store_find_media(dir, "original", ret_media);
}

enum export_item_state export_item_state(const struct store *s, const char *id,
					 struct buf *ret_media)
{
	struct buf dir = BUF_INIT;
	json_t *meta = NULL, *sizes = NULL;
	enum export_item_state st = EXPORT_ITEM_NONE;

	buf_reset(ret_media);
	if (store_item_path(s, STORE_MY, id, NULL, &dir) < 0 || !fs_exists(dir.data))
		goto cleanup;
	if (!fs_is_real_dir(dir.data)) {
		st = EXPORT_ITEM_NOT_FOLLOWED;
		goto cleanup;
	}
	meta = load_item_json(s, id, "metadata.json");
	if (!store_item_complete(s, STORE_MY, id)) {
		store_find_media(dir.data, "original", ret_media);
		/* an import of ours that was stopped is made again; a sync's is left to sync */
		st = meta && !from_export(meta) ? EXPORT_ITEM_SYNCING : EXPORT_ITEM_NONE;
		goto cleanup;
	}
	sizes = load_item_json(s, id, "sizes.json");
	recorded_media(s, id, dir.data, sizes, ret_media);
	if (!ret_media->len && is_video_item(meta) && from_export(meta) &&
	    !jflag(meta, "original_archived", true))
		st = EXPORT_ITEM_AWAITS_VIDEO;
	else
		st = ret_media->len && jflag(jobj(sizes, "archived"), "original",
					      jflag(meta, "original_archived", false))
			? EXPORT_ITEM_ORIGINAL : EXPORT_ITEM_NOT_ORIGINAL;
cleanup:
	json_decref(meta);
	json_decref(sizes);
	buf_release(&dir);
	return st;
}

/* export_item_compare() of the item's file media, which is its what ("original"). */
static int compare_file(const struct store *s, const char *id, const char *media,
			const char *what, const struct export_file *f, struct export_result *res,
			struct err *e)
{
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct buf path = BUF_INIT;
	uint64_t size = 0;
	int fd = -1, r;

	r = store_item_path(s, STORE_MY, id, media, &path);
	if (r == 0) {
		fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		r = fd < 0 ? err_set(e, FA_EIO, "cannot read '%s': %s", path.data, strerror(errno))
			   : manifest_hash_fd(fd, digest, &size, e);
	}
	if (r == 0) {
		int same = size == f->size && !memcmp(digest, f->sha256, sizeof(digest));

		res->outcome = same ? EXPORT_SAME : EXPORT_DIFFERS;
		if (!same)
			snprintf(res->why, sizeof(res->why),
				 "the archived %s (%llu bytes) and the export's '%.80s' "
				 "(%llu bytes) differ; the archived one is kept", what,
				 (unsigned long long)size, f->member, (unsigned long long)f->size);
	}
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	return r;
}

int export_item_compare(const struct store *s, const char *id, const char *media,
			const struct export_file *f, struct export_result *res, struct err *e)
{
	return compare_file(s, id, media, "original", f, res, e);
}

/* The Original entry of sizes.json's "size" list (getSizes' shape), or NULL. */
static const json_t *reported_original(const json_t *sizes)
{
	const json_t *list = json_object_get(sizes, "size");

	for (size_t i = 0; i < jlist_size(list); i++) {
		const char *label = jstr(jlist_at(list, i), "label");

		if (label && (!strcmp(label, "Original") || !strcmp(label, "Video Original")))
			return jlist_at(list, i);
	}
	return NULL;
}

/*
 * Whether f may replace the archived file at path: a photo must declare the
 * Original's size Flickr reported (either way round), or more pixels than
 * the archived file; a video must be bigger than the transcode.
 */
static int verified(const struct export_file *f, const json_t *sizes, const json_t *meta,
		    const char *path, char *why, size_t why_len)
{
	const json_t *orig = reported_original(sizes);
	int is_video_item = jstr(meta, "media") && !strcmp(jstr(meta, "media"), "video");
	long long rw, rh;
	long aw, ah;
	struct stat st;

	if (is_video_item != f->is_video) {
		snprintf(why, why_len, "the export's file is a %s, the item a %s",
			 f->is_video ? "video" : "picture", is_video_item ? "video" : "photo");
		return 0;
	}
	if (!f->whole) {
		snprintf(why, why_len, "%s", f->broken);
		return 0;
	}
	if (f->is_video) {
		if (stat(path, &st) == 0 && (uint64_t)st.st_size < f->size)
			return 1;
		snprintf(why, why_len, "the export's video is not bigger than the archived one");
		return 0;
	}
	if (!f->width) {
		snprintf(why, why_len, "its header declares no pixel size: not a whole image");
		return 0;
	}
	if (orig && jint(orig, "width", &rw) && jint(orig, "height", &rh) && rw > 0) {
		if ((rw == f->width && rh == f->height) || (rw == f->height && rh == f->width))
			return 1;
		snprintf(why, why_len, "it is %ldx%ld, Flickr reported the original as %lldx%lld",
			 f->width, f->height, rw, rh);
		return 0;
	}
	if (export_media_file_dims(path, &aw, &ah) && (long long)f->width * f->height >
						       (long long)aw * ah)
		return 1;
	snprintf(why, why_len, "it is %ldx%ld, not larger than the archived file", f->width,
		 f->height);
	return 0;
}

/* The file's name and which of its kind ("original.jpg"). */
static int media_name(const struct export_file *f, struct buf *out)
{
	buf_reset(out);
	return buf_printf(out, "original.%s", f->ext);
}

/* Puts f's bytes into the item under name (renamed from the work dir, then synced). */
static int install(const struct store *s, const char *id, const char *name,
		   struct export_file *f, struct err *e)
{
	struct buf path = BUF_INIT, dir = BUF_INIT;
	int r = store_item_path(s, STORE_MY, id, name, &path);

	if (r == 0)
		r = store_item_path(s, STORE_MY, id, NULL, &dir);
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = fs_tmp_commit(&f->tmp, path.data, e);
	if (r == 0 && !fs_sync_deferred() && fs_fsync_dir(dir.data) < 0)
		r = fs_errno_error(e, "sync directory", dir.data, errno);
	buf_release(&path);
	buf_release(&dir);
	return r;
}

/* sizes.json's "archived" for the export's original. */
static json_t *archived_entry(const struct export_file *f, const char *name, const char *url)
{
	json_t *a = json_object();

	jset_str(a, "file", name);
	jset_str(a, "label", f->is_video ? "Video Original" : "Original");
	if (f->width) {
		jset_int(a, "width", f->width);
		jset_int(a, "height", f->height);
	}
	/* the original's URL, as Flickr's listing gives it: a later sync then knows the
	 * file for what it is (its name carries the original's secret) */
	if (url)
		jset_str(a, "source", url);
	jset_bool(a, "original", 1);
	jset_str(a, "from", EXPORT_SOURCE);
	return a;
}

static void note_written(struct export_result *res, const char *name)
{
	if (res->n_written < EXPORT_WRITTEN_MAX)
		snprintf(res->written[res->n_written++], sizeof(res->written[0]), "%s", name);
}

static int write_item_json(const struct store *s, const char *id, const char *file,
			   const json_t *doc, struct err *e)
{
	struct buf path = BUF_INIT;
	int r = store_item_path(s, STORE_MY, id, file, &path);

	r = r < 0 ? err_set(e, FA_ENOMEM, "out of memory")
		  : doc ? json_write_atomic(path.data, doc, e) : err_set(e, FA_ENOMEM, "out of memory");
	buf_release(&path);
	return r;
}

/*
 * The item's XMP sidecar beside its media, from the metadata.json just
 * written, so that photo managers read an imported item as a synced one; a
 * later sync keeps it current.
 */
static int write_sidecar(const struct store *s, const char *id, const char *media,
			 const json_t *meta, struct export_result *res, struct err *e)
{
	struct buf name = BUF_INIT, xmp = BUF_INIT, path = BUF_INIT;
	int r = xmp_sidecar_name(media, &name);

	if (r == 0)
		r = xmp_build(meta, &xmp);
	if (r == 0)
		r = store_item_path(s, STORE_MY, id, name.data, &path);
	if (r < 0)
		r = err_set(e, r, "my_photos/%s: cannot make the sidecar of %s", id, media);
	else if (xmp_differs(path.data, &xmp))
		r = fs_write_atomic(path.data, xmp.data, xmp.len, 0644, e);
	if (r == 0)
		note_written(res, name.data);
	buf_release(&name);
	buf_release(&xmp);
	buf_release(&path);
	return r;
}

/* sizes.json and metadata.json once the export's original took the place of old. */
static int record_replacement(const struct store *s, const char *id, json_t *sizes,
			      json_t *meta, const struct export_file *f, const char *name,
			      const char *kept, int64_t now, struct err *e)
{
	json_t *old = json_deep_copy(jobj(sizes, "archived"));
	json_t *list = json_object_get(sizes, "replaced");
	const json_t *orig = reported_original(sizes);
	json_t *missing = jobj(jobj(meta, "synced"), "missing");
	char iso[21];
	int r;

	if (kept && !json_is_array(list)) {
		list = json_array();
		jset_new(sizes, "replaced", list);
	}
	if (kept && !old)
		old = json_object();
	if (kept) { /* NULL: there was no file to keep (a video whose poster came alone) */
		jset_str(old, "file", kept);
		jset_int(old, "replaced_at", now);
		json_array_append_new(list, old);
	} else {
		json_decref(old);
	}
	jset_new(sizes, "archived", archived_entry(f, name, orig ? jstr(orig, "source") : NULL));
	jset_bool(sizes, "original_available", 1);
	jset_str(sizes, "source", EXPORT_SOURCE);
	json_object_del(sizes, "reason");
	r = write_item_json(s, id, "sizes.json", sizes, e);
	if (r < 0)
		return r;
	jset_bool(meta, "original_archived", 1);
	jset_str(meta, "original_source", EXPORT_SOURCE);
	record_iso8601(now, iso);
	jset_str(meta, "original_imported_at", iso);
	if (missing) {
		json_object_del(missing, "original");
		if (!json_object_size(missing))
			json_object_del(jobj(meta, "synced"), "missing");
	}
	return write_item_json(s, id, "metadata.json", meta, e);
}

/* Keeps the archived file as "replaced-<now>-<name>": a second name, so it is never absent. */
static int keep_earlier(const struct store *s, const char *id, const char *media, int64_t now,
			struct buf *ret_kept, struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	int r;

	if (buf_printf(ret_kept, "replaced-%lld-%s", (long long)now, media) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = store_item_path(s, STORE_MY, id, media, &from);
	if (r == 0)
		r = store_item_path(s, STORE_MY, id, ret_kept->data, &to);
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else if (link(from.data, to.data) < 0 && errno != EEXIST)
		r = fs_errno_error(e, "keep", from.data, errno);
	buf_release(&from);
	buf_release(&to);
	return r;
}

int export_item_complete(const struct store *s, const char *id,
			 const struct export_result *res, struct err *e)
{
	const char *written[EXPORT_WRITTEN_MAX + 1] = { NULL };
	struct manifest_known known = { res->media, res->media_size, res->media_sha256 };

	for (int i = 0; i < res->n_written && i < EXPORT_WRITTEN_MAX; i++)
		written[i] = res->written[i];
	return store_mark_complete_known(s, STORE_MY, id, res->n_written ? written : NULL,
					 res->media[0] ? &known : NULL, e);
}

static void note_media(struct export_result *res, const char *name, const struct export_file *f)
{
	snprintf(res->media, sizeof(res->media), "%s", name);
	res->media_size = f->size;
	memcpy(res->media_sha256, f->sha256, sizeof(res->media_sha256));
}

/* A file of the export is in, in place of another or of none: complete now unless deferred. */
static int end_replaced(const struct store *s, const char *id, int defer,
			struct export_result *res, struct err *e)
{
	int r = defer ? 0 : export_item_complete(s, id, res, e);

	if (r == 0)
		res->outcome = EXPORT_REPLACED;
	return r;
}

int export_item_replace(const struct store *s, const char *id, const char *media,
			struct export_file *f, int64_t now, int defer, struct export_result *res,
			struct err *e)
{
	struct buf path = BUF_INIT, name = BUF_INIT, kept = BUF_INIT;
	json_t *sizes = load_item_json(s, id, "sizes.json");
	json_t *meta = load_item_json(s, id, "metadata.json");
	int r = store_item_path(s, STORE_MY, id, media, &path);

	res->n_written = 0;
	if (r < 0 || !meta) {
		r = err_set(e, r < 0 ? FA_ENOMEM : FA_EIO, "my_photos/%s: no readable metadata.json",
			    id);
		goto cleanup;
	}
	if (!sizes)
		sizes = json_object();
	if (!verified(f, sizes, meta, path.data, res->why, sizeof(res->why))) {
		res->outcome = EXPORT_REJECTED;
		goto cleanup;
	}
	r = media_name(f, &name) < 0 ? err_set(e, FA_ENOMEM, "out of memory")
				     : store_begin_rewrite(s, STORE_MY, id, NULL, e);
	if (r == 0)
		r = keep_earlier(s, id, media, now, &kept, e);
	if (r == 0)
		r = install(s, id, name.data, f, e);
	if (r == 0)
		note_media(res, name.data, f);
	if (r == 0 && strcmp(name.data, media)) {
		/* another extension: the old name goes, its bytes stay as replaced-* */
		unlink(path.data);
		note_written(res, media);
	}
	if (r == 0)
		r = record_replacement(s, id, sizes, meta, f, name.data, kept.data, now, e);
	if (r == 0)
		r = write_sidecar(s, id, name.data, meta, res, e);
	note_written(res, name.data);
	note_written(res, "sizes.json");
	note_written(res, "metadata.json");
	note_written(res, kept.len ? kept.data : "sizes.json");
	if (r == 0)
		r = end_replaced(s, id, defer, res, e);
	if (r == 0)
		snprintf(res->why, sizeof(res->why), "the earlier file is kept as %s", kept.data);
cleanup:
	json_decref(sizes);
	json_decref(meta);
	buf_release(&path);
	buf_release(&name);
	buf_release(&kept);
	return r;
}

/* ---- a video's poster frame ---- */

int export_item_other_kind(const struct store *s, const char *id, int file_is_video)
{
	json_t *meta = load_item_json(s, id, "metadata.json");
	int other = meta && is_video_item(meta) != !!file_is_video;

	json_decref(meta);
	return other;
}

static void rejected(struct export_result *res, const char *why)
{
	res->outcome = EXPORT_REJECTED;
	snprintf(res->why, sizeof(res->why), "%s", why);
}

/* sizes.json's "poster" for the export's picture, as sync records the one it fetched. */
static json_t *poster_entry(const struct export_file *f, const char *name)
{
	json_t *a = json_object();

	jset_str(a, "file", name);
	jset_str(a, "label", "Poster");
	jset_int(a, "width", f->width);
	jset_int(a, "height", f->height);
	jset_bool(a, "original", 0);
	jset_str(a, "from", EXPORT_SOURCE);
	return a;
}

/*
 * Whether the export's picture f should be the item's poster frame instead
 * of the archived one, have (a file name of the item, "" for none): there is
 * none, or f has more pixels; else res says same or differs.
 */
static int better_poster(const struct store *s, const char *id, const char *have,
			 const struct export_file *f, struct export_result *res, struct err *e)
{
	struct buf path = BUF_INIT;
	long aw = 0, ah = 0;
	int r;

	if (!*have)
		return 1;
	r = compare_file(s, id, have, "poster frame", f, res, e);
	if (r < 0 || res->outcome == EXPORT_SAME)
		return r;
	r = store_item_path(s, STORE_MY, id, have, &path) < 0
		? err_set(e, FA_ENOMEM, "out of memory")
		: !export_media_file_dims(path.data, &aw, &ah) ||
		  (long long)f->width * f->height > (long long)aw * ah;
	buf_release(&path);
	return r;
}

/*
 * The export's picture of a video item (the JSON's "original" is a poster
 * while the ZIP holds the video): its poster frame, poster.<ext>, when the
 * item has none or a smaller one (kept as "replaced-<t>-poster.<ext>").
 */
static int take_poster(const struct store *s, const char *id, struct export_file *f,
		       int64_t now, int defer, struct export_result *res, struct err *e)
{
	struct buf dir = BUF_INIT, have = BUF_INIT, name = BUF_INIT, kept = BUF_INIT;
	json_t *sizes = NULL;
	int r = store_item_path(s, STORE_MY, id, NULL, &dir) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	if (r == 0 && (!f->whole || !f->width)) {
		rejected(res, !f->whole ? f->broken
			 : "its header declares no pixel size: not a whole image");
		goto cleanup;
	}
	if (r == 0)
		store_find_media(dir.data, "poster", &have);
	if (r == 0)
		r = better_poster(s, id, buf_cstr(&have), f, res, e);
	if (r <= 0)
		goto cleanup;
	sizes = load_item_json(s, id, "sizes.json");
	if (!sizes)
		sizes = json_object();
	r = buf_printf(&name, "poster.%s", f->ext) < 0 ? err_set(e, FA_ENOMEM, "out of memory")
						       : store_begin_rewrite(s, STORE_MY, id, NULL, e);
	if (r == 0 && have.len)
		r = keep_earlier(s, id, have.data, now, &kept, e);
	if (r == 0)
		r = install(s, id, name.data, f, e);
	if (r == 0)
		note_media(res, name.data, f);
	if (r == 0 && have.len) {
		json_t *old = json_deep_copy(jobj(sizes, "poster"));

		if (!json_is_array(json_object_get(sizes, "replaced")))
			jset_new(sizes, "replaced", json_array());
		if (!old)
			old = json_object();
		jset_str(old, "file", kept.data);
		jset_int(old, "replaced_at", now);
		json_array_append_new(json_object_get(sizes, "replaced"), old);
		if (strcmp(have.data, name.data)) {
			struct buf path = BUF_INIT;

			/* another extension: the old name goes, its bytes stay as replaced-* */
			if (store_item_path(s, STORE_MY, id, have.data, &path) == 0)
				unlink(path.data);
			buf_release(&path);
			note_written(res, have.data);
		}
		note_written(res, kept.data);
	}
	if (r == 0) {
		jset_new(sizes, "poster", poster_entry(f, name.data));
		r = write_item_json(s, id, "sizes.json", sizes, e);
	}
	note_written(res, name.data);
	note_written(res, "sizes.json");
	if (r == 0 && !defer)
		r = export_item_complete(s, id, res, e);
	if (r == 0) {
		res->outcome = EXPORT_POSTER;
		snprintf(res->why, sizeof(res->why), "the video's poster frame, kept as %s%s%s",
			 name.data, kept.len ? "; the earlier one as " : "", buf_cstr(&kept));
	}
cleanup:
	json_decref(sizes);
	buf_release(&dir);
	buf_release(&have);
	buf_release(&name);
	buf_release(&kept);
	return r < 0 ? r : 0;
}

static int same_inode(const char *a, const char *b)
{
	struct stat sa, sb;

	return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* "original.jpg" -> "poster.jpg". */
static int poster_name_of(const char *media, struct buf *out)
{
	const char *dot = strrchr(media, '.');

	buf_reset(out);
	return buf_printf(out, "poster%s", dot ? dot : ".jpg");
}

/* sizes.json and metadata.json once the item made from a poster frame is its video. */
static int record_video(const struct store *s, const char *id, json_t *sizes, json_t *meta,
			const struct export_file *f, const char *name, const char *poster,
			struct err *e)
{
	json_t *was = json_deep_copy(jobj(sizes, "archived"));
	int r;

	if (!was)
		was = json_object();
	jset_str(was, "file", poster);
	jset_str(was, "label", "Poster");
	jset_bool(was, "original", 0);
	jset_new(sizes, "poster", was);
	jset_new(sizes, "archived", archived_entry(f, name, NULL));
	r = write_item_json(s, id, "sizes.json", sizes, e);
	if (r < 0)
		return r;
	jset_str(meta, "media", "video");
	if (jobj(meta, "export"))
		jset_str(jobj(meta, "export"), "file", name);
	return write_item_json(s, id, "metadata.json", meta, e);
}

/* Whether poster (in the item) holds the picture pic's bytes: its second name, or pic is gone. */
static int poster_is_picture(const struct store *s, const char *id, const char *pic,
			     const char *poster)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	int yes = store_item_path(s, STORE_MY, id, pic, &from) == 0 &&
		  store_item_path(s, STORE_MY, id, poster, &to) == 0 &&
		  (same_inode(from.data, to.data) || (!fs_exists(from.data) && fs_exists(to.data)));

	buf_release(&from);
	buf_release(&to);
	return yes;
}

/*
 * The picture a video of the export takes the place of: the file sizes.json
 * records (it may be gone already, its bytes poster.<ext>, when a run
 * stopped between the steps of video_over_poster()), else media.
 */
static const char *picture_of(const json_t *sizes, const char *media)
{
	const char *file = jstr(jobj(sizes, "archived"), "file");

	return file && !strncmp(file, "original.", 9) && !strchr(file, '/') &&
	       !export_media_is_video(file + 9) ? file : media;
}

/*
 * The video's steps once it is original.<ext> (name) and the picture's bytes
 * are poster.<ext> too: the records say so first, then the picture's own
 * name and sidecar go (a run stopped in between leaves only a second name of
 * the poster, which export_item_resume() removes), then the video's sidecar.
 * f NULL: the records say so already.
 */
static int finish_video(const struct store *s, const char *id, const char *pic,
			const char *poster, const char *name, const struct export_file *f,
			json_t *sizes, json_t *meta, struct export_result *res, struct err *e)
{
	struct buf path = BUF_INIT, xmp = BUF_INIT, own = BUF_INIT;
	/* pic may be sizes.json's own string, which record_video() replaces */
	int r = buf_set(&own, pic) < 0 || xmp_sidecar_name(pic, &xmp) < 0
		? err_set(e, FA_ENOMEM, "out of memory")
		: f ? record_video(s, id, sizes, meta, f, name, poster, e) : 0;

	pic = buf_cstr(&own);
	if (r == 0 && strcmp(pic, name) && store_item_path(s, STORE_MY, id, pic, &path) == 0)
		unlink(path.data); /* its bytes are poster.<ext> now */
	buf_reset(&path);
	if (r == 0 && store_item_path(s, STORE_MY, id, xmp.data, &path) == 0)
		unlink(path.data); /* the sidecar of a picture that is no more the original */
	if (r == 0)
		r = write_sidecar(s, id, name, meta, res, e);
	note_written(res, name);
	note_written(res, poster);
	note_written(res, pic);
	note_written(res, buf_cstr(&xmp));
	note_written(res, "sizes.json");
	note_written(res, "metadata.json");
	buf_release(&path);
	buf_release(&xmp);
	buf_release(&own);
	return r;
}

/*
 * The export's video of an item this import made from its poster frame (the
 * picture came first): the video becomes original.<ext>, the picture
 * poster.<ext> (its bytes never absent: a second name first), the item a video.
 */
static int video_over_poster(const struct store *s, const char *id, const char *media,
			     struct export_file *f, int defer, struct export_result *res,
			     struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT, name = BUF_INIT, poster = BUF_INIT;
	struct buf dir = BUF_INIT, have = BUF_INIT;
	json_t *meta = load_item_json(s, id, "metadata.json");
	json_t *sizes = load_item_json(s, id, "sizes.json");
	const char *pic;
	int r = store_item_path(s, STORE_MY, id, NULL, &dir) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	if (r == 0 && (!meta || !from_export(meta))) {
		rejected(res, "the export's file is a video, the archived item a photo");
		goto cleanup;
	}
	if (r == 0 && !f->whole) {
		rejected(res, f->broken);
		goto cleanup;
	}
	if (!sizes)
		sizes = json_object();
	pic = picture_of(sizes, media);
	if (r == 0 && (media_name(f, &name) < 0 || poster_name_of(pic, &poster) < 0 ||
		       store_item_path(s, STORE_MY, id, pic, &from) < 0 ||
		       store_item_path(s, STORE_MY, id, poster.data, &to) < 0))
		r = err_set(e, FA_ENOMEM, "out of memory");
	/* a poster.<ext> already there is only ours, left by a run stopped after the link
	 * (the picture's second name) or after the picture's own name went */
	if (r == 0 && store_find_media(dir.data, "poster", &have) &&
	    !poster_is_picture(s, id, pic, poster.data)) {
		rejected(res, "the item made from a picture of the export has a poster frame already");
		goto cleanup;
	}
	if (r == 0)
		r = store_begin_rewrite(s, STORE_MY, id, NULL, e);
	if (r == 0 && !have.len && link(from.data, to.data) < 0)
		r = fs_errno_error(e, "keep", from.data, errno);
	if (r == 0)
		r = install(s, id, name.data, f, e);
	if (r == 0)
		note_media(res, name.data, f);
	if (r == 0)
		r = finish_video(s, id, pic, poster.data, name.data, f, sizes, meta, res, e);
	if (r == 0)
		r = end_replaced(s, id, defer, res, e);
	if (r == 0)
		snprintf(res->why, sizeof(res->why), "the export's video is the original, the picture "
			 "that came before it its poster frame, %s", poster.data);
cleanup:
	json_decref(meta);
	json_decref(sizes);
	buf_release(&from);
	buf_release(&to);
	buf_release(&name);
	buf_release(&poster);
	buf_release(&dir);
	buf_release(&have);
	return r;
}

/* The first original.<ext> in dir whose ext is a video's (or not: want_video 0); 1 or 0. */
static int find_original_kind(const char *dir, int want_video, struct buf *ret_name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d)))
		found = !strncmp(de->d_name, "original.", 9) &&
			store_allowed_ext(de->d_name + 9) &&
			export_media_is_video(de->d_name + 9) == want_video &&
			buf_set(ret_name, de->d_name) == 0;
	if (d)
		closedir(d);
	return found;
}

static void scan_chunk(void *scan, const unsigned char *chunk, size_t n)
{
	media_scan_feed(scan, chunk, n);
}

/*
 * f for a video this tool installed already (name): whole or not (a run
 * stopped before the batch's sync may leave it cut short), its size and
 * digest read again.
 */
static int video_on_disk(const struct store *s, const char *id, const char *name,
			 struct export_file *f, struct err *e)
{
	struct buf path = BUF_INIT;
	struct media_scan scan;
	int fd = -1, r = store_item_path(s, STORE_MY, id, name, &path) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	f->ext = strchr(name, '.') + 1;
	f->is_video = 1;
	f->member = name;
	if (r == 0) {
		fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			r = fs_errno_error(e, "read", path.data, errno);
	}
	media_scan_init(&scan, f->ext);
	if (r == 0)
		r = manifest_hash_fd_each(fd, f->sha256, &f->size, scan_chunk, &scan, e);
	if (r == 0)
		f->whole = media_scan_end(&scan, f->broken, sizeof(f->broken)) != 0;
	if (fd >= 0)
		close(fd);
	buf_release(&path);
	return r;
}

/*
 * The video a stopped run installed is cut short: its bytes kept as
 * damaged-<t>-<name>, and the item back to what it was without it: the
 * picture the original (its second name, the poster, goes), or, when the
 * records said video already, a video still missing whose poster frame is the
 * picture (its own name goes): the export's video is taken when it comes.
 */
static int set_aside_cut_video(const struct store *s, const char *id, const char *video,
			       const char *pic, const char *poster, int recorded, json_t *sizes,
			       json_t *meta, struct export_result *res, struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT, kept = BUF_INIT, xmp = BUF_INIT;
	const char *name_goes = recorded ? pic : poster;
	json_t *missing = jobj(jobj(meta, "synced"), "missing");
	int r = buf_printf(&kept, STORE_DAMAGED_PREFIX "%lld-%s", (long long)clock_unix_now(),
			   video) < 0 || xmp_sidecar_name(pic, &xmp) < 0 ||
		store_item_path(s, STORE_MY, id, video, &from) < 0 ||
		store_item_path(s, STORE_MY, id, kept.data, &to) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	if (r == 0 && rename(from.data, to.data) < 0)
		r = fs_errno_error(e, "keep", from.data, errno);
	if (r == 0 && recorded) {
		json_object_del(sizes, "archived");
		jset_bool(meta, "original_archived", 0);
		if (missing)
			jset_str(missing, "original", "a stopped run left the video cut short (kept "
				 "as damaged-*): a later import or sync brings it");
		r = write_item_json(s, id, "sizes.json", sizes, e);
		if (r == 0)
			r = write_item_json(s, id, "metadata.json", meta, e);
	}
	/* one name of the picture goes, only while the other holds its bytes */
	buf_reset(&from);
	buf_reset(&to);
	if (r == 0 && store_item_path(s, STORE_MY, id, pic, &from) == 0 &&
	    store_item_path(s, STORE_MY, id, poster, &to) == 0 && same_inode(from.data, to.data))
		unlink(recorded ? from.data : to.data);
	buf_reset(&from);
	if (r == 0 && recorded && store_item_path(s, STORE_MY, id, xmp.data, &from) == 0)
		unlink(from.data);
	note_written(res, video);
	note_written(res, name_goes);
	if (recorded) {
		note_written(res, xmp.data);
		note_written(res, "sizes.json");
		note_written(res, "metadata.json");
	}
	if (r == 0)
		snprintf(res->why, sizeof(res->why), "the video a stopped run installed was cut "
			 "short: kept as %s, the export's video is taken when it comes", kept.data);
	buf_release(&from);
	buf_release(&to);
	buf_release(&kept);
	buf_release(&xmp);
	return r;
}

int export_item_resume(const struct store *s, const char *id, int defer,
		       struct export_result *res, struct err *e)
{
	struct buf dir = BUF_INIT, video = BUF_INIT, picture = BUF_INIT, poster = BUF_INIT;
	struct export_file f = { .tmp = FS_TMP_INIT };
	json_t *meta = NULL, *sizes = NULL;
	const char *pic = "";
	int r = 0, recorded;

	res->n_written = 0;
	if (!store_rewrite_pending(s, STORE_MY, id, NULL) ||
	    store_item_path(s, STORE_MY, id, NULL, &dir) < 0 || !fs_is_real_dir(dir.data))
		goto cleanup;
	meta = load_item_json(s, id, "metadata.json");
	sizes = load_item_json(s, id, "sizes.json");
	if (!meta || !from_export(meta) || !find_original_kind(dir.data, 1, &video))
		goto cleanup;
	/* before the records said video, the picture is the one they name; after, the
	 * picture's own name, if still there, is the one left */
	recorded = is_video_item(meta);
	if (!recorded)
		pic = picture_of(sizes, "");
	else if (find_original_kind(dir.data, 0, &picture))
		pic = picture.data;
	if (!*pic || poster_name_of(pic, &poster) < 0 ||
	    !poster_is_picture(s, id, pic, poster.data))
		goto cleanup;
	r = video_on_disk(s, id, video.data, &f, e);
	if (r == 0 && !f.whole) {
		r = set_aside_cut_video(s, id, video.data, pic, poster.data, recorded, sizes, meta,
					res, e);
		if (r == 0)
			r = end_replaced(s, id, defer, res, e);
		if (r == 0) {
			res->outcome = EXPORT_REJECTED;
			r = 1;
		}
		goto cleanup;
	}
	if (r == 0) {
		note_media(res, video.data, &f);
		r = finish_video(s, id, pic, poster.data, video.data, recorded ? NULL : &f, sizes,
				 meta, res, e);
	}
	if (r == 0)
		r = end_replaced(s, id, defer, res, e);
	if (r == 0)
		snprintf(res->why, sizeof(res->why), "the video a stopped run installed is the "
			 "original, the picture its poster frame, %s", poster.data);
	if (r == 0)
		r = 1;
cleanup:
	json_decref(meta);
	json_decref(sizes);
	buf_release(&dir);
	buf_release(&video);
	buf_release(&picture);
	buf_release(&poster);
	return r;
}

int export_item_add_video(const struct store *s, const char *id, struct export_file *f,
			  int64_t now, int defer, struct export_result *res, struct err *e)
{
	struct buf name = BUF_INIT;
	json_t *sizes = load_item_json(s, id, "sizes.json");
	json_t *meta = load_item_json(s, id, "metadata.json");
	int r = 0;

	res->n_written = 0;
	if (!meta) {
		rejected(res, "the item's metadata.json cannot be read");
		goto cleanup;
	}
	if (!sizes)
		sizes = json_object(); /* the records start from an empty one, as a picture's do */
	if (!f->is_video || !f->whole) {
		rejected(res, f->is_video ? f->broken : "the export's file is a picture, the item a "
			 "video");
		goto cleanup;
	}
	r = media_name(f, &name) < 0 ? err_set(e, FA_ENOMEM, "out of memory")
				     : store_begin_rewrite(s, STORE_MY, id, NULL, e);
	if (r == 0)
		r = install(s, id, name.data, f, e);
	if (r == 0) {
		note_media(res, name.data, f);
		if (jobj(meta, "export"))
			jset_str(jobj(meta, "export"), "file", name.data);
		r = record_replacement(s, id, sizes, meta, f, name.data, NULL, now, e);
	}
	if (r == 0)
		r = write_sidecar(s, id, name.data, meta, res, e);
	note_written(res, name.data);
	note_written(res, "sizes.json");
	note_written(res, "metadata.json");
	if (r == 0)
		r = end_replaced(s, id, defer, res, e);
	if (r == 0)
		snprintf(res->why, sizeof(res->why), "the video of an item made from its poster frame "
			 "is in, as %s", name.data);
cleanup:
	json_decref(sizes);
	json_decref(meta);
	buf_release(&name);
	return r;
}

int export_item_other(const struct store *s, const char *id, const char *media,
		      struct export_file *f, int64_t now, int defer, struct export_result *res,
		      struct err *e)
{
	res->n_written = 0;
	if (f->is_video)
		return video_over_poster(s, id, media, f, defer, res, e);
	return take_poster(s, id, f, now, defer, res, e);
}

static json_t *new_sizes(const struct export_file *f, const char *name, const json_t *photo,
			 int poster_only)
{
	json_t *sizes = json_object();

	jset_new(sizes, "size", json_array());
	jset_str(sizes, "from", EXPORT_SOURCE);
	jset_str(sizes, "source", EXPORT_SOURCE);
	if (poster_only) {
		jset_new(sizes, "poster", poster_entry(f, name));
		return sizes;
	}
	jset_new(sizes, "archived", archived_entry(f, name, f->is_video ? NULL
									  : jstr(photo, "original")));
	jset_bool(sizes, "original_available", 1);
	return sizes;
}

int export_item_create(const struct store *s, const char *id, const struct export_new_item *in,
		       struct export_file *f, int64_t now, int defer, struct export_result *res,
		       struct err *e)
{
	struct buf dir = BUF_INIT, name = BUF_INIT;
	/* a picture of a video (its poster frame) without the video: the item is the
	 * video, the picture its poster.<ext>, the video missing until it comes */
	int poster_only = !f->is_video && export_photo_is_video(in->photo);
	struct export_map_input mi = { in->photo, in->profile, in->albums, in->users,
				       f->is_video || poster_only ? "video" : "photo", NULL, now };
	json_t *doc = NULL;
	int r = store_item_path(s, STORE_MY, id, NULL, &dir);

	if (r < 0) {
		r = err_set(e, FA_EINVAL, "invalid photo id '%s'", id);
		goto cleanup;
	}
	if ((!f->is_video && !f->width) || !f->whole) {
		res->outcome = EXPORT_REJECTED;
		snprintf(res->why, sizeof(res->why), "%s", !f->whole ? f->broken
			 : "its header declares no pixel size: not a whole image");
		goto cleanup;
	}
	r = (poster_only ? buf_printf(&name, "poster.%s", f->ext) : media_name(f, &name)) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : fs_mkdirs(dir.data, 0755, e);
	mi.media_file = poster_only ? NULL : name.data;
	if (r == 0)
		r = install(s, id, name.data, f, e);
	if (r == 0)
		note_media(res, name.data, f);
	/* the records after the media: complete.flag, last, says the item is whole */
	if (r == 0)
		r = write_item_json(s, id, "sizes.json",
				    doc = new_sizes(f, name.data, in->photo, poster_only), e);
	json_decref(doc);
	if (r == 0)
		r = write_item_json(s, id, "exif.json", doc = export_map_exif(&mi), e);
	json_decref(doc);
	if (r == 0)
		r = write_item_json(s, id, "comments.json", doc = export_map_comments(&mi), e);
	json_decref(doc);
	if (r == 0)
		r = write_item_json(s, id, "favorites.json", doc = json_array(), e);
	json_decref(doc);
	if (r == 0)
		r = write_item_json(s, id, "metadata.json", doc = export_map_metadata(&mi), e);
	/* the sidecar goes beside an original: a poster frame has none */
	if (r == 0 && !poster_only)
		r = write_sidecar(s, id, name.data, doc, res, e);
	json_decref(doc);
	res->n_written = 0;
	if (r == 0 && !defer)
		r = export_item_complete(s, id, res, e);
	if (r == 0)
		res->outcome = EXPORT_CREATED;
	if (r == 0 && poster_only)
		snprintf(res->why, sizeof(res->why), "the video's poster frame, kept as %s; the "
			 "export does not hold the video (so far)", name.data);
cleanup:
	buf_release(&dir);
	buf_release(&name);
	return r;
}

/* Checks and keeps (when asked) one chunk; the first bytes also go to the header. */
static int take_chunk(struct export_file *f, struct media_scan *scan, unsigned char *header,
		      size_t *header_len, const void *data, size_t n, struct err *e)
{
	size_t room = EXPORT_MEDIA_HEADER_MAX - *header_len;

	media_scan_feed(scan, data, n);
	if (room) {
		memcpy(header + *header_len, data, n < room ? n : room);
		*header_len += n < room ? n : room;
	}
	f->size += n;
	return f->tmp.fd >= 0 ? fs_tmp_write(&f->tmp, data, n, e) : 0;
}

int export_file_read(struct export_file *f, const struct export_member *m,
		     struct export_stream *s, const char *tmp_beside, struct err *e)
{
	unsigned char *header = malloc(EXPORT_MEDIA_HEADER_MAX);
	struct media_scan scan;
	const void *chunk;
	size_t header_len = 0, n;
	int r = 0;

	f->size = 0;
	f->member = m->name;
	if (!header) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	media_scan_init(&scan, f->ext);
	if (tmp_beside)
		r = fs_tmp_open(&f->tmp, tmp_beside, 0644, e);
	if (r == 0)
		r = take_chunk(f, &scan, header, &header_len, m->head, m->head_len, e);
	/* written from where the stream has the bytes: a copy less */
	while (r == 0 && (r = export_stream_read_block(s, &chunk, &n, e)) == 0 && n > 0)
		r = take_chunk(f, &scan, header, &header_len, chunk, n, e);
	if (r == 0)
		f->whole = media_scan_end(&scan, f->broken, sizeof(f->broken));
	if (r == 0)
		fs_tmp_start_writeback(&f->tmp);
	/* hashed as it was read (by the thread that reads ahead, when there is one) */
	if (r == 0 && export_stream_sha256(s, f->sha256) < 0)
		r = err_set(e, FA_EINVAL, "the member was not read to its end");
	if (r == 0 && !export_media_dims(header, header_len, &f->width, &f->height))
		f->width = f->height = 0;
	if (r < 0)
		fs_tmp_abort(&f->tmp);
cleanup:
	free(header);
	return r;
}
