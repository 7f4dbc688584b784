/* listing.c: a photo listing spooled to disk, its gaps filled from date windows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "listing.h"
#include "log.h" /* the progress line only (src/README.md) */
#include "record.h"

#define PER_PAGE 500
#define DAY 86400

const struct listing_source LISTING_PHOTOSTREAM = {
	"flickr.people.getPhotos", "min_upload_date", "max_upload_date", "dateupload",
	"photos and videos",
};
const struct listing_source LISTING_FAVORITES = {
	"flickr.favorites.getList", "min_fave_date", "max_fave_date", "date_faved", "favorites",
};

static int spool_line(struct listing *l, const json_t *photo)
{
	char *line = json_dumps(photo, JSON_COMPACT);
	int r;

	if (!line)
		return FA_ENOMEM;
	r = fs_tmp_write(l->tmp, line, strlen(line), NULL);
	if (r == 0)
		r = fs_tmp_write(l->tmp, "\n", 1, NULL);
	free(line);
	return r;
}

/* Writes an item the first time its id comes; ret_id gets the set's copy of the id. */
static int spool_new(struct listing *l, json_t *photo, const char **ret_id, int *ret_added)
{
	const char *id = jstr(photo, "id");
	long long date;
	int r;

	*ret_id = NULL;
	*ret_added = 0;
	if (!store_valid_id(id))
		return 0;
	if (jint(photo, l->src->date_key, &date) && date > l->newest)
		l->newest = date;
	*ret_id = id_set_find(&l->seen, id);
	if (*ret_id)
		return 0;
	r = spool_line(l, photo);
	if (r == 0)
		r = store_ids_add(l->ids, id);
	if (r == 0)
		r = id_set_add(&l->seen, l->ids->v[l->ids->n - 1]);
	if (r < 0)
		return r;
	*ret_id = l->ids->v[l->ids->n - 1];
	*ret_added = 1;
	return 0;
}

static void show_page(struct listing *l, const struct flickr_page *pg, const char *how)
{
	char what[160];

	if (pg->page == l->shown_page)
		return;
	l->shown_page = pg->page;
	progress_set_total(pg->pages);
	snprintf(what, sizeof(what), "listed page %ld of %s%s", pg->page, l->src->what, how);
	progress_item(what, l->fc->calls);
}

static int whole_item(void *ud, json_t *photo, const struct flickr_page *pg)
{
	struct listing *l = ud;
	const char *id;
	int added;

	show_page(l, pg, "");
	/* listed all the same: its worker records it as failed, with the reason */
	if (!store_valid_id(jstr(photo, "id"))) {
		l->invalid++;
		return spool_line(l, photo);
	}
	return spool_new(l, photo, &id, &added);
}

struct window {
	struct listing *l;
	struct id_set seen;       /* unique ids of this window, borrowed from l->ids */
	long invalid;             /* items without a valid id (the whole listing spooled them) */
};

static int window_item(void *ud, json_t *photo, const struct flickr_page *pg)
{
	struct window *w = ud;
	const char *id;
	int added, r;

	show_page(w->l, pg, " (by date)");
	w->invalid += !store_valid_id(jstr(photo, "id"));
	r = spool_new(w->l, photo, &id, &added);
	w->l->recovered += added;
	if (r == 0 && id)
		r = id_set_add(&w->seen, id);
	return r < 0 ? r : 0;
}

static int add_gap(struct listing *l, int64_t lo, int64_t hi, long expected, long got)
{
	json_t *gap = json_object();
	char iso[21];

	record_iso8601(lo, iso);
	jset_str(gap, "from", iso);
	record_iso8601(hi, iso);
	jset_str(gap, "to", iso);
	jset_int(gap, "from_unix", lo);
	jset_int(gap, "to_unix", hi);
	jset_int(gap, "expected", expected);
	jset_int(gap, "got", got);
	return json_array_append_new(l->gaps, gap) < 0 ? FA_ENOMEM : 0;
}

/*
 * Lists the items dated lo..hi (both included); a window that yields fewer
 * unique items than it counts is split in two, until a window is a second
 * wide or the budget is spent.  ret_total gets the window's count.
 */
static int list_window(struct listing *l, int64_t lo, int64_t hi, long *ret_total,
		       struct err *e)
{
	char lo_s[24], hi_s[24];
	const char *args[40];
	struct window w = { l, ID_SET_INIT, 0 };
	struct flickr_page last = { 0, 0, 0 };
	long calls = l->fc->calls, total, got, halves[2] = { 0, 0 };
	size_t n = 0;
	int r;

	l->shown_page = 0;
	for (; l->args[n] && n + 5 < sizeof(args) / sizeof(args[0]); n++)
		args[n] = l->args[n];
	snprintf(lo_s, sizeof(lo_s), "%lld", (long long)lo);
	snprintf(hi_s, sizeof(hi_s), "%lld", (long long)hi);
	args[n++] = l->src->min_key;
	args[n++] = lo_s;
	args[n++] = l->src->max_key;
	args[n++] = hi_s;
	args[n] = NULL;
	r = flickr_paginate(l->fc, l->src->method, args, "photos", "photo", PER_PAGE, window_item,
			    &w, &last, e);
	got = (long)w.seen.n + w.invalid;
	id_set_release(&w.seen);
	l->calls_left -= l->fc->calls - calls;
	l->windows++;
	*ret_total = total = last.total;
	if (r < 0 || got >= total)
		return r;
	if (hi - lo < 2 || l->calls_left <= 0)
		return add_gap(l, lo, hi, total, got);
	r = list_window(l, lo, lo + (hi - lo) / 2, &halves[0], e);
	if (r == 0)
		r = list_window(l, lo + (hi - lo) / 2 + 1, hi, &halves[1], e);
	/* the halves speak for their own gaps; what they do not count is this window's */
	if (r == 0 && halves[0] + halves[1] < total)
		r = add_gap(l, lo, hi, total, halves[0] + halves[1]);
	return r;
}

static int recover(struct listing *l, struct err *e)
{
	long before = listing_got(l), window_total = 0;
	int64_t hi = (l->newest > l->now ? l->newest : l->now) + DAY;
	int r;

	l->by_date = 1;
	l->first_got = before;
	l->first_total = l->total;
	/* enough for a few short windows to be narrowed down to the second */
	l->calls_left = 60 + 2 * (l->total / PER_PAGE + 1);
	r = list_window(l, 0, hi, &window_total, e);
	if (window_total > l->total)
		l->total = window_total;
	/* what the whole listing gave stands; the ledger says what is still short */
	if (r < 0 && !err_is_fatal(r) && r != FA_EIO) {
		snprintf(l->by_date_failed, sizeof(l->by_date_failed), "%s",
			 e && e->msg[0] ? e->msg : fa_strerror(r));
		r = 0;
	}
	return r;
}

long listing_got(const struct listing *l)
{
	return (long)l->ids->n + l->invalid;
}

int listing_spool(struct listing *l, const char *path, struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	struct flickr_page last = { 0, 0, 0 };
	int r;

	l->tmp = &tmp;
	l->gaps = json_array();
	if (!l->gaps)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_tmp_open(&tmp, path, 0644, e);
	progress_begin("listing", 1);
	if (r == 0)
		r = flickr_paginate(l->fc, l->src->method, l->args, "photos", "photo", PER_PAGE,
				    whole_item, l, &last, e);
	l->total = last.total;
	if (r == 0 && listing_got(l) < l->total)
		r = recover(l, e);
	progress_end();
	if (r == FA_EIO || r == FA_ENOSPC || r == FA_ENOMEM)
		err_set(e, r, "cannot write the listing '%s': %s", path, fa_strerror(r));
	if (r == 0)
		r = fs_tmp_commit(&tmp, path, e);
	fs_tmp_abort(&tmp);
	l->tmp = NULL;
	return r;
}

void listing_release(struct listing *l)
{
	json_decref(l->gaps);
	l->gaps = NULL;
	id_set_release(&l->seen);
}
