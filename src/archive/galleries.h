/*
 * galleries.h: galleries_index.json, the galleries the account curates.
 *
 * One entry per gallery: id, url, title, description, dates, counts, and
 * "photos": [{id, owner, title, comment}] in the gallery's order, with
 * "photos_complete".  A gallery whose date_update and counts have not moved
 * keeps its photos without a call (unless --refresh, or its last list was
 * short).  The photos' listing entries go to as->gallery_listing so that
 * they are archived as favorites are, under gallery_photos/<id>/.
 */
#ifndef FA_GALLERIES_H
#define FA_GALLERIES_H

#include "account.h"
#include "store.h"

int galleries_sync(struct account_sync *as, struct err *e);

/*
 * Before a gallery photo is archived under gallery_photos/<id>/: when the
 * same photo is a complete favorite, its media files (original.*,
 * poster.jpg) and sizes.json are hard links to the favorite's, so the photo
 * is downloaded once and kept once on disk.  Every file of the archive is
 * replaced by rename, never written in place, so either copy can later be
 * rewritten without touching the other.  0, or an error in e (a file system
 * that cannot link is no error: the photo is then downloaded).
 */
int galleries_share_favorite(const struct store *s, const char *id, struct err *e);

#endif
