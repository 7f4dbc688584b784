/* site_model.c: reading the archive's index files into the site's model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "site_model.h"

#define NSID_DIGITS_MAX 20
/* Strings are packed into blocks of this size (a longer one gets its own). */
#define STRINGS_BLOCK 65536

/* A site holds one item per archived photo: keep them small (see site_model.h). */
_Static_assert(sizeof(struct site_item) <= 48, "struct site_item grew");

int site_refs_add(struct site_refs *r, size_t v)
{
	if (v > UINT32_MAX || ALLOC_GROW(r->v, r->n + 1, r->cap) < 0)
		return FA_ENOMEM;
	r->v[r->n++] = (uint32_t)v;
	return 0;
}

/*
 * Returns the array v of n elements of size bytes without the room it has
 * beyond them (it has stopped growing), and sets *cap; v itself when there is
 * nothing to give back or realloc fails (v is then still whole).
 */
static void *site_trim(void *v, size_t n, size_t *cap, size_t size)
{
	void *nv = n && n < *cap ? realloc(v, n * size) : NULL;

	if (!nv)
		return v;
	*cap = n;
	return nv;
}

/* site_trim over the array x of n elements with room for cap (plain names). */
#define SITE_TRIM(x, n, cap) ((x) = site_trim((x), (n), &(cap), sizeof(*(x))))

static void site_refs_trim(struct site_refs *r)
{
	SITE_TRIM(r->v, r->n, r->cap);
}

void site_refs_release(struct site_refs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const char *site_kind_slug(enum store_kind kind)
{
	return kind == STORE_FAV ? "fave" : kind == STORE_GALLERY ? "gallery-photo" : "photo";
}

/* The item folder: "<kind dir>/<id>" relative to the root. */
static int site_item_dir(const struct site_item *it, struct buf *out)
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

/* ---- strings ------------------------------------------------------------------ */

struct site_strings_block {
	struct site_strings_block *next;
	char data[];
};

/* A copy of len bytes that lives as long as the model; NULL when out of memory. */
static const char *strings_add(struct site_strings *st, const char *data, size_t len)
{
	struct site_strings_block *b;
	char *copy;

	if (!st->blocks || st->size - st->used < len) {
		size_t size = len > STRINGS_BLOCK / 4 ? len : STRINGS_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		if (size == len && st->blocks) {
			/* a long string: its own block, behind the one being filled */
			b->next = st->blocks->next;
			st->blocks->next = b;
			memcpy(b->data, data, len);
			return b->data;
		}
		b->next = st->blocks;
		st->blocks = b;
		st->used = 0;
		st->size = size;
	}
	copy = st->blocks->data + st->used;
	memcpy(copy, data, len);
	st->used += len;
	return copy;
}

static void strings_release(struct site_strings *st)
{
	while (st->blocks) {
		struct site_strings_block *next = st->blocks->next;

		free(st->blocks);
		st->blocks = next;
	}
	memset(st, 0, sizeof(*st));
}

/* A copy of s, or of "" for NULL; NULL only when out of memory. */
static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int64_t unix_of(const json_t *obj, const char *key)
{
	long long v;

	return jint(obj, key, &v) && v > 0 ? (int64_t)v : 0;
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

/* What loading needs beside the model: the dates taken (for one sort), the first error. */
struct load {
	struct site_model *m;
	enum store_kind kind;        /* of the index file being read */
	struct site_strings taken_text;
	const char **taken;          /* per item: "YYYY-MM-DD HH:MM:SS", or NULL */
	size_t cap_taken;
	int r;                       /* the first error of a callback */
	struct err *e;
};

/* ---- items -------------------------------------------------------------------- */

/* FNV-1a of the kind and the id. */
static uint32_t item_hash(enum store_kind kind, const char *id)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

/* The slot that holds (kind, id), or the free one where it would go. */
static size_t item_slot(const struct site_model *m, enum store_kind kind, const char *id)
{
	size_t mask = m->n_item_slots - 1, i = item_hash(kind, id) & mask;

	while (m->item_slots[i]) {
		const struct site_item *it = &m->items[m->item_slots[i] - 1];

		if (it->kind == kind && !strcmp(it->id, id))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

long site_model_find_item(const struct site_model *m, enum store_kind kind, const char *id)
{
	uint32_t v;

	if (!m->n_item_slots || !id)
		return -1;
	v = m->item_slots[item_slot(m, kind, id)];
	return v ? (long)v - 1 : -1;
}

void site_model_drop_lookup(struct site_model *m)
{
	free(m->item_slots);
	m->item_slots = NULL;
	m->n_item_slots = 0;
}

/* Makes room for one more item in the table, which is kept at most half full. */
static int grow_slots(struct site_model *m)
{
	uint32_t *old = m->item_slots;
	size_t n_old = m->n_item_slots;

	if ((m->n_items + 1) * 2 <= n_old)
		return 0;
	m->n_item_slots = n_old ? n_old * 2 : 1024;
	m->item_slots = calloc(m->n_item_slots, sizeof(*m->item_slots));
	if (!m->item_slots) {
		m->item_slots = old;
		m->n_item_slots = n_old;
		return FA_ENOMEM;
	}
	for (size_t i = 0; i < n_old; i++)
		if (old[i]) {
			const struct site_item *it = &m->items[old[i] - 1];

			m->item_slots[item_slot(m, it->kind, it->id)] = old[i];
		}
	free(old);
	return 0;
}

/* Appends the space-separated tags: the raw spelling of tags_detail, else the tags list. */
static int join_tags(struct buf *b, const json_t *meta)
{
	const json_t *detail = json_object_get(meta, "tags_detail");
	const json_t *tags = json_object_get(meta, "tags");
	size_t start = b->len;
	int r = 0;

	for (size_t i = 0; i < jlist_size(detail) && r == 0; i++) {
		const char *raw = jstr(jlist_at(detail, i), "raw");

		if (raw && *raw)
			r = buf_printf(b, "%s%s", b->len > start ? " " : "", raw);
	}
	for (size_t i = 0; !jlist_size(detail) && i < json_array_size(tags) && r == 0; i++) {
		const char *t = json_string_value(json_array_get(tags, i));

		if (t && *t)
			r = buf_printf(b, "%s%s", b->len > start ? " " : "", t);
	}
	return r < 0 ? FA_ENOMEM : 0;
}

int site_model_item_tags(struct site_model *m, size_t idx, const json_t *meta, struct buf *out,
			 struct err *e)
{
	const struct site_item *it = &m->items[idx];
	uint32_t start;

	if (meta)
		return join_tags(out, meta) < 0 ? err_set(e, FA_ENOMEM, "out of memory") : 0;
	start = idx ? m->items[idx - 1].index_tags_end : 0;
	if (it->index_tags_end == start)
		return 0;
	return site_spool_read(&m->spool, start, it->index_tags_end - start, out, e);
}

/* Sets the item's id and title: "<id>\0<title>\0", one string in the arena. */
static int set_id_title(struct site_model *m, struct site_item *it, const char *id,
			const char *title)
{
	size_t id_len = strlen(id), title_len = strlen(title);
	struct buf both = BUF_INIT;
	int r = buf_append(&both, id, id_len + 1);

	if (r == 0)
		r = buf_append(&both, title, title_len + 1);
	if (r == 0) {
		it->id = strings_add(&m->strings, both.data, both.len);
		r = it->id ? 0 : FA_ENOMEM;
	}
	buf_release(&both);
	return r < 0 ? FA_ENOMEM : 0;
}

/* The date faved of favorite idx, in the favorites' array. */
static int64_t *faved_slot(const struct site_model *m, size_t idx)
{
	return idx >= m->first_fave && idx - m->first_fave < m->n_faved
		       ? &m->faved[idx - m->first_fave] : NULL;
}

int64_t site_item_faved(const struct site_model *m, const struct site_item *it)
{
	const int64_t *faved = faved_slot(m, (size_t)(it - m->items));

	return faved ? *faved : 0;
}

/* The record's title, "" when it has none. */
static const char *title_of(const json_t *rec)
{
	return jstr(rec, "title") ? jstr(rec, "title") : "";
}

/* What the index entry (or metadata.json) says about the item. */
static int fill_item(struct site_model *m, size_t idx, const json_t *rec)
{
	struct site_item *it = &m->items[idx];
	const char *title = title_of(rec);
	const char *media = jstr(rec, "media");
	int64_t *faved = faved_slot(m, idx);

	if (strcmp(site_item_title(it), title) && set_id_title(m, it, it->id, title) < 0)
		return FA_ENOMEM;
	it->posted = unix_of(rec, "date_uploaded");
	/* metadata.json does not repeat when the account faved it */
	if (faved && unix_of(rec, "date_faved"))
		*faved = unix_of(rec, "date_faved");
	it->is_video = media && !strcmp(media, "video");
	it->gone = jstr(jobj(rec, "upstream"), "status") != NULL;
	return 0;
}

int site_model_refine_item(struct site_model *m, size_t idx, const json_t *meta)
{
	return fill_item(m, idx, meta);
}

const char *site_item_media(const struct site_model *m, const struct site_item *it)
{
	return it->media ? m->names[it->media - 1] : NULL;
}

const char *site_item_poster(const struct site_model *m, const struct site_item *it)
{
	return it->poster ? m->names[it->poster - 1] : NULL;
}

/* The file name's number (1 + its index in names), added when new; 0 when out of memory. */
static unsigned name_number(struct site_model *m, const char *name)
{
	const char *copy;

	for (size_t i = 0; i < m->n_names; i++)
		if (!strcmp(m->names[i], name))
			return (unsigned)i + 1;
	/* "original" or "poster", a dot and an allowed extension in any case: fewer than 1,023 */
	if (m->n_names >= 1023 ||
	    ALLOC_GROW(m->names, m->n_names + 1, m->cap_names) < 0)
		return 0;
	copy = strings_add(&m->strings, name, strlen(name) + 1);
	if (!copy)
		return 0;
	m->names[m->n_names++] = copy;
	return (unsigned)m->n_names;
}

/* The number of the file named stem.<ext> in the item's folder, or 0. */
static int find_file(struct site_model *m, const char *dir, const char *stem, unsigned *ret)
{
	struct buf name = BUF_INIT;
	int r = 0;

	*ret = 0;
	if (store_find_media(dir, stem, &name)) {
		*ret = name_number(m, name.data);
		r = *ret ? 0 : FA_ENOMEM;
	}
	buf_release(&name);
	return r;
}

/* The item's original and poster frame, as found in its folder. */
static int find_media(struct site_model *m, struct site_item *it)
{
	struct buf dir = BUF_INIT;
	unsigned media = 0, poster = 0;
	int r = buf_printf(&dir, "%s/%s/%s", m->root, store_kind_dir(it->kind), it->id);

	if (r == 0)
		r = find_file(m, dir.data, "original", &media);
	if (r == 0)
		r = find_file(m, dir.data, "poster", &poster);
	it->media = media;
	it->poster = poster;
	buf_release(&dir);
	return r < 0 ? FA_ENOMEM : 0;
}

/* The record's tags go to the spool: read back only for an item whose metadata.json cannot be. */
static int spool_index_tags(struct load *ld, struct site_item *it, const json_t *rec)
{
	struct buf tags = BUF_INIT;
	int r = join_tags(&tags, rec);

	/* the items keep where their tags end in 32 bits */
	if (r == 0 && ld->m->spool.len + tags.len > UINT32_MAX)
		r = err_set(ld->e, FA_EPARSE, "the index files' tags take more than 4 GB, more "
			    "than the site can hold");
	if (r == 0)
		r = site_spool_add(&ld->m->spool, tags.data, tags.len, NULL, ld->e);
	it->index_tags_end = (uint32_t)ld->m->spool.len;
	buf_release(&tags);
	return r;
}

/*
 * A new item with its id and title (stored once: fill_item() then finds the
 * title set), its key in the table; its date taken is kept for the sort.
 */
static struct site_item *new_item(struct load *ld, enum store_kind kind, const char *id,
				  const char *title, const char *taken)
{
	struct site_model *m = ld->m;
	struct site_item *it;

	if (m->n_items >= UINT32_MAX - 1 || grow_slots(m) < 0 ||
	    ALLOC_GROW(m->items, m->n_items + 1, m->cap_items) < 0 ||
	    ALLOC_GROW(ld->taken, m->n_items + 1, ld->cap_taken) < 0 ||
	    (kind == STORE_FAV && ALLOC_GROW(m->faved, m->n_faved + 1, m->cap_faved) < 0))
		return NULL;
	it = &m->items[m->n_items];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->owner = -1;
	if (set_id_title(m, it, id, title) < 0)
		return NULL;
	ld->taken[m->n_items] = NULL;
	if (taken && *taken) {
		ld->taken[m->n_items] = strings_add(&ld->taken_text, taken, strlen(taken) + 1);
		if (!ld->taken[m->n_items])
			return NULL;
	}
	if (kind == STORE_FAV)
		m->faved[m->n_faved++] = 0;
	m->item_slots[item_slot(m, kind, id)] = (uint32_t)m->n_items + 1;
	m->n_items++;
	return it;
}

static int add_item(struct load *ld, enum store_kind kind, const json_t *rec)
{
	struct site_model *m = ld->m;
	const char *id = jstr(rec, "id");
	struct site_item *it;
	int r;

	if (!store_valid_id(id) || site_model_find_item(m, kind, id) >= 0)
		return 0;
	it = new_item(ld, kind, id, title_of(rec), jstr(rec, "date_taken"));
	if (!it)
		return FA_ENOMEM;
	r = fill_item(m, m->n_items - 1, rec);
	if (r == 0)
		r = find_media(m, it);
	if (r == 0)
		r = spool_index_tags(ld, it, rec);
	if (r == 0 && kind != STORE_MY) {
		const json_t *owner = jobj(rec, "owner");
		long p = site_model_person(m, jstr(owner, "nsid"), owner);

		if (p == -2)
			r = FA_ENOMEM;
		it->owner = p >= 0 ? (int32_t)p : -1;
	}
	return r;
}

/*
 * Walking the item folders: whether an id is no item of ld->kind yet (a
 * gallery photo that is a favorite is shown as the favorite).
 */
static int not_an_item(void *ud, const char *id)
{
	const struct load *ld = ud;

	if (ld->kind == STORE_GALLERY && site_model_find_item(ld->m, STORE_FAV, id) >= 0)
		return 0;
	return site_model_find_item(ld->m, ld->kind, id) < 0;
}

/* Items the index file lacks (a sync that never finished): read from their metadata. */
static int add_unindexed(struct load *ld, enum store_kind kind)
{
	struct store_ids ids = STORE_IDS_INIT;
	struct store st = { ld->m->root };
	struct buf rel = BUF_INIT;
	int r = store_list_ids_if(&st, kind, not_an_item, ld, &ids);

	for (size_t i = 0; r == 0 && i < ids.n; i++) {
		json_t *meta = NULL;

		buf_reset(&rel);
		if (buf_printf(&rel, "%s/%s/metadata.json", store_kind_dir(kind), ids.v[i]) < 0)
			r = FA_ENOMEM;
		else if (load_json(ld->m, rel.data, &meta) == 0 && json_is_object(meta) &&
			 !strcmp(jstr(meta, "id") ? jstr(meta, "id") : "", ids.v[i]))
			r = add_item(ld, kind, meta);
		json_decref(meta);
	}
	store_ids_free(&ids);
	buf_release(&rel);
	return r;
}

static int add_indexed(void *ud, json_t *rec)
{
	struct load *ld = ud;

	ld->r = add_item(ld, ld->kind, rec);
	return ld->r;
}

/* Calls fn for each entry of the index file rel; a missing or damaged file is no error. */
static int each_entry(struct load *ld, const char *rel, int (*fn)(void *ud, json_t *rec))
{
	struct buf path = BUF_INIT;

	ld->r = buf_printf(&path, "%s/%s", ld->m->root, rel) < 0 ? FA_ENOMEM : 0;
	if (ld->r == 0)
		json_each_in_array(path.data, fn, ld, NULL);
	buf_release(&path);
	return ld->r;
}

/* The items of kind: its index file's (none for gallery photos), then those it lacks. */
static int load_kind(struct load *ld, enum store_kind kind, const char *index_file)
{
	int r = 0;

	ld->kind = kind;
	if (kind == STORE_FAV)
		ld->m->first_fave = ld->m->n_items;
	if (index_file)
		r = each_entry(ld, index_file, add_indexed);
	if (r == 0)
		r = add_unindexed(ld, kind);
	return r;
}

/* ---- order -------------------------------------------------------------------- */

static int cmp_ids_newest_first(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la > lb ? -1 : 1;
	return -strcmp(a, b);
}

/* The sorts need the model (and the dates taken); they run on one thread. */
static const struct site_model *sort_model;
static const char *const *sort_taken;

static int cmp_stream(const void *pa, const void *pb)
{
	const struct site_item *a = &sort_model->items[*(const uint32_t *)pa];
	const struct site_item *b = &sort_model->items[*(const uint32_t *)pb];

	int64_t fa = site_item_faved(sort_model, a), fb = site_item_faved(sort_model, b);

	if (a->kind == STORE_FAV && fa != fb)
		return fa > fb ? -1 : 1;
	if (a->posted != b->posted)
		return a->posted > b->posted ? -1 : 1;
	return cmp_ids_newest_first(a->id, b->id);
}

/* "YYYY-MM-DD HH:MM:SS" sorts as text; photos without a date go last. */
static int cmp_taken(const void *pa, const void *pb)
{
	const char *a = sort_taken[*(const uint32_t *)pa];
	const char *b = sort_taken[*(const uint32_t *)pb];
	int c;

	if (!a != !b)
		return a ? -1 : 1;
	c = a ? -strcmp(a, b) : 0;
	return c ? c : cmp_stream(pa, pb);
}

static void sort_refs(struct site_refs *r, int (*cmp)(const void *, const void *))
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), cmp);
	site_refs_trim(r);
}

static struct site_refs *list_of(struct site_model *m, enum store_kind kind)
{
	return kind == STORE_FAV ? &m->favorites : kind == STORE_GALLERY ? &m->gallery : &m->stream;
}

/* The favorites and gallery photos each person took, in their lists' order. */
static int note_owners(struct site_model *m)
{
	const struct site_refs *lists[] = { &m->favorites, &m->gallery };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct site_item *it = &m->items[lists[k]->v[i]];

			if (it->owner >= 0 &&
			    site_refs_add(&m->people[it->owner].owns, lists[k]->v[i]) < 0)
				return FA_ENOMEM;
		}
	return 0;
}

/*
 * Splits the items into the photostream, the favorites and the gallery
 * photos, each newest first.
 */
static int order_items(struct site_model *m, const char *const *taken)
{
	for (size_t i = 0; i < m->n_items; i++)
		if (site_refs_add(list_of(m, m->items[i].kind), i) < 0)
			return FA_ENOMEM;
	sort_model = m;
	sort_taken = taken;
	sort_refs(&m->stream, cmp_stream);
	sort_refs(&m->favorites, cmp_stream);
	sort_refs(&m->gallery, cmp_stream);
	for (size_t i = 0; i < m->stream.n; i++)
		if (site_refs_add(&m->by_taken, m->stream.v[i]) < 0)
			return FA_ENOMEM;
	sort_refs(&m->by_taken, cmp_taken);
	sort_model = NULL;
	sort_taken = NULL;
	for (size_t i = 0; i < m->stream.n; i++)
		m->items[m->stream.v[i]].seq = (uint32_t)i;
	for (size_t i = 0; i < m->favorites.n; i++)
		m->items[m->favorites.v[i]].seq = (uint32_t)i;
	for (size_t i = 0; i < m->gallery.n; i++)
		m->items[m->gallery.v[i]].seq = (uint32_t)i;
	return note_owners(m);
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
	if (ALLOC_GROW(m->albums, m->n_albums + 1, m->cap_albums) < 0)
		return FA_ENOMEM;
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
	site_refs_trim(&a->items);
	return 0;
}

static int add_listed_album(void *ud, json_t *rec)
{
	struct load *ld = ud;

	ld->r = add_album(ld->m, rec);
	return ld->r;
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
	if (ALLOC_GROW(m->people, m->n_people + 1, m->cap_people) < 0)
		return -2;
	p = &m->people[m->n_people++];
	memset(p, 0, sizeof(*p));
	snprintf(p->nsid, sizeof(p->nsid), "%s", nsid);
	if (fill_person(m, p, json_object_get(m->users, nsid), rec) < 0 ||
	    jset_int(m->person_by_nsid, nsid, (long long)(m->n_people - 1)) < 0)
		return -2;
	return (long)(m->n_people - 1);
}

void site_model_trim_people(struct site_model *m)
{
	for (size_t i = 0; i < m->n_people; i++) {
		struct site_person *p = &m->people[i];

		SITE_TRIM(p->comments, p->n_comments, p->cap_comments);
		site_refs_trim(&p->faved);
		site_refs_trim(&p->owns);
		site_refs_trim(&p->tagged);
	}
}

static void person_release(struct site_person *p)
{
	free(p->name);
	free(p->username);
	free(p->profile_url);
	free(p->avatar);
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

/* Reads the index files (the items, then the albums) and orders the items. */
static int load_indexes(struct site_model *m, struct err *e)
{
	struct load ld = { .m = m, .e = e };
	int r = load_kind(&ld, STORE_MY, "my_photos_index.json");

	if (r == 0)
		r = load_kind(&ld, STORE_FAV, "favorites_index.json");
	/* gallery_photos/ has no index file: each item's metadata.json is read */
	if (r == 0)
		r = load_kind(&ld, STORE_GALLERY, NULL);
	/* the items stop growing once the index files are read */
	SITE_TRIM(m->items, m->n_items, m->cap_items);
	SITE_TRIM(m->faved, m->n_faved, m->cap_faved);
	if (r == 0)
		r = order_items(m, ld.taken);
	/* the dates taken served that sort only */
	free(ld.taken);
	strings_release(&ld.taken_text);
	if (r == 0)
		r = each_entry(&ld, "albums_index.json", add_listed_album);
	return r;
}

int site_model_load(struct site_model *m, const char *root, struct err *e)
{
	struct buf dir = BUF_INIT;
	int r;

	memset(m, 0, sizeof(*m));
	m->spool.fd = -1;
	m->root = strdup(root);
	m->person_by_nsid = json_object();
	if (!m->root || !m->person_by_nsid || buf_printf(&dir, "%s/" SITE_DIR, root) < 0) {
		r = FA_ENOMEM;
		goto cleanup;
	}
	r = site_spool_open(&m->spool, dir.data, e);
	if (r < 0)
		goto cleanup;
	load_json(m, "users_cache.json", &m->users);
	if (!json_is_object(m->users)) {
		json_decref(m->users);
		m->users = json_object();
	}
	r = m->users ? load_indexes(m, e) : FA_ENOMEM;
	if (r == 0)
		r = load_owner_name(m);
cleanup:
	buf_release(&dir);
	return r == FA_ENOMEM ? err_set(e, r, "out of memory") : r;
}

void site_model_release(struct site_model *m)
{
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
	site_refs_release(&m->gallery);
	strings_release(&m->strings);
	free(m->names);
	free(m->faved);
	site_spool_close(&m->spool);
	site_model_drop_lookup(m);
	json_decref(m->person_by_nsid);
	json_decref(m->users);
	free(m->root);
	free(m->owner_name);
	memset(m, 0, sizeof(*m));
	m->spool.fd = -1;
}
