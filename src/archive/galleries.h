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

/*
 * Before a complete gallery photo is checked for damage: each damaged file
 * it could share with the same favorite (original.*, poster.jpg,
 * sizes.json) whose favorite's copy is whole, with the bytes both manifests
 * record, is kept aside as "damaged-<now>-<name>" and becomes a link to the
 * favorite's again.  This is how a damaged shared file heals in both folders
 * while staying one copy on disk: repairing the favorite replaced its name by
 * rename, and left the gallery's on the damaged bytes.  ret_names gets the
 * names relinked (the manifest is renewed for them).  0, or an error in e;
 * what cannot be linked or checked is left to the photo's own archiving,
 * which fetches it again.
 */
int galleries_relink_favorite(const struct store *s, const char *id, long long now,
			      struct store_ids *ret_names, struct err *e);

#endif
