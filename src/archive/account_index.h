/*
 * account_index.h: what the account's index files (profile.json,
 * collections.json, galleries_index.json, groups_index.json, contacts.json)
 * share.
 *
 * - A method the key or the account cannot use (any stat=fail answer, and
 *   Flickr's code 99 "Insufficient permissions") is a refusal: a warning
 *   is recorded and the caller keeps the file as it was.  Only what makes
 *   going on pointless (disk full, interrupted, credentials refused,
 *   Flickr unreachable) fails.
 * - Never lose: a record listed again keeps its "history", gets an entry
 *   for each tracked field that changed, and its old "upstream" mark moves
 *   into its history; keys Flickr stopped sending are kept.  A record the
 *   last run had and a complete listing lacks stays, marked
 *   "upstream": {"status", "detected_at"}.
 * - A file is written (temporary name, then rename) only when its content
 *   changed, so a re-sync of an unchanged account rewrites nothing.
 */
#ifndef FA_ACCOUNT_INDEX_H
#define FA_ACCOUNT_INDEX_H

#include <stdint.h>

#include "flickr.h"
#include "ledger.h"
#include "store.h"

/* The index files, NULL-terminated, in the manifest's order. */
extern const char *const account_index_files[];

struct account_run {
	/* set by the caller, borrowed */
	struct flickr_client *fc;
	const struct store *store;
	struct ledger *ledger;
	const char *nsid;          /* the account's NSID */
	int64_t now;
	int refresh;               /* --refresh: lists every gallery and pool again */
	/* results */
	json_t *warnings;          /* ["flickr.x: why"], one per refusal; owned */
};

/* 0 or FA_ENOMEM; account_run_release() either way. */
int account_run_init(struct account_run *ar);
void account_run_release(struct account_run *ar);

/*
 * flickr_call() with refusals told apart: 0 answered (*ret set), 1 refused
 * (a warning recorded, *ret NULL), < 0 an error that stops the sync (in e).
 */
int account_call(struct account_run *ar, const char *method, const char *const *args,
		 json_t **ret, struct err *e);

/* flickr_paginate() with the same three outcomes. */
int account_paginate(struct account_run *ar, const char *method, const char *const *args,
		     const char *container, const char *item_key, int per_page,
		     flickr_item_fn fn, void *ud, struct flickr_page *ret_last, struct err *e);

/* ROOT/name as last written, or NULL (none, or unreadable: then it is written anew). */
json_t *account_load(const struct account_run *ar, const char *name);

/* Writes doc to ROOT/name unless it equals old.  0 or an error in e. */
int account_save(const struct account_run *ar, const char *name, const json_t *doc,
		 const json_t *old, struct err *e);

/*
 * Each record of fresh merged with old's record of the same id_key; when
 * complete, old's records that fresh lacks are appended, marked gone_status
 * (once: a record already marked keeps its mark).  When not complete they
 * are appended as they were, and so is a record without id_key (an
 * export's contact that no listing can name).  0 or FA_ENOMEM.
 */
int account_merge_list(json_t *fresh, const json_t *old, const char *id_key,
		       const char *const *tracked, const char *gone_status, int complete,
		       int64_t now);

/* A file that is one list of records: {"<key>": [...]}. */
struct account_list_spec {
	const char *file;          /* "groups_index.json" */
	const char *key;           /* "groups" */
	const char *id_key;        /* "nsid" */
	const char *const *tracked;
	const char *gone_status;   /* the mark of a record a complete listing lacks */
};

/*
 * list (this run's records) merged with old's (the file as last written,
 * may be NULL) by account_merge_list(), then saved by account_save() as
 * {key: list} with old's other keys kept.  0 or an error in e.
 */
int account_save_list(const struct account_run *ar, const struct account_list_spec *spec,
		      json_t *list, const json_t *old, int complete, struct err *e);

/* The record of list whose key is id, borrowed, or NULL. */
json_t *account_find(const json_t *list, const char *key, const char *id);

/* Flickr's NSID form: "12345678@N01". */
int account_valid_nsid(const char *s);

/*
 * Flickr's own export (`import`) writes its entries into these files too,
 * marked "source": "flickr-export".  Its records have other ids than the
 * API's at times (a contact: a name and a profile URL; a gallery: maybe
 * without the owner's number), so an entry is the same as another when
 * their id_key is equal, when one id is "<n>-<the other>", or (no id on one
 * side) when profile_url or path_alias agree, or one's path_alias is the
 * other's id.
 */
#define ACCOUNT_EXPORT_SOURCE "flickr-export"
int account_same_entry(const json_t *a, const json_t *b, const char *id_key);
/* The first record of list that is the same as entry, borrowed, or NULL. */
json_t *account_find_same(const json_t *list, const json_t *entry, const char *id_key);
/* An entry from the export now seen by the API too: "source" becomes "also_in_export": true. */
int account_export_seen(json_t *entry);
/*
 * Before sync merges its listing (fresh) with old_list: each export entry
 * of old_list that is the same as a fresh record takes its id and is marked
 * seen, so the merge joins the two instead of keeping both.  0 or FA_ENOMEM.
 */
int account_adopt_export(json_t *old_list, const json_t *fresh, const char *id_key);

/* Sets key to the unix-seconds string value and key_formatted to its ISO 8601 form. */
int account_set_time(json_t *obj, const char *key, const char *value);

/* Notes a listing in the ledger, Flickr's count (total) against got. */
int account_note(struct account_run *ar, const char *listing, long total, long got,
		 struct err *e);

#endif
