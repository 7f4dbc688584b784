/*
 * export_map.h: a photo_<id>.json of Flickr's export mapped onto the
 * archive's own records (record.h's keys), for an item the export holds and
 * the archive does not.
 *
 * The export lacks what the API gives (../shared/flickr-export.md "What the
 * export lacks"): commenters' names (NSIDs only, names filled from
 * users_cache.json when known), who faved (the count only), friends-only
 * vs family-only, date-taken granularity, licences in old exports.  The
 * records say so: metadata.json's "source" is "flickr-export" and
 * "synced"."missing" names each part the next API sync fetches.
 *
 * Pure functions: JSON in, new JSON out (the caller owns it).
 */
#ifndef FA_EXPORT_MAP_H
#define FA_EXPORT_MAP_H

#include <stdint.h>

#include "json.h"

#define EXPORT_SOURCE "flickr-export"

/* True when doc is a photo record of the export: an object with a digit id and photo keys. */
int export_is_photo_record(const json_t *doc);

/*
 * True when the photo record is a video's.  The export has no key known to
 * say so (its "original" is a JPEG poster frame for a video too: see
 * ../shared/flickr-export.md), so every sign is taken, none confirmed: a
 * "media" (or "media_type") of "video", as the API says it, or an
 * "original" URL that names a video file.
 */
int export_photo_is_video(const json_t *photo);

/* Unix seconds for the export's "YYYY-MM-DD HH:MM:SS" (taken as UTC); -1 for none. */
int64_t export_parse_time(const char *s);

struct export_map_input {
	const json_t *photo;   /* photo_<id>.json */
	const json_t *profile; /* account_profile.json, or NULL */
	const json_t *albums;  /* [{id, title}] of the albums holding it (albums.json), or NULL */
	const json_t *users;   /* users_cache.json (NSID -> record), or NULL */
	const char *media;     /* "photo" or "video": what the export's file is */
	const char *media_file;/* the file's name in the item ("original.jpg"); NULL for a
				* video whose export held its poster frame only */
	int64_t now;
};

json_t *export_map_metadata(const struct export_map_input *in);
/* comments.json: the export's comments, commenters by NSID, names from users when known. */
json_t *export_map_comments(const struct export_map_input *in);
/* exif.json in getExif's shape, from the export's "exif" ({} or []: an empty list). */
json_t *export_map_exif(const struct export_map_input *in);

#endif
