/*
 * site_thumbs.c: the site's thumbnails and medium-size images, made only
 * when missing or when the source changed.
 *
 * site/state.json remembers, per item, which file each was made from (name,
 * size, modification time) and the sizes that came out, so an unchanged
 * archive costs one stat per item and no decoding.  A source that cannot be
 * decoded is remembered too (it gets a placeholder and one warning, not one
 * per run), until it changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "site_thumbs.h"
#include "thumb.h"

#define STATE_FILE SITE_DIR "/state.json"
#define STATE_VERSION 1

/* One item whose images are (re)made. */
struct pending {
	size_t item;
	char *key;
	struct buf src, thumb, medium;
	struct stat src_st;
};

struct run {
	struct site *s;
	json_t *thumbs;              /* state: "<slug>/<id>" -> record */
	struct pending *pending;
	struct thumb_job *jobs;
	size_t n, cap;
	int write_error;             /* the first job that could not write its file */
	char write_msg[256];
};

static int64_t mtime_ns(const struct stat *st)
{
#ifdef __APPLE__
	return (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
#else
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
#endif
}

/* Browsers show these formats themselves; others (TIFF, HEIC) get a medium-size JPEG. */
static int web_format(const char *file)
{
	static const char *const exts[] = { ".jpg", ".png", ".gif", ".webp", ".bmp" };
	size_t n = strlen(file);

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t k = strlen(exts[i]);

		if (n > k && !strcmp(file + n - k, exts[i]))
			return 1;
	}
	return 0;
}

/* The file the item's images come from: the original, or a video's poster frame. */
static const char *source_of(const struct site_item *it)
{
	return it->is_video ? it->poster_file : it->media_file;
}

static int file_there(const char *root, const char *rel)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int there = buf_printf(&path, "%s/%s", root, rel) == 0 && stat(path.data, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_size > 0;

	buf_release(&path);
	return there;
}

static int image_paths(const struct site_item *it, struct buf *thumb, struct buf *medium)
{
	if (buf_printf(thumb, SITE_DIR "/thumbs/%s/%s.jpg", site_kind_slug(it->kind), it->id) < 0 ||
	    buf_printf(medium, SITE_DIR "/medium/%s/%s.jpg", site_kind_slug(it->kind), it->id) < 0)
		return FA_ENOMEM;
	return 0;
}

/* Takes the recorded result when it was made from this very file and is still there. */
static int reuse(struct run *run, struct site_item *it, const json_t *rec, const char *src,
		 const struct stat *st)
{
	struct buf thumb = BUF_INIT, medium = BUF_INIT;
	int ok = 0;

	if (!rec || strcmp(jstr(rec, "src") ? jstr(rec, "src") : "", src) ||
	    jint_or(rec, "size", -1) != (long long)st->st_size ||
	    jint_or(rec, "mtime", -1) != (long long)mtime_ns(st) || image_paths(it, &thumb, &medium) < 0)
		goto cleanup;
	if (jstr(rec, "error")) {
		ok = 1; /* still the same undecodable file: the placeholder stays */
		run->s->stats->thumbs_failed++;
		goto cleanup;
	}
	if (!file_there(run->s->m.root, thumb.data) ||
	    (jint_or(rec, "mw", 0) > 0 && !file_there(run->s->m.root, medium.data)))
		goto cleanup;
	it->thumb_ok = 1;
	it->thumb_w = (int)jint_or(rec, "tw", 0);
	it->thumb_h = (int)jint_or(rec, "th", 0);
	it->medium_w = (int)jint_or(rec, "mw", 0);
	it->medium_h = (int)jint_or(rec, "mh", 0);
	it->medium_ok = it->medium_w > 0;
	it->src_w = (int)jint_or(rec, "w", 0);
	it->src_h = (int)jint_or(rec, "h", 0);
	run->s->stats->thumbs_kept++;
	ok = 1;
cleanup:
	buf_release(&thumb);
	buf_release(&medium);
	return ok;
}

static int add_pending(struct run *run, size_t idx, const char *key, const char *src,
		       const struct stat *st)
{
	const struct site_item *it = &run->s->m.items[idx];
	struct pending *pd;

	if (site_grow(&run->pending, run->n, &run->cap, sizeof(*run->pending)) < 0)
		return FA_ENOMEM;
	pd = &run->pending[run->n];
	memset(pd, 0, sizeof(*pd));
	pd->item = idx;
	pd->src_st = *st;
	run->n++;
	pd->key = strdup(key);
	if (!pd->key || buf_printf(&pd->src, "%s/%s/%s/%s", run->s->m.root,
				   store_kind_dir(it->kind), it->id, src) < 0 ||
	    buf_printf(&pd->thumb, "%s/", run->s->m.root) < 0 ||
	    buf_printf(&pd->medium, "%s/", run->s->m.root) < 0 ||
	    image_paths(it, &pd->thumb, &pd->medium) < 0)
		return FA_ENOMEM;
	return 0;
}

/* Decides, per item, between the recorded images and new ones. */
static int plan(struct run *run)
{
	struct buf key = BUF_INIT, path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; r == 0 && i < run->s->m.n_items; i++) {
		struct site_item *it = &run->s->m.items[i];
		const char *src = source_of(it);
		struct stat st;

		if (!src)
			continue;
		buf_reset(&key);
		buf_reset(&path);
		if (buf_printf(&key, "%s/%s", site_kind_slug(it->kind), it->id) < 0 ||
		    buf_printf(&path, "%s/%s/%s/%s", run->s->m.root, store_kind_dir(it->kind), it->id,
			       src) < 0) {
			r = FA_ENOMEM;
			break;
		}
		if (stat(path.data, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!reuse(run, it, json_object_get(run->thumbs, key.data), src, &st))
			r = add_pending(run, i, key.data, src, &st);
	}
	buf_release(&key);
	buf_release(&path);
	return r;
}

static int make_jobs(struct run *run)
{
	run->jobs = calloc(run->n + 1, sizeof(*run->jobs));
	if (!run->jobs)
		return FA_ENOMEM;
	for (size_t i = 0; i < run->n; i++) {
		const struct site_item *it = &run->s->m.items[run->pending[i].item];
		struct thumb_job *job = &run->jobs[i];

		job->src = run->pending[i].src.data;
		job->thumb_path = run->pending[i].thumb.data;
		job->thumb_box = SITE_THUMB_BOX;
		if (!it->is_video) {
			job->medium_path = run->pending[i].medium.data;
			job->medium_box = SITE_MEDIUM_BOX;
			job->medium_always = !web_format(it->media_file);
		}
	}
	return 0;
}

/* The state record for a finished job. */
static json_t *record_of(const struct thumb_job *job, const struct pending *pd, const char *src)
{
	json_t *rec = json_object();

	if (!rec || jset_str(rec, "src", src) < 0 ||
	    jset_int(rec, "size", (long long)pd->src_st.st_size) < 0 ||
	    jset_int(rec, "mtime", (long long)mtime_ns(&pd->src_st)) < 0 ||
	    (job->ok && (jset_int(rec, "w", job->src_w) < 0 || jset_int(rec, "h", job->src_h) < 0 ||
			 jset_int(rec, "tw", job->thumb_w) < 0 || jset_int(rec, "th", job->thumb_h) < 0 ||
			 jset_int(rec, "mw", job->medium_w) < 0 || jset_int(rec, "mh", job->medium_h) < 0)) ||
	    (!job->ok && jset_str(rec, "error", job->err) < 0)) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* Called by the pool after each job, one at a time. */
static void job_done(void *ud, struct thumb_job *job)
{
	struct run *run = ud;
	size_t i = (size_t)(job - run->jobs);
	struct pending *pd = &run->pending[i];
	struct site_item *it = &run->s->m.items[pd->item];
	const char *src = source_of(it);

	if (job->ok) {
		it->thumb_ok = 1;
		it->thumb_w = job->thumb_w, it->thumb_h = job->thumb_h;
		it->medium_ok = job->medium_w > 0;
		it->medium_w = job->medium_w, it->medium_h = job->medium_h;
		it->src_w = job->src_w, it->src_h = job->src_h;
		run->s->stats->thumbs_made++;
	} else if (job->code != FA_EPARSE) {
		/* not the image's fault: tried again next time */
		if (!run->write_error) {
			run->write_error = job->code;
			snprintf(run->write_msg, sizeof(run->write_msg), "%s", job->err);
		}
		return;
	} else {
		run->s->stats->thumbs_failed++;
		site_warn(run->s, "cannot make a thumbnail of '%s/%s/%s' (%s): a placeholder is "
			  "shown", store_kind_dir(it->kind), it->id, src, job->err);
	}
	json_object_set_new(run->thumbs, pd->key, record_of(job, pd, src));
	progress_item(pd->thumb.data + strlen(run->s->m.root) + 1, -1);
}

static int save_state(struct run *run, struct err *e)
{
	json_t *doc = json_object();
	struct buf path = BUF_INIT, text = BUF_INIT;
	int r;

	if (!doc || jset_int(doc, "version", STATE_VERSION) < 0 ||
	    json_object_set(doc, "thumbs", run->thumbs) < 0 ||
	    buf_printf(&path, "%s/" STATE_FILE, run->s->m.root) < 0 || json_dump_buf(doc, &text) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else
		r = fs_write_replace(path.data, text.data, text.len, 0644, e);
	json_decref(doc);
	buf_release(&path);
	buf_release(&text);
	return r;
}

static json_t *load_state(const char *root)
{
	struct buf path = BUF_INIT;
	json_t *doc = NULL, *thumbs = NULL;

	if (buf_printf(&path, "%s/" STATE_FILE, root) == 0 && json_load_path(path.data, &doc, NULL) == 0 &&
	    jint_or(doc, "version", 0) == STATE_VERSION && json_is_object(json_object_get(doc, "thumbs")))
		thumbs = json_incref(json_object_get(doc, "thumbs"));
	json_decref(doc);
	buf_release(&path);
	return thumbs ? thumbs : json_object();
}

static void run_release(struct run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->pending[i].key);
		buf_release(&run->pending[i].src);
		buf_release(&run->pending[i].thumb);
		buf_release(&run->pending[i].medium);
	}
	free(run->pending);
	free(run->jobs);
	json_decref(run->thumbs);
}

int site_thumbs_update(struct site *s, int n_threads, struct err *e)
{
	struct run run = { .s = s };
	int r;

	run.thumbs = load_state(s->m.root);
	r = run.thumbs ? plan(&run) : FA_ENOMEM;
	if (r == 0 && run.n > 0)
		r = make_jobs(&run);
	if (r < 0) {
		err_set(e, r, "out of memory");
		goto cleanup;
	}
	if (run.n > 0) {
		r = thumb_global_init(e);
		if (r < 0)
			goto cleanup;
		progress_begin("thumbnails", (long)run.n);
		r = thumb_run(run.jobs, run.n, n_threads, job_done, &run);
		progress_end();
		if (r == FA_EINTR)
			err_set(e, r, "interrupted");
		else if (run.write_error)
			r = err_set(e, run.write_error, "%s", run.write_msg);
		/* what was made is recorded even when interrupted */
		if (save_state(&run, r == 0 ? e : NULL) < 0 && r == 0)
			r = FA_EIO;
	}
cleanup:
	run_release(&run);
	return r;
}
