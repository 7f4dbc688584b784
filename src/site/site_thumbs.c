/*
 * site_thumbs.c: the site's thumbnails and medium-size images, made only
 * when missing or when the source changed.
 *
 * site/state.json remembers, per item, which file each was made from (name,
 * size, modification time) and the sizes that came out, so an unchanged
 * archive costs one stat per item and no decoding.  A source that cannot be
 * decoded is remembered too (it gets a placeholder and one warning, not one
 * per run), until it changes.
 *
 * The state is a JSON array read and written one record at a time, one line
 * each, the first a header:
 *
 *   [{"version":2},
 *   {"item":"photo/123","src":"original.jpg","size":1860,"mtime":<ns>,
 *    "w":160,"h":120,"tw":160,"th":120,"mw":0,"mh":0},
 *   {"item":"fave/9","src":"original.gif","size":10,"mtime":<ns>,"error":"..."}]
 *
 * Version 1, {"version": 1, "thumbs": {"photo/123": {...}, ...}}, is still
 * read, one record at a time too (and written again as version 2).  The
 * records of the new state go to a spool as they are known (kept while
 * reading the old one, made after each batch of jobs), so what stays in
 * memory is one byte per item; the file is replaced only when its bytes
 * change.  The images are made a batch at a time, so the jobs in memory do
 * not grow with the archive either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "fsutil.h"
#include "html.h"
#include "log.h" /* the progress line only (src/README.md) */
#include "site_thumbs.h"
#include "thumb.h"

#define STATE_FILE SITE_DIR "/state.json"
#define STATE_VERSION 2
#define STATE_VERSION_OLD 1
/* Jobs made and run at a time; larger only holds more paths. */
#define BATCH 256
/* The state is written in pieces of about this size. */
#define STATE_PIECE 65536

/* What the run knows of an item's images. */
enum image_status {
	IMAGES_UNKNOWN,   /* no usable record: made when it has a source */
	IMAGES_KEPT,      /* made from the current source (recorded or just now) */
	IMAGES_FAILED,    /* the current source cannot be decoded */
	IMAGES_PENDING,   /* to be made */
};

struct run {
	struct site *s;
	uint8_t *status;             /* per item: enum image_status */
	struct site_spool records;   /* the new state's records, one line each */
	struct buf line;             /* the record being written */
	struct site_refs pending;    /* items whose images are (re)made, in item order */
	size_t batch_start;          /* pending[batch_start] is jobs[0] */
	struct thumb_job jobs[BATCH];
	struct buf paths[BATCH][3];  /* each job's source, thumbnail and medium image */
	struct stat src_st[BATCH];   /* each job's source when the job was made */
	int write_error;             /* the first job that could not write its file */
	char write_msg[512];
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
static const char *source_of(const struct site_model *m, const struct site_item *it)
{
	return it->is_video ? site_item_poster(m, it) : site_item_media(m, it);
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

/* Stats the item's source: 1 when it is a regular file, 0 when not. */
static int stat_source(const struct run *run, size_t idx, struct stat *st, struct err *e)
{
	const struct site_item *it = &run->s->m.items[idx];
	struct buf path = BUF_INIT;
	int found;

	if (buf_printf(&path, "%s/%s/%s/%s", run->s->m.root, store_kind_dir(it->kind), it->id,
		       source_of(&run->s->m, it)) < 0) {
		buf_release(&path);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	found = stat(path.data, st) == 0 && S_ISREG(st->st_mode);
	buf_release(&path);
	return found;
}

/*
 * Adds the item's record to the new state: made from a source of size and
 * mtime, with the item's image sizes, or the reason it cannot be decoded.
 */
static int add_record(struct run *run, size_t idx, int64_t size, int64_t mtime, const char *error,
		      struct err *e)
{
	const struct site_item *it = &run->s->m.items[idx];
	struct buf *out = &run->line;
	int r;

	buf_reset(out);
	r = buf_printf(out, ",\n{\"item\":\"%s/%s\",\"src\":", site_kind_slug(it->kind), it->id);
	if (r == 0)
		r = html_js_string(out, source_of(&run->s->m, it));
	if (r == 0)
		r = buf_printf(out, ",\"size\":%lld,\"mtime\":%lld", (long long)size, (long long)mtime);
	if (r == 0 && error) {
		r = buf_puts(out, ",\"error\":");
		if (r == 0)
			r = html_js_string(out, error);
		if (r == 0)
			r = buf_putc(out, '}');
	} else if (r == 0) {
		r = buf_printf(out, ",\"w\":%d,\"h\":%d,\"tw\":%d,\"th\":%d,\"mw\":%d,\"mh\":%d}",
			       it->src_w, it->src_h, it->thumb_w, it->thumb_h, it->medium_w,
			       it->medium_h);
	}
	if (r < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	return site_spool_add(&run->records, out->data, out->len, NULL, e);
}

/* ---- the recorded state ----------------------------------------------------------- */

/* The item a record's key ("photo/123", "fave/9", "gallery-photo/7") names, or -1. */
static long item_of_key(const struct site_model *m, const char *key)
{
	const char *slash = key ? strchr(key, '/') : NULL;

	for (int k = 0; slash && k < STORE_KINDS; k++) {
		const char *slug = site_kind_slug((enum store_kind)k);

		if ((size_t)(slash - key) == strlen(slug) && !strncmp(key, slug, strlen(slug)))
			return site_model_find_item(m, (enum store_kind)k, slash + 1);
	}
	return -1;
}

/* The recorded images, when they are still there. */
static int take_images(struct run *run, size_t idx, const json_t *rec, const struct stat *st,
		       struct err *e)
{
	struct site_item *it = &run->s->m.items[idx];
	struct buf thumb = BUF_INIT, medium = BUF_INIT;
	int r = 0;

	if (image_paths(it, &thumb, &medium) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else if (file_there(run->s->m.root, thumb.data) &&
		 (jint_or(rec, "mw", 0) <= 0 || file_there(run->s->m.root, medium.data))) {
		it->thumb_ok = 1;
		it->thumb_w = (uint16_t)jint_or(rec, "tw", 0);
		it->thumb_h = (uint16_t)jint_or(rec, "th", 0);
		it->medium_w = (uint16_t)jint_or(rec, "mw", 0);
		it->medium_h = (uint16_t)jint_or(rec, "mh", 0);
		it->medium_ok = it->medium_w > 0;
		it->src_w = (int32_t)jint_or(rec, "w", 0);
		it->src_h = (int32_t)jint_or(rec, "h", 0);
		run->status[idx] = IMAGES_KEPT;
		run->s->stats->thumbs_kept++;
		r = add_record(run, idx, (int64_t)st->st_size, mtime_ns(st), NULL, e);
	}
	buf_release(&thumb);
	buf_release(&medium);
	return r;
}

/*
 * Takes the item's record when it was made from this very file.  Duplicate
 * keys: a later record of an item already known is ignored, so the first wins,
 * as in the JSON readers (json.h).
 */
static int reuse(struct run *run, size_t idx, const json_t *rec, struct err *e)
{
	const char *src = source_of(&run->s->m, &run->s->m.items[idx]);
	const char *rec_src = jstr(rec, "src");
	struct stat st;
	int found;

	if (!src || !rec_src || strcmp(rec_src, src) || run->status[idx] != IMAGES_UNKNOWN)
		return 0;
	found = stat_source(run, idx, &st, e);
	if (found <= 0 || jint_or(rec, "size", -1) != (long long)st.st_size ||
	    jint_or(rec, "mtime", -1) != (long long)mtime_ns(&st))
		return found < 0 ? found : 0;
	if (!jstr(rec, "error"))
		return take_images(run, idx, rec, &st, e);
	/* still the same undecodable file: the placeholder stays */
	run->status[idx] = IMAGES_FAILED;
	run->s->stats->thumbs_failed++;
	return add_record(run, idx, (int64_t)st.st_size, mtime_ns(&st), jstr(rec, "error"), e);
}

/* Walking the state file: the header first, then one record per item. */
struct state_walk {
	struct run *run;
	int version;            /* 0 until the header is read */
	struct err *e;
	int r;                  /* the first error (the walk's own are only a damaged file) */
};

static int walk_record(void *ud, json_t *rec)
{
	struct state_walk *w = ud;
	long idx;

	if (!w->version) {
		w->version = (int)jint_or(rec, "version", -1);
		return w->version == STATE_VERSION ? 0 : FA_EPARSE;
	}
	idx = item_of_key(&w->run->s->m, jstr(rec, "item"));
	w->r = idx >= 0 ? reuse(w->run, (size_t)idx, rec, w->e) : 0;
	return w->r;
}

static int walk_old_record(void *ud, const char *key, json_t *rec)
{
	struct state_walk *w = ud;
	long idx = json_is_object(rec) ? item_of_key(&w->run->s->m, key) : -1;

	w->r = idx >= 0 ? reuse(w->run, (size_t)idx, rec, w->e) : 0;
	return w->r;
}

/*
 * Version 1: {"version": 1, "thumbs": {"photo/123": {...}, ...}}.  A state of
 * another version (or of none) is not read: its images are made again.
 */
static int load_old_state(struct run *run, const char *path, struct err *e)
{
	struct state_walk w = { run, STATE_VERSION_OLD, e, 0 };
	json_t *version = NULL;
	long long v;

	if (json_member_in_object(path, "version", &version, NULL) == 0 &&
	    jint_value(version, &v) && v == STATE_VERSION_OLD)
		json_each_in_object(path, "thumbs", walk_old_record, &w, NULL);
	json_decref(version);
	return w.r;
}

/* Reuses what the state says is still good; a missing or damaged state only costs time. */
static int load_state(struct run *run, struct err *e)
{
	struct state_walk w = { run, 0, e, 0 };
	struct buf path = BUF_INIT;
	struct err walk_err = { 0 };
	int r;

	if (buf_printf(&path, "%s/" STATE_FILE, run->s->m.root) < 0) {
		buf_release(&path);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	r = json_each_in_array(path.data, walk_record, &w, &walk_err);
	if (w.r < 0)
		r = w.r;
	else if (r == FA_EPARSE && !w.version)
		r = load_old_state(run, path.data, e);
	else
		r = 0;
	buf_release(&path);
	return r;
}

/* Replaces the state with the records of this run when they differ. */
static int save_state(struct run *run, struct err *e)
{
	struct buf path = BUF_INIT, head = BUF_INIT;
	int r;

	r = buf_printf(&path, "%s/" STATE_FILE, run->s->m.root) < 0 ||
			    buf_printf(&head, "[{\"version\":%d}", STATE_VERSION) < 0
		    ? err_set(e, FA_ENOMEM, "out of memory")
		    : site_update_spooled(path.data, &head, &run->records, "]\n", e);
	buf_release(&path);
	buf_release(&head);
	return r < 0 ? r : 0;
}

/* ---- making images -------------------------------------------------------------- */

/* Every item with a source and no usable images, in item order. */
static int plan(struct run *run, struct err *e)
{
	for (size_t i = 0; i < run->s->m.n_items; i++) {
		struct stat st;
		int r;

		if (run->status[i] != IMAGES_UNKNOWN || !source_of(&run->s->m, &run->s->m.items[i]))
			continue;
		r = stat_source(run, i, &st, e);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		run->status[i] = IMAGES_PENDING;
		if (site_refs_add(&run->pending, i) < 0)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	return 0;
}

/* The job of pending[at] in jobs[slot], its paths in paths[slot]. */
static int make_job(struct run *run, size_t slot, size_t at)
{
	const struct site_item *it = &run->s->m.items[run->pending.v[at]];
	const char *root = run->s->m.root;
	struct buf *paths = run->paths[slot];
	struct thumb_job *job = &run->jobs[slot];

	memset(job, 0, sizeof(*job));
	for (int k = 0; k < 3; k++)
		buf_reset(&paths[k]);
	if (buf_printf(&paths[0], "%s/%s/%s/%s", root, store_kind_dir(it->kind), it->id,
		       source_of(&run->s->m, it)) < 0 ||
	    buf_printf(&paths[1], "%s/", root) < 0 || buf_printf(&paths[2], "%s/", root) < 0 ||
	    image_paths(it, &paths[1], &paths[2]) < 0)
		return FA_ENOMEM;
	/* recorded with the images: a source gone since is recorded as never seen */
	if (stat(paths[0].data, &run->src_st[slot]) < 0)
		run->src_st[slot].st_size = -1;
	job->src = paths[0].data;
	job->thumb_path = paths[1].data;
	job->thumb_box = SITE_THUMB_BOX;
	if (!it->is_video) {
		job->medium_path = paths[2].data;
		job->medium_box = SITE_MEDIUM_BOX;
		job->medium_always = !web_format(site_item_media(&run->s->m, it));
	}
	return 0;
}

/* The first failure to write, reported when the jobs are over. */
static void note_write_error(struct run *run, int code, const char *msg)
{
	if (!run->write_error) {
		run->write_error = code;
		snprintf(run->write_msg, sizeof(run->write_msg), "%s", msg);
	}
}

/*
 * Called by the pool after each job, one at a time: it holds the pool's mutex,
 * which is what keeps the items, the stats, the warnings and the spool of
 * records consistent, so the record goes to the spool under that mutex.  That
 * is cheap enough: a record (~150 bytes) is copied into the spool's buffer,
 * and only about one job in 400 writes a 64 KB piece to the file, while each
 * job decodes and encodes images for far longer.  The other workers wait on
 * the mutex only to take or report a job, and a disk slow enough to matter
 * is one they are writing their own images to anyway.
 */
static void job_done(void *ud, struct thumb_job *job)
{
	struct run *run = ud;
	size_t slot = (size_t)(job - run->jobs);
	size_t idx = run->pending.v[run->batch_start + slot];
	const struct stat *st = &run->src_st[slot];
	struct site_item *it = &run->s->m.items[idx];
	struct err e = { 0 };
	int r = 0;

	if (job->ok) {
		it->thumb_ok = 1;
		it->thumb_w = (uint16_t)job->thumb_w, it->thumb_h = (uint16_t)job->thumb_h;
		it->medium_ok = job->medium_w > 0;
		it->medium_w = (uint16_t)job->medium_w, it->medium_h = (uint16_t)job->medium_h;
		it->src_w = job->src_w, it->src_h = job->src_h;
		run->status[idx] = IMAGES_KEPT;
		run->s->stats->thumbs_made++;
		r = add_record(run, idx, (int64_t)st->st_size, st->st_size < 0 ? -1 : mtime_ns(st),
			       NULL, &e);
	} else if (job->code != FA_EPARSE) {
		/* not the image's fault: tried again next time */
		run->status[idx] = IMAGES_UNKNOWN;
		note_write_error(run, job->code, job->err);
		return;
	} else {
		run->status[idx] = IMAGES_FAILED;
		run->s->stats->thumbs_failed++;
		site_warn(run->s, "cannot make a thumbnail of '%s/%s/%s' (%s): a placeholder is "
			  "shown", store_kind_dir(it->kind), it->id, source_of(&run->s->m, it), job->err);
		r = add_record(run, idx, (int64_t)st->st_size, st->st_size < 0 ? -1 : mtime_ns(st),
			       job->err, &e);
	}
	if (r < 0)
		note_write_error(run, r, e.msg);
	progress_item(job->thumb_path + strlen(run->s->m.root) + 1, -1);
}

/* Makes the pending images, BATCH at a time. */
static int make_images(struct run *run, int n_threads, struct err *e)
{
	int r = 0;

	progress_begin("thumbnails", (long)run->pending.n);
	for (size_t at = 0; at < run->pending.n && r == 0 && !run->write_error; at += BATCH) {
		size_t n = run->pending.n - at < BATCH ? run->pending.n - at : BATCH;

		for (size_t slot = 0; slot < n && r == 0; slot++)
			if (make_job(run, slot, at + slot) < 0)
				r = err_set(e, FA_ENOMEM, "out of memory");
		run->batch_start = at;
		if (r == 0)
			r = thumb_run(run->jobs, n, n_threads, job_done, run);
	}
	progress_end();
	if (r == FA_EINTR)
		err_set(e, r, "interrupted");
	else if (r == 0 && run->write_error)
		r = err_set(e, run->write_error, "%s", run->write_msg);
	return r;
}

static void run_release(struct run *run)
{
	for (size_t i = 0; i < BATCH; i++)
		for (int k = 0; k < 3; k++)
			buf_release(&run->paths[i][k]);
	free(run->status);
	site_spool_close(&run->records);
	buf_release(&run->line);
	site_refs_release(&run->pending);
}

/* The spool of records, beside the state file. */
static int open_records(struct run *run, struct err *e)
{
	struct buf dir = BUF_INIT;
	int r = buf_printf(&dir, "%s/" SITE_DIR, run->s->m.root) < 0
			? err_set(e, FA_ENOMEM, "out of memory")
			: site_spool_open(&run->records, dir.data, e);

	buf_release(&dir);
	return r;
}

int site_thumbs_update(struct site *s, int n_threads, struct err *e)
{
	struct run *run = calloc(1, sizeof(*run));
	int r;

	if (!run)
		return err_set(e, FA_ENOMEM, "out of memory");
	run->s = s;
	run->records.fd = -1;
	run->status = calloc(s->m.n_items + 1, sizeof(*run->status));
	r = run->status ? open_records(run, e) : err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = load_state(run, e);
	if (r == 0)
		r = plan(run, e);
	if (r == 0 && run->pending.n > 0)
		r = thumb_global_init(e);
	if (r == 0 && run->pending.n > 0)
		r = make_images(run, n_threads, e);
	/* what was made is recorded even when interrupted, or when a file could not be written */
	if ((r == 0 || r == FA_EINTR || run->write_error) && save_state(run, r == 0 ? e : NULL) < 0 &&
	    r == 0)
		r = FA_EIO;
	run_release(run);
	free(run);
	return r;
}
