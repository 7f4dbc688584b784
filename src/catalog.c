/* catalog.c: rebuilding the index files from the per-item records. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "fsutil.h"
#include "record.h"

#define MY_INDEX "my_photos_index.json"
#define FAV_INDEX "favorites_index.json"
#define USERS_CACHE "users_cache.json"
#define ALBUMS_INDEX "albums_index.json"

struct id_list {
	char **v;
	size_t n;
	size_t cap;
};

static void id_list_free(struct id_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* newest first: longer ids are newer, then by digits */
static int compare_ids_desc(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return -strcmp(x, y);
}

static int list_item_ids(const struct store *s, enum store_kind kind, struct id_list *out)
{
	struct buf dir = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (store_root_path(s, store_kind_dir(kind), &dir) < 0)
		return FA_ENOMEM;
	d = opendir(dir.data);
	buf_release(&dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && r == 0) {
		if (!store_valid_id(de->d_name))
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 256;
			char **nv = realloc(out->v, cap * sizeof(*nv));

			if (!nv) {
				r = FA_ENOMEM;
				break;
			}
			out->v = nv;
			out->cap = cap;
		}
		out->v[out->n] = strdup(de->d_name);
		if (!out->v[out->n])
			r = FA_ENOMEM;
		else
			out->n++;
	}
	closedir(d);
	if (r == 0 && out->n)
		qsort(out->v, out->n, sizeof(*out->v), compare_ids_desc);
	return r;
}

/* Merges each user of a comments.json / favorites.json array into users. */
static void merge_users_from(json_t *users, const char *path)
{
	json_t *doc = NULL;

	if (json_load_path(path, &doc, NULL) < 0)
		return;
	for (size_t i = 0; i < jlist_size(doc); i++) {
		json_t *u = record_user_from(jlist_at(doc, i));
		const char *nsid = jstr(u, "nsid");

		if (nsid && *nsid) {
			json_t *old = json_object_get(users, nsid);

			/* keep what an earlier record knew, refresh the rest */
			if (old)
				json_object_update_missing(u, old);
			json_object_set(users, nsid, u);
		}
		json_decref(u);
	}
	json_decref(doc);
}

static void merge_people_from(json_t *users, const json_t *metadata)
{
	const json_t *people = json_object_get(metadata, "people");

	for (size_t i = 0; i < jlist_size(people); i++) {
		const json_t *p = jlist_at(people, i);
		const char *nsid = jstr(p, "nsid");
		json_t *u;

		if (!nsid || json_object_get(users, nsid))
			continue;
		u = record_user_from(p);
		json_object_set_new(users, nsid, u);
	}
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
	char *s = json_dumps(entry, JSON_COMPACT | JSON_REAL_PRECISION(10));
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

static int rebuild_kind(const struct store *s, enum store_kind kind, json_t *users,
			long *ret_count, struct err *e)
{
	struct index_writer w = { FS_TMP_INIT, BUF_INIT, 0 };
	struct id_list ids = { NULL, 0, 0 };
	struct buf path = BUF_INIT, index_path = BUF_INIT;
	int r;

	r = list_item_ids(s, kind, &ids);
	if (r < 0) {
		r = err_set(e, r, "cannot list '%s'", store_kind_dir(kind));
		goto cleanup;
	}
	store_root_path(s, kind == STORE_MY ? MY_INDEX : FAV_INDEX, &index_path);
	r = index_begin(&w, index_path.data, e);
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		json_t *meta = NULL, *entry;

		store_item_path(s, kind, ids.v[i], "metadata.json", &path);
		if (json_load_path(path.data, &meta, NULL) < 0)
			continue; /* not archived far enough yet */
		entry = record_index_entry(meta, kind);
		jset_bool(entry, "complete", store_item_complete(s, kind, ids.v[i]));
		r = index_add(&w, entry, e);
		json_decref(entry);
		merge_people_from(users, meta);
		json_decref(meta);
		store_item_path(s, kind, ids.v[i], "comments.json", &path);
		merge_users_from(users, path.data);
		store_item_path(s, kind, ids.v[i], "favorites.json", &path);
		merge_users_from(users, path.data);
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
	id_list_free(&ids);
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

static json_t *load_or_empty(const char *path, int want_array)
{
	json_t *doc = NULL;

	if (json_load_path(path, &doc, NULL) < 0 ||
	    (want_array ? !json_is_array(doc) : !json_is_object(doc))) {
		json_decref(doc);
		doc = want_array ? json_array() : json_object();
	}
	return doc;
}

/* This run's albums first (in the user's order), then recorded ones Flickr no longer lists. */
static json_t *merge_albums(const json_t *fresh, json_t *old)
{
	json_t *out = json_deep_copy(fresh);

	for (size_t i = 0; out && i < json_array_size(old); i++) {
		const json_t *a = json_array_get(old, i);
		const char *id = jstr(a, "id");
		int seen = 0;

		for (size_t k = 0; id && k < json_array_size(fresh) && !seen; k++)
			seen = jstr(json_array_get(fresh, k), "id") &&
			       !strcmp(jstr(json_array_get(fresh, k), "id"), id);
		if (!seen)
			json_array_append(out, (json_t *)a);
	}
	return out;
}

int catalog_rebuild(const struct store *s, const json_t *albums,
		    struct catalog_counts *ret_counts, struct err *e)
{
	struct catalog_counts counts = { 0, 0, 0, 0 };
	struct buf path = BUF_INIT;
	json_t *users = NULL, *sorted = NULL, *old_albums = NULL, *merged = NULL;
	int r;

	store_root_path(s, USERS_CACHE, &path);
	users = load_or_empty(path.data, 0);
	r = rebuild_kind(s, STORE_MY, users, &counts.my_photos, e);
	if (r == 0)
		r = rebuild_kind(s, STORE_FAV, users, &counts.favorites, e);
	if (r < 0)
		goto cleanup;
	sorted = users_sorted(users);
	if (!sorted) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	store_root_path(s, USERS_CACHE, &path);
	r = json_write_atomic(path.data, sorted, e);
	counts.users = (long)json_object_size(users);
	if (r < 0 || !albums)
		goto cleanup;
	store_root_path(s, ALBUMS_INDEX, &path);
	old_albums = load_or_empty(path.data, 1);
	merged = merge_albums(albums, old_albums);
	if (!merged) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	r = json_write_atomic(path.data, merged, e);
	counts.albums = (long)json_array_size(merged);
cleanup:
	if (ret_counts)
		*ret_counts = counts;
	json_decref(users);
	json_decref(sorted);
	json_decref(old_albums);
	json_decref(merged);
	buf_release(&path);
	return r;
}
