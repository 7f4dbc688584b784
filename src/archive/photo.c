/* photo.c: one item's API calls and records, in crash-safe order (its media: photo_media.c). */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damage.h"
#include "exif.h"
#include "fsutil.h"
#include "ledger.h"
#include "merge.h"
#include "photo_internal.h"
#include "photo_update.h"
#include "record.h"

#define FAVES_PER_PAGE 50

/*
 * The path of a file of the item's folder.  It cannot run out of memory:
 * job_open() reserved room for any file name there (NAME_MAX); were it to
 * fail, "" names no file and the call that uses it fails.
 */
const char *job_path(struct job *j, const char *file)
{
	buf_reset(&j->path);
	if (buf_printf(&j->path, "%s/%s", j->dir.data, file) < 0)
		buf_reset(&j->path);
	return buf_cstr(&j->path);
}

/* Damaged: by the item's manifest (ctx->damaged), or found not to be valid JSON. */
int job_is_damaged(const struct job *j, const char *name)
{
	return damage_has(j->ctx->damaged, name) || damage_has(&j->bad_json, name);
}

/*
 * The archived record file, or NULL (absent, damaged, not valid JSON, or not
 * of the type wanted).  One that is not valid JSON is damage, found here:
 * fetched again, and kept aside first like the damage a manifest tells.
 */
static json_t *load_record_file(struct job *j, const char *file, int want_array)
{
	json_t *doc = NULL;
	int r;

	if (job_is_damaged(j, file))
		return NULL;
	r = json_load_path(job_path(j, file), &doc, NULL);
	if (r == FA_EPARSE && damage_add(&j->bad_json, file, DAMAGE_CHANGED) == 0 &&
	    !j->res->bad_json[0])
		snprintf(j->res->bad_json, sizeof(j->res->bad_json), "%s", file);
	if (r == 0 && (want_array ? json_is_array(doc) : json_is_object(doc)))
		return doc;
	json_decref(doc);
	return NULL;
}

/* Records that the job wrote (or removed) name: its manifest line follows. */
void job_note_written(struct job *j, const char *name)
{
	char *copy;

	for (size_t i = 0; i < j->n_written; i++)
		if (!strcmp(j->written[i], name))
			return;
	if (j->n_written == JOB_WRITTEN_MAX || !(copy = strdup(name)))
		return; /* the manifest then keeps the old digest: verify will say so */
	j->written_own[j->n_written] = copy;
	j->written[j->n_written++] = copy;
	j->written[j->n_written] = NULL;
}

/* A damaged file about to be replaced is kept aside first (damaged-<t>-<name>). */
static int keep_damaged(struct job *j, const char *name, struct err *e)
{
	struct buf kept = BUF_INIT;
	int r = 0;

	if (job_is_damaged(j, name)) {
		r = damage_keep_copy(j->dir.data, name, (long long)j->ctx->now, &kept, e);
		if (r == 0)
			snprintf(j->res->note, sizeof(j->res->note),
				 "repaired the damaged %.60s from Flickr (the damaged copy is kept "
				 "as %.100s)", name, kept.data);
		j->res->repaired += r == 0;
	}
	buf_release(&kept);
	return r;
}

/* The media file's sidecar, from the metadata just written; a damaged one kept aside first. */
static int archive_sidecar(struct job *j, const json_t *meta, struct err *e)
{
	struct sidecar sc = SIDECAR_INIT;
	int r;

	if (!j->media_name.len)
		return 0;
	r = sidecar_prepare(&sc, j->dir.data, j->media_name.data, meta, e);
	if (r == 0 && job_is_damaged(j, sc.name.data)) {
		sc.due = 1;
		r = keep_damaged(j, sc.name.data, e);
	}
	if (r == 0)
		r = sidecar_write(&sc, e);
	if (r == 0 && sc.due)
		job_note_written(j, sc.name.data);
	sidecar_release(&sc);
	return r;
}

int job_call(struct job *j, const char *method, int with_secret,
			  json_t **ret, struct err *e)
{
	const char *args[] = { "photo_id", j->id, NULL, NULL, NULL };

	if (with_secret && j->secret) {
		args[2] = "secret";
		args[3] = j->secret;
	}
	return flickr_call(j->ctx->fc, method, args, ret, e);
}

int job_fetch_sizes(struct job *j, struct err *e)
{
	if (j->sizes_doc)
		return 0;
	return job_call(j, "flickr.photos.getSizes", 0, &j->sizes_doc, e);
}

int job_write_json(struct job *j, const char *file, json_t *doc, struct err *e)
{
	int r;

	if (!doc)
		return err_set(e, FA_ENOMEM, "out of memory building %s", file);
	r = keep_damaged(j, file, e);
	if (r == 0)
		r = json_write_atomic(job_path(j, file), doc, e);
	if (r == 0)
		job_note_written(j, file);
	json_decref(doc);
	return r;
}

/* metadata.json "synced"."missing": a part Flickr refused this time, fetched again next run. */
int job_note_missing(struct job *j, const char *part, const char *why)
{
	json_t *missing = jobj(j->synced, "missing");
	size_t len = strlen(j->res->missing);

	if (!missing) {
		missing = json_object();
		if (jset_new(j->synced, "missing", missing) < 0)
			return FA_ENOMEM;
	}
	if (jset_str(missing, part, why) < 0)
		return FA_ENOMEM;
	snprintf(j->res->missing + len, sizeof(j->res->missing) - len, "%s%s", len ? ", " : "",
		 part);
	return 0;
}

/* Whether an earlier run left part missing (then its count does not excuse a fetch). */
int job_was_missing(const struct job *j, const char *part)
{
	return json_object_get(jobj(jobj(j->old_meta, "synced"), "missing"), part) != NULL;
}

/* When part ("comments", "favorites", "info") was last fetched, for marking what vanished. */
static int64_t last_fetched(struct job *j, const char *part, const char *file)
{
	struct stat st;
	long long t;

	if (jint(jobj(j->old_meta, "synced"), part, &t) && t > 0)
		return t;
	/* archives from before "synced" (or the original tool): the file's own time */
	if (stat(job_path(j, file), &st) == 0)
		return (int64_t)st.st_mtime;
	return 0;
}

/* An earlier run's list, if its count still matches (so it need not be fetched). */
static json_t *earlier_list(struct job *j, const char *file)
{
	/* a damaged list is no record: it is fetched again whole */
	return load_record_file(j, file, 1);
}

/* Writes Flickr's current list merged with the archived one; stamps synced[part]. */
static int write_merged(struct job *j, const char *file, const char *part, json_t *old,
			json_t *fresh, const struct merge_spec *spec, struct err *e)
{
	json_t *merged = merge_list(old, fresh, spec, last_fetched(j, part, file), j->ctx->now);

	jset_int(j->synced, part, j->ctx->now);
	return job_write_json(j, file, merged, e);
}

/* The archived list is still current: same count, and Flickr says nothing changed. */
static int list_unchanged(struct job *j, const json_t *old, const char *count_key,
			  long long count, int check_update)
{
	long long was;

	if (!old || count < 0 || j->ctx->refetch_all || !jint(j->old_meta, count_key, &was) ||
	    was != count)
		return 0;
	/* the last fetch gave fewer than the count (see photo_listed_snapshot): asked again */
	if (jobj(j->old_meta, "listed") && json_object_get(j->listing, count_key) &&
	    !json_object_get(jobj(j->old_meta, "listed"), count_key))
		return 0;
	return !check_update || photo_same_update(j->old_meta, j->listing);
}

/* Entries of list, those with the same key counted once (those without it each). */
static long count_unique(const json_t *list, const char *key)
{
	struct id_set seen = ID_SET_INIT;
	long without = 0, n;

	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *v = jstr(json_array_get(list, i), key);

		without += !v;
		if (v && id_set_add(&seen, v) < 0)
			break;
	}
	n = (long)seen.n + without;
	id_set_release(&seen);
	return n;
}

/*
 * The comments, asked for once more when fewer come than Flickr counts.  Not
 * a retry: the first answer came (a failed call is retried inside job_call,
 * by retry_run), and the fuller of the two is kept.
 */
static int fetch_comments(struct job *j, long long count, json_t **ret, struct err *e)
{
	json_t *best = NULL;
	int r = 0;

	for (int attempt = 0; r == 0 && attempt < 2; attempt++) {
		json_t *resp = NULL, *list;

		if (best && count_unique(best, "id") >= count)
			break;
		r = job_call(j, "flickr.photos.comments.getList", 0, &resp, e);
		if (r < 0 && best && !err_is_fatal(r)) {
			r = 0; /* a second try that fails leaves what the first one gave */
			break;
		}
		list = r == 0 ? record_comments(resp) : NULL;
		json_decref(resp);
		if (r == 0 && !list)
			r = err_set(e, FA_ENOMEM, "out of memory");
		if (list && (!best || count_unique(list, "id") > count_unique(best, "id"))) {
			json_decref(best);
			best = list;
		} else {
			json_decref(list);
		}
	}
	if (r < 0) {
		json_decref(best);
		return r;
	}
	j->res->comments.expected = (long)count;
	j->res->comments.got = count_unique(best, "id");
	*ret = best;
	return 0;
}

/*
 * A part's call failed with r (the reason in e): a refusal (Flickr answered
 * "not found" for a photo it has just listed: snarfed/bridgy#1678) leaves the
 * part missing, its archived file and last fetch as they were, and the item
 * complete; a fatal or network error stays the item's.
 */
static int part_refused(struct job *j, const char *part, int r, struct err *e)
{
	if (err_is_fatal(r) || r == FA_ENET || r == FA_ERATELIMIT || r == FA_EIO)
		return r;
	jcopy(j->synced, part, jobj(j->old_meta, "synced"), part);
	return job_note_missing(j, part, e ? e->msg : fa_strerror(r));
}

static int archive_comments(struct job *j, struct err *e)
{
	const json_t *info = jobj(j->info_doc, "photo");
	long long count = -1;
	json_t *old = earlier_list(j, "comments.json"), *fresh = NULL;
	int r = 0;

	if (!jint(jobj(info, "comments"), "_content", &count))
		jint(j->listing, "count_comments", &count);
	/* lastupdate moves with every new or edited comment */
	if (list_unchanged(j, old, "count_comments", count, 1) && !job_was_missing(j, "comments")) {
		jcopy(j->synced, "comments", jobj(j->old_meta, "synced"), "comments");
		goto cleanup;
	}
	if (count != 0)
		r = fetch_comments(j, count, &fresh, e);
	else
		fresh = json_array();
	if (r < 0) {
		r = part_refused(j, "comments", r, e);
		goto cleanup;
	}
	r = write_merged(j, "comments.json", "comments", old, fresh, &MERGE_COMMENTS, e);
cleanup:
	json_decref(fresh);
	json_decref(old);
	return r;
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

/* Every page of faves, asked for once more when fewer come than Flickr counts (as the comments). */
static int fetch_faves(struct job *j, long long count, struct fave_collect *ret, struct err *e)
{
	const char *args[] = { "photo_id", j->id, NULL };
	int r = 0;

	for (int attempt = 0; r == 0 && attempt < 2; attempt++) {
		struct fave_collect again = { json_array(), 0 };
		long expected = (long)(count > ret->total ? count : ret->total);

		if (attempt && count_unique(ret->list, "nsid") >= expected) {
			json_decref(again.list);
			break;
		}
		r = again.list ? flickr_paginate(j->ctx->fc, "flickr.photos.getFavorites", args,
						 "photo", "person", FAVES_PER_PAGE, collect_fave,
						 &again, NULL, e)
			       : err_set(e, FA_ENOMEM, "out of memory");
		if (r < 0 && attempt && !err_is_fatal(r)) {
			json_decref(again.list);
			r = 0; /* a second try that fails leaves what the first one gave */
			break;
		}
		if (r == 0 && (!attempt || count_unique(again.list, "nsid") >
					      count_unique(ret->list, "nsid"))) {
			json_decref(ret->list);
			*ret = again;
		} else {
			json_decref(again.list);
		}
	}
	j->res->faves.expected = (long)(count > ret->total ? count : ret->total);
	j->res->faves.got = count_unique(ret->list, "nsid");
	return r;
}

static int archive_faves(struct job *j, struct err *e)
{
	struct fave_collect fc = { json_array(), 0 };
	json_t *old = earlier_list(j, "favorites.json");
	long long count = -1;
	int r = 0;

	jint(j->listing, "count_faves", &count);
	if (list_unchanged(j, old, "count_faves", count, 0) && !job_was_missing(j, "favorites")) {
		j->count_faves = count;
		jcopy(j->synced, "favorites", jobj(j->old_meta, "synced"), "favorites");
		goto cleanup;
	}
	if (count != 0)
		r = fetch_faves(j, count, &fc, e);
	if (r < 0) {
		/* a refused part is reported as missing, not as a short list */
		j->res->faves.expected = j->res->faves.got = 0;
		/* the fave count stays the one the archived list was fetched with */
		if (!err_is_fatal(r))
			jint(j->old_meta, "count_faves", &j->count_faves);
		r = part_refused(j, "favorites", r, e);
		goto cleanup;
	}
	j->count_faves = (long long)json_array_size(fc.list);
	if (fc.total > j->count_faves)
		j->count_faves = fc.total;
	r = write_merged(j, "favorites.json", "favorites", old, fc.list, &MERGE_FAVES, e);
cleanup:
	json_decref(old);
	json_decref(fc.list);
	return r;
}

/* EXIF from the archived original when there is one, else from Flickr. */
static int archive_exif(struct job *j, struct err *e)
{
	json_t *doc = NULL, *resp = NULL;
	struct err one = { 0 };
	int r;

	if (!j->media_fetched && fs_exists(job_path(j, "exif.json")) &&
	    !job_is_damaged(j, "exif.json") && !job_was_missing(j, "exif"))
		return 0; /* EXIF does not change while the file stays the same */
	if (j->media_is_original && j->media_name.len) {
		r = exif_from_file(job_path(j, j->media_name.data), j->media_name.data, &doc, &one);
		if (r == 0)
			return job_write_json(j, "exif.json", doc, e);
		if (r == FA_ENOTFOUND) {
			/* getExif reads this same file: asking would only cost a call */
			doc = json_object();
			jset_str(doc, "source", "original-file");
			jset_str(doc, "file", j->media_name.data);
			jset_str(doc, "camera", "");
			jset_str(doc, "note", "the original file carries no EXIF");
			jset_new(doc, "exif", json_array());
			return job_write_json(j, "exif.json", doc, e);
		}
	}
	r = job_call(j, "flickr.photos.getExif", 1, &resp, &one);
	if (r == 0) {
		doc = exif_from_flickr(resp);
		json_decref(resp);
		return job_write_json(j, "exif.json", doc, e);
	}
	if (err_is_fatal(r) || r == FA_ENET || r == FA_ERATELIMIT) {
		if (e)
			*e = one;
		return r;
	}
	/* hidden by the owner (error 2) is an answer; any other refusal is asked again */
	if (one.api_code != 2)
		return part_refused(j, "exif", r, &one);
	doc = json_object();
	jset_str(doc, "source", "flickr.photos.getExif");
	jset_bool(doc, "hidden", 1);
	jset_str(doc, "unavailable", one.msg);
	jset_new(doc, "exif", json_array());
	return job_write_json(j, "exif.json", doc, e);
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
	r = job_call(j, "flickr.photos.people.getList", 0, ret, &one);
	if (r == FA_EAPI || r == FA_EPARSE || r == FA_EHTTP) {
		snprintf(j->res->note, sizeof(j->res->note), "people tagged not available: %.200s",
			 one.msg);
		j->people_refused = 1;
		/* "permission denied" (2) is an answer; "not found" of a listed photo is not */
		return r == FA_EAPI && one.api_code == 2 ? 0 : part_refused(j, "people", r, &one);
	}
	if (r < 0 && e)
		*e = one;
	return r;
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
	json_t *m = record_metadata(&in);
	int r;

	jset_int(j->synced, "info", j->ctx->now);
	jset_bool(m, "original_archived", j->media_is_original);
	jset_new(m, "listed", photo_listed_snapshot(j->listing, j->res));
	/* refused: what was known stands; never known and asked again, nothing is
	 * claimed (not even []) */
	if (j->people_refused && json_object_get(j->old_meta, "people"))
		json_object_set(m, "people", json_object_get(j->old_meta, "people"));
	else if (json_object_get(jobj(j->synced, "missing"), "people"))
		json_object_del(m, "people");
	if (m && j->kind == STORE_MY && j->ctx->item_groups) {
		/* the groups whose pool holds it: written with the rest, never a step behind */
		const json_t *groups = json_object_get(j->ctx->item_groups, j->id);

		if (json_array_size(groups) || json_object_get(j->old_meta, "groups"))
			json_object_set_new(m, "groups", groups ? json_deep_copy(groups) : json_array());
	}
	if (m && (jset_new(m, "synced", json_incref(j->synced)) < 0 ||
		  merge_metadata(m, j->old_meta, j->ctx->now) < 0)) {
		json_decref(m);
		m = NULL;
	}
	r = job_write_json(j, "metadata.json", json_incref(m), e);
	if (r == 0)
		r = archive_sidecar(j, m, e);
	json_decref(m);
	return r;
}

/* The item's folder, made if need be; never one that is a link (FA_EINVAL, naming it). */
static int open_item_dir(struct job *j, struct err *e)
{
	int fd = -1, r = store_open_item_dir(j->ctx->store, j->kind, j->id, &fd, e);

	if (r == FA_ENOTFOUND)
		r = fs_mkdirs(j->dir.data, 0755, e);
	if (fd >= 0)
		close(fd);
	return r;
}

static int job_open(struct job *j, struct err *e)
{
	int r;

	j->id = jstr(j->listing, "id");
	j->secret = jstr(j->listing, "secret");
	if (!store_valid_id(j->id))
		return err_set(e, FA_EPARSE, "photo id '%.40s' is not a Flickr id",
			       j->id ? j->id : "(none)");
	r = store_item_path(j->ctx->store, j->kind, j->id, NULL, &j->dir);
	if (r == 0 && buf_grow(&j->path, j->dir.len + 1 + NAME_MAX) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = open_item_dir(j, e);
	if (r == 0) {
		/* a damaged record is not read: what it said is in its damaged copy */
		j->old_meta = load_record_file(j, "metadata.json", 0);
		j->old_sizes = load_record_file(j, "sizes.json", 0);
	}
	/* a complete item's files change now: until its manifest follows, that is ours */
	if (r == 0 && store_item_complete(j->ctx->store, j->kind, j->id))
		r = store_begin_rewrite(j->ctx->store, j->kind, j->id,
					j->ctx->damaged ? j->ctx->damaged->names : NULL, e);
	j->synced = json_object();
	if (r == 0 && !j->synced)
		r = err_set(e, FA_ENOMEM, "out of memory");
	return r;
}

static void job_release(struct job *j)
{
	json_decref(j->info_doc);
	json_decref(j->sizes_doc);
	json_decref(j->sizes_out);
	json_decref(j->old_meta);
	json_decref(j->old_sizes);
	json_decref(j->synced);
	buf_release(&j->dir);
	buf_release(&j->path);
	buf_release(&j->media_name);
	buf_release(&j->superseded);
	buf_release(&j->stale_media);
	damage_release(&j->bad_json);
	for (size_t i = 0; i < j->n_written; i++)
		free(j->written_own[i]);
}

int photo_archive(struct photo_ctx *ctx, enum store_kind kind, const json_t *listing,
		  const json_t *albums, struct photo_result *res, struct err *e)
{
	struct job j = {
		.ctx = ctx, .res = res, .kind = kind, .listing = listing,
		.dir = BUF_INIT, .path = BUF_INIT, .media_name = BUF_INIT, .superseded = BUF_INIT,
		.stale_media = BUF_INIT, .count_faves = -1,
	};
	json_t *people = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	r = job_open(&j, e);
	if (r == 0)
		r = job_call(&j, "flickr.photos.getInfo", 1, &j.info_doc, e);
	if (r == FA_EAPI && e && e->api_code == 1)
		res->gone = 1;
	if (r == 0)
		r = job_archive_media(&j, e);
	if (r == 0)
		r = archive_comments(&j, e);
	if (r == 0)
		r = archive_faves(&j, e);
	if (r == 0)
		r = fetch_people(&j, &people, e);
	if (r == 0)
		r = archive_exif(&j, e);
	if (r == 0)
		r = job_write_json(&j, "sizes.json", json_incref(j.sizes_out), e);
	if (r == 0)
		r = write_metadata(&j, albums, people, e);
	if (r == 0)
		r = store_mark_complete(ctx->store, kind, j.id, j.written, e);
	if (r < 0 && j.sizes_out && j.dir.len && r != FA_ENOSPC) {
		/* keep what was learnt about failed attempts for the next run */
		job_write_json(&j, "sizes.json", json_incref(j.sizes_out), NULL);
	}
	json_decref(people);
	job_release(&j);
	return r;
}

/* ---- faves without the count extras ---- */

/* Where in the period an item's faves come due: spread evenly by its id. */
static int64_t faves_phase(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return (int64_t)(h % PHOTO_FAVES_PERIOD);
}

/* Whether the item's faves were fetched before the last moment they came due. */
static int faves_due(const json_t *meta, const char *id, int64_t now)
{
	int64_t phase = faves_phase(id), since = now - phase;
	int64_t last_due = now - (since % PHOTO_FAVES_PERIOD + PHOTO_FAVES_PERIOD) %
				 PHOTO_FAVES_PERIOD;

	return jint_or(jobj(meta, "synced"), "favorites", 0) < last_due;
}

/* Takes n calls from the run's budget; 0 when it is spent. */
static int take_budget(_Atomic long *budget, long n)
{
	long left = *budget;

	while (left >= n)
		if (atomic_compare_exchange_weak(budget, &left, left - n))
			return 1;
	return 0;
}

int photo_refresh_faves_if_due(struct photo_ctx *ctx, enum store_kind kind,
			       const json_t *listing, _Atomic long *budget, struct err *e)
{
	struct photo_result res = { 0 };
	struct job j = {
		.ctx = ctx, .res = &res, .kind = kind, .listing = listing,
		.dir = BUF_INIT, .path = BUF_INIT, .media_name = BUF_INIT, .superseded = BUF_INIT,
		.stale_media = BUF_INIT, .count_faves = -1,
	};
	const char *id = jstr(listing, "id");
	long calls_before = flickr_calls_of_this_thread(), pages, used;
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int r = 0;

	if (json_object_get(listing, "count_faves") || !store_valid_id(id))
		return 0; /* the count tells when they change */
	/* its metadata alone says whether it is due: no rewrite begins for the others */
	if (photo_load_meta(ctx, kind, id, &path, &meta, NULL) < 0 ||
	    !faves_due(meta, id, ctx->now))
		goto cleanup;
	/* the pages the archived count needs are taken before the first call */
	pages = (long)((jint_or(meta, "count_faves", 0) + FAVES_PER_PAGE - 1) / FAVES_PER_PAGE);
	if (pages < 1)
		pages = 1;
	if (!take_budget(budget, pages))
		goto cleanup;
	r = job_open(&j, e);
	if (r == 0 && !j.old_meta)
		goto cleanup;
	json_decref(j.synced);
	j.synced = json_deep_copy(jobj(j.old_meta, "synced"));
	if (r == 0 && !j.synced)
		j.synced = json_object();
	if (r == 0)
		r = archive_faves(&j, e);
	/* faves that grew past the pages taken come out of the budget too */
	used = flickr_calls_of_this_thread() - calls_before;
	if (used > pages)
		atomic_fetch_sub(budget, used - pages);
	json_decref(meta);
	meta = r == 0 ? json_deep_copy(j.old_meta) : NULL;
	if (r == 0 && (!meta || jset_new(meta, "synced", json_incref(j.synced)) < 0 ||
		       (j.count_faves >= 0 && jset_int(meta, "count_faves", j.count_faves) < 0)))
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0) {
		r = job_write_json(&j, "metadata.json", meta, e);
		meta = NULL;
	}
	if (r == 0)
		r = store_mark_complete(ctx->store, kind, j.id, j.written, e);
	if (r == 0)
		r = 1;
cleanup:
	json_decref(meta);
	buf_release(&path);
	job_release(&j);
	return r;
}
