/* photo.c: one item's API calls, downloads and files, in crash-safe order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "clock.h"
#include "exif.h"
#include "fsutil.h"
#include "log.h"
#include "media.h"
#include "photo.h"
#include "record.h"

#define MAX_MEDIA_BYTES (16LL * 1024 * 1024 * 1024)
#define FAVES_PER_PAGE 50

struct job {
	struct photo_ctx *ctx;
	struct photo_result *res;
	enum store_kind kind;
	const char *id;
	const char *secret;
	const json_t *listing;
	struct buf dir;
	struct buf path;
	json_t *info_doc;   /* photos.getInfo response */
	json_t *sizes_doc;  /* photos.getSizes response, when called */
	json_t *sizes_out;  /* sizes.json being built */
	struct buf media_name;
	int media_is_original;
	long long count_faves;
};

static const char *item_path(struct job *j, const char *file)
{
	buf_reset(&j->path);
	buf_printf(&j->path, "%s/%s", j->dir.data, file);
	return j->path.data;
}

static int call_for_photo(struct job *j, const char *method, int with_secret,
			  json_t **ret, struct err *e)
{
	const char *args[] = { "photo_id", j->id, NULL, NULL, NULL };

	if (with_secret && j->secret) {
		args[2] = "secret";
		args[3] = j->secret;
	}
	return flickr_call(j->ctx->fc, method, args, ret, e);
}

static int fetch_sizes(struct job *j, struct err *e)
{
	if (j->sizes_doc)
		return 0;
	return call_for_photo(j, "flickr.photos.getSizes", 0, &j->sizes_doc, e);
}

/* Retries transient failures (network, 429, 5xx) with the backoff policy. */
static int fetch_into(struct photo_ctx *ctx, const char *url, struct fs_tmp *tmp,
		      struct http_response *res, struct err *e)
{
	char shown[512];

	http_redact_url(url, shown, sizeof(shown));
	for (int attempt = 0;; attempt++) {
		unsigned char rnd;
		int r;

		if (ftruncate(tmp->fd, 0) < 0 || lseek(tmp->fd, 0, SEEK_SET) < 0)
			return fs_errno_error(e, "write", tmp->tmp_path, errno);
		r = http_download(ctx->http, url, tmp->fd, MAX_MEDIA_BYTES, res, e);
		if (r == 0 && res->status >= 200 && res->status < 300) {
			if (res->content_length >= 0 && res->bytes != res->content_length) {
				r = err_set(e, FA_ENET, "'%s': got %lld of %lld bytes", shown,
					    (long long)res->bytes, (long long)res->content_length);
				res->transient = 1;
			} else if (res->bytes == 0) {
				return err_set(e, FA_EPARSE, "'%s': empty file", shown);
			} else {
				return 0;
			}
		} else if (r == 0) {
			r = err_set(e, FA_EHTTP, "'%s': HTTP %ld", shown, res->status);
			if (e)
				e->http_status = (int)res->status;
			res->transient = retry_http_status(res->status);
		}
		if (r != FA_ENET && r != FA_EHTTP)
			return r;
		if (!res->transient || attempt >= ctx->retry.max_retries)
			return r;
		clock_random_bytes(&rnd, 1);
		if (clock_sleep_ms(retry_delay_ms(&ctx->retry, attempt + 1, res->retry_after_ms,
						  rnd / 256.0)) < 0)
			return err_set(e, FA_EINTR, "interrupted");
	}
}

/*
 * Downloads url into dir as "<stem>.<ext>", the extension taken from what the
 * server sent; ret_name gets the file name.
 */
static int download(struct photo_ctx *ctx, const char *url, const char *dir,
		    const char *stem, const char *hint, struct buf *ret_name, struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	struct buf target = BUF_INIT;
	struct http_response res;
	unsigned char head[16];
	ssize_t head_len;
	const char *ext;
	char shown[512];
	int r;

	http_redact_url(url, shown, sizeof(shown));
	msg_debug("download '%s'", shown);
	if (buf_printf(&target, "%s/%s", dir, stem) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_tmp_open(&tmp, target.data, 0644, e);
	if (r < 0)
		goto cleanup;
	r = fetch_into(ctx, url, &tmp, &res, e);
	if (r < 0)
		goto cleanup;
	head_len = pread(tmp.fd, head, sizeof(head), 0);
	if (head_len < 0)
		head_len = 0;
	if (media_is_page(res.content_type, head, (size_t)head_len)) {
		r = err_set(e, FA_EPARSE, "'%s' answered with a web page (%s), not a media file",
			    shown, res.content_type[0] ? res.content_type : "no Content-Type");
		goto cleanup;
	}
	ext = media_ext_for(res.content_type, res.filename, url, head, (size_t)head_len, hint);
	if (!ext) {
		r = err_set(e, FA_EPARSE, "cannot tell the file type of '%s' (Content-Type '%s')",
			    shown, res.content_type);
		goto cleanup;
	}
	buf_reset(&target);
	buf_printf(&target, "%s/%s.%s", dir, stem, ext);
	r = fs_tmp_commit(&tmp, target.data, e);
	if (r == 0) {
		buf_reset(ret_name);
		buf_printf(ret_name, "%s.%s", stem, ext);
	}
cleanup:
	fs_tmp_abort(&tmp);
	buf_release(&target);
	return r;
}

static json_t *archived_entry(const char *file, const struct media_source *m)
{
	json_t *a = json_object();

	jset_str(a, "file", file);
	jset_str(a, "label", m->label);
	if (m->width > 0)
		jset_int(a, "width", m->width);
	if (m->height > 0)
		jset_int(a, "height", m->height);
	jset_str(a, "source", m->url);
	jset_bool(a, "original", m->is_original);
	return a;
}

/* sizes.json keeps Flickr's getSizes object (canblog, ..., size[]) or the listing's sizes. */
static void start_sizes_out(struct job *j)
{
	const json_t *sizes = jobj(j->sizes_doc, "sizes");

	j->sizes_out = sizes ? json_deep_copy(sizes) : json_object();
	if (!sizes) {
		jset_new(j->sizes_out, "size", media_sizes_from_listing(j->listing));
		jset_str(j->sizes_out, "from", "listing extras");
	}
}

/* An earlier run's record of the media already in place, if it names that file. */
static json_t *earlier_archived(struct job *j, const char *key, const char *file)
{
	json_t *old = NULL, *a;

	if (json_load_path(item_path(j, "sizes.json"), &old, NULL) < 0)
		return NULL;
	a = json_object_get(old, key);
	if (a && jstr(a, "file") && !strcmp(jstr(a, "file"), file))
		json_incref(a);
	else
		a = NULL;
	json_decref(old);
	return a;
}

static void note_not_original(struct job *j, const struct media_source *m)
{
	const char *why = j->kind == STORE_FAV
		? "the owner does not allow downloading the original"
		: "Flickr did not offer the original (free accounts have no access to "
		  "originals over 1024 px since May 2025)";
	char text[384];

	snprintf(text, sizeof(text), "%s; archived the largest size offered (%s)", why,
		 m->label);
	jset_str(j->sizes_out, "reason", text);
	j->res->original_missing = 1;
	snprintf(j->res->note, sizeof(j->res->note), "original not available, archived %s",
		 m->label);
}

static int archive_photo_media(struct job *j, struct err *e)
{
	struct media_source m = { 0 };
	const char *hint = jstr(j->listing, "originalformat");
	int found, r = 0;

	found = media_pick_from_listing(j->listing, &m);
	if (found == 0) {
		r = fetch_sizes(j, e);
		if (r < 0)
			return r;
		found = media_pick_from_sizes(j->sizes_doc, &m);
	}
	if (found < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (found == 0)
		return err_set(e, FA_EPARSE, "Flickr lists no downloadable size");
	start_sizes_out(j);
	if (store_find_media(j->dir.data, "original", &j->media_name)) {
		json_t *a = earlier_archived(j, "archived", j->media_name.data);

		jset_new(j->sizes_out, "archived", a ? a : archived_entry(j->media_name.data, &m));
		j->media_is_original = jflag(json_object_get(j->sizes_out, "archived"), "original", 0);
		goto cleanup;
	}
	r = download(j->ctx, m.url, j->dir.data, "original", m.is_original ? hint : NULL,
		     &j->media_name, e);
	if (r < 0)
		goto cleanup;
	j->res->downloaded++;
	j->media_is_original = m.is_original;
	jset_new(j->sizes_out, "archived", archived_entry(j->media_name.data, &m));
cleanup:
	if (r == 0) {
		jset_bool(j->sizes_out, "original_available", j->media_is_original);
		if (!j->media_is_original)
			note_not_original(j, &m);
	}
	media_source_release(&m);
	return r;
}

static int archive_poster(struct job *j, struct err *e)
{
	struct media_source m = { 0 };
	struct buf name = BUF_INIT;
	int found, r = 0;

	if (store_find_media(j->dir.data, "poster", &name)) {
		json_t *a = earlier_archived(j, "poster", name.data);

		if (a) {
			jset_new(j->sizes_out, "poster", a);
			goto cleanup;
		}
		/* a run killed before sizes.json left no record of it: fetch it again */
	}
	found = media_pick_from_sizes(j->sizes_doc, &m);
	if (found == 0)
		found = media_pick_from_listing(j->listing, &m);
	if (found <= 0) {
		r = found < 0 ? err_set(e, FA_ENOMEM, "out of memory")
			      : err_set(e, FA_EPARSE, "no poster frame offered for the video");
		goto cleanup;
	}
	r = download(j->ctx, m.url, j->dir.data, "poster", "jpg", &name, e);
	if (r == 0) {
		j->res->downloaded++;
		jset_new(j->sizes_out, "poster", archived_entry(name.data, &m));
	}
cleanup:
	media_source_release(&m);
	buf_release(&name);
	return r;
}

/* Tries candidates best first; records each failure in attempts. */
static int try_video_candidates(struct job *j, struct media_source *c, size_t n,
				json_t *attempts, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct err one = { 0 };
		int r = download(j->ctx, c[i].url, j->dir.data, "original", NULL,
				 &j->media_name, &one);
		json_t *a;

		if (r == 0) {
			j->res->downloaded++;
			j->media_is_original = c[i].is_original;
			jset_new(j->sizes_out, "archived", archived_entry(j->media_name.data, &c[i]));
			return 0;
		}
		if (err_is_fatal(r) || r == FA_EIO) {
			if (e)
				*e = one;
			return r;
		}
		a = json_object();
		jset_str(a, "label", c[i].label);
		jset_str(a, "source", c[i].url);
		jset_str(a, "error", one.msg);
		json_array_append_new(attempts, a);
	}
	return FA_ENOTFOUND;
}

static int archive_video_media(struct job *j, struct err *e)
{
	struct media_source *c = NULL;
	size_t n = 0;
	json_t *streams = NULL, *attempts = json_array();
	int r;

	r = fetch_sizes(j, e);
	if (r < 0)
		goto cleanup;
	start_sizes_out(j);
	r = archive_poster(j, e);
	if (r < 0)
		goto cleanup;
	if (store_find_media(j->dir.data, "original", &j->media_name)) {
		json_t *a = earlier_archived(j, "archived", j->media_name.data);

		if (a) {
			j->media_is_original = jflag(a, "original", 0);
			jset_new(j->sizes_out, "archived", a);
			goto cleanup;
		}
		/* which stream it is went unrecorded (killed before sizes.json): fetch again */
	}
	if (media_video_candidates(j->sizes_doc, NULL, &c, &n) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = try_video_candidates(j, c, n, attempts, e);
	if (r != FA_ENOTFOUND)
		goto cleanup;
	/* getSizes offered nothing we could fetch: ask for the streams */
	media_sources_free(c, n);
	c = NULL;
	n = 0;
	r = call_for_photo(j, "flickr.video.getStreamInfo", 1, &streams, e);
	if (r == 0 && media_video_candidates(NULL, streams, &c, &n) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = try_video_candidates(j, c, n, attempts, e);
	if (r == FA_ENOTFOUND || (r == FA_EAPI)) {
		jset_new(j->sizes_out, "video_attempts", json_incref(attempts));
		r = err_set(e, FA_ENOTFOUND, "no video file could be downloaded (%zu tried%s%s)",
			    json_array_size(attempts), json_array_size(attempts) ? ": " : "",
			    json_array_size(attempts)
				? jstr(json_array_get(attempts, 0), "error") : "");
	}
cleanup:
	if (json_array_size(attempts) && j->sizes_out)
		jset_new(j->sizes_out, "video_attempts", json_incref(attempts));
	if (r == 0 && j->sizes_out)
		jset_bool(j->sizes_out, "original_available", j->media_is_original);
	json_decref(attempts);
	json_decref(streams);
	media_sources_free(c, n);
	return r;
}

static int write_json(struct job *j, const char *file, json_t *doc, struct err *e)
{
	int r;

	if (!doc)
		return err_set(e, FA_ENOMEM, "out of memory building %s", file);
	r = json_write_atomic(item_path(j, file), doc, e);
	json_decref(doc);
	return r;
}

static int archive_comments(struct job *j, struct err *e)
{
	const json_t *info = jobj(j->info_doc, "photo");
	long long count = -1;
	json_t *resp = NULL, *out;
	int r;

	if (!jint(jobj(info, "comments"), "_content", &count))
		jint(j->listing, "count_comments", &count);
	if (count == 0)
		return write_json(j, "comments.json", json_array(), e);
	r = call_for_photo(j, "flickr.photos.comments.getList", 0, &resp, e);
	if (r < 0)
		return r;
	out = record_comments(resp);
	json_decref(resp);
	return write_json(j, "comments.json", out, e);
}

struct fave_collect {
	json_t *list;
	long total;
};

static int collect_fave(void *ud, json_t *person, const struct flickr_page *pg)
{
	struct fave_collect *fc = ud;
	json_t *f = record_fave(person);

	fc->total = pg->total;
	if (!f || json_array_append_new(fc->list, f) < 0)
		return FA_ENOMEM;
	return 0;
}

static int archive_faves(struct job *j, struct err *e)
{
	const char *args[] = { "photo_id", j->id, NULL };
	struct fave_collect fc = { json_array(), 0 };
	long long count = -1;
	int r;

	if (jint(j->listing, "count_faves", &count) && count == 0) {
		j->count_faves = 0;
		return write_json(j, "favorites.json", fc.list, e);
	}
	r = flickr_paginate(j->ctx->fc, "flickr.photos.getFavorites", args, "photo", "person",
			    FAVES_PER_PAGE, collect_fave, &fc, e);
	if (r < 0) {
		json_decref(fc.list);
		return r;
	}
	j->count_faves = (long long)json_array_size(fc.list);
	if (fc.total > j->count_faves)
		j->count_faves = fc.total;
	return write_json(j, "favorites.json", fc.list, e);
}

/* EXIF from the archived original when there is one, else from Flickr. */
static int archive_exif(struct job *j, struct err *e)
{
	json_t *doc = NULL, *resp = NULL;
	struct err one = { 0 };
	int r;

	if (j->media_is_original && j->media_name.len) {
		r = exif_from_file(item_path(j, j->media_name.data), j->media_name.data, &doc, &one);
		if (r == 0)
			return write_json(j, "exif.json", doc, e);
		if (r == FA_ENOTFOUND) {
			/* getExif reads this same file: asking would only cost a call */
			doc = json_object();
			jset_str(doc, "source", "original-file");
			jset_str(doc, "file", j->media_name.data);
			jset_str(doc, "camera", "");
			jset_str(doc, "note", "the original file carries no EXIF");
			jset_new(doc, "exif", json_array());
			return write_json(j, "exif.json", doc, e);
		}
	}
	r = call_for_photo(j, "flickr.photos.getExif", 1, &resp, &one);
	if (r == 0) {
		doc = exif_from_flickr(resp);
		json_decref(resp);
		return write_json(j, "exif.json", doc, e);
	}
	if (err_is_fatal(r) || r == FA_ENET || r == FA_ERATELIMIT) {
		if (e)
			*e = one;
		return r;
	}
	/* optional: hidden by the owner (error 2) or otherwise refused */
	doc = json_object();
	jset_str(doc, "source", "flickr.photos.getExif");
	if (one.api_code == 2)
		jset_bool(doc, "hidden", 1);
	jset_str(doc, "unavailable", one.msg);
	jset_new(doc, "exif", json_array());
	return write_json(j, "exif.json", doc, e);
}

/* People tagged: optional page data, so a refusal is noted, not fatal. */
static int fetch_people(struct job *j, json_t **ret, struct err *e)
{
	const json_t *info = jobj(j->info_doc, "photo");
	struct err one = { 0 };
	int r;

	*ret = NULL;
	if (!jflag(jobj(info, "people"), "haspeople", false))
		return 0;
	r = call_for_photo(j, "flickr.photos.people.getList", 0, ret, &one);
	if (r == FA_EAPI || r == FA_EPARSE) {
		snprintf(j->res->note, sizeof(j->res->note), "people tagged not available: %.200s",
			 one.msg);
		return 0;
	}
	if (r < 0 && e)
		*e = one;
	return r;
}

static int archive_media(struct job *j, struct err *e)
{
	const char *media = jstr(jobj(j->info_doc, "photo"), "media");

	if (!media)
		media = jstr(j->listing, "media");
	if (media && !strcmp(media, "video"))
		return archive_video_media(j, e);
	return archive_photo_media(j, e);
}

static int write_metadata(struct job *j, const json_t *albums, const json_t *people,
			  struct err *e)
{
	struct record_input in = {
		.kind = j->kind,
		.listing = j->listing,
		.info = jobj(j->info_doc, "photo"),
		.albums = albums,
		.people = people,
		.count_faves = j->count_faves,
		.archived_at = j->ctx->now,
	};

	return write_json(j, "metadata.json", record_metadata(&in), e);
}

int photo_archive(struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		  const json_t *albums, struct photo_result *res, struct err *e)
{
	struct job j = {
		.ctx = ctx, .res = res, .kind = kind, .listing = listing,
		.dir = BUF_INIT, .path = BUF_INIT, .media_name = BUF_INIT, .count_faves = -1,
	};
	json_t *people = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	j.id = jstr(listing, "id");
	j.secret = jstr(listing, "secret");
	if (!store_valid_id(j.id))
		return err_set(e, FA_EPARSE, "photo id '%.40s' is not a Flickr id",
			       j.id ? j.id : "(none)");
	r = store_item_path(ctx->store, kind, j.id, NULL, &j.dir);
	if (r == 0)
		r = fs_mkdirs(j.dir.data, 0755, e);
	if (r == 0)
		r = call_for_photo(&j, "flickr.photos.getInfo", 1, &j.info_doc, e);
	if (r == FA_EAPI && e && e->api_code == 1)
		res->gone = 1;
	if (r == 0)
		r = archive_media(&j, e);
	if (r == 0)
		r = archive_comments(&j, e);
	if (r == 0)
		r = archive_faves(&j, e);
	if (r == 0)
		r = fetch_people(&j, &people, e);
	if (r == 0)
		r = archive_exif(&j, e);
	if (r == 0)
		r = write_json(&j, "sizes.json", json_incref(j.sizes_out), e);
	if (r == 0)
		r = write_metadata(&j, albums, people, e);
	if (r == 0)
		r = store_mark_complete(ctx->store, kind, j.id, e);
	if (r < 0 && j.sizes_out && j.dir.len && r != FA_ENOSPC) {
		/* keep what was learnt about failed attempts for the next run */
		json_write_atomic(item_path(&j, "sizes.json"), j.sizes_out, NULL);
	}
	json_decref(people);
	json_decref(j.info_doc);
	json_decref(j.sizes_doc);
	json_decref(j.sizes_out);
	buf_release(&j.dir);
	buf_release(&j.path);
	buf_release(&j.media_name);
	return r;
}
