/*
 * export_account.h: the account files of Flickr's export (kept verbatim
 * under ARCHIVE/export/ by `import`) written into the archive's own index
 * files, the same files and keys as sync's (account_index.h):
 *
 *   account_profile.json        -> profile.json
 *   galleries.json              -> galleries_index.json  {"galleries": [...]}
 *   groups.json                 -> groups_index.json     {"groups": [...]}
 *   contacts_partNNN.json       -> contacts.json         {"contacts": [...]}
 *   followers_partNNN.json      -> contacts.json         {"followers": [...]}
 *
 * (the API has no list of the account's followers: they are a key of
 * contacts.json beside the contacts, which sync keeps as it is).
 *
 * Never lose: an entry already there (from the API, or an earlier import)
 * is never replaced by the export's: it only gains the keys it lacks and
 * "also_in_export": true.  An entry only the export has is added, marked
 * "source": "flickr-export"; the next sync joins it with its own record
 * (account_adopt_export()).  The export's files are told by their content;
 * what the format reference leaves unconfirmed is read defensively and an
 * entry without a usable id is counted, not written.
 */
#ifndef FA_EXPORT_ACCOUNT_H
#define FA_EXPORT_ACCOUNT_H

#include <stdint.h>

#include "error.h"
#include "json.h"
#include "store.h"

struct export_account_counts {
	long profile;      /* 1 when profile.json got the export's profile */
	long galleries, groups, contacts, followers; /* entries the export lists */
	long group_photos; /* photo ids the export's photo_<id>.json put in groups' pools */
	long skipped;      /* entries without a usable id (not written) */
};

/*
 * A photo_<id>.json's "groups" ([{id, name, url}]) noted in by_group, an
 * object {group NSID: group entry with "photo_ids"}, for
 * export_account_apply(); a group or photo id of the wrong shape is left out.
 * 0 or FA_ENOMEM.
 */
int export_account_note_photo(json_t *by_group, const json_t *photo);

/*
 * Reads ROOT/export/ (its account files, by content) and brings the index
 * files up to date, each written (temporary name, rename) only when it
 * changed.  by_group (export_account_note_photo(), or NULL) fills each
 * group's "photo_ids" in groups_index.json, as sync does from the pools:
 * the ids already there stay (a union), and a group only the photos name
 * is added.  0 or an error in e.
 */
int export_account_apply(const struct store *s, int64_t now, const json_t *by_group,
			 struct export_account_counts *c, struct err *e);

#endif
