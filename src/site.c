/* site.c: the `site` command, and building the site in the order its parts need. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "site.h"
#include "site_assets.h"
#include "site_lists.h"
#include "site_photo.h"
#include "site_search.h"
#include "site_account.h"
#include "site_thumbs.h"
#include "store.h"
#include "thumb.h"

/* Warnings printed one by one; the rest are counted. */
#define WARNINGS_SHOWN 20

static const char *const site_dirs[] = {
	SITE_DIR, SITE_DIR "/assets", SITE_DIR "/photo", SITE_DIR "/fave", SITE_DIR "/album",
	SITE_DIR "/person", SITE_DIR "/thumbs", SITE_DIR "/thumbs/photo", SITE_DIR "/thumbs/fave",
	SITE_DIR "/medium", SITE_DIR "/medium/photo", SITE_DIR "/medium/fave",
	SITE_DIR "/collection", SITE_DIR "/gallery", SITE_DIR "/group",
};

/*
 * Creates the site's folders and removes temporaries a killed run left in
 * them, and in the root (index.html's; the caller holds the archive's lock).
 */
static int prepare_dirs(const char *root, struct err *e)
{
	struct buf path = BUF_INIT;
	int r = 0;

	fs_sweep_temps(root);
	for (size_t i = 0; i < sizeof(site_dirs) / sizeof(site_dirs[0]) && r == 0; i++) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", root, site_dirs[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if ((r = fs_mkdirs(path.data, 0755, e)) == 0)
			fs_sweep_temps(path.data);
	}
	buf_release(&path);
	return r;
}

static int write_assets(struct site *s, struct err *e)
{
	struct buf rel = BUF_INIT;
	int r = 0;

	for (const struct site_asset *a = site_assets; a->name && r == 0; a++) {
		buf_reset(&rel);
		r = buf_printf(&rel, SITE_DIR "/assets/%s", a->name) < 0
			? err_set(e, FA_ENOMEM, "out of memory")
			: site_write_file(s, rel.data, a->data, a->len, e);
	}
	buf_release(&rel);
	return r;
}

static int site_name(struct site *s)
{
	struct buf name = BUF_INIT;
	int r;

	if (s->m.owner_name && *s->m.owner_name)
		r = buf_printf(&name, "%s \xc2\xb7 Flickr archive", s->m.owner_name);
	else
		r = buf_puts(&name, "Flickr archive");
	if (r < 0) {
		buf_release(&name);
		return FA_ENOMEM;
	}
	s->name = buf_detach(&name);
	return s->name ? 0 : FA_ENOMEM;
}

/*
 * Hands the heap's free pages back to the system: after a sync, before the
 * site (which then starts from the sync's live memory, not its peak), and
 * after the thumbnails (libvips' buffers).
 */
static void give_back_memory(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

int site_build(const char *root, struct site_stats *stats, struct err *e)
{
	struct site s = { .stats = stats, .search_items = SITE_SPOOL_INIT };
	struct buf dir = BUF_INIT;
	int r;

	s.m.spool.fd = -1;
	r = prepare_dirs(root, e);
	if (r == 0)
		r = site_model_load(&s.m, root, e);
	if (r == 0 && (site_name(&s) < 0 || buf_printf(&dir, "%s/" SITE_DIR, root) < 0))
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = site_spool_open(&s.search_items, dir.data, e);
	if (r == 0)
		r = write_assets(&s, e);
	if (r == 0)
		r = site_thumbs_update(&s, thumb_default_threads(), e);
	/* the items are found by key only up to there */
	site_model_drop_lookup(&s.m);
	give_back_memory();
	if (r == 0)
		r = site_photos_write(&s, e);
	site_model_trim_people(&s.m);
	if (r == 0)
		r = site_account_load(&s, e);
	if (r == 0)
		r = site_lists_write(&s, e);
	if (r == 0)
		r = site_account_write(&s, e);
	if (r == 0)
		r = site_search_write(&s, e);
	site_account_release(&s);
	site_model_release(&s.m);
	site_spool_close(&s.search_items);
	buf_release(&dir);
	free(s.name);
	return r;
}

/* ---- reporting ------------------------------------------------------------------ */

static void print_warnings(const json_t *warnings)
{
	size_t n = json_array_size(warnings);

	for (size_t i = 0; i < n && i < WARNINGS_SHOWN; i++)
		msg_warn("%s", json_string_value(json_array_get(warnings, i)));
	if (n > WARNINGS_SHOWN)
		msg_warn("... and %zu more warnings (images that cannot be decoded, damaged "
			 "files)", n - WARNINGS_SHOWN);
}

/* ROOT/index.html as an absolute path when the root resolves (caller frees). */
static char *index_path(const char *root)
{
	char *abs = realpath(root, NULL);
	struct buf out = BUF_INIT;
	int r = buf_printf(&out, "%s/index.html", abs ? abs : root);

	free(abs);
	if (r < 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out);
}

static void print_summary(const struct site_stats *st, int64_t start_ms)
{
	double secs = (double)(clock_now_ms() - start_ms) / 1000.0;

	msg_info("Site: %ld page%s written, %ld unchanged; %ld thumbnail%s made, %ld kept, %ld "
		 "placeholder%s for images that cannot be decoded; in %.1f s",
		 st->pages_written, st->pages_written == 1 ? "" : "s", st->pages_unchanged,
		 st->thumbs_made, st->thumbs_made == 1 ? "" : "s", st->thumbs_kept,
		 st->thumbs_failed, st->thumbs_failed == 1 ? "" : "s", secs);
}

/* Builds, then reports; returns the build's result. */
static int build_and_report(const char *root, struct err *e)
{
	struct site_stats st = { 0 };
	int64_t start_ms = clock_now_ms();
	int r;

	st.warnings = json_array();
	if (!st.warnings)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = site_build(root, &st, e);
	print_warnings(st.warnings);
	if (r == 0)
		print_summary(&st, start_ms);
	json_decref(st.warnings);
	thumb_global_shutdown();
	return r;
}

int site_after_sync(const char *root)
{
	struct err e = { 0 };
	char *index;
	int r;

	give_back_memory();
	r = build_and_report(root, &e);
	if (r == FA_EINTR)
		return r; /* the sync's error line says so */
	if (r < 0) {
		msg_warn("cannot make the site (%s); the archive is fine: run 'flickr-archive "
			 "site' to try again", e.msg[0] ? e.msg : fa_strerror(r));
		return 0;
	}
	index = index_path(root);
	msg_info("Browse the archive: open %s", index ? index : "index.html");
	free(index);
	return 0;
}

/* ---- the command -------------------------------------------------------------- */

/* Takes the archive's lock, as sync does, so that the two never write at once. */
static int lock_archive(const char *root, int *ret_fd, struct err *e)
{
	int r = store_lock(root, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, ret_fd, e);

	if (r == FA_EBUSY)
		err_set(e, r, "another flickr-archive is working on '%s'; run 'site' when it "
			"has finished", root);
	return r;
}

/* An archive has its index files or item folders; anything else is refused. */
static int check_archive(const char *root, struct err *e)
{
	static const char *const marks[] = { "my_photos_index.json", "favorites_index.json",
					     "my_photos", "favorited_photos" };
	struct buf path = BUF_INIT;
	int found = 0;

	if (!fs_is_dir(root))
		return err_set(e, FA_ENOTFOUND, "no archive at '%s' (see --archive)", root);
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]) && !found; i++) {
		buf_reset(&path);
		found = buf_printf(&path, "%s/%s", root, marks[i]) == 0 && fs_exists(path.data);
	}
	buf_release(&path);
	if (!found)
		return err_set(e, FA_ENOTFOUND, "'%s' holds no archive: run 'flickr-archive sync' "
			       "first", root);
	return 0;
}

int cmd_site(const struct options *o, struct err *e)
{
	int lock_fd = -1, r;
	char *index;

	r = check_archive(o->archive_dir, e);
	if (r == 0)
		r = lock_archive(o->archive_dir, &lock_fd, e);
	if (r == 0)
		r = build_and_report(o->archive_dir, e);
	store_unlock(&lock_fd);
	if (r == FA_EINTR)
		return err_set(e, r, "interrupted; run 'flickr-archive site' again to finish");
	if (r < 0)
		return r;
	index = index_path(o->archive_dir);
	msg_result("%s", index ? index : "index.html");
	free(index);
	return 0;
}
