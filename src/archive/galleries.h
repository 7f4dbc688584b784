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

int galleries_sync(struct account_sync *as, struct err *e);

#endif
