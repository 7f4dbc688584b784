/*
 * index.h: the archive's search database, ROOT/archive.db (SQLite, FTS5).
 *
 * The archive's JSON files are the source of truth; archive.db is derived
 * from them and can always be rebuilt.  One row per archived item in
 * `items` (section, id, title, dates, owner, upstream status, and the stamp
 * of its files when it was indexed) and one in the FTS5 table `search`, with
 * a column per kind of text: title, description (HTML stripped), tags (raw
 * and normalised), comments ("Author: text", one per line), people (owner,
 * commenters, favers, people in the photo), notes, albums, place.  The
 * tokenizer is unicode61 with remove_diacritics 2 ("cafe" finds "Café"), and
 * Chinese, Japanese and Korean characters are indexed one by one, so a word
 * inside a run of them can be found.
 *
 * index_update() is incremental: an item whose metadata.json, comments.json
 * and favorites.json have the same inode, size and modification time as when
 * it was indexed is not read again.  Everything is written in one
 * transaction.  A database that is damaged, not ours, or of another schema
 * version is rebuilt from scratch into a temporary file that is renamed over
 * it (see fsutil.h), so a crash leaves the old index or the new one.
 *
 * What goes into an item's entry, and how a query is quoted: index_doc.h.
 * Nothing here prints; errors come back as FA_E* codes with a message.
 */
#ifndef FA_INDEX_H
#define FA_INDEX_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "store.h"

#define INDEX_DB_NAME "archive.db"
/* Bump when the tables or what goes into them change: old databases are rebuilt. */
#define INDEX_SCHEMA_VERSION 1

enum index_mode {
	INDEX_WRITE,  /* ROOT/archive.db, created or rebuilt when it cannot be used */
	INDEX_READ,   /* ROOT/archive.db as it is; FA_ENOTFOUND when it cannot be used */
	INDEX_MEMORY, /* a private index in memory (an archive we cannot write to) */
};

struct index; /* an open search database */

struct index_stats {
	long items;        /* items in the index after the update */
	long indexed;      /* items read and (re)indexed by this update */
	long removed;      /* rows dropped because their folder is gone from disk */
	long unreadable;   /* items skipped: no readable metadata.json */
	long damaged;      /* items read with a file that is not valid JSON */
	char damaged_path[160]; /* the first such file, relative to the root */
	int rebuilt;       /* the whole index was built from scratch */
	char why[128];     /* why it was rebuilt ("created", "damaged", ...) */
};

/* Opens the index of the archive at root.  Free it with index_close(). */
int index_open(const char *root, enum index_mode mode, struct index **ret, struct err *e);
void index_close(struct index *ix);

/*
 * Brings the index up to date with the archive's files (see the top of this
 * file); ret_stats may be NULL.  Stops with FA_EINTR, changing nothing, when
 * clock_stop_requested().  A READ index cannot be updated (FA_EINVAL).
 */
int index_update(struct index *ix, struct index_stats *ret_stats, struct err *e);

/*
 * Builds a WRITE index from scratch, whatever it holds: for a search that
 * found it damaged (index_damaged()) where an update did not look.
 */
int index_rebuild(struct index *ix, struct index_stats *ret_stats, struct err *e);
/* True when SQLite said the file is not a sound index of ours. */
int index_damaged(const struct index *ix);

/* index_open(INDEX_WRITE) + index_update() + index_close(): what a sync runs at its end. */
int index_refresh(const char *root, struct index_stats *ret_stats, struct err *e);

/* Where a search matched: one per field, in the order of enum index_field. */
enum index_field {
	INDEX_TITLE, INDEX_DESCRIPTION, INDEX_TAGS, INDEX_COMMENTS, INDEX_PEOPLE,
	INDEX_NOTES, INDEX_ALBUMS, INDEX_PLACE,
	INDEX_N_FIELDS
};

struct index_where {
	enum index_field field;
	const char *by;      /* comments: the author; people: the roles ("commented, faved") */
	const char *text;    /* the matching text around the first match, "…" where cut;
			      * the matched words are between INDEX_MARK_OPEN and _CLOSE */
	long more;           /* further matching comments, tags, people... not shown */
};

#define INDEX_MARK_OPEN '\x01'
#define INDEX_MARK_CLOSE '\x02'

/* One match.  Every pointer is borrowed, valid during the callback only. */
struct index_hit {
	enum store_kind kind;
	const char *id;
	const char *title;
	const char *date;        /* YYYY-MM-DD taken, else posted; "" when unknown */
	const char *date_taken;  /* as in metadata.json, or NULL */
	const char *date_posted; /* ISO 8601, or NULL */
	const char *owner;       /* display name, or NULL */
	const char *status;      /* upstream status ("deleted", "unfavorited"), or NULL */
	double rank;             /* bm25: lower is better */
	const struct index_where *where;
	size_t n_where;
};

/* A callback's non-zero return stops the search and is returned. */
typedef int (*index_hit_fn)(void *ud, const struct index_hit *hit);

/*
 * Searches for the words of query (see index_fts_query()), best match first
 * (bm25, titles and tags weighing most), at most limit hits (0: no limit).
 * FA_EINVAL when the query has nothing to search for.
 */
int index_search(struct index *ix, const char *query, long limit, index_hit_fn fn,
		 void *ud, struct err *e);

/* The name of a field, as --json shows it: "title", "comments"... */
const char *index_field_name(enum index_field f);

#endif
