/*
 * catalog.h: the archive's top-level files, rebuilt from what is on disk so
 * they always agree with it (a killed sync leaves them consistent on the
 * next run):
 *   my_photos_index.json, favorites_index.json  one entry per item
 *   users_cache.json   every commenter, faver, tagged person and photo owner
 *                      by NSID
 *   albums_index.json  every album with its photo ids in order
 *   manifest-sha256.txt  every complete item's manifest, the avatars', then
 *                      the above
 *   bagit.txt          BagIt's declaration (written once)
 * Nothing is ever dropped: users and albums already recorded stay, even when
 * Flickr no longer lists them.
 */
#ifndef FA_CATALOG_H
#define FA_CATALOG_H

#include "error.h"
#include "json.h"
#include "store.h"

struct catalog_counts {
	long my_photos;
	long favorites;
	long users;
	long albums;
	json_t *damaged; /* [{path, problem}]: damage left (see damage.h); json_decref it */
	json_t *index_damaged; /* [{file, problem, kept?}]: users_cache.json or
				* albums_index.json found damaged and rebuilt (albums_index.json's
				* copy kept); set even when the rebuild fails: json_decref it */
};

/*
 * Called with every user (an object: NSID -> record, merged from the items
 * and the last users_cache.json) before users_cache.json is written; it may
 * add keys to the records.  An error stops the rebuild there.
 */
struct catalog_users_hook {
	int (*fn)(void *ud, json_t *users, struct err *e);
	void *ud;
};

/*
 * Items the caller has just checked against their manifests and found whole
 * (a sync, for the items Flickr listed): checked(ud, kind, id) true spares
 * the rebuild checking them again.
 */
struct catalog_checked {
	int (*fn)(void *ud, enum store_kind kind, const char *id);
	void *ud;
};

/*
 * albums: this run's albums (array), or NULL to keep the recorded ones.
 * users_hook and checked may be NULL.  Checks every complete item against
 * its manifest first (damage.h; but those checked says are whole): an item whose metadata.json is damaged or unreadable
 * keeps the last good entry of the index, one whose folder is a symbolic
 * link is not read.  Ends as catalog_write_manifest() does.  On success
 * ret_counts->damaged lists the damage left; ret_counts->index_damaged is
 * set in any case.  Prints nothing: the caller tells what ret_counts holds.
 */
int catalog_rebuild(const struct store *s, const json_t *albums,
		    const struct catalog_users_hook *users_hook,
		    const struct catalog_checked *checked, struct catalog_counts *ret_counts,
		    struct err *e);

/*
 * Writes ROOT/manifest-sha256.txt: the manifest of every item with
 * complete.flag (in the index files' order), once checked against its files
 * (damage.h: a rewrite a killed sync left pending is settled, damage is
 * appended to damaged when it is not NULL and never written in as the
 * truth; a complete item without a manifest gets one from disk), then the
 * lines of ROOT/avatars/manifest-sha256.txt (rewritten first, hashing only
 * the files written since), then lines for the index files and
 * users_cache.json; and bagit.txt when there is none.
 */
int catalog_write_manifest(const struct store *s, json_t *damaged, struct err *e);

#endif
