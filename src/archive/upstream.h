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

/* What upstream_check() found: it prints nothing. */
struct upstream_result {
	long marked;   /* items newly marked */
	long pending;  /* left to ask about next run: a failure, or over UPSTREAM_MAX_CHECKS */
	struct store_ids still_there; /* unlisted, but Flickr still has them (a favorite
				       * still favorited) */
	json_t *failed; /* [{id, error, status?}]: asking Flickr, or marking the status
			 * it gave, failed; asked again next run */
};

void upstream_result_release(struct upstream_result *res);

/* Adds to ret_unlisted the archived items of kind that listed (sorted) lacks. */
int upstream_unlisted(const struct store *store, enum store_kind kind,
		      const struct store_ids *listed, struct store_ids *ret_unlisted,
		      struct err *e);

/*
 * Asks Flickr about the items of kind the listing lacked (upstream_unlisted())
 * and marks what it no longer has; last_seen is when they were last listed (0
 * if unknown).  res (zeroed, or from an earlier call) is reset first; it is
 * filled even when a fatal error (returned) cut the check short.
 */
int upstream_check(const struct photo_ctx *ctx, enum store_kind kind,
		   const struct store_ids *unlisted, int64_t last_seen,
		   struct upstream_result *res, struct err *e);

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
