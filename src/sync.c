/*
 * sync.c: the order of a sync.  Listings are spooled to files in the
 * archive's work directory first (N/500 calls), so memory stays small and a
 * page shift during the run cannot hide a photo; then every incomplete item
 * is archived; then the index files are rebuilt from disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "account.h"
#include "album_members.h"
#include "galleries.h"
#include "groups.h"
#include "albums.h"
#include "avatar.h"
#include "breaker.h"
#include "catalog.h"
#include "clock.h"
#include "damage.h"
#include "exit_status.h"
#include "fa_build.h"
#include "flickr.h"
#include "fsutil.h"
#include "http.h"
#include "index.h"
#include "ledger.h"
#include "listing.h"
#include "log.h"
#include "photo.h"
#include "photo_update.h"
#include "plan.h"
#include "pool.h"
#include "record.h"
#include "store.h"
#include "sync.h"
#include "site.h"
#include "upstream.h"
#include "xmp.h"

struct sync_state {
	const struct options *o;
	struct store store;
	struct http_client *http;
	struct flickr_client fc;
	struct photo_ctx pctx;
	json_t *albums;      /* albums_index.json entries, in the user's order */
	json_t *old_albums;  /* the albums_index.json of the last sync */
	struct album_members photo_albums; /* which albums each photo is in */
	struct store_ids listed[STORE_KINDS]; /* ids in this sync's listings, by store_kind */
	struct ledger ledger; /* what was listed beside what Flickr counts */
	long album_members[2]; /* members counted by the albums, and listed */
	long album_only;     /* album members the photostream did not list */
	long listed_invalid; /* items listed without a valid id (they fail) */
	char *nsid;          /* the account's NSID, as flickr.test.login says */
	struct store_ids recheck[STORE_KINDS]; /* listed ids that were damaged or failed (under lock) */
	json_t *state;       /* .flickr-archive/state.json */
	long total;
	long archived;       /* new items */
	long refreshed;      /* archived items fetched again because Flickr changed them */
	long skipped;        /* archived items unchanged upstream */
	long marked_gone;
	long original_missing;
	long repaired;       /* damaged files fetched again from Flickr */
	json_t *damaged;     /* [{path, problem}]: damage left, from the catalog's check */
	json_t *failures;    /* [{kind, id, error}] */
	json_t *without_original; /* [{kind, id, retried_next_run}] */
	json_t *parts_missing;    /* [{kind, id, parts}]: completed without them, fetched next run */
	pthread_mutex_t lock; /* the counters and failures above, while workers run */
	_Atomic long faves_budget;    /* calls left for refreshing faves (no count_faves) */
	_Atomic long faves_refreshed; /* unchanged items whose faves were fetched again */
	_Atomic int faves_uncounted;  /* a listing came without count_faves */
	struct account_sync account; /* profile, collections, galleries, groups, contacts */
	struct avatar_result avatars;
	int avatars_done;    /* the avatar phase ran to its end */
	int lock_fd;         /* the archive's lock; -1 until taken: then nothing is written */
	int64_t start_ms;
};

static int login(struct sync_state *st, struct err *e)
{
	json_t *resp = NULL;
	const json_t *user;
	int r;

	r = flickr_call(&st->fc, "flickr.test.login", NULL, &resp, e);
	if (r < 0)
		return r;
	user = jobj(resp, "user");
	if (!jstr(user, "id")) {
		json_decref(resp);
		return err_set(e, FA_EPARSE, "flickr.test.login: no user id in the response");
	}
	msg_info("Signed in to Flickr as %s (%s)",
		 jcontent(user, "username") ? jcontent(user, "username") : "?", jstr(user, "id"));
	/* "me" is documented for people.getPhotos only: the other calls get the NSID */
	st->nsid = strdup(jstr(user, "id"));
	st->pctx.nsid = st->nsid;
	json_decref(resp);
	return st->nsid ? 0 : err_set(e, FA_ENOMEM, "out of memory");
}

/* ---- albums ---- */

static void albums_sync_init(struct sync_state *st, struct albums_sync *as)
{
	*as = (struct albums_sync){
		.fc = &st->fc, .pctx = &st->pctx, .store = &st->store, .ledger = &st->ledger,
		.nsid = st->nsid, .albums = st->albums, .members = &st->photo_albums,
	};
}

static int list_albums(struct sync_state *st, struct err *e)
{
	struct albums_sync as;
	int r;

	albums_sync_init(st, &as);
	r = albums_list(&as, e);
	if (as.invalid == 1)
		msg_warn("skipping an album with an invalid id");
	else if (as.invalid)
		msg_warn("skipping %ld albums with an invalid id", as.invalid);
	if (as.marked)
		msg_info("%ld album%s deleted on Flickr; kept in the archive", as.marked,
			 as.marked == 1 ? "" : "s");
	st->marked_gone += as.marked;
	st->album_members[0] = as.counted;
	st->album_members[1] = as.listed;
	return r;
}

/* ---- listings spooled to disk ---- */

static const char *listing_name(enum store_kind kind)
{
	return kind == STORE_FAV ? "favorites" : "photostream";
}


/* A short listing listed again by date: how that went (r: the listing's result). */
static void print_by_date(const struct listing *l, int r)
{
	if (!l->by_date)
		return;
	msg_info("Flickr listed %ld of the %ld %s it counts; listing them again by date",
		 l->first_got, l->first_total, l->src->what);
	if (l->by_date_failed[0])
		msg_warn("listing the %s again by date failed: %s", l->src->what,
			 l->by_date_failed);
	if (r == 0)
		msg_info("Listing by date (%ld windows) found %ld more %s", l->windows,
			 listing_got(l) - l->first_got, l->src->what);
}

static int spool_listing(struct sync_state *st, enum store_kind kind, const char *file,
			 struct err *e)
{
	/* people.getPhotos: every content type (photos, screenshots, art, virtual photos) */
	const char *stream_args[] = { "user_id", "me", "extras", FLICKR_LISTING_EXTRAS,
				      "content_types", "0,1,2,3", "safe_search", "3", NULL };
	const char *fave_args[] = { "user_id", st->nsid, "extras", FLICKR_LISTING_EXTRAS, NULL };
	struct listing l = {
		.fc = &st->fc, .now = clock_unix_now(), .ids = &st->listed[kind],
		.src = kind == STORE_FAV ? &LISTING_FAVORITES : &LISTING_PHOTOSTREAM,
		.args = kind == STORE_FAV ? fave_args : stream_args,
	};
	struct buf path = BUF_INIT;
	json_t *detail = NULL;
	int r;

	r = store_root_path(&st->store, file, &path);
	if (r < 0)
		r = err_set(e, r, "out of memory");
	else
		r = listing_spool(&l, path.data, e);
	buf_release(&path);
	print_by_date(&l, r);
	if (r == 0 && json_array_size(l.gaps))
		detail = json_pack("{sO}", "gaps", l.gaps);
	if (r == 0 && ledger_note(&st->ledger, listing_name(kind), l.total > listing_got(&l) ?
				  l.total : listing_got(&l), listing_got(&l),
				  kind == STORE_FAV ? LEDGER_SAFESEARCH_HINT : NULL, detail) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		msg_info("Found %ld of the %ld %s Flickr counts", listing_got(&l),
			 l.total > listing_got(&l) ? l.total : listing_got(&l), l.src->what);
	st->listed_invalid += l.invalid;
	listing_release(&l);
	store_ids_sort(&st->listed[kind]);
	return r;
}

/* Album members the photostream did not list: the account's own all the same. */
static int list_album_only(struct sync_state *st, const char *file, struct err *e)
{
	struct albums_sync as;
	struct store_ids found = STORE_IDS_INIT;
	struct buf path = BUF_INIT;
	int r;

	albums_sync_init(st, &as);
	r = store_root_path(&st->store, file, &path);
	if (r < 0)
		r = err_set(e, r, "out of memory");
	else
		r = albums_spool_unlisted(&as, &st->listed[STORE_MY], path.data, &found, e);
	buf_release(&path);
	st->album_only = (long)found.n;
	for (size_t i = 0; r == 0 && i < found.n; i++)
		if (store_ids_add(&st->listed[STORE_MY], found.v[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	store_ids_sort(&st->listed[STORE_MY]);
	store_ids_free(&found);
	if (r == 0 && st->album_only)
		msg_info("%ld album member%s the photostream did not list; archived from the "
			 "albums", st->album_only, st->album_only == 1 ? "" : "s");
	return r;
}

/* ---- what Flickr stopped listing ---- */

static int load_state(struct sync_state *st)
{
	struct buf path = BUF_INIT;

	if (store_root_path(&st->store, STORE_WORK_DIR "/state.json", &path) < 0) {
		buf_release(&path);
		return FA_ENOMEM;
	}
	if (json_load_path(path.data, &st->state, NULL) < 0 || !json_is_object(st->state)) {
		json_decref(st->state);
		st->state = json_object();
	}
	buf_release(&path);
	return st->state ? 0 : FA_ENOMEM;
}

/* Remembers when kind was last listed completely: the "last seen" of what vanishes next. */
static int save_listed_at(struct sync_state *st, enum store_kind kind, int64_t when,
			  struct err *e)
{
	struct buf path = BUF_INIT;
	json_t *listed = jobj(st->state, "listed_at");
	int r;

	if (!listed) {
		listed = json_object();
		jset_new(st->state, "listed_at", listed);
	}
	jset_int(listed, store_kind_dir(kind), when);
	r = store_root_path(&st->store, STORE_WORK_DIR "/state.json", &path);
	if (r < 0)
		r = err_set(e, r, "out of memory");
	else
		r = json_write_atomic(path.data, st->state, e);
	buf_release(&path);
	return r;
}

/* Archived items a short listing lacks though Flickr still has them: they are what is missing. */
static int name_missing(struct sync_state *st, json_t *entry, const struct store_ids *ids)
{
	json_t *missing = json_array();

	for (size_t i = 0; missing && i < ids->n; i++)
		if (json_array_append_new(missing, json_string(ids->v[i])) < 0) {
			json_decref(missing);
			missing = NULL;
		}
	return missing && jset_new(entry, "missing", missing) == 0 ? 0 : FA_ENOMEM;
}

/* What asking Flickr about the unlisted items came to, beyond the marks. */
static void print_upstream_findings(enum store_kind kind, const struct upstream_result *ur)
{
	for (size_t i = 0; i < json_array_size(ur->failed); i++) {
		const json_t *f = json_array_get(ur->failed, i);

		if (jstr(f, "status"))
			msg_warn("%s/%s: %s upstream, but marking it failed: %s",
				 store_kind_dir(kind), jstr(f, "id"), jstr(f, "status"),
				 jstr(f, "error"));
		else
			msg_warn("%s/%s: not listed, and asking Flickr failed: %s; will ask again "
				 "next run", store_kind_dir(kind), jstr(f, "id"), jstr(f, "error"));
	}
	for (size_t i = 0; i < ur->still_there.n; i++)
		msg_debug("%s/%s: not listed, but Flickr still has it", store_kind_dir(kind),
			  ur->still_there.v[i]);
}

static int check_unlisted(struct sync_state *st, enum store_kind kind, struct err *e)
{
	json_t *entry = ledger_find(&st->ledger, listing_name(kind));
	struct store_ids unlisted = STORE_IDS_INIT;
	struct upstream_result ur = { 0 };
	int complete = jflag(entry, "complete", true);
	int64_t now = clock_unix_now();
	int r;

	st->pctx.now = now;
	r = upstream_unlisted(&st->store, kind, &st->listed[kind], &unlisted, e);
	if (r == 0 && unlisted.n)
		msg_info("%zu archived item%s in %s not listed by Flickr; checking", unlisted.n,
			 unlisted.n == 1 ? "" : "s", store_kind_dir(kind));
	if (r == 0 && unlisted.n) {
		r = upstream_check(&st->pctx, kind, &unlisted,
				   jint_or(jobj(st->state, "listed_at"), store_kind_dir(kind), 0),
				   &ur, e);
		print_upstream_findings(kind, &ur);
	}
	st->marked_gone += ur.marked;
	/* a short listing: what it lacks though Flickr still has it is what is missing */
	if (r == 0 && !complete && ur.still_there.n &&
	    name_missing(st, entry, &ur.still_there) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	/* "last seen" stays at the last whole listing for what could not be settled yet */
	if (r == 0 && !ur.pending && complete)
		r = save_listed_at(st, kind, now, e);
	upstream_result_release(&ur);
	store_ids_free(&unlisted);
	return r;
}

/* ---- archiving ---- */

/* An item that failed; only one with a valid id can be fetched again next run. */
static void record_failure(struct sync_state *st, enum store_kind kind, const char *id,
			   const char *reason)
{
	int retried = store_valid_id(id);
	json_t *f = json_object();

	jset_str(f, "kind", store_kind_dir(kind));
	jset_str(f, "id", id);
	jset_str(f, "error", reason);
	jset_bool(f, "retried_next_run", retried);
	pthread_mutex_lock(&st->lock);
	json_array_append_new(st->failures, f);
	pthread_mutex_unlock(&st->lock);
	msg_warn("%s/%s: %s%s", store_kind_dir(kind), id ? id : "?", reason,
		 retried ? "; will retry on the next run" : "; skipped");
}

static void count(struct sync_state *st, long *counter, long n)
{
	pthread_mutex_lock(&st->lock);
	*counter += n;
	pthread_mutex_unlock(&st->lock);
}

/* What an archived item still lacks: listed in the summary and sync_report.json. */
static void record_shortfall(struct sync_state *st, enum store_kind kind, const char *id,
			     const struct photo_result *res)
{
	json_t *o = NULL, *p = NULL;

	if (res->original_missing) {
		o = json_object();
		jset_str(o, "kind", store_kind_dir(kind));
		jset_str(o, "id", id);
		jset_bool(o, "retried_next_run", res->original_pending);
	}
	if (res->missing[0]) {
		p = json_object();
		jset_str(p, "kind", store_kind_dir(kind));
		jset_str(p, "id", id);
		jset_str(p, "parts", res->missing);
	}
	pthread_mutex_lock(&st->lock);
	st->original_missing += res->original_missing;
	if (o)
		json_array_append_new(st->without_original, o);
	if (p)
		json_array_append_new(st->parts_missing, p);
	pthread_mutex_unlock(&st->lock);
}

/*
 * Without count_faves nothing says when an unchanged item's faves moved: a
 * rotating slice of them is fetched again each run (see photo.h).  A failure
 * is told and tried again next run; only a fatal one is returned.
 */
static int refresh_uncounted_faves(struct sync_state *st, struct photo_ctx *ctx,
				   enum store_kind kind, const json_t *listing, struct err *e)
{
	struct err one = { 0 };
	int r;

	if (json_object_get(listing, "count_faves"))
		return 0;
	st->faves_uncounted = 1;
	r = photo_refresh_faves_if_due(ctx, kind, listing, &st->faves_budget, &one);
	if (r > 0)
		st->faves_refreshed++;
	if (r < 0 && err_is_fatal(r)) {
		if (e)
			*e = one;
		return r;
	}
	if (r < 0)
		msg_warn("%s/%s: refreshing its faves failed: %s; will retry on a later run",
			 store_kind_dir(kind), jstr(listing, "id"), one.msg);
	return r > 0;
}

/* An archived item: 1 when it is current (updated locally if need be), 0 to fetch it again. */
static int try_unchanged(struct sync_state *st, struct photo_ctx *ctx, enum store_kind kind,
			 const json_t *listing, const json_t *albums, struct err *e)
{
	const char *id = jstr(listing, "id");
	struct err one = { 0 };
	char what[256];
	int changed, r;

	if (st->o->flags & OPT_REFRESH)
		return 0;
	r = photo_update_local(ctx, kind, listing, albums, &changed, &one);
	if (r < 0 && err_is_fatal(r)) {
		if (e)
			*e = one;
		return r;
	}
	if (r <= 0) {
		if (r < 0)
			msg_debug("%s/%s: %s; fetching it again", store_kind_dir(kind), id, one.msg);
		return 0;
	}
	count(st, &st->skipped, 1);
	r = refresh_uncounted_faves(st, ctx, kind, listing, e);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "%s/%s %s", store_kind_dir(kind), id,
		 r > 0 ? "faves refreshed" : changed ? "updated (views, albums)" : "unchanged");
	progress_item(what, st->fc.calls);
	return 1;
}

/* An item's comments or faves that came short, in the ledger. */
static int note_parts(struct sync_state *st, enum store_kind kind, const char *id,
		      const struct photo_result *res, struct err *e)
{
	const char *const parts[] = { "comments", "faves" };
	const long counts[2][2] = { { res->comments.expected, res->comments.got },
				    { res->faves.expected, res->faves.got } };
	char listing[200];

	for (size_t i = 0; i < 2; i++) {
		if (counts[i][1] >= counts[i][0])
			continue;
		snprintf(listing, sizeof(listing), "%s of %s/%s", parts[i], store_kind_dir(kind), id);
		if (ledger_note(&st->ledger, listing, counts[i][0], counts[i][1], NULL, NULL) < 0)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	return 0;
}

/* The catalog checks this listed item again: what its repair left is reported. */
static void recheck(struct sync_state *st, enum store_kind kind, const char *id)
{
	pthread_mutex_lock(&st->lock);
	store_ids_add(&st->recheck[kind], id);
	pthread_mutex_unlock(&st->lock);
}

/*
 * Whether the item was listed and found whole by this sync (archive_listed()
 * checked every complete one): the catalog need not check it again.
 */
static int checked_whole(void *ud, enum store_kind kind, const char *id)
{
	struct sync_state *st = ud;

	return store_ids_contains(&st->listed[kind], id) &&
	       !store_ids_contains(&st->recheck[kind], id);
}

/*
 * A complete item's files against its manifest (damage.h).  Returns 1 when
 * the item is to be skipped (its folder is a link: never followed), 0
 * otherwise, with the damage to repair in d, or a fatal error.
 */
static int check_damage(struct sync_state *st, enum store_kind kind, const char *id,
			struct damage *d, struct err *e)
{
	struct err one = { 0 };
	int r = damage_check_item(&st->store, kind, id, d, &one);

	if (r == FA_EINVAL) {
		record_failure(st, kind, id, one.msg);
		recheck(st, kind, id);
		return 1;
	}
	if (r < 0 && err_is_fatal(r)) {
		if (e)
			*e = one;
		return r;
	}
	if (r < 0) {
		msg_debug("%s/%s: cannot check its files: %s", store_kind_dir(kind), id, one.msg);
		recheck(st, kind, id);
	}
	for (size_t i = 0; i < d->n; i++)
		msg_warn("%s/%s/%s is damaged (%s); %s", store_kind_dir(kind), id, d->v[i].name,
			 damage_kind_text(d->v[i].kind),
			 xmp_is_sidecar(d->v[i].name) ? "making it again from metadata.json"
						      : "fetching it again from Flickr");
	return 0;
}

/* True when every damaged file is an XMP sidecar (none is, too). */
static int sidecars_only(const struct damage *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!xmp_is_sidecar(d->v[i].name))
			return 0;
	return 1;
}

static int archive_listed(struct sync_state *st, struct photo_ctx *ctx, enum store_kind kind,
			  const json_t *listing, const json_t *albums, struct err *e)
{
	const char *id = jstr(listing, "id");
	struct damage damaged = DAMAGE_INIT;
	struct photo_result res;
	struct err one = { 0 };
	char what[256];
	long calls_before = flickr_calls_of_this_thread();
	int r, known = 0;

	ctx->now = clock_unix_now();
	if (store_valid_id(id) && store_item_complete(&st->store, kind, id)) {
		known = 1;
		r = check_damage(st, kind, id, &damaged, e);
		/* a damaged sidecar is made again from metadata.json: no call for it */
		ctx->damaged = &damaged;
		if (r == 0 && sidecars_only(&damaged))
			r = try_unchanged(st, ctx, kind, listing, albums, e);
		ctx->damaged = NULL;
		if (r != 0) {
			damage_release(&damaged);
			return r > 0 ? 0 : r;
		}
	}
	ctx->damaged = damaged.n ? &damaged : NULL;
	r = photo_archive(ctx, kind, listing, albums, &res, &one);
	ctx->damaged = NULL;
	if (known && (damaged.n || r < 0))
		recheck(st, kind, id);
	damage_release(&damaged);
	count(st, &st->repaired, res.repaired);
	if (res.bad_json[0])
		msg_warn("%s/%s/%s was not valid JSON (damaged); %s", store_kind_dir(kind), id,
			 res.bad_json, r == 0 ? "fetched it again from Flickr"
					      : "it will be fetched again");
	if (r < 0 && res.gone && known) {
		/* listed a moment ago, gone now: keep it, marked */
		/* "not found or not permitted": Flickr does not say which */
		r = photo_mark_upstream(ctx, kind, id, "unavailable", 1, one.msg, 0, &one);
		count(st, &st->marked_gone, r > 0);
		r = r < 0 ? r : 0;
	} else if (r == 0) {
		count(st, known ? &st->refreshed : &st->archived, 1);
		record_shortfall(st, kind, id, &res);
		r = note_parts(st, kind, id, &res, &one);
	}
	if (r == 0) {
		snprintf(what, sizeof(what), "%s/%s %s (%ld API calls)%s%.200s",
			 store_kind_dir(kind), id, known ? "refreshed" : "archived",
			 flickr_calls_of_this_thread() - calls_before, res.note[0] ? ": " : "",
			 res.note);
		progress_item(what, st->fc.calls);
		return 0;
	}
	if (err_is_fatal(r)) {
		if (e)
			*e = one;
		return r;
	}
	record_failure(st, kind, id, one.msg[0] ? one.msg : fa_strerror(r));
	snprintf(what, sizeof(what), "%s/%s failed", store_kind_dir(kind), id ? id : "?");
	progress_item(what, st->fc.calls);
	return 0;
}

/* One listed item, with the albums it is in (made for it alone: see album_members.h). */
static int archive_one(struct sync_state *st, struct photo_ctx *ctx, enum store_kind kind,
		       const json_t *listing, struct err *e)
{
	json_t *albums = album_members_of(&st->photo_albums, jstr(listing, "id"), st->albums);
	int r = archive_listed(st, ctx, kind, listing, albums, e);

	json_decref(albums);
	return r;
}

/*
 * Workers take the spooled listing's lines in turn and archive them, so that
 * one item's API calls overlap another's downloads.  The first fatal error
 * (disk full, refused credentials, Ctrl-C) stops every worker.
 */
struct workers {
	struct sync_state *st;
	enum store_kind kind;
	FILE *spool;
	pthread_mutex_t lock;     /* the fields below */
	pthread_cond_t released;  /* an id left busy[] */
	char **busy;              /* ids being archived, one slot per worker */
	char *line;
	size_t line_cap;
	int r;                    /* first fatal error, or 0 */
	struct err e;
};

static int id_is_busy(const struct workers *w, const char *id)
{
	for (long i = 0; id && i < w->st->o->jobs; i++)
		if (w->busy[i] && !strcmp(w->busy[i], id))
			return 1;
	return 0;
}

/* The next listing entry, its id claimed in slot; NULL at the end or after a fatal error. */
static json_t *next_listing(struct workers *w, long slot)
{
	json_t *listing = NULL;

	pthread_mutex_lock(&w->lock);
	while (!listing && w->r == 0) {
		struct err perr = { 0 };

		if (clock_stop_requested()) {
			w->r = err_set(&w->e, FA_EINTR, "interrupted");
			break;
		}
		if (getline(&w->line, &w->line_cap, w->spool) <= 0)
			break;
		if (json_parse(w->line, strlen(w->line), &listing, &perr) < 0) {
			record_failure(w->st, w->kind, NULL, perr.msg);
			continue;
		}
		/* a listing can repeat an item: never two workers in one folder */
		while (id_is_busy(w, jstr(listing, "id")))
			pthread_cond_wait(&w->released, &w->lock);
		w->busy[slot] = jstr(listing, "id") ? strdup(jstr(listing, "id")) : NULL;
	}
	pthread_mutex_unlock(&w->lock);
	return listing;
}

static void release_slot(struct workers *w, long slot, int r, const struct err *e)
{
	pthread_mutex_lock(&w->lock);
	free(w->busy[slot]);
	w->busy[slot] = NULL;
	if (r < 0 && w->r == 0) {
		w->r = r;
		w->e = *e;
	}
	pthread_cond_broadcast(&w->released);
	pthread_mutex_unlock(&w->lock);
}

static void worker_main(void *ud, long slot)
{
	struct workers *pool = ud;
	struct photo_ctx ctx = pool->st->pctx; /* its own clock reading */
	json_t *listing;

	while ((listing = next_listing(pool, slot))) {
		struct err e = { 0 };
		int r = archive_one(pool->st, &ctx, pool->kind, listing, &e);

		json_decref(listing);
		release_slot(pool, slot, r, &e);
	}
}

static int run_workers(struct workers *w, struct err *e)
{
	w->busy = calloc((size_t)w->st->o->jobs, sizeof(*w->busy));
	if (!w->busy)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (pool_run(w->st->o->jobs, worker_main, w) < 0)
		w->r = err_set(&w->e, FA_ENOMEM, "cannot start a worker thread");
	if (w->r < 0 && e)
		*e = w->e;
	return w->r;
}

static int archive_spooled(struct sync_state *st, enum store_kind kind, const char *file,
			   struct err *e)
{
	struct workers w = { .st = st, .kind = kind };
	struct buf path = BUF_INIT;
	int r;

	if (store_root_path(&st->store, file, &path) < 0) {
		buf_release(&path);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	w.spool = fopen(path.data, "re");
	if (!w.spool) {
		r = fs_errno_error(e, "read", path.data, errno);
		buf_release(&path);
		return r;
	}
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.released, NULL);
	r = run_workers(&w, e);
	pthread_cond_destroy(&w.released);
	pthread_mutex_destroy(&w.lock);
	fclose(w.spool);
	free(w.busy);
	free(w.line);
	buf_release(&path);
	return r;
}

/* ---- avatars, fetched while the catalog merges the users ---- */

/* The index files the catalog found damaged, and rebuilt. */
static void print_index_damage(const json_t *found)
{
	for (size_t i = 0; i < json_array_size(found); i++) {
		const json_t *d = json_array_get(found, i);

		if (jstr(d, "kept"))
			msg_warn("%s is damaged (%s): rebuilt from what could be read and Flickr's "
				 "albums, the damaged copy kept as %s", jstr(d, "file"),
				 jstr(d, "problem"), jstr(d, "kept"));
		else
			msg_warn("%s is damaged (%s): rebuilt from the items", jstr(d, "file"),
				 jstr(d, "problem"));
	}
}

/* What the avatar phase came to, told as it ends (even when it was cut short). */
static void print_avatar_findings(const struct avatar_result *a)
{
	if (a->dir_not_followed)
		msg_warn("%s is not a folder (a symbolic link?): it is never followed, and no "
			 "avatar is archived until it is one", STORE_AVATARS_DIR);
	for (size_t i = 0; i < json_array_size(a->repaired_kept); i++) {
		const json_t *k = json_array_get(a->repaired_kept, i);

		msg_warn("%s was damaged: fetched again, the damaged copy kept as %s",
			 jstr(k, "icon"), jstr(k, "kept"));
	}
	for (size_t i = 0; i < json_array_size(a->failed); i++) {
		const json_t *f = json_array_get(a->failed, i);

		msg_warn("avatar of %s: %s; will retry on the next run", jstr(f, "nsid"),
			 jstr(f, "error"));
	}
	if (a->postponed)
		msg_warn("%d avatar downloads failed in a row; the other %ld wait for the next run",
			 AVATAR_HOST_FAILURES_MAX, a->postponed);
}

/* The calls of the account's structure Flickr refused (99, 112...): the rest was synced. */
static void print_account_refusals(const struct account_run *ar)
{
	for (size_t i = 0; i < json_array_size(ar->warnings); i++)
		msg_warn("%s; the archive keeps what it had",
			 json_string_value(json_array_get(ar->warnings, i)));
}

static int fetch_avatars(void *ud, json_t *users, struct err *e)
{
	struct sync_state *st = ud;
	struct avatar_ctx ctx = { &st->pctx, &st->store, st->o->static_url, st->o->jobs,
				  &st->fc.notice };
	int r = account_add_people(&st->account, users);

	if (r < 0)
		return err_set(e, r, "out of memory");
	r = avatar_sync(&ctx, users, &st->avatars, e);

	print_avatar_findings(&st->avatars);
	st->avatars_done = r == 0;
	return r;
}

static json_t *avatar_report(const struct avatar_result *a)
{
	json_t *rep = json_object();

	jset_int(rep, "people", a->people);
	jset_int(rep, "archived", a->archived);
	jset_int(rep, "downloaded", a->fetched);
	jset_int(rep, "default_icon", a->default_icon);
	jset_int(rep, "skipped_invalid", a->invalid);
	jset_int(rep, "postponed", a->postponed);
	jset_int(rep, "repaired", a->repaired);
	jset_new(rep, "failed", json_incref(a->failed));
	if (a->dir_not_followed)
		jset_bool(rep, "folder_not_followed", true);
	return rep;
}

/* stopped: why the run ended before its end (its one-line error), or NULL. */
static int write_report(struct sync_state *st, const char *stopped, struct err *e)
{
	json_t *rep = json_object();
	struct buf path = BUF_INIT;
	char iso[21];
	int r;

	record_iso8601(clock_unix_now(), iso);
	jset_str(rep, "finished_at", iso);
	jset_int(rep, "items", st->total);
	jset_int(rep, "archived", st->archived);
	jset_int(rep, "refreshed", st->refreshed);
	jset_int(rep, "already_complete", st->skipped);
	jset_int(rep, "marked_gone_upstream", st->marked_gone);
	jset_int(rep, "original_not_available", st->original_missing);
	jset_new(rep, "without_original", json_incref(st->without_original));
	jset_new(rep, "parts_missing", json_incref(st->parts_missing));
	jset_int(rep, "repaired", st->repaired);
	/* the damage Flickr could not repair: these files need a backup */
	if (st->damaged)
		jset_new(rep, "damaged", json_incref(st->damaged));
	jset_int(rep, "api_calls", st->fc.calls);
	jset_int(rep, "listing_pages_asked_again", st->fc.short_pages);
	jset_int(rep, "api_quota_wait_seconds", flickr_quota_waited_ms(&st->fc) / 1000);
	jset_new(rep, "failed", json_incref(st->failures));
	jset_new(rep, "completeness", json_incref(st->ledger.entries));
	if (st->avatars_done)
		jset_new(rep, "avatars", avatar_report(&st->avatars));
	jset_new(rep, "account", json_pack("{s:i, s:i, s:i, s:i, s:O}",
					   "collections", (json_int_t)st->account.collections,
					   "galleries", (json_int_t)st->account.galleries,
					   "groups", (json_int_t)st->account.groups,
					   "contacts", (json_int_t)st->account.contacts,
					   "refused", st->account.run.warnings));
	if (stopped)
		jset_str(rep, "stopped", stopped);
	r = store_root_path(&st->store, "sync_report.json", &path);
	if (r < 0)
		r = err_set(e, r, "out of memory");
	else
		r = json_write_atomic(path.data, rep, e);
	json_decref(rep);
	buf_release(&path);
	return r;
}

static void print_avatar_summary(const struct avatar_result *a)
{
	size_t failed = json_array_size(a->failed);
	char more[128] = "";
	int n = 0;

	if (a->dir_not_followed) {
		msg_warn("Avatars: none archived: %s is not a folder (a symbolic link?) and is "
			 "never followed; make it a folder and run 'flickr-archive sync' again",
			 STORE_AVATARS_DIR);
		return;
	}
	if (a->postponed)
		n = snprintf(more, sizeof(more), ", %ld not tried", a->postponed);
	if (a->repaired && n >= 0 && (size_t)n < sizeof(more))
		snprintf(more + n, sizeof(more) - (size_t)n, ", %ld damaged fetched again",
			 a->repaired);
	msg_info("Avatars: %ld archived (%ld downloaded now), %ld with Flickr's default icon, "
		 "%zu failed%s%s", a->archived, a->fetched, a->default_icon, failed, more,
		 failed || a->postponed ? " (will retry on the next run)" : "");
}

/* What the account's index files hold (the counts of what Flickr listed this run). */
static void print_account(const struct account_sync *as)
{
	if (!as->run.now)
		return; /* not synced: stopped before it */
	msg_info("Account: %ld collection%s, %ld galler%s, %ld group%s, %ld contact%s "
		 "(profile.json, collections.json, galleries_index.json, groups_index.json, "
		 "contacts.json)", as->collections, as->collections == 1 ? "" : "s",
		 as->galleries, as->galleries == 1 ? "y" : "ies", as->groups,
		 as->groups == 1 ? "" : "s", as->contacts, as->contacts == 1 ? "" : "s");
}

/* "Listed 123 of 123 photos and videos, 60 of 60 favorites, 3 of 3 albums", on every run. */
static void print_listed(struct sync_state *st)
{
	static const char *const listings[] = { "photostream", "favorites", "albums" };
	static const char *const what[] = { "photos and videos", "favorites", "albums" };
	struct buf line = BUF_INIT;
	int r = buf_set(&line, "Listed");

	for (size_t i = 0; i < 3 && r == 0; i++) {
		json_t *entry = ledger_find(&st->ledger, listings[i]);

		if (entry)
			r = buf_printf(&line, "%s %lld of %lld %s", line.len > 6 ? "," : "",
				       jint_or(entry, "got", 0), jint_or(entry, "expected", 0),
				       what[i]);
	}
	if (r == 0 && line.len > 6)
		msg_info("%s", line.data);
	if (st->album_only)
		msg_info("%ld album member%s the photostream did not list %s archived from the albums",
			 st->album_only, st->album_only == 1 ? "" : "s",
			 st->album_only == 1 ? "was" : "were");
	buf_release(&line);
}

/*
 * Appends the names of list's first `most` entries and how many more there
 * are ("my_photos/1 (comments), favorites/2 and 3 more"): a string entry is
 * itself, an object its kind/id with its detail_key's value.  only_retried:
 * only the entries to be fetched again next run.  0 or FA_ENOMEM.
 */
static int append_names(struct buf *out, const json_t *list, size_t most,
			const char *detail_key, int only_retried)
{
	size_t shown = 0, more = 0;
	int r = 0;

	for (size_t i = 0; i < json_array_size(list) && r == 0; i++) {
		const json_t *it = json_array_get(list, i);
		const char *detail = detail_key ? jstr(it, detail_key) : NULL;

		if (only_retried && !jflag(it, "retried_next_run", 0))
			continue;
		if (shown == most) {
			more++;
			continue;
		}
		r = json_is_string(it)
			? buf_printf(out, "%s%s", shown ? ", " : "", json_string_value(it))
			: buf_printf(out, "%s%s/%s%s%s%s", shown ? ", " : "", jstr(it, "kind"),
				     jstr(it, "id"), detail ? " (" : "", detail ? detail : "",
				     detail ? ")" : "");
		shown++;
	}
	if (r == 0 && more)
		r = buf_printf(out, " and %zu more", more);
	return r < 0 ? FA_ENOMEM : 0;
}

/* The ids (or the dates) of what one short listing lacks, for the summary: 0 or FA_ENOMEM. */
static int describe_missing(const json_t *entry, struct buf *out)
{
	const json_t *missing = json_object_get(entry, "missing");
	const json_t *gaps = json_object_get(entry, "gaps");
	int r = 0;

	if (json_array_size(missing)) {
		r = buf_puts(out, "; not listed: ");
		if (r == 0)
			r = append_names(out, missing, 20, NULL, 0);
	}
	for (size_t i = 0, shown = 0; i < json_array_size(gaps) && r == 0; i++) {
		const json_t *g = json_array_get(gaps, i);
		long long lacking = jint_or(g, "expected", 0) - jint_or(g, "got", 0);

		if (lacking <= 0)
			continue; /* filled by an album */
		if (shown++ == 5) {
			r = buf_printf(out, "; and in other date windows");
			break;
		}
		r = buf_printf(out, "; %lld %s between %s and %s", lacking,
			       strcmp(jstr(entry, "listing"), "favorites") ? "uploaded" : "faved",
			       jstr(g, "from"), jstr(g, "to"));
	}
	if (r == 0 && jstr(entry, "hint"))
		r = buf_printf(out, ". %s", jstr(entry, "hint"));
	return r;
}

#define SHORT_LISTINGS_SHOWN 20

static void print_incomplete(struct sync_state *st)
{
	struct buf line = BUF_INIT;
	long shown = 0;

	for (size_t i = 0; i < json_array_size(st->ledger.entries); i++) {
		const json_t *entry = json_array_get(st->ledger.entries, i);

		if (jflag(entry, "complete", true))
			continue;
		/* a count Flickr gets wrong for many items must not bury the summary */
		if (shown++ == SHORT_LISTINGS_SHOWN) {
			msg_warn("%ld more listings are short: see \"completeness\" in sync_report.json",
				 st->ledger.incomplete - SHORT_LISTINGS_SHOWN);
			break;
		}
		buf_reset(&line);
		/* out of memory, the listing's name alone still says which is short */
		if (buf_printf(&line, "%s: Flickr listed %lld of the %lld it counts",
			       jstr(entry, "listing"), jint_or(entry, "got", 0),
			       jint_or(entry, "expected", 0)) < 0 ||
		    describe_missing(entry, &line) < 0)
			buf_reset(&line);
		msg_warn("%s (see sync_report.json; the next run tries again)",
			 line.len ? line.data : jstr(entry, "listing"));
	}
	buf_release(&line);
}

/* What this run archived without: the originals and the parts Flickr held back. */
/* The first few names of list for a line of the summary (all are in sync_report.json). */
static const char *name_items(struct buf *names, const json_t *list, const char *detail_key,
			      int only_retried)
{
	buf_reset(names);
	if (append_names(names, list, 10, detail_key, only_retried) < 0)
		return "see sync_report.json"; /* out of memory: the report names them */
	return buf_cstr(names);
}

static void print_shortfalls(struct sync_state *st)
{
	size_t parts = json_array_size(st->parts_missing), retried = 0;
	struct buf names = BUF_INIT;

	for (size_t i = 0; i < json_array_size(st->without_original); i++)
		retried += jflag(json_array_get(st->without_original, i), "retried_next_run", 0);
	if (st->original_missing > (long)retried)
		msg_info("%ld item%s archived without the original, at the largest size Flickr "
			 "offered (see sizes.json): %s", st->original_missing,
			 st->original_missing == 1 ? " was" : "s were",
			 name_items(&names, st->without_original, NULL, 0));
	if (retried)
		msg_warn("%zu original%s offered but refused by Flickr, archived at a smaller size "
			 "for now; tried again on the next run: %s", retried,
			 retried == 1 ? " was" : "s were",
			 name_items(&names, st->without_original, NULL, 1));
	if (parts)
		msg_warn("%zu item%s archived without parts Flickr refused this time; fetched again "
			 "on the next run: %s", parts, parts == 1 ? "" : "s",
			 name_items(&names, st->parts_missing, "parts", 0));
	buf_release(&names);
}

static void print_damage_left(const json_t *damaged)
{
	size_t n = json_array_size(damaged);

	if (!n)
		return;
	msg_warn("%zu damaged file%s could not be repaired from Flickr (no longer there, or the "
		 "fetch failed: see above); restore %s from a backup:", n, n == 1 ? "" : "s",
		 n == 1 ? "it" : "them");
	for (size_t i = 0; i < n; i++)
		msg_warn("  %s (%s)", jstr(json_array_get(damaged, i), "path"),
			 jstr(json_array_get(damaged, i), "problem"));
}

static void print_summary(struct sync_state *st, const struct catalog_counts *cc)
{
	double secs = (double)(clock_now_ms() - st->start_ms) / 1000.0;
	long failed = (long)json_array_size(st->failures);
	long items = st->archived + st->refreshed + failed;
	int64_t waited_ms = flickr_quota_waited_ms(&st->fc);

	msg_info("Archived %ld new item%s, refreshed %ld changed, %ld already complete, "
		 "%ld failed, in %.1f s", st->archived, st->archived == 1 ? "" : "s",
		 st->refreshed, st->skipped, failed, secs);
	if (st->marked_gone)
		msg_info("%ld item%s no longer on Flickr: kept, and marked \"upstream\" in "
			 "metadata.json", st->marked_gone, st->marked_gone == 1 ? " is" : "s are");
	msg_info("API calls: %ld (%.2f per item archived or refreshed; %ld retries)",
		 st->fc.calls, items ? (double)st->fc.calls / (double)items : 0.0, st->fc.retries);
	if (waited_ms > 0)
		msg_info("Waited %.1f s for the API quota (%ld calls %s)",
			 (double)waited_ms / 1000.0, st->o->calls_per_hour, st->fc.shared
			 ? "in any hour, with the other runs that use this API key" : "an hour, evenly");
	print_shortfalls(st);
	if (st->faves_uncounted)
		msg_info("Flickr's listing carries no fave counts, so the faves of a rotating slice "
			 "of the archive are fetched again each run (%ld this time, at most %ld "
			 "calls): with a daily sync, no item's faves are more than 30 days old",
			 (long)st->faves_refreshed, st->total / 30 + 10);
	if (st->repaired)
		msg_info("Repaired %ld damaged file%s from Flickr (each damaged copy is kept as "
			 "damaged-<time>-<name> beside it)", st->repaired,
			 st->repaired == 1 ? "" : "s");
	print_damage_left(st->damaged);
	if (st->avatars_done)
		print_avatar_summary(&st->avatars);
	print_listed(st);
	print_account(&st->account);
	print_incomplete(st);
	if (cc)
		msg_info("Archive: %s (%ld photos, %ld favorites, %ld albums, %ld people)",
			 st->store.root, cc->my_photos, cc->favorites, cc->albums, cc->users);
}

/* The search index follows the archive; it is derived data, so a failure only warns. */
static int update_search_index(struct sync_state *st)
{
	struct index_stats is;
	struct err e = { 0 };
	int r = index_refresh(st->store.root, &is, &e);

	if (r == FA_EINTR)
		return r;
	if (r < 0)
		msg_warn("cannot update the search index: %s; 'flickr-archive search' will "
			 "try again", e.msg);
	else
		msg_debug("search index: %ld of %ld items read again, %ld dropped%s%s",
			  is.indexed, is.items, is.removed, is.rebuilt ? "; built anew: " : "",
			  is.rebuilt ? is.why : "");
	return 0;
}

/* The progress line's view of the quota. */
static int64_t quota_wait_for(void *ud, long calls)
{
	return flickr_quota_wait_for(ud, calls);
}

static int setup(struct sync_state *st, struct err *e)
{
	const struct options *o = st->o;
	struct http_client_options ho = {
		.allow_http = options_allow_http(o),
		.connect_timeout_s = 30,
		.stall_timeout_s = o->timeout_s,
		.user_agent = "flickr-archive/" FA_VERSION,
		.unreachable_after = BREAKER_DEFAULT_LIMIT,
	};
	struct oauth_creds creds = { o->api_key, o->api_secret, o->oauth_token,
				     o->oauth_token_secret };
	struct retry_policy retry = { o->retries, o->retry_base_ms, RETRY_DEFAULT_MAX_DELAY_MS };
	char *state_dir = NULL;
	int r;

	r = options_need_token(o, e);
	if (r < 0)
		return r;
	/* the lock comes first: a run it refuses must not even sweep temporaries */
	r = store_lock(o->archive_dir, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &st->lock_fd, e);
	if (r == FA_EBUSY)
		err_set(e, r, "another flickr-archive is already working on '%s'; run 'sync' "
			"again when it has finished", o->archive_dir);
	if (r == 0)
		r = store_open(&st->store, o->archive_dir, e);
	if (r == 0 && load_state(st) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && quota_log_default_dir(&state_dir) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = http_client_new(&ho, &st->http, e);
	if (r < 0) {
		free(state_dir);
		return r;
	}
	flickr_client_init(&st->fc, st->http, &creds, o->api_url, o->calls_per_hour, &retry);
	st->fc.notice = LOG_NOTICE_SINK;
	flickr_client_share_quota(&st->fc, state_dir);
	free(state_dir);
	progress_set_quota(quota_wait_for, &st->fc);
	st->pctx.fc = &st->fc;
	st->pctx.http = st->http;
	st->pctx.store = &st->store;
	st->pctx.retry = retry;
	st->pctx.refetch_all = (o->flags & OPT_REFRESH) != 0;
	st->albums = json_array();
	st->failures = json_array();
	st->without_original = json_array();
	st->parts_missing = json_array();
	st->account.run = (struct account_run){ .fc = &st->fc, .store = &st->store,
						.ledger = &st->ledger,
						.refresh = st->pctx.refetch_all };
	if (account_sync_init(&st->account) < 0 || ledger_init(&st->ledger) < 0 ||
	    !st->albums || !st->failures ||
	    !st->without_original || !st->parts_missing)
		return err_set(e, FA_ENOMEM, "out of memory");
	return 0;
}

#define MY_SPOOL STORE_WORK_DIR "/my_photos.jsonl"
#define ALBUM_ONLY_SPOOL STORE_WORK_DIR "/album_members.jsonl"
#define FAV_SPOOL STORE_WORK_DIR "/favorites.jsonl"

/* The listings, spooled; unless planning, the archived items they lack are asked about. */
static int list_everything(struct sync_state *st, struct err *e)
{
	int favorites = !(st->o->flags & OPT_NO_FAVORITES);
	int planning = (st->o->flags & OPT_PLAN) != 0;
	int r;

	r = list_albums(st, e);
	if (r == 0)
		r = spool_listing(st, STORE_MY, MY_SPOOL, e);
	if (r == 0)
		r = list_album_only(st, ALBUM_ONLY_SPOOL, e);
	if (r == 0 && ledger_note(&st->ledger, "album members", st->album_members[0],
				  st->album_members[1], NULL, NULL) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && favorites)
		r = spool_listing(st, STORE_FAV, FAV_SPOOL, e);
	if (r == 0 && !planning)
		r = check_unlisted(st, STORE_MY, e);
	if (r == 0 && favorites && !planning)
		r = check_unlisted(st, STORE_FAV, e);
	/* the account's structure writes its files: not while planning */
	if (r == 0 && !planning) {
		st->account.run.nsid = st->nsid;
		st->account.run.now = clock_unix_now();
		st->account.listed_items = &st->listed[STORE_MY];
		r = account_sync(&st->account, e);
		print_account_refusals(&st->account.run);
		if (r == 0 && st->account.groups_listed)
			st->pctx.item_groups = st->account.item_groups;
	}
	return r;
}

/*
 * A gallery photo's damaged files that its favorite holds whole (repaired
 * just before, say) become links to the favorite's again: one copy on disk.
 */
static int relink_damaged(struct sync_state *st, const char *id, struct err *e)
{
	struct store_ids names = STORE_IDS_INIT;
	int r = galleries_relink_favorite(&st->store, id, (long long)clock_unix_now(), &names, e);

	for (size_t i = 0; i < names.n; i++)
		msg_warn("%s/%s/%s is damaged; linked again to the favorite's whole copy "
			 "(the damaged one is kept)", store_kind_dir(STORE_GALLERY), id, names.v[i]);
	count(st, &st->repaired, (long)names.n);
	store_ids_free(&names);
	return r;
}

/* The photos of galleries not listed again keep their XMP sidecar current without a call. */
static int keep_gallery_sidecars(struct sync_state *st, struct err *e)
{
	const json_t *ids = st->account.gallery_kept;
	int r = 0;

	for (size_t i = 0; r == 0 && i < json_array_size(ids); i++)
		r = photo_keep_sidecar(&st->pctx, STORE_GALLERY,
				       json_string_value(json_array_get(ids, i)), e);
	return r;
}

/*
 * The galleries' photos, under gallery_photos/ as favorites are archived,
 * sharing the files of a favorite that is the same photo.  Few: one after
 * the other.
 */
static int archive_gallery_photos(struct sync_state *st, struct err *e)
{
	const json_t *list = st->account.gallery_listing;
	struct photo_ctx ctx = st->pctx;
	int r = 0;

	for (size_t i = 0; r == 0 && i < json_array_size(list); i++) {
		const json_t *listing = json_array_get(list, i);

		if (clock_stop_requested())
			return err_set(e, FA_EINTR, "interrupted");
		r = galleries_share_favorite(&st->store, jstr(listing, "id"), e);
		if (r == 0)
			r = relink_damaged(st, jstr(listing, "id"), e);
		if (r == 0)
			r = archive_one(st, &ctx, STORE_GALLERY, listing, e);
	}
	return r == 0 ? keep_gallery_sidecars(st, e) : r;
}

/* ---- sync --plan: what a sync would do and cost, from the listings alone ---- */

struct plan_totals {
	long n[3];            /* by enum plan_state */
	long calls;
	long long bytes;
	long bytes_unknown;   /* downloads the listing gives no size for */
	long unlisted;        /* archived items no listing has */
};

static int plan_spool(struct sync_state *st, enum store_kind kind, const char *file,
		      struct plan_totals *t, struct err *e)
{
	struct buf path = BUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	if (store_root_path(&st->store, file, &path) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	f = fopen(path.data, "re");
	if (!f) {
		r = errno == ENOENT ? 0 : fs_errno_error(e, "read", path.data, errno);
		goto cleanup;
	}
	while (getline(&line, &cap, f) > 0 && r == 0) {
		json_t *listing = json_loads(line, 0, NULL);
		struct plan_item it;

		if (!listing)
			continue;
		plan_item(&st->pctx, kind, listing, &it);
		t->n[it.state]++;
		t->calls += it.calls;
		t->bytes += it.bytes;
		t->bytes_unknown += it.bytes_unknown;
		json_decref(listing);
		r = clock_stop_requested() ? err_set(e, FA_EINTR, "interrupted") : 0;
	}
	fclose(f);
cleanup:
	free(line);
	buf_release(&path);
	return r;
}

/* Archived items of kind that no listing has: a sync asks Flickr about each. */
static void plan_unlisted(struct sync_state *st, enum store_kind kind, struct plan_totals *t)
{
	struct store_ids ids = STORE_IDS_INIT;

	store_ids_sort(&st->listed[kind]);
	if (store_list_ids(&st->store, kind, &ids) < 0)
		return;
	for (size_t i = 0; i < ids.n; i++) {
		if (store_ids_contains(&st->listed[kind], ids.v[i]))
			continue;
		t->unlisted++;
		t->calls += plan_unlisted_calls(&st->pctx, kind, ids.v[i]);
	}
	store_ids_free(&ids);
}

static void print_plan_kind(const char *what, const struct plan_totals *t)
{
	msg_info("%s: %ld new, %ld changed, %ld unchanged; %ld archived but no longer listed",
		 what, t->n[PLAN_NEW], t->n[PLAN_CHANGED], t->n[PLAN_UNCHANGED], t->unlisted);
}

static void print_plan(struct sync_state *st, const struct plan_totals *t, long listing_calls)
{
	long calls = listing_calls + t[0].calls + t[1].calls + ACCOUNT_UNCHANGED_CALLS;
	long long bytes = t[0].bytes + t[1].bytes;
	long unknown = t[0].bytes_unknown + t[1].bytes_unknown;
	int64_t wait_ms = flickr_quota_wait_for(&st->fc, calls);
	char not_counted[160] = "";
	struct statvfs fs;

	print_listed(st);
	print_plan_kind("Photos and videos", &t[0]);
	if (!(st->o->flags & OPT_NO_FAVORITES))
		print_plan_kind("Favorites", &t[1]);
	msg_info("API calls: about %ld (%ld to list, as just made, %d for the account's profile, "
		 "collections, galleries, groups and contacts, and %ld for the items; people "
		 "tagged, and galleries and groups that changed, add one each)", calls,
		 listing_calls, ACCOUNT_UNCHANGED_CALLS,
		 calls - listing_calls - ACCOUNT_UNCHANGED_CALLS);
	if (st->o->calls_per_hour <= 0 || wait_ms <= 0)
		msg_info("Time: no waiting for the quota (%ld calls fit in what the rolling hour "
			 "allows now); the rest is download time", calls);
	else
		msg_info("Time: about %lld min of waiting for the quota (%ld calls an hour), plus "
			 "download time", (long long)((wait_ms + 59999) / 60000), st->o->calls_per_hour);
	if (unknown)
		snprintf(not_counted, sizeof(not_counted), "; not counted: %ld files whose size the "
			 "listing does not give (videos, or no original offered)", unknown);
	msg_info("Download: about %.1f MB, estimated from the originals' pixel sizes%s",
		 (double)bytes / 1e6, not_counted);
	if (statvfs(st->store.root, &fs) == 0)
		msg_info("Disk: %.1f GB free at %s", (double)fs.f_bavail * (double)fs.f_frsize / 1e9,
			 st->store.root);
	msg_info("Nothing was archived (sync --plan)");
}

/* Lists the account and prints the plan: listing calls only, nothing archived. */
static int run_plan(struct sync_state *st, struct err *e)
{
	struct plan_totals t[2];
	long listing_calls;
	int r;

	memset(t, 0, sizeof(t));
	r = login(st, e);
	if (r == 0)
		r = list_everything(st, e);
	listing_calls = st->fc.calls;
	if (r == 0)
		r = plan_spool(st, STORE_MY, MY_SPOOL, &t[0], e);
	if (r == 0)
		r = plan_spool(st, STORE_MY, ALBUM_ONLY_SPOOL, &t[0], e);
	if (r == 0 && !(st->o->flags & OPT_NO_FAVORITES))
		r = plan_spool(st, STORE_FAV, FAV_SPOOL, &t[1], e);
	if (r < 0)
		return r;
	plan_unlisted(st, STORE_MY, &t[0]);
	if (!(st->o->flags & OPT_NO_FAVORITES))
		plan_unlisted(st, STORE_FAV, &t[1]);
	print_plan(st, t, listing_calls);
	return 0;
}

static int run(struct sync_state *st, struct err *e)
{
	int r;

	r = login(st, e);
	if (r == 0)
		r = list_everything(st, e);
	if (r < 0)
		return r;
	st->total = (long)(st->listed[STORE_MY].n + st->listed[STORE_FAV].n) + st->listed_invalid +
		    (long)json_array_size(st->account.gallery_listing);
	st->faves_budget = st->total / 30 + 10;
	progress_begin("sync", st->total);
	r = archive_spooled(st, STORE_MY, MY_SPOOL, e);
	if (r == 0 && st->album_only)
		r = archive_spooled(st, STORE_MY, ALBUM_ONLY_SPOOL, e);
	if (r == 0 && !(st->o->flags & OPT_NO_FAVORITES))
		r = archive_spooled(st, STORE_FAV, FAV_SPOOL, e);
	if (r == 0)
		r = archive_gallery_photos(st, e);
	progress_end();
	if (r == 0) {
		long changed = 0;

		st->pctx.now = clock_unix_now();
		r = groups_apply_to_items(&st->account, &st->pctx, &changed, e);
		if (changed)
			msg_debug("groups: %ld item%s moved in or out of a pool", changed,
				  changed == 1 ? "" : "s");
	}
	for (int k = 0; k < STORE_KINDS; k++)
		store_ids_sort(&st->recheck[k]);
	return r;
}

/* Everything but the lock and the store; it can run twice. */
static void release_work(struct sync_state *st)
{
	http_client_free(st->http);
	st->http = NULL;
	json_decref(st->albums);
	json_decref(st->old_albums);
	json_decref(st->state);
	json_decref(st->failures);
	json_decref(st->without_original);
	json_decref(st->parts_missing);
	json_decref(st->damaged);
	st->albums = st->old_albums = st->state = st->failures = st->damaged = NULL;
	st->without_original = st->parts_missing = NULL;
	ledger_release(&st->ledger);
	free(st->nsid);
	st->nsid = NULL;
	st->pctx.nsid = NULL;
	st->pctx.item_groups = NULL;
	album_members_release(&st->photo_albums);
	for (int k = 0; k < STORE_KINDS; k++) {
		store_ids_free(&st->listed[k]);
		store_ids_free(&st->recheck[k]);
	}
	avatar_result_release(&st->avatars);
	account_sync_release(&st->account);
}

static void teardown(struct sync_state *st)
{
	progress_set_quota(NULL, NULL);
	release_work(st);
	flickr_client_release(&st->fc);
	store_unlock(&st->lock_fd);
	store_release(&st->store);
}

/* Failed items, damage left, parts Flickr held back, originals it refused, an avatars
 * folder not followed: not whole. */
static int still_missing(const struct sync_state *st)
{
	for (size_t i = 0; i < json_array_size(st->without_original); i++)
		if (jflag(json_array_get(st->without_original, i), "retried_next_run", 0))
			return 1;
	return json_array_size(st->failures) || json_array_size(st->parts_missing) ||
	       json_array_size(st->damaged) || st->ledger.incomplete ||
	       st->avatars.dir_not_followed;
}

/*
 * The run's result from the sync's (r, e) and the catalog's (cr, ce, run only
 * when the lock was held): the error that ends it, in e, with what to do
 * next; else 0 or CMD_INCOMPLETE.
 */
static int outcome(const struct sync_state *st, int held, int r, struct err *e, int cr,
		   const struct err *ce)
{
	char why[FA_ERR_MSG_MAX];

	snprintf(why, sizeof(why), "%s", r ? e->msg : ce->msg);
	if (r == FA_EINTR || cr == FA_EINTR)
		return err_set(e, FA_EINTR, "interrupted; run 'flickr-archive sync' again to finish");
	if (r == FA_ENOSPC || (r == 0 && cr == FA_ENOSPC))
		return err_set(e, FA_ENOSPC, "the disk is full (%s); free some space and run "
			       "'flickr-archive sync' again to finish", why);
	if (r == FA_EUNREACHABLE)
		return err_set(e, r, "%s; what is archived is kept: run 'flickr-archive sync' again "
			       "when Flickr can be reached", why);
	if (r < 0)
		return e->msg[0] ? r : err_set(e, r, "%s", fa_strerror(r));
	if (cr < 0 && held)
		return err_set(e, cr, "%s", ce->msg[0] ? ce->msg : "cannot write the index files");
	return still_missing(st) ? CMD_INCOMPLETE : 0;
}

/* sync --plan: the same setup and listings as a sync, then the plan, nothing written but spools. */
static int finish_plan(struct sync_state *st, int r, struct err *e)
{
	teardown(st);
	return r == FA_EINTR ? err_set(e, r, "interrupted") : r;
}

int cmd_sync(const struct options *o, struct err *e)
{
	struct sync_state st = { .o = o, .lock_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct catalog_users_hook avatars = { fetch_avatars, &st };
	struct catalog_checked checked = { checked_whole, &st };
	struct catalog_counts cc = { 0 };
	struct err ce = { 0 };
	int r, cr, held, result;

	st.start_ms = clock_now_ms();
	if (o->config_world_readable)
		msg_warn("'%s' holds secrets but others can read it; run: chmod 600 '%s'",
			 o->config_path, o->config_path);
	r = setup(&st, e);
	if (o->flags & OPT_PLAN)
		return finish_plan(&st, r == 0 ? run_plan(&st, e) : r, e);
	if (r == 0)
		r = run(&st, e);
	/* a run without the lock (refused, or failed before it) writes nothing at all */
	held = st.lock_fd >= 0 && st.store.root != NULL;
	album_members_release(&st.photo_albums); /* every item is done with it */
	/* the indexes always describe what is on disk, even after a failure;
	 * the avatars are fetched only after a sync that ran to its end */
	cr = held && r != FA_ENOSPC
		? catalog_rebuild(&st.store, r == 0 ? st.albums : NULL, r == 0 ? &avatars : NULL,
				  r == 0 ? &checked : NULL, &cc, &ce) : -1;
	print_index_damage(cc.index_damaged);
	json_decref(cc.index_damaged);
	if (cr == 0)
		st.damaged = cc.damaged;
	if (held && r != FA_ENOSPC)
		write_report(&st, r < 0 ? (e->msg[0] ? e->msg : fa_strerror(r)) : NULL, NULL);
	if (held && r != FA_ENOSPC && r != FA_EINTR && cr != FA_ENOSPC &&
	    cr != FA_EINTR && update_search_index(&st) == FA_EINTR)
		cr = FA_EINTR;
	result = outcome(&st, held, r, e, cr, &ce);
	if (held && r != FA_EAUTH)
		print_summary(&st, cr == 0 ? &cc : NULL);
	/* the site is a view of the archive: its failure is a warning, never the sync's;
	 * it runs under the lock, once the sync's memory is freed */
	if (cr == 0 && result >= 0 && !(o->flags & OPT_NO_SITE)) {
		release_work(&st);
		if (site_after_sync(st.store.root) == FA_EINTR)
			result = err_set(e, FA_EINTR, "interrupted before the site was finished: run "
					 "'flickr-archive site' to make it");
	}
	teardown(&st);
	return result;
}
