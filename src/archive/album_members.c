/* album_members.c: the albums of each photo, in a sorted array (album_members.h). */
#include <stdlib.h>
#include <string.h>

#include "album_members.h"
#include "alloc.h"
#include "error.h"

int album_members_add(struct album_members *m, const char *photo_id, size_t album)
{
	if (ALLOC_GROW(m->v, m->n + 1, m->cap) < 0)
		return FA_ENOMEM;
	m->v[m->n++] = (struct album_member){ photo_id, album };
	return 0;
}

static int by_photo_then_album(const void *a, const void *b)
{
	const struct album_member *x = a, *y = b;
	int c = strcmp(x->photo_id, y->photo_id);

	if (c)
		return c;
	return (x->album > y->album) - (x->album < y->album);
}

void album_members_sort(struct album_members *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), by_photo_then_album);
}

/* The first membership of photo_id (m->n when there is none). */
static size_t first_of(const struct album_members *m, const char *photo_id)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->v[mid].photo_id, photo_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && !strcmp(m->v[lo].photo_id, photo_id) ? lo : m->n;
}

/* {id, title} of an albums_index.json entry. */
static json_t *album_ref(const json_t *album)
{
	json_t *ref = json_object();

	if (ref && (jset_str(ref, "id", jstr(album, "id")) < 0 ||
		    jset_str(ref, "title", jstr(album, "title")) < 0)) {
		json_decref(ref);
		ref = NULL;
	}
	return ref;
}

json_t *album_members_of(const struct album_members *m, const char *photo_id,
			 const json_t *albums)
{
	size_t first = photo_id ? first_of(m, photo_id) : m->n;
	json_t *out = first < m->n ? json_array() : NULL;

	for (size_t i = first; out && i < m->n && !strcmp(m->v[i].photo_id, photo_id); i++) {
		if (i > first && m->v[i - 1].album == m->v[i].album)
			continue; /* listed twice in one album */
		if (json_array_append_new(out, album_ref(json_array_get(albums, m->v[i].album))) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return out;
}

void album_members_release(struct album_members *m)
{
	free(m->v);
	*m = (struct album_members)ALBUM_MEMBERS_INIT;
}
