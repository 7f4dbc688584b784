/*
 * groups.h: groups_index.json, the groups the account belongs to.
 *
 * One entry per group: nsid, name, description (groups.getInfo, asked once
 * per new group), members, pool_count, privacy, and "photo_ids": the
 * account's own items in its pool (groups.pools.getPhotos with user_id),
 * with "photo_ids_complete".  A group whose pool_count and members have not
 * moved keeps its photo_ids without a call (unless --refresh, or its last
 * list was short).  as->item_groups gets, for each item, the groups whose
 * pool holds it.
 */
#ifndef FA_GROUPS_H
#define FA_GROUPS_H

#include "account.h"
#include "photo.h"

int groups_sync(struct account_sync *as, struct err *e);

/*
 * Writes each own item's groups into its metadata.json ("groups": [{id,
 * name}]) when they changed, the earlier list kept in history; an item that
 * left every pool gets [].  Nothing when the groups could not be listed.
 * ret_changed counts the items rewritten.  0 or an error.
 */
int groups_apply_to_items(const struct account_sync *as, const struct photo_ctx *ctx,
			  long *ret_changed, struct err *e);

#endif
