/*
 * photo_media.c: an item's media file: which one (originals first, from
 * every source), its download, and the file in place kept, replaced (kept as
 * replaced-*) or set aside (damaged-*).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "damage.h"
#include "fetch.h"
#include "fsutil.h"
#include "media.h"
#include "pace.h"
#include "photo_internal.h"
#include "xmp.h"

#define MAX_MEDIA_BYTES (16LL * 1024 * 1024 * 1024)

/*
 * Called once a download is whole, before it takes its name: the file in its
 * place steps aside (keep_replaced, set_aside_stale); an error keeps the
 * download from taking the name.  A hook whose job is NULL is not armed.
 */
struct commit_hook {
	int (*fn)(struct job *j, const char *new_name, int tmp_fd, struct err *e);
	struct job *job;
};

/*
 * Downloads url into dir as "<stem>.<ext>", the extension taken from what the
 * server sent; ret_name gets the file name.
 */
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
	r = fetch_file(ctx->http, &ctx->retry, url, &tmp, MAX_MEDIA_BYTES, &res, e);
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
	if (buf_printf(&target, "%s.%s", stem, ext) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* only now that the new file is whole may the old one step aside */
	r = hook ? hook->fn(hook->job, target.data, tmp.fd, e) : 0;
	if (r == 0 && buf_set(ret_name, target.data) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0) {
		buf_reset(&target);
		if (buf_printf(&target, "%s/%s", dir, ret_name->data) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else
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

/* A "replaced-<t>-<name>" that an interrupted run already linked to the same file, if any. */
static int find_earlier_link(struct job *j, const char *name, struct buf *ret)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	struct stat want, st;
	size_t n = strlen(name);
	int found = 0;
	DIR *d;

	if (stat(job_path(j, name), &want) < 0 || !(d = opendir(j->dir.data)))
		return 0;
	while (!found && (de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "replaced-", 9) || len <= n + 1 ||
		    strcmp(de->d_name + len - n, name) || de->d_name[len - n - 1] != '-')
			continue;
		buf_reset(&path);
		found = buf_printf(&path, "%s/%s", j->dir.data, de->d_name) == 0 &&
			stat(path.data, &st) == 0 && st.st_ino == want.st_ino &&
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
		if (buf_printf(&name, "replaced-%lld-%s", (long long)j->ctx->now,
			       j->superseded.data) < 0 ||
		    buf_set(&from, job_path(j, j->superseded.data)) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			goto cleanup;
		}
		if (link(from.data, job_path(j, name.data)) < 0 && errno != EEXIST) {
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
	if (json_load_path(job_path(j, "exif.json"), &exif, NULL) == 0)
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
		job_note_written(j, j->superseded.data);
		/* its sidecar too: one for the new name follows (derived, made again at will) */
		if (buf_puts(&path, XMP_SUFFIX) == 0 && unlink(path.data) == 0)
			job_note_written(j, strrchr(path.data, '/') + 1);
	}
	buf_release(&path);
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

	if (!same_bytes(job_path(j, stale), tmp_fd)) {
		r = damage_keep_copy(j->dir.data, stale, (long long)j->ctx->now, &kept, e);
		if (r == 0)
			snprintf(j->res->note, sizeof(j->res->note),
				 "%s %.60s downloaded again (the damaged copy is kept as %.100s)",
				 job_is_damaged(j, stale) ? "the damaged" : "the incomplete",
				 stale, kept.data);
		j->res->repaired += r == 0;
	}
	/* another extension now: the stale name goes (its bytes stay, kept above) */
	if (r == 0 && strcmp(stale, new_name)) {
		unlink(job_path(j, stale));
		job_note_written(j, stale);
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

	if (job_is_damaged(j, name))
		return 1;
	if (store_item_complete(j->ctx->store, j->kind, j->id))
		return 0;
	a = json_object_get(j->old_sizes, key);
	return !a || !jstr(a, "file") || strcmp(jstr(a, "file"), name);
}

static void note_not_original(struct job *j, const char *label)
{
	const char *why = j->kind != STORE_MY
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
	return job_note_missing(j, "original", why);
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
int photo_tried_original(const json_t *attempts)
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

	job_note_written(j, j->media_name.data);
	j->res->downloaded++;
	j->media_fetched = 1;
	j->media_is_original = m->is_original;
	jset_new(j->sizes_out, "archived", archived_entry(j->media_name.data, m, m->is_original));
	if (replaced) {
		jset_bool(j->sizes_out, "original_available", j->media_is_original);
		r = job_write_json(j, "sizes.json", json_incref(j->sizes_out), e);
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
	json_t *a = job_is_damaged(j, j->media_name.data)
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
			  (job_was_missing(j, "original") ||
			   photo_tried_original(json_object_get(j->old_sizes, "video_attempts")));
	json_decref(a);
	/* out of memory, the archived file stays as it is */
	if (!again || buf_set(&j->superseded, j->media_name.data) < 0)
		return 1;
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
	int r = job_fetch_sizes(j, &one);

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
		r = job_fetch_sizes(j, e);
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
		if (buf_set(&j->stale_media, j->media_name.data) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			goto cleanup;
		}
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
		json_t *a = job_is_damaged(j, name.data)
			? NULL : earlier_archived(j, "poster", name.data);

		if (a) {
			jset_new(j->sizes_out, "poster", a);
			goto cleanup;
		}
		/* damaged, or a run killed before sizes.json left no record of it: fetch it
		 * again (a damaged one is kept aside first) */
		if (buf_set(&j->stale_media, name.data) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			goto cleanup;
		}
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
		job_note_written(j, name.data);
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
	int r = job_call(j, "flickr.video.getStreamInfo", 1, streams, &one);

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

	r = attempts ? job_fetch_sizes(j, e) : err_set(e, FA_ENOMEM, "out of memory");
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
			if (buf_set(&j->stale_media, j->media_name.data) < 0) {
				r = err_set(e, FA_ENOMEM, "out of memory");
				goto cleanup;
			}
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

int job_archive_media(struct job *j, struct err *e)
{
	const char *media = jstr(jobj(j->info_doc, "photo"), "media");

	if (!media)
		media = jstr(j->listing, "media");
	if (media && !strcmp(media, "video"))
		return archive_video_media(j, e);
	return archive_photo_media(j, e);
}
