/* catalog.c: rebuilding the index files from the per-item records. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account_index.h"
#include "catalog.h"
#include "clock.h"
#include "damage.h"
#include "fsutil.h"
#include "manifest.h"
#include "merge.h"
#include "record.h"

#define MY_INDEX "my_photos_index.json"
#define FAV_INDEX "favorites_index.json"
#define USERS_CACHE "users_cache.json"
#define ALBUMS_INDEX "albums_index.json"

static int is_empty_string(const json_t *v)
{
	return json_is_string(v) && !*json_string_value(v);
}

/*
 * Puts u (stolen) into users under its nsid.  What u knows replaces what an
 * earlier record or run knew, except where u has nothing (missing, null or
 * ""): a name once archived is never lost to a later record without it (a
 * closed account's comments, say).
 */
static void put_user(json_t *users, json_t *u)
{
	const char *nsid = jstr(u, "nsid");
	const json_t *old = nsid && *nsid ? json_object_get(users, nsid) : NULL;
	const char *key;
	json_t *v;

	if (!nsid || !*nsid) {
		json_decref(u);
		return;
	}
	json_object_foreach((json_t *)old, key, v) {
		const json_t *now = json_object_get(u, key);

		if (!now || json_is_null(now) || (is_empty_string(now) && !json_is_null(v)))
			json_object_set(u, key, v);
	}
	json_object_set_new(users, nsid, u);
}

/* Merges each user of a comments.json / favorites.json array into users. */
static void merge_users_from(json_t *users, const char *path)
{
	json_t *doc = NULL;

	if (json_load_path(path, &doc, NULL) < 0)
		return;
	for (size_t i = 0; i < jlist_size(doc); i++)
		put_user(users, record_user_from(jlist_at(doc, i)));
	json_decref(doc);
}

/* The people tagged in a metadata.json, and its owner (the account, for its own photos). */
static void merge_people_from(json_t *users, const json_t *metadata)
{
	const json_t *people = json_object_get(metadata, "people");

	for (size_t i = 0; i < jlist_size(people); i++)
		put_user(users, record_user_from(jlist_at(people, i)));
	if (jobj(metadata, "owner"))
		put_user(users, record_user_from(jobj(metadata, "owner")));
}

struct index_writer {
	struct fs_tmp tmp;
	struct buf chunk;
	long count;
};

static int index_begin(struct index_writer *w, const char *path, struct err *e)
{
	buf_init(&w->chunk, 0);
	w->count = 0;
	if (fs_tmp_open(&w->tmp, path, 0644, e) < 0)
		return e ? e->code : FA_EIO;
	return fs_tmp_write(&w->tmp, "[", 1, e);
}

static int index_add(struct index_writer *w, const json_t *entry, struct err *e)
{
	char *s = json_dumps(entry, JSON_COMPACT | JSON_REAL_PRECISION(JSON_REAL_DIGITS));
	int r;

	if (!s)
		return err_set(e, FA_ENOMEM, "out of memory");
	buf_reset(&w->chunk);
	r = buf_printf(&w->chunk, "%s\n  %s", w->count ? "," : "", s);
	free(s);
	if (r < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	w->count++;
	return fs_tmp_write(&w->tmp, w->chunk.data, w->chunk.len, e);
}

static int index_finish(struct index_writer *w, const char *path, struct err *e)
{
	int r = fs_tmp_write(&w->tmp, w->count ? "\n]\n" : "]\n", w->count ? 3 : 2, e);

	if (r == 0)
		r = fs_tmp_commit(&w->tmp, path, e);
	fs_tmp_abort(&w->tmp);
	buf_release(&w->chunk);
	return r;
}

/* ---- damage ---------------------------------------------------------------- */

/*
 * What the damage pass found: the items whose metadata.json is damaged
 * (their index entries are the last good ones) and those whose folder is a
 * link (never followed), by kind.
 */
struct damage_seen {
	struct store_ids bad_meta[STORE_KINDS];
	struct store_ids linked[STORE_KINDS];
	json_t *report;       /* [{path, problem}], or NULL */
};

static void damage_seen_release(struct damage_seen *ds)
{
	for (int k = 0; k < STORE_KINDS; k++) {
		store_ids_free(&ds->bad_meta[k]);
		store_ids_free(&ds->linked[k]);
	}
}

static int report_damage(json_t *report, const char *path, const char *problem)
{
	json_t *d = json_object();

	if (!report)
		return 0;
	if (!d || jset_str(d, "path", path) < 0 || jset_str(d, "problem", problem) < 0 ||
	    json_array_append_new(report, d) < 0)
		return FA_ENOMEM;
	return 0;
}

static int note_item_damage(struct damage_seen *ds, enum store_kind kind, const char *id,
			    const struct damage *d)
{
	struct buf path = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < d->n && r == 0; i++) {
		buf_reset(&path);
		r = buf_printf(&path, "%s/%s/%s", store_kind_dir(kind), id, d->v[i].name) < 0
			? FA_ENOMEM : report_damage(ds->report, path.data,
						    damage_kind_text(d->v[i].kind));
	}
	if (r == 0 && damage_has(d, "metadata.json"))
		r = store_ids_add(&ds->bad_meta[kind], id);
	buf_release(&path);
	return r;
}

/*
 * Every complete item against its manifest: a pending rewrite is settled, an
 * item archived before manifests existed gets one from disk, the damage
 * found is noted (sync repairs what Flickr still has before this runs).
 */
static int check_kind(const struct store *s, enum store_kind kind,
		      const struct catalog_checked *checked, struct damage_seen *ds, struct err *e)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct buf path = BUF_INIT;
	int r;

	r = store_list_ids(s, kind, &ids);
	if (r < 0)
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		struct damage d = DAMAGE_INIT;
		struct err one = { 0 };

		if (!store_item_complete(s, kind, ids.v[i]))
			continue;
		if (!store_has_manifest(s, kind, ids.v[i]))
			r = store_write_manifest(s, kind, ids.v[i], NULL, &one);
		else if (checked && checked->fn(checked->ud, kind, ids.v[i]))
			continue;
		else
			r = damage_check_item(s, kind, ids.v[i], &d, &one);
		if (r == FA_EINVAL) {
			buf_reset(&path);
			r = buf_printf(&path, "%s/%s", store_kind_dir(kind), ids.v[i]) < 0
				? FA_ENOMEM : store_ids_add(&ds->linked[kind], ids.v[i]);
			if (r == 0)
				r = report_damage(ds->report, path.data,
						  "a symbolic link to elsewhere; not followed");
		} else if (r == 0) {
			r = note_item_damage(ds, kind, ids.v[i], &d);
		} else if (!err_is_fatal(r)) {
			r = 0; /* unreadable: left for verify */
		} else {
			r = err_set(e, r, "%s", one.msg);
		}
		if (r == FA_ENOMEM)
			err_set(e, r, "out of memory");
		damage_release(&d);
	}
	store_ids_sort(&ds->bad_meta[kind]);
	store_ids_sort(&ds->linked[kind]);
	buf_release(&path);
	store_ids_free(&ids);
	return r;
}

/* ---- the index files ------------------------------------------------------- */

struct last_entry {
	const char *id;
	json_t *entry;
};

static int find_entry(void *ud, json_t *elem)
{
	struct last_entry *le = ud;
	const char *id = jstr(elem, "id");

	if (!le->entry && id && !strcmp(id, le->id))
		le->entry = json_incref(elem);
	return 0;
}

/* The entry the last index had for id (a new reference), or NULL. */
static json_t *last_good_entry(const char *index_path, const char *id)
{
	struct last_entry le = { id, NULL };

	json_each_in_array(index_path, find_entry, &le, NULL);
	return le.entry;
}

static int rebuild_kind(const struct store *s, enum store_kind kind, json_t *users,
			const struct damage_seen *ds, long *ret_count, struct err *e)
{
	static const char *const people_files[] = { "comments.json", "favorites.json" };
	struct index_writer w = { FS_TMP_INIT, BUF_INIT, 0 };
	struct store_ids ids = STORE_IDS_INIT;
	struct buf path = BUF_INIT, index_path = BUF_INIT;
	int r;

	r = store_list_ids(s, kind, &ids);
	if (r < 0) {
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
		goto cleanup;
	}
	if (store_root_path(s, kind == STORE_MY ? MY_INDEX : FAV_INDEX, &index_path) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = index_begin(&w, index_path.data, e);
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		json_t *meta = NULL, *entry;

		if (store_ids_contains(&ds->linked[kind], ids.v[i]))
			continue; /* never read through a link */
		if (store_item_path(s, kind, ids.v[i], "metadata.json", &path) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			break;
		}
		if (store_ids_contains(&ds->bad_meta[kind], ids.v[i]) ||
		    json_load_path(path.data, &meta, NULL) < 0 || !json_is_object(meta)) {
			/* damaged, or not archived far enough yet: the last good entry stays */
			json_decref(meta);
			entry = last_good_entry(index_path.data, ids.v[i]);
			if (entry)
				r = index_add(&w, entry, e);
			json_decref(entry);
			continue;
		}
		entry = record_index_entry(meta, kind);
		jset_bool(entry, "complete", store_item_complete(s, kind, ids.v[i]));
		r = index_add(&w, entry, e);
		json_decref(entry);
		merge_people_from(users, meta);
		json_decref(meta);
		for (size_t f = 0; f < sizeof(people_files) / sizeof(*people_files) && r == 0; f++) {
			if (store_item_path(s, kind, ids.v[i], people_files[f], &path) < 0)
				r = err_set(e, FA_ENOMEM, "out of memory");
			else
				merge_users_from(users, path.data);
		}
	}
	if (r == 0)
		r = index_finish(&w, index_path.data, e);
	else
		fs_tmp_abort(&w.tmp);
	*ret_count = w.count;
cleanup:
	buf_release(&w.chunk);
	buf_release(&path);
	buf_release(&index_path);
	store_ids_free(&ids);
	return r;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The users in nsid order: merged into the cache an earlier run left, they
 * would otherwise come in the order the runs met them, and an archive
 * finished over several runs would differ from one made in a single run.
 */
static json_t *users_sorted(json_t *users)
{
	size_t n = json_object_size(users), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *key;

	if (!keys || !out) {
		free(keys);
		json_decref(out);
		return NULL;
	}
	json_object_foreach(users, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(users, keys[i]));
	free(keys);
	return out;
}

/* An index file found damaged: {file, problem, kept (its copy, when one was kept)}. */
static int note_damaged_index(json_t *found, const char *file, const char *problem,
			      const char *kept)
{
	json_t *d = json_pack("{s:s, s:s}", "file", file, "problem", problem);

	if (d && kept && jset_str(d, "kept", kept) < 0) {
		json_decref(d);
		d = NULL;
	}
	return d && json_array_append_new(found, d) == 0 ? 0 : FA_ENOMEM;
}

/* The users an earlier run recorded; a damaged cache is noted in found, and rebuilt. */
static json_t *load_users(const char *path, json_t *found)
{
	struct err why = { 0 };
	json_t *doc = NULL;
	int r = json_load_path(path, &doc, &why);

	if (r == 0 && !json_is_object(doc))
		r = err_set(&why, FA_EPARSE, "not a JSON object");
	if (r < 0 && r != FA_ENOTFOUND)
		note_damaged_index(found, USERS_CACHE, why.msg, NULL); /* out of memory: unsaid */
	if (r < 0) {
		json_decref(doc);
		doc = json_object();
	}
	return doc;
}

/*
 * This run's albums (sync has already added and marked the ones Flickr no
 * longer lists), then any recorded album still missing from them: a list is
 * never shortened.  The recorded ones are read one at a time, so that only
 * the missing ones are held.
 */
struct album_merge {
	const json_t *fresh;
	json_t *out;
};

static int keep_missing_album(void *ud, json_t *old)
{
	struct album_merge *m = ud;
	const char *id = jstr(old, "id");

	for (size_t k = 0; id && k < json_array_size(m->fresh); k++) {
		const char *fresh_id = jstr(json_array_get(m->fresh, k), "id");

		if (fresh_id && !strcmp(fresh_id, id))
			return 0;
	}
	return json_array_append(m->out, old) < 0 ? FA_ENOMEM : 0;
}

static int keep_damaged_albums(const char *path, const char *why, json_t *found,
			       struct err *e)
{
	struct buf kept = BUF_INIT;
	int r = damage_keep_file(path, (long long)clock_unix_now(), &kept, e);

	if (r == 0 && note_damaged_index(found, ALBUMS_INDEX, why, kept.data) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	buf_release(&kept);
	return r;
}

static int merge_albums(const char *path, const json_t *fresh, json_t **ret, json_t *found,
			struct err *e)
{
	struct album_merge m = { fresh, json_copy((json_t *)fresh) };
	struct err why = { 0 };
	int r;

	if (!m.out)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = json_each_in_array(path, keep_missing_album, &m, &why);
	/* none recorded yet, or a damaged file: what could be read is kept, and so is
	 * the file itself, for albums Flickr no longer lists may be recorded only there */
	if (r == FA_EPARSE)
		r = keep_damaged_albums(path, why.msg, found, e);
	else if (r == FA_ENOTFOUND)
		r = 0;
	else if (r < 0)
		r = err_set(e, r, "%s", why.msg);
	if (r < 0)
		json_decref(m.out);
	else
		*ret = m.out;
	return r;
}

static int rebuild_files(const struct store *s, const json_t *albums,
			 const struct catalog_users_hook *users_hook, const struct damage_seen *ds,
			 struct catalog_counts *ret_counts, struct err *e)
{
	struct catalog_counts counts = { 0, 0, 0, 0, NULL, ret_counts->index_damaged };
	struct buf path = BUF_INIT;
	json_t *users = NULL, *sorted = NULL, *merged = NULL;
	int r;

	if (store_root_path(s, USERS_CACHE, &path) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	users = load_users(path.data, counts.index_damaged);
	r = rebuild_kind(s, STORE_MY, users, ds, &counts.my_photos, e);
	if (r == 0)
		r = rebuild_kind(s, STORE_FAV, users, ds, &counts.favorites, e);
	if (r == 0 && users_hook)
		r = users_hook->fn(users_hook->ud, users, e);
	if (r < 0)
		goto cleanup;
	sorted = users_sorted(users);
	if (!sorted) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = json_write_atomic(path.data, sorted, e);
	counts.users = (long)json_object_size(users);
	if (r < 0 || !albums)
		goto cleanup;
	if (store_root_path(s, ALBUMS_INDEX, &path) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = merge_albums(path.data, albums, &merged, counts.index_damaged, e);
	if (r == 0)
		r = json_write_atomic(path.data, merged, e);
	counts.albums = (long)json_array_size(merged);
cleanup:
	counts.damaged = ret_counts->damaged;
	*ret_counts = counts;
	json_decref(users);
	json_decref(sorted);
	json_decref(merged);
	buf_release(&path);
	return r;
}

static int write_manifest(const struct store *s, const struct damage_seen *ds,
			  struct err *e);

int catalog_rebuild(const struct store *s, const json_t *albums,
		    const struct catalog_users_hook *users_hook,
		    const struct catalog_checked *checked, struct catalog_counts *ret_counts,
		    struct err *e)
{
	struct damage_seen ds = { .report = json_array() };
	int r;

	*ret_counts = (struct catalog_counts){ .index_damaged = json_array() };
	r = ds.report && ret_counts->index_damaged ? 0 : err_set(e, FA_ENOMEM, "out of memory");
	for (int k = 0; k < STORE_KINDS && r == 0; k++)
		r = check_kind(s, (enum store_kind)k, checked, &ds, e);
	if (r == 0)
		r = rebuild_files(s, albums, users_hook, &ds, ret_counts, e);
	if (r == 0)
		r = write_manifest(s, &ds, e);
	if (r == 0)
		ret_counts->damaged = json_incref(ds.report);
	json_decref(ds.report);
	damage_seen_release(&ds);
	return r;
}

/* ---- the archive's manifest ------------------------------------------------ */

#define BAGIT_DECLARATION "bagit.txt"
#define BAGIT_DECLARATION_TEXT "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

/* The lines of an item's manifest that name files of that item, re-formatted. */
static int item_manifest_lines(const char *path, const char *prefix, struct buf *out,
			       struct err *e)
{
	struct manifest m = MANIFEST_INIT;
	size_t n = strlen(prefix);
	int fd, r;

	buf_reset(out);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* unreadable: verify will say so */
	r = manifest_read_fd(fd, &m, NULL, NULL, e);
	close(fd);
	manifest_sort(&m);
	for (size_t i = 0; i < m.n && r == 0; i++)
		if (!strncmp(m.v[i].path, prefix, n))
			r = manifest_format_line(out, m.v[i].digest, m.v[i].path);
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	manifest_release(&m);
	return r;
}

/* Appends the manifest of every complete item of kind, in the index's order. */
static int append_item_manifests(const struct store *s, enum store_kind kind,
				 const struct damage_seen *ds, struct fs_tmp *tmp, struct err *e)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct buf path = BUF_INIT, prefix = BUF_INIT, lines = BUF_INIT;
	int r;

	r = store_list_ids(s, kind, &ids);
	if (r < 0)
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		/* the items were checked first (check_kind()); a link is never followed */
		if (!store_item_complete(s, kind, ids.v[i]) ||
		    (ds && store_ids_contains(&ds->linked[kind], ids.v[i])))
			continue;
		buf_reset(&prefix);
		if (store_item_path(s, kind, ids.v[i], MANIFEST_NAME, &path) < 0 ||
		    buf_printf(&prefix, "%s/%s/", store_kind_dir(kind), ids.v[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		if (r == 0)
			r = item_manifest_lines(path.data, prefix.data, &lines, e);
		if (r == 0)
			r = fs_tmp_write(tmp, buf_cstr(&lines), lines.len, e);
	}
	buf_release(&path);
	buf_release(&prefix);
	buf_release(&lines);
	store_ids_free(&ids);
	return r;
}

/* The avatars' manifest, brought up to date, then its lines. */
static int append_avatars(const struct store *s, struct fs_tmp *tmp, struct err *e)
{
	static const char *const skip[] = { STORE_DAMAGED_PREFIX "*", NULL };
	static const char *const none[] = { NULL };
	struct buf dir = BUF_INIT, path = BUF_INIT, lines = BUF_INIT;
	int r = 0;

	if (store_root_path(s, STORE_AVATARS_DIR, &dir) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (!fs_is_real_dir(dir.data))
		goto cleanup; /* no avatar archived yet (a link is never followed) */
	/* avatar.c records what it installs: here only icons never listed are hashed
	 * (an archive from before that), a damaged one keeps its recorded digest */
	r = manifest_write_dir(dir.data, STORE_AVATARS_DIR, skip, none, e);
	if (r == 0 && buf_printf(&path, "%s/%s", dir.data, MANIFEST_NAME) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = item_manifest_lines(path.data, STORE_AVATARS_DIR "/", &lines, e);
	if (r == 0)
		r = fs_tmp_write(tmp, buf_cstr(&lines), lines.len, e);
cleanup:
	buf_release(&dir);
	buf_release(&path);
	buf_release(&lines);
	return r;
}

/* Lines for the top-level files this rebuild wrote (those that exist). */
static int append_top_files(const struct store *s, struct fs_tmp *tmp, struct err *e)
{
	static const char *const names[] = { MY_INDEX, FAV_INDEX, ALBUMS_INDEX, USERS_CACHE };
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct buf lines = BUF_INIT;
	int root_fd, r = 0;

	root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return fs_errno_error(e, "open", s->root, errno);
	size_t n_names = sizeof(names) / sizeof(names[0]);

	for (size_t i = 0; r == 0 && (i < n_names || account_index_files[i - n_names]); i++) {
		const char *name = i < n_names ? names[i] : account_index_files[i - n_names];
		int fd;

		if (manifest_open(root_fd, name, &fd, NULL) < 0)
			continue;
		r = manifest_hash_fd(fd, digest, NULL, e);
		close(fd);
		if (r < 0)
			r = err_wrap(e, r, "cannot read '%s'", name);
		else if (manifest_format_line(&lines, digest, name) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	}
	close(root_fd);
	if (r == 0)
		r = fs_tmp_write(tmp, buf_cstr(&lines), lines.len, e);
	buf_release(&lines);
	return r;
}

static int write_manifest(const struct store *s, const struct damage_seen *ds, struct err *e)
{
	struct fs_tmp tmp = FS_TMP_INIT;
	struct buf path = BUF_INIT;
	int r;

	if (store_root_path(s, MANIFEST_NAME, &path) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_tmp_open(&tmp, path.data, 0644, e);
	if (r == 0)
		r = append_item_manifests(s, STORE_MY, ds, &tmp, e);
	if (r == 0)
		r = append_item_manifests(s, STORE_FAV, ds, &tmp, e);
	if (r == 0)
		r = append_item_manifests(s, STORE_GALLERY, ds, &tmp, e);
	if (r == 0)
		r = append_avatars(s, &tmp, e);
	if (r == 0)
		r = append_top_files(s, &tmp, e);
	if (r == 0)
		r = fs_tmp_commit(&tmp, path.data, e);
	fs_tmp_abort(&tmp);
	if (r == 0 && store_root_path(s, BAGIT_DECLARATION, &path) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0 && !fs_exists(path.data))
		r = fs_write_atomic(path.data, BAGIT_DECLARATION_TEXT,
				    strlen(BAGIT_DECLARATION_TEXT), 0644, e);
	buf_release(&path);
	return r;
}

int catalog_write_manifest(const struct store *s, json_t *damaged, struct err *e)
{
	struct damage_seen ds = { .report = damaged };
	int r = 0;

	for (int k = 0; k < STORE_KINDS && r == 0; k++)
		r = check_kind(s, (enum store_kind)k, NULL, &ds, e);
	if (r == 0)
		r = write_manifest(s, &ds, e);
	damage_seen_release(&ds);
	return r;
}
