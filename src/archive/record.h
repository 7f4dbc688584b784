/*
 * record.h: mapping Flickr's responses to the archive's JSON records.
 *
 * Pure functions: responses in, new JSON documents out (the caller owns
 * them).  The keys of the original tool are kept with their meaning
 * (metadata.json: id, title, description, date_uploaded,
 * date_uploaded_formatted, date_taken, tags, views, location, albums, media);
 * everything else is added beside them.
 */
#ifndef FA_RECORD_H
#define FA_RECORD_H

#include <stdint.h>

#include "json.h"
#include "store.h"

struct record_input {
	enum store_kind kind;
	const json_t *listing; /* the photo from people.getPhotos / favorites.getList */
	const json_t *info;    /* the "photo" of photos.getInfo, or NULL */
	const json_t *albums;  /* array of {id, title}, or NULL */
	const json_t *people;  /* photos.people.getList response, or NULL */
	long long count_faves; /* -1 when unknown */
	int64_t archived_at;   /* unix seconds */
};

json_t *record_metadata(const struct record_input *in);
/* A favorite's date_faved (+ _formatted) from its favorites.getList entry. */
void record_set_date_faved(json_t *meta, const json_t *listing);
/* comments.json from a photos.comments.getList response. */
json_t *record_comments(const json_t *resp);
/* One favorites.json entry from a getFavorites "person". */
json_t *record_fave(const json_t *person);
/* The my_photos_index / favorites_index entry for a metadata.json. */
json_t *record_index_entry(const json_t *metadata, enum store_kind kind);
/* A users_cache.json entry from a comment or fave record (either shape). */
json_t *record_user_from(const json_t *comment_or_fave);

/* https://farm{f}.staticflickr.com/{server}/buddyicons/{nsid}.jpg, or
 * Flickr's default icon when iconserver is 0/absent.  Caller frees; NULL
 * when out of memory. */
char *record_avatar_url(long long iconfarm, const char *iconserver, const char *nsid);
/* https://www.flickr.com/people/{path_alias or nsid}/  Caller frees; NULL
 * without a nsid, or when out of memory. */
char *record_profile_url(const char *nsid, const char *path_alias);
/* realname, else username, else nsid (borrowed from the arguments). */
const char *record_display_name(const char *realname, const char *username,
				const char *nsid);
/* "YYYY-MM-DDTHH:MM:SSZ" for unix seconds; out must hold 21 bytes. */
void record_iso8601(int64_t t, char out[21]);

#endif
