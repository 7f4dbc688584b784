/*
 * ledger.h: what Flickr says exists beside what it listed.
 *
 * Every listing of a sync (the photostream, the favorites, the albums, each
 * album's members, each item's comments and faves) is counted by the unique
 * ids received and compared with Flickr's own count (total, photos + videos,
 * count_comments, count_faves).  What is still short once the sync has tried
 * to recover is named in the summary and in sync_report.json's
 * "completeness", and makes the sync exit non-zero.
 */
#ifndef FA_LEDGER_H
#define FA_LEDGER_H

#include <pthread.h>
#include <stddef.h>

#include "json.h"

/* A set of id strings, borrowed: they must outlive the set. */
struct id_set {
	const char **slot;
	size_t cap, n;
};

#define ID_SET_INIT { NULL, 0, 0 }

/* The set's own copy of id (the string added), or NULL. */
const char *id_set_find(const struct id_set *s, const char *id);
/* 1 when added, 0 when already there, FA_ENOMEM. */
int id_set_add(struct id_set *s, const char *id);
void id_set_release(struct id_set *s);

struct ledger {
	pthread_mutex_t lock;  /* workers note comments and faves at once */
	json_t *entries;       /* [{listing, expected, got, complete, ...}] */
	long incomplete;       /* entries still short */
	int live;              /* initialised, not yet released */
};

/* 0 or FA_ENOMEM; ledger_release() either way. */
int ledger_init(struct ledger *l);
void ledger_release(struct ledger *l);

/* What to say when favorites or album members stay short. */
extern const char LEDGER_SAFESEARCH_HINT[];

/*
 * Notes one listing: Flickr counted expected, got unique ids came.  hint
 * (may be NULL) is kept as "hint" when the listing is short.  detail (may be
 * NULL; its reference is taken) adds keys to the entry: "missing" (ids),
 * "gaps" (date windows), "title".  Entries keep the order they were noted
 * in.  0 or FA_ENOMEM.
 */
int ledger_note(struct ledger *l, const char *listing, long expected, long got,
		const char *hint, json_t *detail);

/* Sets an entry's got (more came from elsewhere); 0 or FA_ENOMEM. */
int ledger_set_got(struct ledger *l, json_t *entry, long got);

/*
 * An item dated date came from elsewhere: when it falls within a short gap
 * of listing's entry, it counts for that gap and the entry.  0 or FA_ENOMEM.
 */
int ledger_fill_gap(struct ledger *l, const char *listing, long long date);

/* The entry of listing, borrowed, or NULL. */
json_t *ledger_find(struct ledger *l, const char *listing);

#endif
