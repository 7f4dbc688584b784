/* photo.c: one item's API calls, downloads and files, in crash-safe order. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "clock.h"
#include "damage.h"
#include "exif.h"
#include "fsutil.h"
#include "ledger.h"
#include "media.h"
#include "merge.h"
#include "photo.h"
#include "record.h"

#define MAX_MEDIA_BYTES (16LL * 1024 * 1024 * 1024)
#define FAVES_PER_PAGE 50
#define JOB_WRITTEN_MAX 32

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
	struct buf superseded; /* the file name a new original replaces */
	int media_is_original;
	int media_fetched;  /* a media file was downloaded this time */
	int people_refused; /* the optional people call failed: keep what was known */
	long long count_faves;
	json_t *old_meta;   /* what an earlier run archived, or NULL */
	json_t *old_sizes;  /* its sizes.json, or NULL */
	json_t *synced;     /* metadata.json "synced": when each part was last fetched */
	struct buf stale_media; /* a media file about to be replaced: damaged, or unverified */
	struct damage bad_json; /* records found not to be valid JSON (no manifest said so) */
	const char *written[JOB_WRITTEN_MAX + 1]; /* files written or removed (for the manifest) */
	char *written_own[JOB_WRITTEN_MAX];
	size_t n_written;
};

static const char *item_path(struct job *j, const char *file)
{
	buf_reset(&j->path);
	buf_printf(&j->path, "%s/%s", j->dir.data, file);
	return j->path.data;
}

/* Damaged: by the item's manifest (ctx->damaged), or found not to be valid JSON. */
static int is_damaged(const struct job *j, const char *name)
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

	if (is_damaged(j, file))
		return NULL;
	r = json_load_path(item_path(j, file), &doc, NULL);
	if (r == FA_EPARSE && damage_add(&j->bad_json, file, DAMAGE_CHANGED) == 0 &&
	    !j->res->bad_json[0])
		snprintf(j->res->bad_json, sizeof(j->res->bad_json), "%s", file);
	if (r == 0 && (want_array ? json_is_array(doc) : json_is_object(doc)))
		return doc;
	json_decref(doc);
	return NULL;
}

/* Records that the job wrote (or removed) name: its manifest line follows. */
static void note_written(struct job *j, const char *name)
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

	if (is_damaged(j, name)) {
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

static int write_json(struct job *j, const char *file, json_t *doc, struct err *e)
{
	int r;

	if (!doc)
		return err_set(e, FA_ENOMEM, "out of memory building %s", file);
	r = keep_damaged(j, file, e);
	if (r == 0)
		r = json_write_atomic(item_path(j, file), doc, e);
	if (r == 0)
		note_written(j, file);
	json_decref(doc);
	return r;
}

int photo_fetch_file(struct photo_ctx *ctx, const char *url, struct fs_tmp *tmp,
		     int64_t max_bytes, struct http_response *res, struct err *e)
{
	char shown[512];

	http_redact_url(url, shown, sizeof(shown));
	for (int attempt = 0;; attempt++) {
		unsigned char rnd;
		int r;

		if (ftruncate(tmp->fd, 0) < 0 || lseek(tmp->fd, 0, SEEK_SET) < 0)
			return fs_errno_error(e, "write", tmp->tmp_path, errno);
		r = http_download(ctx->http, url, tmp->fd, max_bytes, res, e);
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
		r = http_client_wait(ctx->http, retry_delay_ms(&ctx->retry, attempt + 1,
							       res->retry_after_ms, rnd / 256.0), e);
		if (r < 0)
			return r;
	}
}

/*
 * Downloads url into dir as "<stem>.<ext>", the extension taken from what the
 * server sent; ret_name gets the file name.
 */
struct commit_hook {
	int (*fn)(struct job *j, const char *new_name, int tmp_fd, struct err *e);
	struct job *job;
};

static int download(struct photo_ctx *ctx, const char *url, const char *dir,
		    const char *stem, const char *hint, const struct commit_hook *hook,
		    struct buf *ret_name, struct err *e)
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
	notice(ctx->fc ? &ctx->fc->notice : NULL, NOTICE_DEBUG, "download '%s'", shown);
	if (buf_printf(&target, "%s/%s", dir, stem) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_tmp_open(&tmp, target.data, 0644, e);
	if (r < 0)
		goto cleanup;
	r = photo_fetch_file(ctx, url, &tmp, MAX_MEDIA_BYTES, &res, e);
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
	buf_printf(&target, "%s.%s", stem, ext);
	/* only now that the new file is whole may the old one step aside */
	r = hook ? hook->fn(hook->job, target.data, tmp.fd, e) : 0;
	if (r == 0) {
		buf_set(ret_name, target.data);
		buf_reset(&target);
		buf_printf(&target, "%s/%s", dir, ret_name->data);
		r = fs_tmp_commit(&tmp, target.data, e);
	}
cleanup:
	fs_tmp_abort(&tmp);
	buf_release(&target);
	return r;
}

static json_t *archived_entry(const char *file, const struct media_source *m, int is_original)
{
	json_t *a = json_object();

	jset_str(a, "file", file);
	jset_str(a, "label", m->label);
	if (m->width > 0)
		jset_int(a, "width", m->width);
	if (m->height > 0)
		jset_int(a, "height", m->height);
	jset_str(a, "source", m->url);
	jset_bool(a, "original", is_original);
	return a;
}

/* sizes.json keeps Flickr's getSizes object (canblog, ..., size[]) or the listing's sizes. */
static void start_sizes_out(struct job *j)
{
	static const char *const ours[] = { "archived", "original_available", "reason",
					    "poster", "video_attempts", "original_attempts" };
	const json_t *sizes = jobj(j->sizes_doc, "sizes");
	const char *key;
	json_t *v;

	j->sizes_out = sizes ? json_deep_copy(sizes) : json_object();
	if (!sizes) {
		jset_new(j->sizes_out, "size", media_sizes_from_listing(j->listing));
		jset_str(j->sizes_out, "from", "listing extras");
	}
	/* what earlier runs (or the original tool) recorded is kept: replaced files, legacy keys */
	json_object_foreach(j->old_sizes, key, v) {
		int rebuilt = 0;

		for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
			rebuilt |= !strcmp(key, ours[i]);
		if (!rebuilt && !json_object_get(j->sizes_out, key))
			json_object_set(j->sizes_out, key, v);
	}
}

/* The original Python tool's sizes.json names the size it downloaded as "original". */
static json_t *legacy_archived(const json_t *size, const char *file)
{
	const char *label = jstr(size, "label");
	const char *source = jstr(size, "source") ? jstr(size, "source") : jstr(size, "url");
	json_t *a;

	if (!label || !source)
		return NULL;
	a = json_object();
	jset_str(a, "file", file);
	jset_str(a, "label", label);
	jcopy(a, "width", size, "width");
	jcopy(a, "height", size, "height");
	jset_str(a, "source", source);
	jset_bool(a, "original", !strcmp(label, "Original"));
	jset_str(a, "from", "the original tool's sizes.json");
	return a;
}

/* An earlier run's record of the media already in place, if it names that file. */
static json_t *earlier_archived(struct job *j, const char *key, const char *file)
{
	json_t *a = json_object_get(j->old_sizes, key);

	if (a && jstr(a, "file") && !strcmp(jstr(a, "file"), file))
		return json_incref(a);
	if (!strcmp(key, "archived") && json_is_object(json_object_get(j->old_sizes, "original")))
		return legacy_archived(json_object_get(j->old_sizes, "original"), file);
	return NULL;
}

static const char *url_file_name(const char *url, size_t *len)
{
	const char *end = url + strcspn(url, "?#");
	const char *slash = end;

	while (slash > url && slash[-1] != '/')
		slash--;
	*len = (size_t)(end - slash);
	return slash;
}

/*
 * Whether the archived file (described by a, from sizes.json) is superseded:
 * the original is offered now where only a smaller size was before, or the
 * owner replaced the photo (the original's URL, which carries its secret,
 * changed).
 */
static int superseded(const json_t *a, const struct media_source *m)
{
	const char *was = jstr(a, "source");
	const char *was_name, *is_name;
	size_t was_len, is_len;

	if (!a || !was || !m->is_original || !m->url)
		return 0;
	if (!jflag(a, "original", 0))
		return 1;
	was_name = url_file_name(was, &was_len);
	is_name = url_file_name(m->url, &is_len);
	return was_len != is_len || memcmp(was_name, is_name, is_len) != 0;
}

/*
 * Keeps the superseded file under "replaced-<unix>-original.<ext>" (a second
 * name for the same data, so no moment is without it) and records it in
 * sizes.json's "replaced" list.
 */
/* A "replaced-<t>-<name>" that an interrupted run already linked to the same file, if any. */
static int find_earlier_link(struct job *j, const char *name, struct buf *ret)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	struct stat want, st;
	size_t n = strlen(name);
	int found = 0;
	DIR *d;

	if (stat(item_path(j, name), &want) < 0 || !(d = opendir(j->dir.data)))
		return 0;
	while (!found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "replaced-", 9) || len <= n + 1 ||
		    strcmp(de->d_name + len - n, name) || de->d_name[len - n - 1] != '-')
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", j->dir.data, de->d_name);
		found = stat(path.data, &st) == 0 && st.st_ino == want.st_ino &&
			st.st_dev == want.st_dev && buf_set(ret, de->d_name) == 0;
	}
	closedir(d);
	buf_release(&path);
	return found;
}

/*
 * Called once the new original is whole, before it takes the name: keeps the
 * superseded file as "replaced-<unix>-original.<ext>" (a second name for the
 * same data, so there is no moment without it) and records it, with its
 * EXIF, in sizes.json's "replaced" list.
 */
static int keep_replaced(struct job *j, const char *new_name, int tmp_fd, struct err *e)
{
	struct buf from = BUF_INIT, name = BUF_INIT;
	json_t *list = json_object_get(j->sizes_out, "replaced");
	json_t *entry = json_deep_copy(json_object_get(j->sizes_out, "archived"));
	json_t *exif = NULL;
	int r = 0;

	(void)tmp_fd; /* the new file is not compared: the old one stays in any case */
	if (!find_earlier_link(j, j->superseded.data, &name)) {
		buf_printf(&name, "replaced-%lld-%s", (long long)j->ctx->now, j->superseded.data);
		buf_set(&from, item_path(j, j->superseded.data));
		if (link(from.data, item_path(j, name.data)) < 0 && errno != EEXIST) {
			r = fs_errno_error(e, "keep", from.data, errno);
			goto cleanup;
		}
	}
	if (!json_is_array(list)) {
		list = json_array();
		if (jset_new(j->sizes_out, "replaced", list) < 0)
			list = NULL;
	}
	if (!entry)
		entry = json_object();
	if (json_load_path(item_path(j, "exif.json"), &exif, NULL) == 0)
		jset_new(entry, "exif", exif);
	if (!list || jset_str(entry, "file", name.data) < 0 ||
	    jset_int(entry, "replaced_at", j->ctx->now) < 0 ||
	    json_array_append(list, entry) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	snprintf(j->res->note, sizeof(j->res->note),
		 "a new original (%.60s) supersedes the archived file, kept as %.100s", new_name,
		 name.data);
cleanup:
	json_decref(entry);
	buf_release(&from);
	buf_release(&name);
	return r;
}

/* After a replacement with another extension, the old name goes (its data stays as replaced-*). */
static void drop_superseded_name(struct job *j)
{
	struct buf path = BUF_INIT;

	if (j->superseded.len && strcmp(j->superseded.data, j->media_name.data) &&
	    buf_printf(&path, "%s/%s", j->dir.data, j->superseded.data) == 0) {
		unlink(path.data);
		note_written(j, j->superseded.data);
	}
	buf_release(&path);
}

/* metadata.json "synced"."missing": a part Flickr refused this time, fetched again next run. */
static int note_missing(struct job *j, const char *part, const char *why)
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
static int was_missing(const struct job *j, const char *part)
{
	return json_object_get(jobj(jobj(j->old_meta, "synced"), "missing"), part) != NULL;
}

/* Whether the file at path holds exactly what fd (from its start) holds. */
static int same_bytes(const char *path, int fd)
{
	char a[65536], b[65536];
	int other = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	off_t off = 0;
	int same = other >= 0;

	while (same) {
		ssize_t na = read(other, a, sizeof(a)), nb = pread(fd, b, sizeof(b), off);

		if (na < 0 || nb < 0 || na != nb || memcmp(a, b, (size_t)na)) {
			same = 0;
			break;
		}
		if (na == 0)
			break;
		off += nb;
	}
	if (other >= 0)
		close(other);
	return same;
}

/*
 * Called once a fresh copy of a damaged or unverified media file is whole,
 * before it takes the name: the file in place is kept as
 * "damaged-<t>-<name>" unless it holds the same bytes (then it was whole).
 */
static int set_aside_stale(struct job *j, const char *new_name, int tmp_fd, struct err *e)
{
	const char *stale = j->stale_media.data;
	struct buf kept = BUF_INIT;
	int r = 0;

	if (!same_bytes(item_path(j, stale), tmp_fd)) {
		r = damage_keep_copy(j->dir.data, stale, (long long)j->ctx->now, &kept, e);
		if (r == 0)
			snprintf(j->res->note, sizeof(j->res->note),
				 "%s %.60s downloaded again (the damaged copy is kept as %.100s)",
				 is_damaged(j, stale) ? "the damaged" : "the incomplete",
				 stale, kept.data);
		j->res->repaired += r == 0;
	}
	/* another extension now: the stale name goes (its bytes stay, kept above) */
	if (r == 0 && strcmp(stale, new_name)) {
		unlink(item_path(j, stale));
		note_written(j, stale);
	}
	buf_release(&kept);
	return r;
}

/*
 * A media file in place that must be fetched again: damaged (its manifest
 * says so), or in an item never completed whose sizes.json has no record of
 * ours for it (the original Python tool's half-written items: the file may
 * be truncated).
 */
static int media_is_stale(struct job *j, const char *key, const char *name)
{
	json_t *a;

	if (is_damaged(j, name))
		return 1;
	if (store_item_complete(j->ctx->store, j->kind, j->id))
		return 0;
	a = json_object_get(j->old_sizes, key);
	return !a || !jstr(a, "file") || strcmp(jstr(a, "file"), name);
}

static void note_not_original(struct job *j, const char *label)
{
	const char *why = j->kind == STORE_FAV
		? "the owner does not allow downloading the original"
		: json_object_get(j->sizes_out, "poster")
		? "Flickr offered no original of this video, only transcodes"
		: "Flickr did not offer the original (free accounts have no access to "
		  "originals over 1024 px since May 2025)";
	char text[384];

	snprintf(text, sizeof(text), "%s; archived the largest size offered (%s)", why, label);
	jset_str(j->sizes_out, "reason", text);
	j->res->original_missing = 1;
	snprintf(j->res->note, sizeof(j->res->note), "original not available, archived %s",
		 label);
}

/* Flickr offered the original but would not hand it over: say so, and try again next run. */
static int note_original_refused(struct job *j, const char *label, const char *why)
{
	char text[384];

	snprintf(text, sizeof(text), "Flickr offered the original but refused it (%.200s); "
		 "archived %s; the original is tried again on the next run", why, label);
	jset_str(j->sizes_out, "reason", text);
	j->res->original_missing = 1;
	j->res->original_pending = 1;
	snprintf(j->res->note, sizeof(j->res->note),
		 "original refused, archived %.60s; will try it again next run", label);
	return note_missing(j, "original", why);
}

/*
 * A download Flickr turned down (403, 404, 410, a web page or an API answer
 * instead of media); a status that outlasted the retries (429, 5xx) is no
 * answer about the file and fails the item instead.
 */
static int refused(int r, const struct err *e)
{
	return r == FA_EPARSE || (r == FA_EHTTP && !retry_http_status(e->http_status));
}

static int tried_already(const json_t *attempts, const char *url)
{
	for (size_t i = 0; i < json_array_size(attempts); i++) {
		const char *source = jstr(json_array_get(attempts, i), "source");

		if (source && !strcmp(source, url))
			return 1;
	}
	return 0;
}

/* Why the first original tried was refused, or NULL when none was tried. */
static const char *original_refusal(const json_t *attempts)
{
	for (size_t i = 0; i < json_array_size(attempts); i++) {
		const json_t *a = json_array_get(attempts, i);

		if (jflag(a, "original", 0))
			return jstr(a, "error");
	}
	return NULL;
}

/* An attempt an earlier version recorded at an original ("Video Original", "orig"). */
static int tried_original(const json_t *attempts)
{
	for (size_t i = 0; i < json_array_size(attempts); i++) {
		const char *label = jstr(json_array_get(attempts, i), "label");

		if (label && (!strcmp(label, "Video Original") || !strcmp(label, "orig")))
			return 1;
	}
	return 0;
}

static void add_attempt(json_t *attempts, const struct media_source *m, const char *error)
{
	json_t *a = json_object();

	jset_str(a, "label", m->label);
	jset_str(a, "source", m->url);
	jset_bool(a, "original", m->is_original);
	jset_str(a, "error", error);
	json_array_append_new(attempts, a);
}

/* Records the file just downloaded; after a replacement, the swap at once, then the old name goes. */
static int took_media(struct job *j, const struct media_source *m, int replaced, struct err *e)
{
	int r = 0;

	note_written(j, j->media_name.data);
	j->res->downloaded++;
	j->media_fetched = 1;
	j->media_is_original = m->is_original;
	jset_new(j->sizes_out, "archived", archived_entry(j->media_name.data, m, m->is_original));
	if (replaced) {
		jset_bool(j->sizes_out, "original_available", j->media_is_original);
		r = write_json(j, "sizes.json", json_incref(j->sizes_out), e);
		if (r == 0)
			drop_superseded_name(j);
	}
	return r;
}

/*
 * Tries the candidates in order (only the originals when originals_only),
 * each URL once a run; every refusal goes to attempts.  FA_ENOTFOUND when
 * none could be had.
 */
static int try_candidates(struct job *j, const struct media_source *c, size_t n,
			  int originals_only, const struct commit_hook *hook, const char *hint,
			  json_t *attempts, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		struct err one = { 0 };
		int r;

		if ((originals_only && !c[i].is_original) || tried_already(attempts, c[i].url))
			continue;
		r = download(j->ctx, c[i].url, j->dir.data, "original",
			     c[i].is_original ? hint : NULL, hook, &j->media_name, &one);
		if (r == 0)
			return took_media(j, &c[i], hook && hook->fn == keep_replaced, e);
		if (!refused(r, &one)) {
			if (e)
				*e = one;
			return r;
		}
		add_attempt(attempts, &c[i], one.msg);
	}
	return FA_ENOTFOUND;
}

/*
 * The media file already archived, if its record is known: kept as is
 * (returns 1), unless an original should be tried: offered (a photo's) now
 * supersedes it, or (a video's) one was refused last time.  Then it returns
 * 0 with the hook armed to keep the old file as replaced-*.
 */
static int keep_archived(struct job *j, const struct media_source *offered,
			 struct commit_hook *hook)
{
	json_t *a = is_damaged(j, j->media_name.data)
		? NULL : earlier_archived(j, "archived", j->media_name.data);
	int again;

	/* no record (an older tool's archive): assume it is what Flickr offers, and say
	 * so; a record lost with a damaged sizes.json is made again as it was (the file
	 * is whole, its manifest says, and Flickr still offers it: see superseded) */
	if (!a && offered) {
		a = archived_entry(j->media_name.data, offered, offered->is_original);
		if (!damage_has(j->ctx->damaged, "sizes.json"))
			jset_bool(a, "assumed", true);
	}
	if (!a)
		return 0; /* damaged, or unrecorded (killed before sizes.json) */
	jset_new(j->sizes_out, "archived", json_incref(a));
	j->media_is_original = jflag(a, "original", 0);
	again = offered ? superseded(a, offered)
			: !j->media_is_original &&
			  (was_missing(j, "original") ||
			   tried_original(json_object_get(j->old_sizes, "video_attempts")));
	json_decref(a);
	if (!again)
		return 1;
	buf_set(&j->superseded, j->media_name.data);
	hook->job = j;
	return 0;
}

/* What the item holds now: the original, or what stands in for it and why. */
static int settle_original(struct job *j, int offered, const json_t *attempts)
{
	const char *label = jstr(json_object_get(j->sizes_out, "archived"), "label");
	const char *why = original_refusal(attempts);

	jset_bool(j->sizes_out, "original_available", j->media_is_original);
	if (j->media_is_original)
		return 0;
	if (!label)
		label = "a smaller size";
	if (offered || why)
		return note_original_refused(j, label, why ? why : "not downloadable");
	note_not_original(j, label);
	return 0;
}

/* 1 when one of the candidates is an original. */
static int offers_original(const struct media_source *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].is_original)
			return 1;
	return 0;
}

/* The sizes Flickr lists, largest first, when the first choice was refused. */
static int try_photo_sizes(struct job *j, int originals_only, const struct commit_hook *hook,
			   const char *hint, json_t *attempts, int *offered, struct err *e)
{
	struct media_source *c = NULL;
	struct err one = { 0 };
	size_t n = 0;
	int r = fetch_sizes(j, &one);

	if (r < 0 && (err_is_fatal(r) || r == FA_ENET)) {
		if (e)
			*e = one;
		return r;
	}
	if (r < 0)
		return FA_ENOTFOUND; /* no sizes to fall back on: the refusal stands */
	if (media_photo_candidates(j->sizes_doc, &c, &n) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	*offered |= offers_original(c, n);
	r = try_candidates(j, c, n, originals_only, hook, hint, attempts, e);
	media_sources_free(c, n);
	return r;
}

static int no_media_error(struct err *e, const char *what, const json_t *attempts)
{
	size_t n = json_array_size(attempts);

	return err_set(e, FA_ENOTFOUND, "no %s could be downloaded (%zu tried%s%s)", what, n,
		       n ? ": " : "", n ? jstr(json_array_get(attempts, 0), "error") : "");
}

static int archive_photo_media(struct job *j, struct err *e)
{
	struct commit_hook hook = { keep_replaced, NULL };
	struct media_source m = { 0 };
	const char *hint = jstr(j->listing, "originalformat");
	json_t *attempts = json_array();
	int found, offered = 0, have = 0, r = 0;

	found = media_pick_from_listing(j->listing, &m);
	if (found == 0) {
		r = fetch_sizes(j, e);
		if (r < 0)
			goto cleanup;
		found = media_pick_from_sizes(j->sizes_doc, &m);
	}
	if (found < 0 || !attempts) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (found == 0) {
		r = err_set(e, FA_EPARSE, "Flickr lists no downloadable size");
		goto cleanup;
	}
	offered = m.is_original;
	start_sizes_out(j);
	if (store_find_media(j->dir.data, "original", &j->media_name) &&
	    media_is_stale(j, "archived", j->media_name.data)) {
		buf_set(&j->stale_media, j->media_name.data);
		hook = (struct commit_hook){ set_aside_stale, j };
	} else if (j->media_name.len) {
		if (keep_archived(j, &m, &hook))
			goto cleanup;
		have = 1;
	}
	r = try_candidates(j, &m, 1, 0, hook.job ? &hook : NULL, hint, attempts, e);
	/* refused (403, 404, 410, a web page): whatever else Flickr lists, largest first;
	 * with a file in place, only an original would be worth its download */
	if (r == FA_ENOTFOUND)
		r = try_photo_sizes(j, have, hook.job ? &hook : NULL, hint, attempts, &offered, e);
	if (r == FA_ENOTFOUND && have)
		r = 0;
	else if (r == FA_ENOTFOUND)
		r = no_media_error(e, "size of the photo", attempts);
cleanup:
	if (json_array_size(attempts) && j->sizes_out)
		jset_new(j->sizes_out, "original_attempts", json_incref(attempts));
	if (r == 0)
		r = settle_original(j, offered, attempts);
	json_decref(attempts);
	media_source_release(&m);
	return r;
}

static int archive_poster(struct job *j, struct err *e)
{
	struct commit_hook hook = { set_aside_stale, NULL };
	struct media_source m = { 0 }, *c = NULL;
	struct buf name = BUF_INIT;
	struct err one = { 0 };
	size_t n = 0;
	int found, r = 0;

	if (store_find_media(j->dir.data, "poster", &name)) {
		json_t *a = is_damaged(j, name.data)
			? NULL : earlier_archived(j, "poster", name.data);

		if (a) {
			jset_new(j->sizes_out, "poster", a);
			goto cleanup;
		}
		/* damaged, or a run killed before sizes.json left no record of it: fetch it
		 * again (a damaged one is kept aside first) */
		buf_set(&j->stale_media, name.data);
		hook = (struct commit_hook){ set_aside_stale, j };
	}
	found = media_pick_from_sizes(j->sizes_doc, &m);
	if (found == 0)
		found = media_pick_from_listing(j->listing, &m);
	if (found <= 0) {
		r = found < 0 ? err_set(e, FA_ENOMEM, "out of memory")
			      : err_set(e, FA_EPARSE, "no poster frame offered for the video");
		goto cleanup;
	}
	r = download(j->ctx, m.url, j->dir.data, "poster", "jpg", hook.job ? &hook : NULL, &name,
		     &one);
	/* a refused frame: the next largest will do for a poster */
	if (r < 0 && refused(r, &one) && media_photo_candidates(j->sizes_doc, &c, &n) == 0) {
		for (size_t i = 0; i < n && r < 0 && refused(r, &one); i++) {
			if (!strcmp(c[i].url, m.url))
				continue;
			r = download(j->ctx, c[i].url, j->dir.data, "poster", "jpg",
				     hook.job ? &hook : NULL, &name, &one);
			if (r == 0) {
				media_source_release(&m);
				m = c[i];
				memset(&c[i], 0, sizeof(c[i]));
			}
		}
	}
	if (r < 0 && e)
		*e = one;
	if (r == 0) {
		note_written(j, name.data);
		j->res->downloaded++;
		jset_new(j->sizes_out, "poster", archived_entry(name.data, &m, m.is_original));
	}
cleanup:
	buf_reset(&j->stale_media); /* the poster's: not the video's */
	media_source_release(&m);
	media_sources_free(c, n);
	buf_release(&name);
	return r;
}

/*
 * getStreamInfo's streams beside getSizes' video entries, best first.  A
 * refusal of the call is one more attempt, not the item's failure.
 */
static int video_streams(struct job *j, json_t **streams, json_t *attempts,
			 struct media_source **ret, size_t *ret_n, struct err *e)
{
	struct err one = { 0 };
	int r = call_for_photo(j, "flickr.video.getStreamInfo", 1, streams, &one);

	if (r < 0 && (err_is_fatal(r) || r == FA_ENET || r == FA_ERATELIMIT)) {
		if (e)
			*e = one;
		return r;
	}
	if (r < 0) {
		json_t *a = json_object();

		jset_str(a, "label", "flickr.video.getStreamInfo");
		jset_str(a, "source", "flickr.video.getStreamInfo");
		jset_str(a, "error", one.msg);
		json_array_append_new(attempts, a);
	}
	if (media_video_candidates(j->sizes_doc, *streams, ret, ret_n) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	return 0;
}

/*
 * The Video Original of getSizes, then the "orig" stream of getStreamInfo
 * (the Video Original URL can answer 404 to API clients while the stream
 * works: alexis-mignon/python-flickr-api#136), and only then, with no file
 * in place, the best transcode of either.
 */
static int archive_video_media(struct job *j, struct err *e)
{
	struct commit_hook hook = { keep_replaced, NULL };
	struct media_source *c = NULL;
	size_t n = 0;
	json_t *streams = NULL, *attempts = json_array();
	int offered = 0, have = 0, r;

	r = attempts ? fetch_sizes(j, e) : err_set(e, FA_ENOMEM, "out of memory");
	if (r < 0)
		goto cleanup;
	start_sizes_out(j);
	r = archive_poster(j, e);
	if (r < 0)
		goto cleanup;
	if (store_find_media(j->dir.data, "original", &j->media_name)) {
		if (keep_archived(j, NULL, &hook))
			goto settle;
		have = hook.job != NULL;
		if (!have) {
			/* damaged, or which stream it is went unrecorded (killed before
			 * sizes.json): fetch again (a damaged one is kept aside first) */
			buf_set(&j->stale_media, j->media_name.data);
			hook = (struct commit_hook){ set_aside_stale, j };
		}
	}
	if (media_video_candidates(j->sizes_doc, NULL, &c, &n) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	offered = offers_original(c, n);
	r = try_candidates(j, c, n, 1, hook.job ? &hook : NULL, NULL, attempts, e);
	if (r != FA_ENOTFOUND)
		goto settle;
	media_sources_free(c, n);
	c = NULL;
	n = 0;
	r = video_streams(j, &streams, attempts, &c, &n, e);
	if (r < 0)
		goto cleanup;
	offered |= offers_original(c, n);
	r = try_candidates(j, c, n, 1, hook.job ? &hook : NULL, NULL, attempts, e);
	if (r == FA_ENOTFOUND && !have)
		r = try_candidates(j, c, n, 0, hook.job ? &hook : NULL, NULL, attempts, e);
	if (r == FA_ENOTFOUND && have)
		r = 0;
	else if (r == FA_ENOTFOUND)
		r = no_media_error(e, "video file", attempts);
settle:
	if (r == 0)
		r = settle_original(j, offered, attempts);
cleanup:
	if (json_array_size(attempts) && j->sizes_out)
		jset_new(j->sizes_out, "video_attempts", json_incref(attempts));
	json_decref(attempts);
	json_decref(streams);
	media_sources_free(c, n);
	return r;
}

/* When part ("comments", "favorites", "info") was last fetched, for marking what vanished. */
static int64_t last_fetched(struct job *j, const char *part, const char *file)
{
	struct stat st;
	long long t;

	if (jint(jobj(j->old_meta, "synced"), part, &t) && t > 0)
		return t;
	/* archives from before "synced" (or the original tool): the file's own time */
	if (stat(item_path(j, file), &st) == 0)
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
	return write_json(j, file, merged, e);
}

/* metadata.json's last_update is the listing's lastupdate */
static int same_update(const json_t *meta, const json_t *listing)
{
	long long was, is;

	return jint(meta, "last_update", &was) && jint(listing, "lastupdate", &is) && was == is;
}

/* The archived list is still current: same count, and Flickr says nothing changed. */
static int list_unchanged(struct job *j, const json_t *old, const char *count_key,
			  long long count, int check_update)
{
	long long was;

	if (!old || count < 0 || j->ctx->refetch_all || !jint(j->old_meta, count_key, &was) ||
	    was != count)
		return 0;
	/* the last fetch gave fewer than the count (see listed_snapshot): asked again */
	if (jobj(j->old_meta, "listed") && json_object_get(j->listing, count_key) &&
	    !json_object_get(jobj(j->old_meta, "listed"), count_key))
		return 0;
	return !check_update || same_update(j->old_meta, j->listing);
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

/* The comments, asked for once more when fewer come than Flickr counts. */
static int fetch_comments(struct job *j, long long count, json_t **ret, struct err *e)
{
	json_t *best = NULL;
	int r = 0;

	for (int attempt = 0; r == 0 && attempt < 2; attempt++) {
		json_t *resp = NULL, *list;

		if (best && count_unique(best, "id") >= count)
			break;
		r = call_for_photo(j, "flickr.photos.comments.getList", 0, &resp, e);
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
	return note_missing(j, part, e ? e->msg : fa_strerror(r));
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
	if (list_unchanged(j, old, "count_comments", count, 1) && !was_missing(j, "comments")) {
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

/* Every page of faves, asked for once more when fewer come than Flickr counts. */
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
	if (list_unchanged(j, old, "count_faves", count, 0) && !was_missing(j, "favorites")) {
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

	if (!j->media_fetched && fs_exists(item_path(j, "exif.json")) &&
	    !is_damaged(j, "exif.json") && !was_missing(j, "exif"))
		return 0; /* EXIF does not change while the file stays the same */
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
	/* hidden by the owner (error 2) is an answer; any other refusal is asked again */
	if (one.api_code != 2)
		return part_refused(j, "exif", r, &one);
	doc = json_object();
	jset_str(doc, "source", "flickr.photos.getExif");
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

static int archive_media(struct job *j, struct err *e)
{
	const char *media = jstr(jobj(j->info_doc, "photo"), "media");

	if (!media)
		media = jstr(j->listing, "media");
	if (media && !strcmp(media, "video"))
		return archive_video_media(j, e);
	return archive_photo_media(j, e);
}

/* The listing fields that tell whether an item changed. */
static const char *const change_keys[] = { "lastupdate", "count_comments", "count_faves" };

/*
 * metadata.json "listed": those fields as the listing gave them when the item
 * was fetched; a count that fewer comments or faves than it says came with is
 * left out, so that the next run fetches them again.
 */
static json_t *listed_snapshot(const json_t *listing, const struct photo_result *res)
{
	json_t *seen = json_object();

	for (size_t i = 0; seen && i < sizeof(change_keys) / sizeof(change_keys[0]); i++)
		jcopy(seen, change_keys[i], listing, change_keys[i]);
	if (res->comments.got < res->comments.expected)
		json_object_del(seen, "count_comments");
	if (res->faves.got < res->faves.expected)
		json_object_del(seen, "count_faves");
	return seen;
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

	jset_int(j->synced, "info", j->ctx->now);
	jset_bool(m, "original_archived", j->media_is_original);
	jset_new(m, "listed", listed_snapshot(j->listing, j->res));
	/* refused: what was known stands; never known and asked again, nothing is
	 * claimed (not even []) */
	if (j->people_refused && json_object_get(j->old_meta, "people"))
		json_object_set(m, "people", json_object_get(j->old_meta, "people"));
	else if (json_object_get(jobj(j->synced, "missing"), "people"))
		json_object_del(m, "people");
	if (m && (jset_new(m, "synced", json_incref(j->synced)) < 0 ||
		  merge_metadata(m, j->old_meta, j->ctx->now) < 0)) {
		json_decref(m);
		m = NULL;
	}
	return write_json(j, "metadata.json", m, e);
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
		r = store_mark_complete(ctx->store, kind, j.id, j.written, e);
	if (r < 0 && j.sizes_out && j.dir.len && r != FA_ENOSPC) {
		/* keep what was learnt about failed attempts for the next run */
		write_json(&j, "sizes.json", json_incref(j.sizes_out), NULL);
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
		r = write_json(&j, "metadata.json", meta, e);
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

/* ---- updates that need no API call ---- */

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

/* Writes changed metadata and renews the item's completion (and with it its manifest). */
/* damaged: the item's other damaged files (NULL-terminated, or NULL), never taken for ours. */
static int save_item_meta(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			  const char *path, const json_t *meta, const char *const *damaged,
			  struct err *e)
{
	static const char *const written[] = { "metadata.json", NULL };
	int complete = store_item_complete(ctx->store, kind, id), r = 0;

	if (complete)
		r = store_begin_rewrite(ctx->store, kind, id, damaged, e);
	if (r == 0)
		r = json_write_atomic(path, meta, e);
	if (r == 0 && complete)
		r = store_mark_complete(ctx->store, kind, id, written, e);
	return r;
}

static int same_text(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Before "listed" existed: compare with the values fetched (getInfo, getFavorites). */
static int fetched_values_match(const json_t *meta, const json_t *listing)
{
	long long was, is;

	/* without the extra (never seen, but unverified), the counts decide alone */
	if (json_object_get(listing, "lastupdate") && !same_update(meta, listing))
		return 0;
	for (size_t i = 1; i < 3; i++)
		if (jint(listing, change_keys[i], &is) &&
		    (!jint(meta, change_keys[i], &was) || was != is))
			return 0;
	return 1;
}

int photo_is_current(const json_t *meta, const json_t *listing)
{
	const json_t *seen = jobj(meta, "listed");
	const char *url_o = jstr(listing, "url_o");

	if (seen) {
		/* compared as given, so a count Flickr reports differently elsewhere cannot
		 * make an item look changed on every run */
		for (size_t i = 0; i < sizeof(change_keys) / sizeof(change_keys[0]); i++) {
			const json_t *is = json_object_get(listing, change_keys[i]);

			if (is && !json_equal(is, json_object_get(seen, change_keys[i])))
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
	refused_before = tried_original(json_object_get(sizes, "video_attempts"));
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
	if (changed) {
		/* the sync checked the item's files just before: none is damaged */
		int w = save_item_meta(ctx, kind, id, path.data, meta, NULL, e);

		r = w < 0 ? w : 1;
		*ret_changed = 1;
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

int photo_mark_upstream(const struct photo_ctx *ctx, enum store_kind kind, const char *id,
			const char *status, int api_code, const char *detail, int64_t last_seen,
			struct err *e)
{
	struct damage d = DAMAGE_INIT;
	struct buf path = BUF_INIT;
	json_t *meta = NULL;
	int r;

	r = meta_not_damaged(ctx, kind, id, &d, e);
	if (r == 0)
		r = photo_load_meta(ctx, kind, id, &path, &meta, e);
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
