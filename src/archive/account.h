/*
 * account.h: the account's structure beside its photos, kept current by
 * every sync (issue 15), each in its own file at the archive root:
 *
 *   profile.json          people.getInfo and profile.getProfile of the account
 *   collections.json      collections.getTree: the nested collections and their albums
 *   galleries_index.json  galleries.getList, each gallery's photos in order with the
 *                         curator's comments (galleries.c)
 *   groups_index.json     people.getGroups, and the account's own items in each pool
 *                         (groups.c)
 *   contacts.json         contacts.getList, with the friend and family flags
 *
 * The rules of account_index.h hold for all of them: a refused method is a
 * warning that keeps the file as it was, nothing vanishes, and a file is
 * rewritten only when it changed.
 */
#ifndef FA_ACCOUNT_H
#define FA_ACCOUNT_H

#include "account_index.h"

struct account_sync {
	struct account_run run;    /* its fields set by the caller (see account_index.h) */
	/* results, owned: account_sync_release() */
	json_t *people;            /* NSID -> users_cache.json record: the owner, the contacts */
	json_t *item_groups;       /* own item id -> [{"id", "name"}]: pools holding it */
	json_t *gallery_listing;   /* gallery photos as listed (for archiving them) */
	json_t *gallery_kept;      /* ids of archived photos of galleries not listed again */
	long collections, galleries, groups, contacts;
	int groups_listed;         /* the groups were listed: item_groups is this run's */
	/* set by the caller, borrowed: the own items this sync's listings hold (sorted), or
	 * NULL; a pool's listing drops an id recorded before only for an item listed here */
	const struct store_ids *listed_items;
};

/*
 * What the structure costs a sync whose galleries and pools have not moved:
 * people.getInfo and profile.getProfile, collections.getTree,
 * galleries.getList, people.getGroups, contacts.getList (one page each).
 */
#define ACCOUNT_UNCHANGED_CALLS 6

/* 0 or FA_ENOMEM: the results' containers. */
int account_sync_init(struct account_sync *as);
void account_sync_release(struct account_sync *as);

/* Lists and writes the five files; 0, or an error that stops the sync (in e). */
int account_sync(struct account_sync *as, struct err *e);

/* Adds as->people to users (NSID -> record, as catalog_users_hook passes it). */
int account_add_people(const struct account_sync *as, json_t *users);

#endif
