/*
 * merge.h: keeping what Flickr dropped.
 *
 * A re-sync replaces a record with Flickr's current answer merged with what
 * the archive already held, so that nothing ever disappears from the archive:
 *
 *   - comments / faves that vanished upstream stay, marked
 *     "removed": true with "last_seen" (unix) and "last_seen_formatted";
 *   - fields Flickr now leaves empty (a closed account's real name) keep
 *     their earlier value;
 *   - every edited field (title, description, tags, place, albums, owner's
 *     names, ...; not counters such as views) keeps its earlier values in
 *     metadata.json's "history" list:
 *       {"field", "value", "replaced_at", "replaced_at_formatted"};
 *   - an item Flickr no longer has is marked with metadata.json's
 *     "upstream": {"status", "last_seen", "detected_at", ...}.
 *
 * Pure functions over JSON documents; the caller owns what they return.
 */
#ifndef FA_MERGE_H
#define FA_MERGE_H

#include <stdint.h>

#include "json.h"

struct merge_spec {
	const char *id_key;        /* "id" for comments, "nsid" for faves */
	const char *date_key;      /* orders the merged list, unix-second strings */
	int newest_first;
	const char *const *edited; /* fields whose earlier values are kept, NULL-terminated */
};

extern const struct merge_spec MERGE_COMMENTS;
extern const struct merge_spec MERGE_FAVES;

/*
 * fresh (Flickr's current list) merged with old (the archived one, may be
 * NULL): entries only in old are kept and marked removed, last seen at
 * last_seen.  Returns a new array, or NULL when out of memory.
 */
json_t *merge_list(const json_t *old, const json_t *fresh, const struct merge_spec *spec,
		   int64_t last_seen, int64_t now);

/* Number of entries of a merged list not marked removed. */
size_t merge_count_present(const json_t *list);

/*
 * Carries into fresh metadata what old metadata knew: history (with an entry
 * for each tracked field that changed), keys Flickr no longer sends, and an
 * "upstream" mark turned into history now that the item is back.
 * Returns 0 or FA_ENOMEM.
 */
int merge_metadata(json_t *fresh, const json_t *old, int64_t now);

/*
 * The same for any record: history carried, an entry for each field of
 * tracked (NULL-terminated; NULL: metadata.json's) that changed, the old
 * "upstream" mark into history, keys fresh lacks kept.  0 or FA_ENOMEM.
 */
int merge_record(json_t *fresh, const json_t *old, const char *const *tracked, int64_t now);

/* Appends {"field": field, "value": old value, "replaced_at": now, ...} to meta's history. */
int merge_add_history(json_t *meta, const char *field, const json_t *value, int64_t now);

/* Sets meta's "upstream" mark (status "deleted", "unfavorited", ...). */
int merge_mark_upstream(json_t *meta, const char *status, const char *detail,
			int64_t last_seen, int64_t now);

#endif
