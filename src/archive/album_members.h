/*
 * album_members.h: which albums each photo is in, for a whole account.
 *
 * A sync learns the memberships album by album but needs them photo by
 * photo.  Kept as one sorted array of (photo id, album) pairs — 16 bytes a
 * membership — rather than a JSON map (hundreds of bytes each), so that an
 * account of 100,000 photos costs little memory.  The photo ids are
 * borrowed: they must outlive the list (they are the albums' "photo_ids").
 */
#ifndef FA_ALBUM_MEMBERS_H
#define FA_ALBUM_MEMBERS_H

#include <stddef.h>

#include "json.h"

struct album_member {
	const char *photo_id;
	size_t album;             /* index in the albums array */
};

struct album_members {
	struct album_member *v;
	size_t n, cap;
};

#define ALBUM_MEMBERS_INIT { NULL, 0, 0 }

/* 0 or FA_ENOMEM. */
int album_members_add(struct album_members *m, const char *photo_id, size_t album);
/* Once every membership is added, before album_members_of(). */
void album_members_sort(struct album_members *m);
/*
 * A new array of {id, title} of the albums (albums_index.json entries) that
 * hold photo_id, in the albums' order; NULL when none does (or out of memory).
 */
json_t *album_members_of(const struct album_members *m, const char *photo_id,
			 const json_t *albums);
void album_members_release(struct album_members *m);

#endif
