/* site_model.c: reading the archive's index files into the site's model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "site_model.h"

#define NSID_DIGITS_MAX 20

int site_grow(void *v, size_t n, size_t *cap, size_t size)
{
	void **slot = v;
	size_t want;
	void *nv;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	if (want > SIZE_MAX / size)
		return FA_ENOMEM;
	nv = realloc(*slot, want * size);
	if (!nv)
		return FA_ENOMEM;
	*slot = nv;
	*cap = want;
	return 0;
}

int site_refs_add(struct site_refs *r, size_t v)
{
	if (site_grow(&r->v, r->n, &r->cap, sizeof(*r->v)) < 0)
		return FA_ENOMEM;
	r->v[r->n++] = v;
	return 0;
}

void site_refs_release(struct site_refs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const char *site_kind_slug(enum store_kind kind)
{
	return kind == STORE_FAV ? "fave" : "photo";
}

int site_item_dir(const struct site_item *it, struct buf *out)
{
	return buf_printf(out, "%s/%s", store_kind_dir(it->kind), it->id) < 0 ? FA_ENOMEM : 0;
}

int site_valid_nsid(const char *nsid)
{
	size_t head = 0, tail = 0;

	if (!nsid)
		return 0;
	while (nsid[head] >= '0' && nsid[head] <= '9')
		head++;
	if (head == 0 || head > NSID_DIGITS_MAX || strncmp(nsid + head, "@N", 2))
		return 0;
	while (nsid[head + 2 + tail] >= '0' && nsid[head + 2 + tail] <= '9')
		tail++;
	return tail > 0 && tail <= 2 && nsid[head + 2 + tail] == '\0';
}

/* A copy of s, or of "" for NULL; NULL only when out of memory. */
static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int set_string(char **slot, const char *s)
{
	char *v = dup_or_empty(s);

	if (!v)
		return FA_ENOMEM;
	free(*slot);
	*slot = v;
	return 0;
}

static int64_t unix_of(const json_t *obj, const char *key)
{
	long long v;

	return jint(obj, key, &v) && v > 0 ? (int64_t)v : 0;
}

/* ---- items -------------------------------------------------------------------- */

static int item_key(struct buf *out, enum store_kind kind, const char *id)
{
	buf_reset(out);
	return buf_printf(out, "%s/%s", site_kind_slug(kind), id) < 0 ? FA_ENOMEM : 0;
}

long site_model_find_item(const struct site_model *m, enum store_kind kind, const char *id)
{
	struct buf key = BUF_INIT;
	long long v = -1;

	if (item_key(&key, kind, id) == 0)
		jint_value(json_object_get(m->item_by_key, key.data), &v);
	buf_release(&key);
	return (long)v;
}

/* Space-separated tags: the raw spelling of tags_detail, else the tags list. */
static int join_tags(char **slot, const json_t *meta)
{
	const json_t *detail = json_object_get(meta, "tags_detail");
	const json_t *tags = json_object_get(meta, "tags");
	struct buf b = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < jlist_size(detail) && r == 0; i++) {
		const char *raw = jstr(jlist_at(detail, i), "raw");

		if (raw && *raw)
			r = buf_printf(&b, "%s%s", b.len ? " " : "", raw);
	}
	for (size_t i = 0; !jlist_size(detail) && i < json_array_size(tags) && r == 0; i++) {
		const char *t = json_string_value(json_array_get(tags, i));

		if (t && *t)
			r = buf_printf(&b, "%s%s", b.len ? " " : "", t);
	}
	if (r == 0)
		r = set_string(slot, buf_cstr(&b));
	buf_release(&b);
	return r < 0 ? FA_ENOMEM : 0;
}

/* What the index entry (or metadata.json) says about the item. */
static int fill_item(struct site_item *it, const json_t *rec)
{
	const char *taken = jstr(rec, "date_taken");
	const char *media = jstr(rec, "media");

	if (set_string(&it->title, jstr(rec, "title")) < 0 || join_tags(&it->tags, rec) < 0)
		return FA_ENOMEM;
	it->posted = unix_of(rec, "date_uploaded");
	if (it->kind == STORE_FAV && unix_of(rec, "date_faved"))
		it->faved = unix_of(rec, "date_faved");
	free(it->taken);
	it->taken = taken && *taken ? strdup(taken) : NULL;
	if (taken && *taken && !it->taken)
		return FA_ENOMEM;
	it->is_video = media && !strcmp(media, "video");
	it->gone = jstr(jobj(rec, "upstream"), "status") != NULL;
	return 0;
}

int site_model_refine_item(struct site_model *m, size_t idx, const json_t *meta)
{
	struct site_item *it = &m->items[idx];
	int64_t faved = it->faved;
	int r = fill_item(it, meta);

	/* metadata.json does not repeat when the account faved it */
	if (!it->faved)
		it->faved = faved;
	return r;
}

/* The item's original and poster frame, as found in its folder. */
static int find_media(const struct site_model *m, struct site_item *it)
{
	struct buf dir = BUF_INIT, name = BUF_INIT;
	int r = buf_printf(&dir, "%s/%s/%s", m->root, store_kind_dir(it->kind), it->id);

	if (r == 0 && store_find_media(dir.data, "original", &name) && !(it->media_file = buf_detach(&name)))
		r = FA_ENOMEM;
	if (r == 0 && store_find_media(dir.data, "poster", &name) && !(it->poster_file = buf_detach(&name)))
		r = FA_ENOMEM;
	buf_release(&dir);
	buf_release(&name);
	return r < 0 ? FA_ENOMEM : 0;
}

static int add_item(struct site_model *m, enum store_kind kind, const json_t *rec)
{
	const char *id = jstr(rec, "id");
	struct buf key = BUF_INIT;
	struct site_item *it;
	int r;

	if (!store_valid_id(id) || site_model_find_item(m, kind, id) >= 0)
		return 0;
	if (site_grow(&m->items, m->n_items, &m->cap_items, sizeof(*m->items)) < 0)
		return FA_ENOMEM;
	it = &m->items[m->n_items];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->owner = -1;
	snprintf(it->id, sizeof(it->id), "%s", id);
	m->n_items++;
	r = fill_item(it, rec);
	if (r == 0)
		r = find_media(m, it);
	if (r == 0 && kind == STORE_FAV) {
		const json_t *owner = jobj(rec, "owner");
		long p = site_model_person(m, jstr(owner, "nsid"), owner);

		if (p == -2)
			r = FA_ENOMEM;
		it = &m->items[m->n_items - 1];
		it->owner = p >= 0 ? p : -1;
	}
	if (r == 0)
		r = item_key(&key, kind, id);
	if (r == 0 && jset_int(m->item_by_key, key.data, (long long)(m->n_items - 1)) < 0)
		r = FA_ENOMEM;
	buf_release(&key);
	return r < 0 ? r : 1;
}

static void item_release(struct site_item *it)
{
	free(it->title);
	free(it->tags);
	free(it->taken);
	free(it->media_file);
	free(it->poster_file);
}

static int load_json(const struct site_model *m, const char *rel, json_t **ret)
{
	struct buf path = BUF_INIT;
	int r = buf_printf(&path, "%s/%s", m->root, rel);

	*ret = NULL;
	if (r == 0)
		r = json_load_path(path.data, ret, NULL);
	buf_release(&path);
	return r;
}

/* Items the index file lacks (a sync that never finished): read from their metadata. */
static int add_unindexed(struct site_model *m, enum store_kind kind)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store s = { m->root };
	struct buf rel = BUF_INIT;
	int r = store_list_ids(&s, kind, &ids);

	for (size_t i = 0; r == 0 && i < ids.n; i++) {
		json_t *meta = NULL;

		if (site_model_find_item(m, kind, ids.v[i]) >= 0)
			continue;
		buf_reset(&rel);
		if (buf_printf(&rel, "%s/%s/metadata.json", store_kind_dir(kind), ids.v[i]) < 0)
			r = FA_ENOMEM;
		else if (load_json(m, rel.data, &meta) == 0 && json_is_object(meta) &&
			 !strcmp(jstr(meta, "id") ? jstr(meta, "id") : "", ids.v[i]))
			r = add_item(m, kind, meta);
		json_decref(meta);
		r = r < 0 ? r : 0;
	}
	store_ids_free(&ids);
	buf_release(&rel);
	return r < 0 ? FA_ENOMEM : 0;
}

static int load_kind(struct site_model *m, enum store_kind kind, const char *index_file)
{
	json_t *index = NULL;
	int r = 0;

	load_json(m, index_file, &index);
	for (size_t i = 0; r >= 0 && i < json_array_size(index); i++)
		r = add_item(m, kind, json_array_get(index, i));
	json_decref(index);
	if (r >= 0)
		r = add_unindexed(m, kind);
	return r < 0 ? r : 0;
}

/* ---- order -------------------------------------------------------------------- */

static int cmp_ids_newest_first(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la > lb ? -1 : 1;
	return -strcmp(a, b);
}

static const struct site_model *sort_model;

static int cmp_stream(const void *pa, const void *pb)
{
	const struct site_item *a = &sort_model->items[*(const size_t *)pa];
	const struct site_item *b = &sort_model->items[*(const size_t *)pb];

	if (a->kind == STORE_FAV && a->faved != b->faved)
		return a->faved > b->faved ? -1 : 1;
	if (a->posted != b->posted)
		return a->posted > b->posted ? -1 : 1;
	return cmp_ids_newest_first(a->id, b->id);
}

/* "YYYY-MM-DD HH:MM:SS" sorts as text; photos without a date go last. */
static int cmp_taken(const void *pa, const void *pb)
{
	const struct site_item *a = &sort_model->items[*(const size_t *)pa];
	const struct site_item *b = &sort_model->items[*(const size_t *)pb];
	int c;

	if (!a->taken != !b->taken)
		return a->taken ? -1 : 1;
	c = a->taken ? -strcmp(a->taken, b->taken) : 0;
	return c ? c : cmp_stream(pa, pb);
}

static void sort_refs(struct site_refs *r, int (*cmp)(const void *, const void *))
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(size_t), cmp);
}

/* Splits the items into the photostream and the favorites, each newest first. */
static int order_items(struct site_model *m)
{
	for (size_t i = 0; i < m->n_items; i++)
		if (site_refs_add(m->items[i].kind == STORE_FAV ? &m->favorites : &m->stream, i) < 0)
			return FA_ENOMEM;
	/* single-threaded, and the comparison needs the model */
	sort_model = m;
	sort_refs(&m->stream, cmp_stream);
	sort_refs(&m->favorites, cmp_stream);
	for (size_t i = 0; i < m->stream.n; i++)
		if (site_refs_add(&m->by_taken, m->stream.v[i]) < 0)
			return FA_ENOMEM;
	sort_refs(&m->by_taken, cmp_taken);
	sort_model = NULL;
	for (size_t i = 0; i < m->stream.n; i++)
		m->items[m->stream.v[i]].seq = i;
	for (size_t i = 0; i < m->favorites.n; i++)
		m->items[m->favorites.v[i]].seq = i;
	return 0;
}

/* ---- albums ------------------------------------------------------------------- */

static int add_album(struct site_model *m, const json_t *rec)
{
	const char *id = jstr(rec, "id");
	const json_t *ids = json_object_get(rec, "photo_ids");
	long primary = -1;
	struct site_album *a;

	if (!store_valid_id(id))
		return 0;
	a = &m->albums[m->n_albums++];
	memset(a, 0, sizeof(*a));
	a->cover = -1;
	snprintf(a->id, sizeof(a->id), "%s", id);
	a->title = dup_or_empty(jstr(rec, "title"));
	a->description = dup_or_empty(jstr(rec, "description"));
	if (!a->title || !a->description)
		return FA_ENOMEM;
	a->created = unix_of(rec, "date_create");
	if (store_valid_id(jstr(rec, "primary")))
		primary = site_model_find_item(m, STORE_MY, jstr(rec, "primary"));
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const char *pid = json_string_value(json_array_get(ids, i));
		long idx = store_valid_id(pid) ? site_model_find_item(m, STORE_MY, pid) : -1;

		if (idx >= 0 && site_refs_add(&a->items, (size_t)idx) < 0)
			return FA_ENOMEM;
	}
	a->cover = primary >= 0 ? primary : a->items.n ? (long)a->items.v[0] : -1;
	return 0;
}

static int load_albums(struct site_model *m)
{
	json_t *index = NULL;
	int r = 0;

	load_json(m, "albums_index.json", &index);
	m->albums = calloc(json_array_size(index) + 1, sizeof(*m->albums));
	if (!m->albums)
		r = FA_ENOMEM;
	for (size_t i = 0; r == 0 && i < json_array_size(index); i++)
		r = add_album(m, json_array_get(index, i));
	json_decref(index);
	return r;
}

/* ---- people ------------------------------------------------------------------- */

/* The first non-empty string of keys in a, then b. */
static const char *first_of(const json_t *a, const json_t *b, const char *const *keys)
{
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *k = keys; *k; k++) {
			const char *v = jstr(pass ? b : a, *k);

			if (v && *v)
				return v;
		}
	return NULL;
}

/* users_cache.json's "avatar", when it is the file sync keeps for nsid and it is there. */
static char *avatar_of(const struct site_model *m, const json_t *user, const char *nsid)
{
	struct buf want = BUF_INIT, path = BUF_INIT;
	const char *avatar = jstr(user, "avatar");
	char *found = NULL;
	struct stat st;

	if (avatar && buf_printf(&want, "avatars/%s.jpg", nsid) == 0 && !strcmp(avatar, want.data) &&
	    buf_printf(&path, "%s/%s", m->root, want.data) == 0 && stat(path.data, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size > 0)
		found = strdup(want.data);
	buf_release(&want);
	buf_release(&path);
	return found;
}

static int fill_person(struct site_model *m, struct site_person *p, const json_t *user,
		       const json_t *rec)
{
	static const char *const name_keys[] = { "display_name", "realname", "username",
						 "author_name", NULL };
	static const char *const user_keys[] = { "username", "author_name", NULL };
	static const char *const profile_keys[] = { "profile_url", NULL };
	const char *name = first_of(user, rec, name_keys);
	const char *username = first_of(user, rec, user_keys);
	const char *profile = first_of(user, rec, profile_keys);

	int http = profile && (!strncmp(profile, "https://", 8) || !strncmp(profile, "http://", 7));

	p->name = strdup(name ? name : p->nsid);
	p->username = username ? strdup(username) : NULL;
	p->profile_url = http ? strdup(profile) : NULL;
	p->avatar = avatar_of(m, user, p->nsid); /* NULL: the placeholder */
	if (!p->name || (username && !p->username) || (http && !p->profile_url))
		return FA_ENOMEM;
	return 0;
}

long site_model_person(struct site_model *m, const char *nsid, const json_t *rec)
{
	long long idx;
	struct site_person *p;

	if (!site_valid_nsid(nsid))
		return -1;
	if (jint_value(json_object_get(m->person_by_nsid, nsid), &idx))
		return (long)idx;
	if (site_grow(&m->people, m->n_people, &m->cap_people, sizeof(*m->people)) < 0)
		return -2;
	p = &m->people[m->n_people++];
	memset(p, 0, sizeof(*p));
	snprintf(p->nsid, sizeof(p->nsid), "%s", nsid);
	if (fill_person(m, p, json_object_get(m->users, nsid), rec) < 0 ||
	    jset_int(m->person_by_nsid, nsid, (long long)(m->n_people - 1)) < 0)
		return -2;
	return (long)(m->n_people - 1);
}

static void person_release(struct site_person *p)
{
	free(p->name);
	free(p->username);
	free(p->profile_url);
	free(p->avatar);
	for (size_t i = 0; i < p->n_comments; i++)
		free(p->comments[i].html);
	free(p->comments);
	site_refs_release(&p->faved);
	site_refs_release(&p->owns);
	site_refs_release(&p->tagged);
}

/* ---- the whole model ---------------------------------------------------------- */

/* The account's name, from the newest own photo's owner. */
static int load_owner_name(struct site_model *m)
{
	struct buf rel = BUF_INIT;
	json_t *meta = NULL;
	const char *name;
	int r = 0;

	if (m->stream.n == 0)
		return 0;
	if (site_item_dir(&m->items[m->stream.v[0]], &rel) < 0 || buf_puts(&rel, "/metadata.json") < 0)
		r = FA_ENOMEM;
	else if (load_json(m, rel.data, &meta) == 0) {
		static const char *const keys[] = { "display_name", "realname", "username", NULL };

		name = first_of(jobj(meta, "owner"), NULL, keys);
		if (name && !(m->owner_name = strdup(name)))
			r = FA_ENOMEM;
	}
	json_decref(meta);
	buf_release(&rel);
	return r;
}

int site_model_load(struct site_model *m, const char *root, struct err *e)
{
	int r;

	memset(m, 0, sizeof(*m));
	m->root = strdup(root);
	m->item_by_key = json_object();
	m->person_by_nsid = json_object();
	if (!m->root || !m->item_by_key || !m->person_by_nsid)
		return err_set(e, FA_ENOMEM, "out of memory");
	load_json(m, "users_cache.json", &m->users);
	if (!json_is_object(m->users)) {
		json_decref(m->users);
		m->users = json_object();
	}
	r = m->users ? load_kind(m, STORE_MY, "my_photos_index.json") : FA_ENOMEM;
	if (r == 0)
		r = load_kind(m, STORE_FAV, "favorites_index.json");
	if (r == 0)
		r = order_items(m);
	if (r == 0)
		r = load_albums(m);
	if (r == 0)
		r = load_owner_name(m);
	return r < 0 ? err_set(e, r, "out of memory") : 0;
}

void site_model_release(struct site_model *m)
{
	for (size_t i = 0; i < m->n_items; i++)
		item_release(&m->items[i]);
	free(m->items);
	for (size_t i = 0; i < m->n_albums; i++) {
		free(m->albums[i].title);
		free(m->albums[i].description);
		site_refs_release(&m->albums[i].items);
	}
	free(m->albums);
	for (size_t i = 0; i < m->n_people; i++)
		person_release(&m->people[i]);
	free(m->people);
	site_refs_release(&m->stream);
	site_refs_release(&m->by_taken);
	site_refs_release(&m->favorites);
	json_decref(m->item_by_key);
	json_decref(m->person_by_nsid);
	json_decref(m->users);
	free(m->root);
	free(m->owner_name);
	memset(m, 0, sizeof(*m));
}
