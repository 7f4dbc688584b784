/*
 * albums.h: the account's albums and their members, for a sync.
 *
 * The album list and each album's members are counted against what Flickr
 * says they hold (the list's total; an album's photos and videos); a short
 * list is asked for once more, and what stays short goes to the ledger with
 * a word about SafeSearch.  An album whose date_update and counts have not
 * moved since the last run keeps its members without a call, unless that
 * run's list of them was short ("photo_ids_complete": false).
 */
#ifndef FA_ALBUMS_H
#define FA_ALBUMS_H

#include "album_members.h"
#include "flickr.h"
#include "ledger.h"
#include "photo.h"
#include "store.h"

struct albums_sync {
	/* set by the caller, borrowed */
	struct flickr_client *fc;
	struct photo_ctx *pctx;          /* for asking about albums Flickr stopped listing */
	const struct store *store;
	struct ledger *ledger;
	const char *nsid;                /* the account's NSID (user_id) */
	json_t *albums;                  /* gets the albums_index.json entries, in order */
	struct album_members *members;   /* gets which albums each photo is in */
	/* results */
	long counted;                    /* album members Flickr counts */
	long listed;                     /* album members listed */
	long marked;                     /* albums marked deleted upstream */
	long invalid;                    /* albums skipped: listed with an invalid id */
	/* private */
	json_t *old_albums;
};

/*
 * Lists the albums and their members into as->albums (each with its
 * "photo_ids" and "photo_ids_complete") and as->members, notes them in the
 * ledger, and keeps (marked if deleted) the albums of the last run's
 * albums_index.json that Flickr no longer lists.  0, or an error in e.
 * Prints nothing but the progress line: the results say what happened.
 */
int albums_list(struct albums_sync *as, struct err *e);

/*
 * Album members that listed (sorted) lacks are the account's own items all
 * the same: each album holding some is listed again with the listing's
 * extras, and those items are spooled to the file at path (replaced whole)
 * and added to ret_found; one uploaded within a gap of the ledger's
 * "photostream" fills it.  0, or an error in e.
 */
int albums_spool_unlisted(struct albums_sync *as, const struct store_ids *listed,
			  const char *path, struct store_ids *ret_found, struct err *e);

#endif
