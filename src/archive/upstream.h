/*
 * upstream.h: archived items that Flickr stopped listing.
 *
 * An item missing from a complete listing is asked about once with getInfo
 * before anything is concluded (listings are not to be trusted alone): a
 * permanent refusal marks it "unavailable" (Flickr's code 1 means "not found
 * or not permitted", so it cannot say deleted; archives made before kept
 * "deleted"), a favorite that still exists but is no longer favorited is
 * marked unfavorited.  An album "not found" is marked deleted.  Nothing is ever removed from the archive;
 * the mark goes into metadata.json (see merge.h) and the index files.
 */
#ifndef FA_UPSTREAM_H
#define FA_UPSTREAM_H

#include "photo.h"
#include "store.h"

/* getInfo calls one run may spend on unlisted items; the rest wait for the next run. */
#define UPSTREAM_MAX_CHECKS 300

/*
 * Checks the archived items of kind that listed (sorted) lacks; last_seen is
 * when they were last listed (0 if unknown).  ret_marked counts new marks,
 * ret_pending the items left to ask about next run (a transient failure, or
 * over UPSTREAM_MAX_CHECKS).  ret_unlisted (may be NULL) gets the ids Flickr
 * still has (a favorite still favorited) though the listing lacked them.
 */
int upstream_check(const struct photo_ctx *ctx, enum store_kind kind,
		   const struct store_ids *listed, int64_t last_seen, long *ret_marked,
		   long *ret_pending, struct store_ids *ret_unlisted, struct err *e);

/*
 * Completes this run's album list (fresh, albums_index.json entries in the
 * user's order) with the albums of the last run's list (old) it lacks, at the
 * end.  Each is asked about once with photosets.getInfo: "not found" marks it
 * deleted; any other answer keeps it as it was.  An album listed again carries
 * its history, its old mark added to it.  ret_marked counts new marks.
 */
int upstream_check_albums(const struct photo_ctx *ctx, json_t *fresh, const json_t *old,
			  long *ret_marked, struct err *e);

#endif
