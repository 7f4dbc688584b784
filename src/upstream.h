/*
 * upstream.h: archived items that Flickr stopped listing.
 *
 * An item missing from a complete listing is asked about once with getInfo
 * before anything is concluded (listings are not to be trusted alone): "not
 * found" marks it deleted, a favorite that still exists but is no longer
 * favorited is marked unfavorited.  Nothing is ever removed from the archive;
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
 * over UPSTREAM_MAX_CHECKS).
 */
int upstream_check(const struct photo_ctx *ctx, enum store_kind kind,
		   const struct store_ids *listed, int64_t last_seen, long *ret_marked,
		   long *ret_pending, struct err *e);

#endif
