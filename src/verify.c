/*
 * verify.c: checking the archive against its manifests.
 *
 * Which manifest speaks for an item: the archive's ROOT/manifest-sha256.txt,
 * which every sync rewrites at its end, unless the item's own manifest is at
 * least as new (a sync that was killed before its end completed or rewrote
 * the item) or the archive's manifest does not list the item.  When the
 * archive's manifest speaks, the item's own must agree with it.
 *
 * One line per finding on stdout, "WHAT: PATH[ (detail)]":
 *   missing, changed, unreadable, partial, damaged, no manifest  (problems)
 *   unrecorded                                                  (a warning)
 * Every path printed is relative to the archive root, with control bytes
 * percent-encoded so one finding is always one line.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "store.h"
#include "exit_status.h"
#include "verify.h"

/* Bad lines shown per manifest; the rest are counted in one more line. */
#define BAD_LINES_SHOWN 20

struct verify {
	struct store store;        /* the root only: never store_open()ed, which writes */
	int root_fd;
	struct manifest archive;   /* ROOT/manifest-sha256.txt, sorted */
	unsigned char *checked;    /* per archive entry: checked with its item */
	int have_archive;
	struct stat archive_st;
	long files;
	uint64_t bytes;
	long problems;
	long warnings;
};

enum finding { PROBLEM, WARNING, FINE };

/* One line per finding (FINE: a file that matches, shown with -v only). */
static int report(struct verify *v, enum finding f, const char *what, const char *path,
		  const char *detail)
{
	struct buf shown = BUF_INIT;

	if (f == PROBLEM)
		v->problems++;
	else if (f == WARNING)
		v->warnings++;
	if ((f == WARNING && log_get_level() < LOG_NORMAL) ||
	    (f == FINE && log_get_level() < LOG_VERBOSE))
		return 0;
	if (manifest_encode_path(&shown, path, MANIFEST_ENC_DISPLAY) < 0)
		return FA_ENOMEM;
	if (f == FINE)
		msg_debug("%s: %s", what, buf_cstr(&shown));
	else if (detail)
		msg_result("%s: %s (%s)", what, buf_cstr(&shown), detail);
	else
		msg_result("%s: %s", what, buf_cstr(&shown));
	buf_release(&shown);
	return 0;
}

/* ---- reading manifests ---------------------------------------------------- */

struct bad_lines {
	struct verify *v;
	const char *manifest;
	long count;
};

static void on_bad_line(void *ud, long line_no, const char *reason)
{
	struct bad_lines *bl = ud;
	struct buf where = BUF_INIT;

	if (++bl->count > BAD_LINES_SHOWN) {
		bl->v->problems++;
		return;
	}
	if (buf_printf(&where, "%s:%ld", bl->manifest, line_no) == 0)
		report(bl->v, PROBLEM, "damaged", where.data, reason);
	buf_release(&where);
}

/*
 * Reads the manifest at rel (relative to the root) into m, sorted.  Returns 1
 * when there is one, 0 when there is none (or it cannot be used: reported).
 */
static int load_manifest(struct verify *v, const char *rel, struct manifest *m,
			 struct stat *ret_st, struct err *e)
{
	struct bad_lines bl = { v, rel, 0 };
	struct err why = { 0 };
	struct buf more = BUF_INIT;
	int fd = -1, r;

	r = manifest_open(v->root_fd, rel, &fd, &why);
	if (r == FA_ENOTFOUND)
		return 0;
	if (r < 0)
		return report(v, PROBLEM, r == FA_EINVAL ? "damaged" : "unreadable", rel, why.msg);
	if (fstat(fd, ret_st) < 0) {
		r = report(v, PROBLEM, "unreadable", rel, strerror(errno));
		goto cleanup;
	}
	r = manifest_read_fd(fd, m, on_bad_line, &bl, &why);
	if (r == FA_ENOMEM) {
		err_set(e, r, "out of memory");
		goto cleanup;
	}
	if (r < 0) {
		r = report(v, PROBLEM, "unreadable", rel, why.msg);
		goto cleanup;
	}
	if (bl.count > BAD_LINES_SHOWN && buf_printf(&more, "%ld more bad lines",
						      bl.count - BAD_LINES_SHOWN) == 0)
		msg_result("damaged: %s (%s)", rel, more.data);
	manifest_sort(m);
	r = 1;
cleanup:
	buf_release(&more);
	close(fd);
	return r;
}

/* ---- checking files ------------------------------------------------------- */

/*
 * Hashes one file and compares.  A changed file written after the manifest
 * (m_st) was most likely rewritten by a sync that was killed before it
 * renewed the manifest, or edited by hand; one that was not is damage.
 */
static int check_entry(struct verify *v, const struct manifest_entry *ent,
		       const struct stat *m_st, struct err *e)
{
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct err why = { 0 };
	struct stat st = { 0 };
	uint64_t size = 0;
	int fd = -1, r;

	r = manifest_open(v->root_fd, ent->path, &fd, &why);
	if (r == 0 && fstat(fd, &st) < 0)
		r = err_set(&why, FA_EIO, "%s", strerror(errno));
	if (r == 0)
		r = manifest_hash_fd(fd, digest, &size, &why);
	if (fd >= 0)
		close(fd);
	if (r == FA_ENOMEM || r == FA_EINTR)
		return err_set(e, r, "%s", why.msg);
	if (r == FA_ENOTFOUND)
		return report(v, PROBLEM, "missing", ent->path, NULL);
	if (r == FA_EINVAL)
		return report(v, PROBLEM, "changed", ent->path, why.msg);
	if (r < 0)
		return report(v, PROBLEM, "unreadable", ent->path, why.msg);
	v->files++;
	v->bytes += size;
	if (!memcmp(digest, ent->digest, MANIFEST_DIGEST_LEN))
		return report(v, FINE, "ok", ent->path, NULL);
	return report(v, PROBLEM, "changed", ent->path, fs_mtime_not_older(&st, m_st)
		      ? "written after its manifest: was a sync interrupted?" : NULL);
}

static int check_entries(struct verify *v, const struct manifest *m,
			 const struct stat *m_st, struct err *e)
{
	int r = 0;

	for (size_t i = 0; i < m->n && r == 0; i++) {
		if (clock_stop_requested())
			return FA_EINTR;
		r = check_entry(v, &m->v[i], m_st, e);
	}
	return r;
}

/* ---- items ---------------------------------------------------------------- */

struct item {
	enum store_kind kind;
	const char *id;
	struct buf dir;          /* "<kind dir>/<id>" */
	struct buf prefix;       /* "<kind dir>/<id>/" */
	struct buf own_path;     /* "<kind dir>/<id>/manifest-sha256.txt" */
	struct buf flag_path;    /* "<kind dir>/<id>/complete.flag" */
	struct manifest own;     /* the item's own manifest */
	struct stat own_st;
	int have_own;
	int complete;
};

static int item_init(struct item *it, enum store_kind kind, const char *id)
{
	const char *k = store_kind_dir(kind);

	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->id = id;
	if (buf_printf(&it->dir, "%s/%s", k, id) < 0 ||
	    buf_printf(&it->prefix, "%s/%s/", k, id) < 0 ||
	    buf_printf(&it->own_path, "%s/%s/%s", k, id, MANIFEST_NAME) < 0 ||
	    buf_printf(&it->flag_path, "%s/%s/%s", k, id, STORE_COMPLETE_FLAG) < 0)
		return FA_ENOMEM;
	return 0;
}

static void item_release(struct item *it)
{
	buf_release(&it->dir);
	buf_release(&it->prefix);
	buf_release(&it->own_path);
	buf_release(&it->flag_path);
	manifest_release(&it->own);
}

/* Drops (and reports) lines of an item's manifest that name files outside its folder. */
static int keep_own_files(struct verify *v, struct item *it)
{
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < it->own.n; i++) {
		struct manifest_entry *ent = &it->own.v[i];

		if (!strncmp(ent->path, it->prefix.data, it->prefix.len)) {
			it->own.v[n++] = *ent;
			continue;
		}
		if (r == 0)
			r = report(v, PROBLEM, "damaged", it->own_path.data,
				   "lists a file outside its folder");
		free(ent->path);
	}
	it->own.n = n;
	return r;
}

static int same_entries(const struct manifest *a, const struct manifest *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].path, b->v[i].path) ||
		    memcmp(a->v[i].digest, b->v[i].digest, MANIFEST_DIGEST_LEN))
			return 0;
	return 1;
}

/*
 * The archive manifest's entries for the item, as a view (borrowed: never
 * released), marked as checked.
 */
static struct manifest archive_view(struct verify *v, const struct item *it)
{
	size_t lo = manifest_lower_bound(&v->archive, it->prefix.data), hi = lo;
	struct manifest view;

	while (hi < v->archive.n &&
	       !strncmp(v->archive.v[hi].path, it->prefix.data, it->prefix.len))
		v->checked[hi++] = 1;
	view.v = v->archive.v + lo;
	view.n = view.cap = hi - lo;
	return view;
}

/* Decides which manifest speaks for the item (see the top of this file). */
static int choose_manifest(struct verify *v, struct item *it, struct manifest *ret_view,
			   const struct manifest **ret_used)
{
	*ret_view = archive_view(v, it);
	if (it->have_own &&
	    (ret_view->n == 0 || fs_mtime_not_older(&it->own_st, &v->archive_st))) {
		*ret_used = &it->own;
		return 0;
	}
	if (ret_view->n == 0) {
		*ret_used = NULL;
		if (!it->complete)
			return 0;
		return report(v, PROBLEM, "no manifest", it->dir.data,
			      "run 'flickr-archive sync' to create it");
	}
	*ret_used = ret_view;
	if (!it->have_own)
		return report(v, PROBLEM, "missing", it->own_path.data, NULL);
	if (!same_entries(&it->own, ret_view))
		return report(v, PROBLEM, "changed", it->own_path.data,
			      "differs from " MANIFEST_NAME);
	return 0;
}

/*
 * Lists the item's folder: temporaries a killed run left, and files no
 * manifest lists.  used may be NULL (no manifest: nothing is unrecorded).
 */
static int scan_folder(struct verify *v, const struct item *it, const struct manifest *used,
		       struct err *e)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	DIR *d = NULL;
	int fd, r = 0;

	fd = openat(v->root_fd, it->dir.data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		d = fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return report(v, WARNING, "unrecorded", it->dir.data, "not a folder");
	}
	while (r == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		int temp = fs_is_temp_name(name);

		if ((name[0] == '.' && !temp) || !strcmp(name, MANIFEST_NAME) ||
		    !strcmp(name, STORE_COMPLETE_FLAG))
			continue;
		buf_reset(&path);
		if (buf_printf(&path, "%s%s", it->prefix.data, name) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if (temp)
			r = report(v, PROBLEM, "partial", path.data, "left by an interrupted run");
		else if (used && !manifest_find(used, path.data))
			r = report(v, WARNING, "unrecorded", path.data, NULL);
	}
	closedir(d);
	buf_release(&path);
	return r;
}

static int check_item(struct verify *v, enum store_kind kind, const char *id, struct err *e)
{
	const struct manifest *used = NULL;
	struct manifest view;
	struct stat st;
	struct item it;
	int r;

	r = item_init(&it, kind, id);
	if (r < 0) {
		r = err_set(e, r, "out of memory");
		goto cleanup;
	}
	it.complete = fstatat(v->root_fd, it.flag_path.data, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!it.complete)
		r = report(v, PROBLEM, "partial", it.dir.data, "no " STORE_COMPLETE_FLAG);
	if (r == 0)
		r = load_manifest(v, it.own_path.data, &it.own, &it.own_st, e);
	if (r > 0) {
		it.have_own = 1;
		r = keep_own_files(v, &it);
	}
	if (r == 0)
		r = choose_manifest(v, &it, &view, &used);
	if (r == 0)
		r = scan_folder(v, &it, used, e);
	if (r == 0 && used)
		/* the archive manifest's lines are copies of the item's: its date counts */
		r = check_entries(v, used, it.have_own ? &it.own_st : &v->archive_st, e);
	if (r == 0)
		progress_item(it.dir.data, -1);
cleanup:
	item_release(&it);
	return r;
}

/* ---- the whole archive ---------------------------------------------------- */

/* True when at least one item has a manifest of its own. */
static int any_item_manifest(struct verify *v, const struct store_ids *ids)
{
	struct buf rel = BUF_INIT;
	struct stat st;
	int found = 0;

	for (int k = 0; k < 2 && !found; k++)
		for (size_t i = 0; i < ids[k].n && !found; i++) {
			buf_reset(&rel);
			found = buf_printf(&rel, "%s/%s/%s", store_kind_dir((enum store_kind)k),
					   ids[k].v[i], MANIFEST_NAME) == 0 &&
				fstatat(v->root_fd, rel.data, &st, AT_SYMLINK_NOFOLLOW) == 0;
		}
	buf_release(&rel);
	return found;
}

/* Temporaries left in the root by a sync killed while it wrote the index files. */
static int scan_root(struct verify *v, struct err *e)
{
	int fd = dup(v->root_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return err_set(e, FA_EIO, "cannot list '%s': %s", v->store.root, strerror(errno));
	}
	while (r == 0 && (de = readdir(d)))
		if (fs_is_temp_name(de->d_name))
			r = report(v, PROBLEM, "partial", de->d_name, "left by an interrupted run");
	closedir(d);
	return r;
}

/* The archive manifest's lines not checked with an item: top-level files, vanished items. */
static int check_rest(struct verify *v, struct err *e)
{
	int r = 0;

	for (size_t i = 0; i < v->archive.n && r == 0; i++) {
		if (clock_stop_requested())
			return FA_EINTR;
		if (!v->checked[i])
			r = check_entry(v, &v->archive.v[i], &v->archive_st, e);
	}
	return r;
}

/* Refuses to run while a sync holds the archive's lock; keeps *ret_fd locked. */
static int lock_shared(struct verify *v, int *ret_fd, struct err *e)
{
	int r = store_lock(v->store.root, STORE_LOCK_SHARED, ret_fd, e);

	if (r == FA_EBUSY)
		return err_set(e, r, "a sync is working on '%s'; run verify when it has "
			       "finished", v->store.root);
	/* never synced with a lock, or one we cannot read: nothing to wait for */
	err_clear(e);
	return 0;
}

static int run(struct verify *v, struct err *e)
{
	struct store_ids ids[STORE_KINDS] = { STORE_IDS_INIT, STORE_IDS_INIT, STORE_IDS_INIT };
	int r;

	r = load_manifest(v, MANIFEST_NAME, &v->archive, &v->archive_st, e);
	if (r < 0)
		goto cleanup;
	v->have_archive = r;
	v->checked = calloc(v->archive.n + 1, 1);
	r = v->checked ? 0 : err_set(e, FA_ENOMEM, "out of memory");
	for (int k = 0; k < STORE_KINDS && r == 0; k++)
		if (store_list_ids(&v->store, (enum store_kind)k, &ids[k]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	if (r < 0)
		goto cleanup;
	if (!v->have_archive && !any_item_manifest(v, ids)) {
		r = err_set(e, FA_ENOTFOUND, "no manifest in '%s': run 'flickr-archive sync' "
			    "to create it", v->store.root);
		goto cleanup;
	}
	if (!v->have_archive)
		r = report(v, PROBLEM, "no manifest", MANIFEST_NAME,
			   "run 'flickr-archive sync' to create it");
	progress_begin("verify", (long)(ids[0].n + ids[1].n + ids[2].n + 1));
	if (r == 0)
		r = scan_root(v, e);
	for (int k = 0; k < STORE_KINDS && r == 0; k++)
		for (size_t i = 0; i < ids[k].n && r == 0; i++) {
			if (clock_stop_requested()) {
				r = FA_EINTR;
				break;
			}
			r = check_item(v, (enum store_kind)k, ids[k].v[i], e);
		}
	if (r == 0)
		r = check_rest(v, e);
	if (r == 0)
		progress_item("top-level files", -1);
	progress_end();
cleanup:
	for (int k = 0; k < STORE_KINDS; k++)
		store_ids_free(&ids[k]);
	return r;
}

static void print_summary(const struct verify *v, int64_t start_ms)
{
	double secs = (double)(clock_now_ms() - start_ms) / 1000.0;
	double mb = (double)v->bytes / 1e6;

	msg_info("Checked %ld file%s, %.1f MB, in %.1f s (%.0f MB/s): %ld problem%s, "
		 "%ld warning%s", v->files, v->files == 1 ? "" : "s", mb, secs,
		 secs > 0.001 ? mb / secs : 0.0, v->problems, v->problems == 1 ? "" : "s",
		 v->warnings, v->warnings == 1 ? "" : "s");
}

int cmd_verify(const struct options *o, struct err *e)
{
	struct verify v = { .store = { o->archive_dir }, .root_fd = -1 };
	int64_t start_ms = clock_now_ms();
	int lock_fd = -1, r;

	v.root_fd = open(v.store.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v.root_fd < 0)
		r = err_set(e, FA_ENOTFOUND, "cannot open the archive '%s': %s", v.store.root,
			    strerror(errno));
	else
		r = lock_shared(&v, &lock_fd, e);
	if (r == 0)
		r = run(&v, e);
	if (r == FA_EINTR) {
		err_set(e, r, "interrupted");
	} else if (r == 0) {
		print_summary(&v, start_ms);
		r = v.problems ? CMD_INCOMPLETE : 0;
	}
	store_unlock(&lock_fd);
	if (v.root_fd >= 0)
		close(v.root_fd);
	manifest_release(&v.archive);
	free(v.checked);
	return r;
}
