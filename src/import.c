/*
 * import.c: `flickr-archive import`: Flickr's export read into the archive
 * in two passes over the ZIPs or folders given, in any order and any subset
 * at a time (an interrupted import is run again):
 *
 *   1. the account data: every JSON member kept verbatim under
 *      ARCHIVE/export/ (photo_<id>.json under export/photos/, named by the
 *      id inside it), so a later import of the media alone knows its photos;
 *      then the profile, galleries, groups, contacts and followers written
 *      into the archive's index files (archive/export_account.h);
 *   2. the media, told by their bytes: each compared with, put over or made
 *      into its item (archive/export_item.h) on a worker thread while the
 *      next is read; one whose photo_<id>.json has not come yet is kept aside
 *      in the work dir, and placed first by the run that brings it.
 *
 * Then the report (export/import_report.json and a summary: damaged
 * members, what the export lacks against its JSON, what sync archived that
 * the export does not hold) and, like sync, the index files, manifests,
 * archive.db and the site.
 */
#include "import.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "album_members.h"
#include "catalog.h"
#include "clock.h"
#include "export_account.h"
#include "export_item.h"
#include "export_map.h"
#include "export_media.h"
#include "export_read.h"
#include "fsutil.h"
#include "index.h"
#include "log.h"
#include "manifest.h"
#include "pool.h"
#include "record.h"
#include "site.h"
#include "store.h"
#include "exit_status.h"

#define EXPORT_DIR "export"
#define EXPORT_PHOTOS_DIR EXPORT_DIR "/photos"
/* media whose photo_<id>.json has not been imported yet wait here, placed when it is */
#define PENDING_DIR STORE_WORK_DIR "/import-pending"
/* files of one name kept aside at most (each other bytes): then the import stops */
#define PENDING_SAME_NAME_MAX 1000
/* a JSON member larger than this is kept, not read (albums.json of 100,000 photos: ~2 MB) */
#define EXPORT_JSON_MAX (48u << 20)

/*
 * Items are written in batches: their files without an fsync each, then one
 * fs_sync_all(), then their manifests and complete.flags, then another: a
 * small photo costs two syncs per batch instead of a dozen fsyncs, and an
 * item is complete only once its files are on disk.
 */
#define IMPORT_BATCH_ITEMS 256
#define IMPORT_BATCH_BYTES (512ull << 20)

struct import_pending {
	char id[40];
	struct export_result res;
};

struct import_state;

/*
 * A media member read, its item made on the worker thread while the main
 * thread reads the next member (creating an item's files costs as much as
 * reading its bytes).  Only the job's fields and what import_state does not
 * change in pass 2 are the worker's.
 */
struct import_job {
	int busy;                   /* handed to the worker, not collected yet */
	const struct import_state *st;
	char id[40];
	struct buf member;          /* its name in the export */
	enum export_item_state state;
	int other;                  /* a video's poster, or the video of a poster's item */
	struct buf media;           /* the archived media file, when there is one */
	struct export_file f;
	struct export_result res;
	int r;
	struct err e;
};

struct import_state {
	const struct options *o;
	struct store store;
	int lock_fd;
	int64_t now;
	int64_t start_ms;
	struct store_ids known;     /* ids of the photo_<id>.json kept under export/photos */
	json_t *profile;            /* export/account_profile.json, or NULL */
	json_t *albums;             /* export/albums.json's albums, as albums_index entries */
	struct album_members members;
	json_t *users;              /* users_cache.json, or NULL */
	json_t *damaged;            /* [{source, member, problem}] */
	json_t *differs, *rejected, *unmatched, *left_to_sync;
	long json_kept, photo_records, created, replaced, same;
	long posters;               /* videos' poster frames installed as poster.<ext> */
	struct export_account_counts account; /* what went into the index files */
	json_t *group_photos;       /* {group NSID: entry with photo_ids}, from this run's photo JSON */
	int from_pending;           /* pass 2 is reading PENDING_DIR */
	json_t *placed;             /* PENDING_DIR files placed: removed once the items are durable */
	struct import_pending *pending; /* items whose files wait for the batch's sync */
	size_t n_pending;
	uint64_t pending_bytes;
	struct pool_worker *worker; /* makes the items of pass 2 (NULL: the main thread does) */
	struct import_job job;
};

static int is_json_head(const struct export_member *m)
{
	for (size_t i = 0; i < m->head_len; i++) {
		unsigned char c = m->head[i];

		if (c == '{' || c == '[')
			return 1;
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && !(i < 3 && c >= 0xef))
			return 0; /* a UTF-8 byte order mark is allowed */
	}
	return 0;
}

static int note(json_t *list, const char *member, const char *id, const char *why)
{
	json_t *d = json_pack("{s:s,s:s?,s:s?}", "member", member, "id", id, "problem", why);

	return d && json_array_append_new(list, d) == 0 ? 0 : FA_ENOMEM;
}

/* A name for a kept JSON member: its own when harmless, else a neutral one; FA_ENOMEM or 0. */
static int kept_name(const char *member, struct buf *out)
{
	unsigned int rnd = 0;
	size_t n = strlen(member);
	int ok = n > 5 && n < 200 && member[0] != '.' && !strcmp(member + n - 5, ".json");

	for (size_t i = 0; ok && i < n; i++)
		ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    member[i]) != NULL;
	buf_reset(out);
	if (ok)
		return buf_set(out, member);
	clock_random_bytes(&rnd, sizeof(rnd));
	return buf_printf(out, "member-%08x.json", rnd);
}

/* The kept file's final name, from what the JSON holds. */
static int json_destination(struct import_state *st, const struct export_member *m,
			    const json_t *doc, struct buf *out)
{
	struct buf name = BUF_INIT;
	int r;

	if (export_is_photo_record(doc)) {
		st->photo_records++;
		r = buf_printf(&name, "%s/photo_%s.json", EXPORT_PHOTOS_DIR, jtext(doc, "id"));
	} else if (json_is_array(json_object_get(doc, "albums"))) {
		r = buf_set(&name, EXPORT_DIR "/albums.json");
	} else if (jstr(doc, "nsid") && (json_object_get(doc, "screen_name") ||
					 json_object_get(doc, "join_date"))) {
		r = buf_set(&name, EXPORT_DIR "/account_profile.json");
	} else {
		r = kept_name(m->name, out);
		if (r == 0)
			r = buf_printf(&name, "%s/%s", EXPORT_DIR, out->data);
	}
	if (r == 0)
		r = store_root_path(&st->store, name.data, out);
	if (r < 0)
		r = FA_ENOMEM;
	buf_release(&name);
	return r;
}

/* The member, head and stream, into a temporary file beside ROOT/beside; its size in *size. */
static int spool_member(struct import_state *st, const struct export_member *m,
			struct export_stream *s, const char *beside, struct fs_tmp *t,
			uint64_t *size, struct err *e)
{
	struct buf path = BUF_INIT;
	char chunk[1 << 16];
	size_t n;
	int r = store_root_path(&st->store, beside, &path) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	*size = m->head_len;
	if (r == 0)
		r = fs_tmp_open(t, path.data, 0644, e);
	if (r == 0)
		r = fs_tmp_write(t, m->head, m->head_len, e);
	while (r == 0 && (r = export_stream_read(s, chunk, sizeof(chunk), &n, e)) == 0 && n > 0) {
		*size += n;
		r = fs_tmp_write(t, chunk, n, e);
	}
	buf_release(&path);
	return r;
}

/* Pass 1: a JSON member is kept under export/ (temp-then-rename), named by its content. */
static int take_json(void *ud, const struct export_member *m, struct export_stream *s,
		     struct err *e)
{
	struct import_state *st = ud;
	struct fs_tmp t = FS_TMP_INIT;
	struct buf final = BUF_INIT;
	json_t *doc = NULL;
	uint64_t size;
	int r;

	if (!is_json_head(m))
		return 0;
	r = spool_member(st, m, s, EXPORT_DIR "/.member", &t, &size, e);
	/* read from the temporary file: a member is never held whole, only its parse */
	if (r == 0 && (size > EXPORT_JSON_MAX || json_load_path(t.tmp_path, &doc, NULL) < 0))
		doc = NULL;
	if (r == 0)
		r = json_destination(st, m, doc, &final);
	if (r == 0 && export_is_photo_record(doc) &&
	    export_account_note_photo(st->group_photos, doc) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = fs_tmp_commit(&t, final.data, e);
	if (r == 0)
		st->json_kept++;
	fs_tmp_abort(&t);
	json_decref(doc);
	buf_release(&final);
	return r;
}

/* Whether the files at a and b hold the same bytes (their sizes, then their SHA-256). */
static int same_bytes(const char *a, const char *b)
{
	unsigned char da[MANIFEST_DIGEST_LEN], db[MANIFEST_DIGEST_LEN];
	struct err ignored = { 0 };
	struct stat sa, sb;
	uint64_t na, nb;
	int fa = open(a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fb = open(b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int same = fa >= 0 && fb >= 0 && fstat(fa, &sa) == 0 && fstat(fb, &sb) == 0 &&
		   sa.st_size == sb.st_size && manifest_hash_fd(fa, da, &na, &ignored) == 0 &&
		   manifest_hash_fd(fb, db, &nb, &ignored) == 0 && na == nb &&
		   !memcmp(da, db, sizeof(da));

	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/*
 * PENDING_DIR's name for member (made safe), with "<n>-" before it from the
 * second on.  A name too long for a file (and its temporary) keeps its end:
 * the id and the extension are there; two that end alike are told apart as
 * any two names are, by "<n>-".
 */
static int pending_name(const char *member, int n, struct buf *out)
{
	char prefix[16] = "";
	size_t len = strlen(member), room;
	int r;

	if (n > 1)
		snprintf(prefix, sizeof(prefix), "%d-", n);
	room = FS_TMP_NAME_MAX - strlen(prefix) - 1;
	if (len > room)
		member += len - room;
	buf_reset(out);
	r = buf_printf(out, PENDING_DIR "/%s%s%s", prefix,
		       n == 1 && (member[0] == '.' || !member[0]) ? "_" : "", member);
	/* the digits stay: they are what ties it to its photo */
	for (size_t i = sizeof(PENDING_DIR); r == 0 && i < out->len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    out->data[i]))
			out->data[i] = '_';
	return r;
}

/*
 * A media file no photo_<id>.json names yet (its JSON is in a ZIP not given
 * yet): kept in PENDING_DIR under its name (made safe), and placed by the
 * run that brings the JSON. Another file already there under that name is
 * never replaced: the same bytes are kept once, other bytes get the first
 * free "<n>-<name>" (the id, right before the extension, stays).
 */
static int keep_aside(struct import_state *st, const struct export_member *m,
		      struct export_stream *s, struct err *e)
{
	struct fs_tmp t = FS_TMP_INIT;
	struct buf name = BUF_INIT, path = BUF_INIT, dir = BUF_INIT;
	uint64_t size;
	int r = pending_name(m->name, 1, &name), n = 1;

	if (r == 0)
		r = store_root_path(&st->store, PENDING_DIR, &dir);
	r = r < 0 ? err_set(e, FA_ENOMEM, "out of memory") : fs_mkdirs(dir.data, 0755, e);
	if (r == 0 && !fs_is_real_dir(dir.data))
		r = err_set(e, FA_EINVAL, "'%s' is a symbolic link or a file, never followed",
			    dir.data);
	if (r == 0)
		r = spool_member(st, m, s, name.data, &t, &size, e);
	while (r == 0) {
		buf_reset(&path);
		if (store_root_path(&st->store, name.data, &path) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
		} else if (!fs_exists(path.data)) {
			r = fs_tmp_commit(&t, path.data, e);
			break;
		} else if (same_bytes(t.tmp_path, path.data)) {
			break; /* kept already (the same ZIP given again) */
		} else if (++n > PENDING_SAME_NAME_MAX) {
			r = err_set(e, FA_EIO, "'%s': %d files named '%s' wait for their JSON already",
				    dir.data, PENDING_SAME_NAME_MAX, m->name);
		} else if (pending_name(m->name, n, &name) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
		}
	}
	fs_tmp_abort(&t);
	buf_release(&name);
	buf_release(&path);
	buf_release(&dir);
	return r;
}

/* A file of PENDING_DIR that found its place, to be removed once the item is durable. */
static int placed(struct import_state *st, const char *member, const struct export_result *res)
{
	struct buf path = BUF_INIT;
	int r = 0;

	if (st->from_pending && (res->outcome == EXPORT_SAME || res->outcome == EXPORT_CREATED ||
				 res->outcome == EXPORT_REPLACED || res->outcome == EXPORT_POSTER)) {
		r = buf_printf(&path, PENDING_DIR "/%s", member) < 0 ||
		    json_array_append_new(st->placed, json_string(path.data)) < 0 ? FA_ENOMEM : 0;
	}
	buf_release(&path);
	return r;
}

static int known_id(void *ud, const char *id)
{
	return store_ids_contains(ud, id);
}

static json_t *load_root_json(const struct import_state *st, const char *file)
{
	struct buf path = BUF_INIT;
	json_t *doc = NULL;

	if (store_root_path(&st->store, file, &path) < 0 ||
	    json_load_path(path.data, &doc, NULL) < 0)
		doc = NULL;
	buf_release(&path);
	return doc;
}

/* The ids of export/photos/photo_<id>.json. */
static int list_known(struct import_state *st, struct err *e)
{
	struct buf dir = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int r = store_root_path(&st->store, EXPORT_PHOTOS_DIR, &dir);

	d = r == 0 ? opendir(dir.data) : NULL;
	while (d && r == 0 && (de = readdir(d))) {
		char id[40];
		size_t n = strlen(de->d_name);

		if (n < 12 || n - 11 >= sizeof(id) || strncmp(de->d_name, "photo_", 6) ||
		    strcmp(de->d_name + n - 5, ".json"))
			continue;
		memcpy(id, de->d_name + 6, n - 11);
		id[n - 11] = '\0';
		if (store_valid_id(id) && store_ids_add(&st->known, id) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	}
	if (d)
		closedir(d);
	store_ids_sort(&st->known);
	buf_release(&dir);
	return r;
}

/* albums.json made into albums_index.json's entries: {id, title, description, photo_ids, ...}. */
static json_t *albums_from_export(const json_t *doc)
{
	const json_t *list = json_object_get(doc, "albums");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *a = jlist_at(list, i), *photos = json_object_get(a, "photos");
		json_t *ids = json_array(), *d;

		if (!jtext(a, "id") || !store_valid_id(jtext(a, "id")))
			continue;
		for (size_t k = 0; k < jlist_size(photos); k++) {
			const char *pid = json_is_string(jlist_at(photos, k))
				? json_string_value(jlist_at(photos, k)) : NULL;

			if (pid && strcmp(pid, "0") && store_valid_id(pid))
				json_array_append_new(ids, json_string(pid));
		}
		d = json_pack("{s:s,s:s,s:s,s:o,s:b,s:s}", "id", jtext(a, "id"), "title",
			      jstr(a, "title") ? jstr(a, "title") : "", "description",
			      jstr(a, "description") ? jstr(a, "description") : "", "photo_ids", ids,
			      "photo_ids_complete", 1, "source", EXPORT_SOURCE);
		jcopy(d, "count_views", a, "view_count");
		jcopy(d, "date_create", a, "created");
		jcopy(d, "date_update", a, "last_updated");
		if (d)
			json_array_append_new(out, d);
	}
	return out;
}

/* What pass 2 needs from pass 1 (this import's or an earlier one's). */
static int load_account_data(struct import_state *st, struct err *e)
{
	json_t *doc = load_root_json(st, EXPORT_DIR "/albums.json");
	int r = list_known(st, e);

	st->profile = load_root_json(st, EXPORT_DIR "/account_profile.json");
	st->users = load_root_json(st, "users_cache.json");
	st->albums = albums_from_export(doc);
	json_decref(doc);
	for (size_t i = 0; r == 0 && i < json_array_size(st->albums); i++) {
		const json_t *ids = json_object_get(json_array_get(st->albums, i), "photo_ids");

		for (size_t k = 0; r == 0 && k < json_array_size(ids); k++)
			r = album_members_add(&st->members, json_string_value(json_array_get(ids, k)),
					      i);
	}
	album_members_sort(&st->members);
	return r < 0 ? err_set(e, r, "out of memory") : 0;
}

/* A new item from the export: its photo_<id>.json mapped onto the archive's records. */
static int create_item(const struct import_state *st, const char *id, struct export_file *f,
		       struct export_result *res, struct err *e)
{
	struct buf file = BUF_INIT;
	json_t *photo = NULL, *albums = NULL;
	int r;

	if (buf_printf(&file, EXPORT_PHOTOS_DIR "/photo_%s.json", id) < 0) {
		buf_release(&file);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	photo = load_root_json(st, file.data);
	if (!photo) {
		res->outcome = EXPORT_REJECTED;
		snprintf(res->why, sizeof(res->why), "its %s cannot be read", file.data);
		r = 0;
	} else {
		struct export_new_item in = { photo, st->profile, NULL, st->users };

		albums = album_members_of(&st->members, id, st->albums);
		in.albums = albums;
		r = export_item_create(&st->store, id, &in, f, st->now, 1, res, e);
	}
	json_decref(photo);
	json_decref(albums);
	buf_release(&file);
	return r;
}

static int count_outcome(struct import_state *st, const char *id, const struct export_file *f,
			 const struct export_result *res)
{
	switch (res->outcome) {
	case EXPORT_SAME: st->same++; return 0;
	case EXPORT_CREATED: st->created++; return 0;
	case EXPORT_POSTER: st->posters++; return 0;
	case EXPORT_REPLACED:
		st->replaced++;
		msg_info("my_photos/%s: the export's original is in; %s", id, res->why);
		return 0;
	case EXPORT_DIFFERS:
		msg_warn("my_photos/%s: %s", id, res->why);
		return note(st->differs, f->member, id, res->why);
	case EXPORT_REJECTED:
		msg_warn("my_photos/%s: '%s' not taken: %s", id, f->member, res->why);
		return note(st->rejected, f->member, id, res->why);
	}
	return 0;
}

/* The batch's files made durable, then its items completed (manifest, flag) and those too. */
static int flush_batch(struct import_state *st, struct err *e)
{
	int r = st->n_pending ? fs_sync_all(st->store.root, e) : 0;

	for (size_t i = 0; r == 0 && i < st->n_pending; i++)
		r = export_item_complete(&st->store, st->pending[i].id, &st->pending[i].res, e);
	if (r == 0)
		r = fs_sync_all(st->store.root, e);
	st->n_pending = 0;
	st->pending_bytes = 0;
	return r;
}

static int add_pending(struct import_state *st, const char *id, const struct export_file *f,
		       const struct export_result *res, struct err *e)
{
	struct import_pending *p;

	if (!st->pending) {
		st->pending = calloc(IMPORT_BATCH_ITEMS, sizeof(*st->pending));
		if (!st->pending)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	p = &st->pending[st->n_pending++];
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->res = *res;
	st->pending_bytes += f->size;
	if (st->n_pending == IMPORT_BATCH_ITEMS || st->pending_bytes >= IMPORT_BATCH_BYTES)
		return flush_batch(st, e);
	return 0;
}

/* Whether id's item waits in the batch for its manifest and complete.flag. */
static int in_batch(const struct import_state *st, const char *id)
{
	for (size_t i = 0; i < st->n_pending; i++)
		if (!strcmp(st->pending[i].id, id))
			return 1;
	return 0;
}

/* On the worker: the item compared with, put over or made from the file read. */
static void make_item(void *ud)
{
	struct import_job *j = ud;
	const struct store *store = &j->st->store;

	if (j->other)
		j->r = export_item_other(store, j->id, j->media.data, &j->f, j->st->now, 1, &j->res,
					 &j->e);
	else if (j->state == EXPORT_ITEM_ORIGINAL)
		j->r = export_item_compare(store, j->id, j->media.data, &j->f, &j->res, &j->e);
	else if (j->state == EXPORT_ITEM_NOT_ORIGINAL)
		j->r = export_item_replace(store, j->id, j->media.data, &j->f, j->st->now, 1,
					   &j->res, &j->e);
	else if (j->state == EXPORT_ITEM_AWAITS_VIDEO)
		j->r = export_item_add_video(store, j->id, &j->f, j->st->now, 1, &j->res, &j->e);
	else
		j->r = create_item(j->st, j->id, &j->f, &j->res, &j->e);
}

/* The worker's item, once made, counted and put in the batch; 0 when there is none. */
static int collect_item(struct import_state *st, struct err *e)
{
	struct import_job *j = &st->job;
	int r;

	if (!j->busy)
		return 0;
	pool_worker_wait(st->worker);
	j->busy = 0;
	r = j->r;
	if (r < 0)
		*e = j->e;
	if (r == 0 && (j->res.outcome == EXPORT_CREATED || j->res.outcome == EXPORT_REPLACED ||
		       j->res.outcome == EXPORT_POSTER))
		r = add_pending(st, j->id, &j->f, &j->res, e);
	if (r == 0)
		r = count_outcome(st, j->id, &j->f, &j->res);
	if (r == 0 && placed(st, j->member.data, &j->res) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		progress_item(j->id, 0);
	fs_tmp_abort(&j->f.tmp);
	buf_reset(&j->media);
	return r;
}

/*
 * The job of a member whose file was read: the item before it collected,
 * then this one handed to the worker.
 */
static int hand_over(struct import_state *st, struct import_job *next, struct err *e)
{
	int r = collect_item(st, e);

	if (r < 0) {
		fs_tmp_abort(&next->f.tmp);
		return r;
	}
	st->job.st = st;
	snprintf(st->job.id, sizeof(st->job.id), "%s", next->id);
	st->job.state = next->state;
	st->job.other = next->other;
	st->job.f = next->f;
	next->f.tmp = (struct fs_tmp)FS_TMP_INIT; /* the job's now */
	st->job.res = (struct export_result){ .outcome = EXPORT_REJECTED };
	st->job.e = (struct err){ 0 };
	buf_swap(&st->job.member, &next->member); /* next gets the collected job's, to free */
	buf_swap(&st->job.media, &next->media);
	st->job.f.member = st->job.member.data;
	st->job.busy = 1;
	pool_worker_run(st->worker, make_item, &st->job);
	return 0;
}

/*
 * An item a stopped run left between a picture and its video, finished first
 * (the worker's item collected first: the batch may be completed here).
 */
static int finish_stopped(struct import_state *st, const char *id, struct err *e)
{
	struct export_result res = { .outcome = EXPORT_REJECTED };
	int r;

	if (!store_rewrite_pending(&st->store, STORE_MY, id, NULL))
		return 0;
	r = collect_item(st, e);
	if (r == 0)
		r = export_item_resume(&st->store, id, 1, &res, e);
	if (r == 1) {
		r = add_pending(st, id, &(struct export_file){ .size = 0 }, &res, e);
		if (r == 0 && res.outcome == EXPORT_REPLACED) {
			st->replaced++;
			msg_info("my_photos/%s: %s", id, res.why);
		} else if (r == 0) {
			msg_warn("my_photos/%s: %s", id, res.why);
		}
	}
	return r;
}

/* Pass 2: a media member put where it belongs. */
static int take_media(void *ud, const struct export_member *m, struct export_stream *s,
		      struct err *e)
{
	struct import_state *st = ud;
	struct import_job next = { .f.tmp = FS_TMP_INIT, .member = BUF_INIT, .media = BUF_INIT };
	struct buf spool = BUF_INIT;
	char id[40];
	int r = 0;

	next.f.ext = export_media_ext(m->head, m->head_len);
	if (!next.f.ext)
		return 0; /* JSON (pass 1) or something that is not media */
	next.f.is_video = export_media_is_video(next.f.ext);
	if (!export_media_id(m->name, known_id, &st->known, id, sizeof(id))) {
		r = st->from_pending ? 0 : keep_aside(st, m, s, e);
		return r ? r : note(st->unmatched, m->name, NULL,
				    "no photo_<id>.json of the export names the id in its name "
				    "(yet): kept aside in " PENDING_DIR " until one is imported");
	}
	/* a second file of the id in this run (a video's poster, a file kept aside twice):
	 * the item the first made is completed first, so that this one is compared with it */
	if (st->job.busy && !strcmp(st->job.id, id) && (r = collect_item(st, e)) < 0)
		goto cleanup;
	if ((r = finish_stopped(st, id, e)) < 0)
		goto cleanup;
	if (in_batch(st, id) && (r = flush_batch(st, e)) < 0)
		goto cleanup;
	next.state = export_item_state(&st->store, id, &next.media);
	if (next.state == EXPORT_ITEM_SYNCING) {
		r = note(st->left_to_sync, m->name, id, "a sync began this item: run sync to finish "
							"it, then import again");
		goto cleanup;
	}
	if (next.state == EXPORT_ITEM_NOT_FOLLOWED) {
		r = note(st->rejected, m->name, id, "the item's folder is a symbolic link or a "
			 "file, never followed: move it away, then import again");
		goto cleanup;
	}
	if (next.state == EXPORT_ITEM_NOT_ORIGINAL && !next.media.len) {
		r = note(st->rejected, m->name, id, "the archived item has no media file (damage): "
			 "run sync to repair it, then import again");
		goto cleanup;
	}
	next.other = next.state != EXPORT_ITEM_NONE &&
		     export_item_other_kind(&st->store, id, next.f.is_video);
	r = store_root_path(&st->store, STORE_WORK_DIR "/import-media", &spool);
	if (r == 0)
		r = export_file_read(&next.f, m, s, next.state == EXPORT_ITEM_ORIGINAL &&
						    !next.other ? NULL : spool.data, e);
	snprintf(next.id, sizeof(next.id), "%s", id);
	if (r == 0 && buf_append(&next.member, m->name, strlen(m->name)) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = hand_over(st, &next, e);
cleanup:
	if (r < 0)
		fs_tmp_abort(&next.f.tmp);
	buf_release(&next.member);
	buf_release(&next.media);
	buf_release(&spool);
	return r;
}

/* The last item made (also after a stop: what is read is not made again); r passed on. */
static int collect_last(struct import_state *st, int r, struct err *e)
{
	struct err ce = { 0 };
	int cr = collect_item(st, &ce);

	if (r == 0 && cr < 0) {
		*e = ce;
		r = cr;
	}
	return r;
}

/* Pass 2 begins with the media kept aside by earlier runs, then the export given. */
static int read_pending(struct import_state *st, struct err *e)
{
	struct buf dir = BUF_INIT;
	int r = store_root_path(&st->store, PENDING_DIR, &dir) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;

	/* checked at the start (check_folders()); again, as it is read */
	if (r == 0 && fs_exists(dir.data) && !fs_is_real_dir(dir.data))
		r = err_set(e, FA_EINVAL, "'%s' is a symbolic link or a file, never followed",
			    dir.data);
	else if (r == 0 && fs_exists(dir.data)) {
		st->from_pending = 1;
		r = export_read(dir.data, EXPORT_READ_AHEAD, take_media, st, st->damaged, e);
		r = collect_last(st, r, e);
		st->from_pending = 0;
	}
	buf_release(&dir);
	return r;
}

/* The pending files whose items are now on disk. */
static void remove_placed(struct import_state *st)
{
	struct buf path = BUF_INIT;

	for (size_t i = 0; i < json_array_size(st->placed); i++) {
		buf_reset(&path);
		if (store_root_path(&st->store, json_string_value(json_array_get(st->placed, i)),
				    &path) == 0)
			unlink(path.data);
	}
	buf_release(&path);
}

static int read_all(struct import_state *st, enum export_read_mode mode, export_member_fn *fn,
		    json_t *damaged, struct err *e)
{
	int r = 0;

	for (int i = 0; r == 0 && i < st->o->n_args; i++)
		r = export_read(st->o->args[i], mode, fn, st, damaged, e);
	return r;
}

/* Items the export's JSON lists without a media file in the archive; sync's items it lacks. */
static int completeness(struct import_state *st, json_t *lacking, json_t *not_in_export)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct buf media = BUF_INIT;
	int r = 0;

	for (size_t i = 0; r == 0 && i < st->known.n; i++)
		if (export_item_state(&st->store, st->known.v[i], &media) != EXPORT_ITEM_ORIGINAL)
			r = json_array_append_new(lacking, json_string(st->known.v[i]));
	if (r == 0 && st->known.n && store_list_ids(&st->store, STORE_MY, &ids) == 0)
		for (size_t i = 0; r == 0 && i < ids.n; i++)
			if (!store_ids_contains(&st->known, ids.v[i]))
				r = json_array_append_new(not_in_export, json_string(ids.v[i]));
	store_ids_free(&ids);
	buf_release(&media);
	return r < 0 ? FA_ENOMEM : 0;
}

/* "a, b, c and 12 more" */
static void print_ids(const char *what, const json_t *list, const char *key)
{
	struct buf line = BUF_INIT;
	size_t n = json_array_size(list);

	if (!n)
		return;
	for (size_t i = 0; i < n && i < 10; i++) {
		const json_t *v = json_array_get(list, i);

		if (buf_printf(&line, "%s%s", i ? ", " : "",
			       json_is_string(v) ? json_string_value(v) : jstr(v, key)) < 0)
			break; /* out of memory: the count is said all the same */
	}
	if (n > 10 && buf_printf(&line, " and %zu more", n - 10) < 0)
		buf_reset(&line);
	msg_warn("%s (%zu): %s", what, n, buf_cstr(&line));
	buf_release(&line);
}

static int write_report(struct import_state *st, json_t *lacking, json_t *not_in_export,
			struct err *e)
{
	struct buf path = BUF_INIT;
	char iso[21];
	const struct export_account_counts *c = &st->account;
	json_t *doc, *account;
	int r;

	record_iso8601(st->now, iso);
	account = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "profile", (json_int_t)c->profile,
			    "galleries", (json_int_t)c->galleries, "groups", (json_int_t)c->groups,
			    "group_photos", (json_int_t)c->group_photos, "contacts",
			    (json_int_t)c->contacts, "followers", (json_int_t)c->followers,
			    "skipped", (json_int_t)c->skipped);
	/* what went into the index files: the counts of the summary's "Account:" line */
	doc = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:I,s:o,s:O,s:O,s:O,s:O,s:O,s:O,s:O}",
			"imported_at", iso, "json_kept", (json_int_t)st->json_kept,
			"photo_records", (json_int_t)st->known.n, "created", (json_int_t)st->created,
			"replaced", (json_int_t)st->replaced, "same", (json_int_t)st->same,
			"posters", (json_int_t)st->posters, "account", account,
			"damaged", st->damaged, "differs", st->differs, "rejected", st->rejected,
			"media_without_record", st->unmatched, "left_to_sync", st->left_to_sync,
			"listed_without_media", lacking, "archived_not_in_export", not_in_export);
	r = store_root_path(&st->store, EXPORT_DIR "/import_report.json", &path);
	r = r == 0 && doc ? json_write_atomic(path.data, doc, e) : err_set(e, FA_ENOMEM, "out of memory");
	json_decref(doc);
	buf_release(&path);
	return r;
}

/* What the export's account files put into the index files, as sync's "Account:" line says. */
static void print_account(const struct export_account_counts *c)
{
	if (!c->profile && !c->galleries && !c->groups && !c->contacts && !c->followers)
		return;
	msg_info("Account: %s%ld galler%s, %ld group%s (%ld of the account's photos in their pools), "
		 "%ld contact%s, %ld follower%s from the export (profile.json, galleries_index.json, "
		 "groups_index.json, contacts.json)", c->profile ? "the profile, " : "",
		 c->galleries, c->galleries == 1 ? "y" : "ies", c->groups, c->groups == 1 ? "" : "s",
		 c->group_photos, c->contacts, c->contacts == 1 ? "" : "s", c->followers,
		 c->followers == 1 ? "" : "s");
}

/* The end of the import, in a few lines; the details are in export/import_report.json. */
static void print_summary(struct import_state *st, const json_t *lacking,
			  const json_t *not_in_export)
{
	msg_info("Import: %ld JSON files kept under %s/export (%zu photo records); %ld items "
		 "made from the export, %ld originals replaced, %ld already archived the same",
		 st->json_kept, st->store.root, st->known.n, st->created, st->replaced, st->same);
	if (st->posters)
		msg_info("Import: %ld videos' poster frames from the export kept as their poster.<ext>",
			 st->posters);
	print_account(&st->account);
	if (st->account.skipped)
		msg_warn("%ld entries of the export's account files have no id this archive can use "
			 "(kept under export/ only)", st->account.skipped);
	for (size_t i = 0; i < json_array_size(st->damaged); i++) {
		const json_t *d = json_array_get(st->damaged, i);

		msg_warn("'%s': member '%s' not imported: %s", jstr(d, "source"), jstr(d, "member"),
			 jstr(d, "problem"));
	}
	print_ids("originals that differ from the export's (the archived ones kept)", st->differs,
		  "id");
	print_ids("export files not taken (see export/import_report.json)", st->rejected, "member");
	print_ids("media files without a photo_<id>.json in the export", st->unmatched, "member");
	print_ids("items a sync began: run sync, then import again", st->left_to_sync, "id");
	print_ids("items the export's JSON lists whose media it did not hold (so far)", lacking,
		  NULL);
	print_ids("items archived by sync that the export does not hold", not_in_export, NULL);
}

/*
 * The folders the import writes into and reads back (store_open() sweeps
 * every kind's): one that is a symbolic link (or a file) is never followed,
 * as an item's folder is not: the import stops before it writes anything,
 * naming it.
 */
static int check_folders(const char *root, struct err *e)
{
	const char *const folders[] = { store_kind_dir(STORE_MY), store_kind_dir(STORE_FAV),
					store_kind_dir(STORE_GALLERY), EXPORT_DIR,
					EXPORT_PHOTOS_DIR, PENDING_DIR };
	struct buf path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(folders) / sizeof(folders[0]); i++) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", root, folders[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if (fs_exists(path.data) && !fs_is_real_dir(path.data))
			r = err_set(e, FA_EINVAL, "'%s' is a symbolic link or a file, never followed: "
				    "nothing imported; make it a folder of the archive, then import "
				    "again", path.data);
	}
	buf_release(&path);
	return r;
}

static int setup(struct import_state *st, struct err *e)
{
	struct buf dir = BUF_INIT;
	int r;

	if (st->o->n_args < 1)
		return err_set(e, FA_EUSAGE, "import needs the export's ZIP files or folders: "
			       "flickr-archive import ZIP|DIR...");
	st->damaged = json_array();
	st->differs = json_array();
	st->rejected = json_array();
	st->unmatched = json_array();
	st->left_to_sync = json_array();
	st->placed = json_array();
	st->group_photos = json_object();
	if (!st->damaged || !st->differs || !st->rejected || !st->unmatched || !st->left_to_sync ||
	    !st->placed || !st->group_photos)
		return err_set(e, FA_ENOMEM, "out of memory");
	/* the lock comes first: a run it refuses must not even sweep temporaries */
	r = store_lock(st->o->archive_dir, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &st->lock_fd,
		       e);
	if (r == FA_EBUSY)
		err_set(e, r, "another flickr-archive is already working on '%s'; run 'import' "
			"again when it has finished", st->o->archive_dir);
	if (r == 0)
		r = check_folders(st->o->archive_dir, e);
	if (r == 0)
		r = store_open(&st->store, st->o->archive_dir, e);
	if (r == 0)
		r = store_root_path(&st->store, EXPORT_PHOTOS_DIR, &dir) < 0
			? err_set(e, FA_ENOMEM, "out of memory") : fs_mkdirs(dir.data, 0755, e);
	if (r == 0) {
		buf_reset(&dir);
		if (store_root_path(&st->store, EXPORT_DIR, &dir) == 0)
			fs_sweep_temps(dir.data); /* left by a killed run */
		buf_reset(&dir);
		if (store_root_path(&st->store, PENDING_DIR, &dir) == 0)
			fs_sweep_temps(dir.data);
	}
	buf_release(&dir);
	return r;
}

static int run(struct import_state *st, struct err *e)
{
	struct err fe = { 0 };
	int r, fr;

	fs_defer_sync(1);
	r = read_all(st, EXPORT_READ_AS_ASKED, take_json, st->damaged, e);
	if (r == 0)
		r = fs_sync_all(st->store.root, e);
	msg_debug("import: the JSON pass took %.1f s", (clock_now_ms() - st->start_ms) / 1000.0);
	if (r == 0)
		r = load_account_data(st, e);
	if (r == 0)
		r = export_account_apply(&st->store, st->now, st->group_photos, &st->account, e);
	if (r == 0) {
		st->worker = pool_worker_start();
		progress_begin("import", (long)st->known.n);
		r = read_pending(st, e);
		if (r == 0)
			/* every media member is read whole: on threads of their own, ahead */
			r = collect_last(st, read_all(st, EXPORT_READ_AHEAD, take_media, st->damaged,
						      e), e);
		progress_end();
		pool_worker_stop(st->worker);
		st->worker = NULL;
	}
	/*
	 * what is whole is completed, also when the run stops on a bad file (after
	 * Ctrl-C the manifests are not hashed: the batch's items are made again by the
	 * next run; on a full disk nothing is tried).  The files kept aside that an
	 * uncompleted batch placed stay until a run completes it.
	 */
	fr = r == FA_ENOSPC ? 0 : flush_batch(st, &fe);
	if (fr == 0 && r != FA_ENOSPC)
		remove_placed(st);
	fs_defer_sync(0);
	if (r == 0 && fr < 0) {
		*e = fe;
		r = fr;
	}
	return r;
}

/*
 * The albums for the index files: the export's, unless a sync recorded some
 * (an albums_index.json whose albums do not all come from an export).
 */
static const json_t *albums_for_index(struct import_state *st)
{
	json_t *index = load_root_json(st, "albums_index.json");
	int synced = 0;

	for (size_t i = 0; i < json_array_size(index); i++) {
		const char *src = jstr(json_array_get(index, i), "source");

		synced |= !src || strcmp(src, EXPORT_SOURCE);
	}
	json_decref(index);
	return synced || !json_array_size(st->albums) ? NULL : st->albums;
}

static void release(struct import_state *st)
{
	store_ids_free(&st->known);
	album_members_release(&st->members);
	json_decref(st->profile);
	json_decref(st->albums);
	json_decref(st->users);
	json_decref(st->damaged);
	json_decref(st->differs);
	json_decref(st->rejected);
	json_decref(st->unmatched);
	json_decref(st->left_to_sync);
	json_decref(st->placed);
	json_decref(st->group_photos);
	free(st->pending);
	pool_worker_stop(st->worker);
	fs_tmp_abort(&st->job.f.tmp);
	buf_release(&st->job.member);
	buf_release(&st->job.media);
}

static int finish(struct import_state *st, struct err *e)
{
	struct catalog_counts cc = { 0 };
	struct index_stats is;
	json_t *lacking = json_array(), *not_in_export = json_array();
	struct err ie = { 0 };
	int r = lacking && not_in_export ? completeness(st, lacking, not_in_export) : FA_ENOMEM;

	if (r == 0)
		r = write_report(st, lacking, not_in_export, e);
	msg_debug("import: media read in %.1f s", (clock_now_ms() - st->start_ms) / 1000.0);
	if (r == 0)
		r = catalog_rebuild(&st->store, albums_for_index(st), NULL, NULL, &cc, e);
	json_decref(cc.damaged);
	json_decref(cc.index_damaged);
	msg_debug("import: index files at %.1f s", (clock_now_ms() - st->start_ms) / 1000.0);
	if (r == 0 && index_refresh(st->store.root, &is, &ie) < 0)
		msg_warn("cannot update the search index: %s; 'flickr-archive search' will try "
			 "again", ie.msg);
	msg_debug("import: search index at %.1f s", (clock_now_ms() - st->start_ms) / 1000.0);
	if (r == 0)
		print_summary(st, lacking, not_in_export);
	if (r == 0 && (json_array_size(st->damaged) || json_array_size(st->rejected) ||
		       json_array_size(st->differs) || json_array_size(lacking) ||
		       json_array_size(st->unmatched) || json_array_size(st->left_to_sync)))
		r = 1;
	json_decref(lacking);
	json_decref(not_in_export);
	return r;
}

int cmd_import(const struct options *o, struct err *e)
{
	struct import_state st = { .o = o, .lock_fd = -1, .job.f.tmp = FS_TMP_INIT };
	int r;

	st.now = clock_unix_now();
	st.start_ms = clock_now_ms();
	r = setup(&st, e);
	if (r == 0)
		r = run(&st, e);
	if (r == 0)
		r = finish(&st, e);
	if (r == FA_EINTR)
		err_set(e, r, "interrupted; run the same 'flickr-archive import' again to finish");
	else if (r < 0 && !e->msg[0])
		err_set(e, r, "%s", fa_strerror(r));
	release(&st);
	/* the site is a view of the archive: its failure is a warning, never the import's */
	if (r >= 0 && !(o->flags & OPT_NO_SITE) && site_after_sync(st.store.root) == FA_EINTR)
		r = err_set(e, FA_EINTR, "interrupted while making the site; run 'flickr-archive "
			    "site' to finish it");
	store_release(&st.store);
	store_unlock(&st.lock_fd);
	return r > 0 ? CMD_INCOMPLETE : r;
}
