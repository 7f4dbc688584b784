/*
 * index_doc.h: what an archived item's entry in the search index says (see
 * index.h for the columns), read from its metadata.json, comments.json and
 * favorites.json, and the text handling the index shares with its queries.
 *
 * Each column is plain text with one entry per line ('\n' never occurs
 * inside an entry: control characters become spaces), so the line a match is
 * on says which comment, tag or person it is.  "roles" holds, line for line,
 * what each person of "people" did: "owner", "commented", "faved", "in the
 * photo".
 */
#ifndef FA_INDEX_DOC_H
#define FA_INDEX_DOC_H

#include "buf.h"
#include "error.h"
#include "index.h"
#include "json.h"

#define INDEX_DOC_N_FILES 3
/* The files an entry is made from (metadata.json first, the only one required). */
extern const char *const index_doc_files[INDEX_DOC_N_FILES];

/* An item's entry.  Start from { 0 }; free with index_doc_release(). */
struct index_doc {
	/* the columns of the FTS5 table, in order */
	struct buf col[INDEX_N_FIELDS];
	struct buf roles;      /* the roles column: a line per line of people */
	struct buf title;      /* items.title: cleaned, not segmented */
	struct buf line;       /* working space */
	struct buf scratch;
	json_t *meta, *comments, *faves;
	json_t *seen;          /* tags already listed, lowercased */
	json_t *people;        /* [{line, roles}], in order of appearance */
	json_t *people_at;     /* a person's nsid (or name) -> index in people */
	const char *date_taken, *date_posted, *owner, *status; /* borrowed from meta */
	char posted[21];
	char damaged[32];      /* the first of its files that is not valid JSON, or "" */
};

/*
 * Reads the files of the item folder dir and fills d.  FA_EPARSE (or FA_EIO)
 * when metadata.json cannot be read or is not an object; comments.json and
 * favorites.json are optional.  A file that is there but not valid JSON is
 * named in d->damaged.
 */
int index_doc_load(struct index_doc *d, const char *dir, struct err *e);
void index_doc_release(struct index_doc *d);

/*
 * Appends the text of an HTML fragment (Flickr's descriptions and comments)
 * to out: tags dropped (<br> and block ends become a space), entities
 * decoded, control characters and runs of white space made one space.  Text
 * that only looks like a tag ("a < b") is kept.
 */
int index_html_to_text(const char *html, struct buf *out);

/*
 * Turns what a user typed into an FTS5 query that cannot be a syntax error:
 * every word is quoted (so AND, OR, NOT, NEAR, -, ^, : and quotes are plain
 * text) and must appear somewhere in the item; a word that ends in '*'
 * matches as a prefix.  Words without a letter or digit are left out;
 * FA_EINVAL when none is left.
 */
int index_fts_query(const char *query, struct buf *out);

/*
 * Copies s to out with a space on each side of every Chinese, Japanese or
 * Korean character, so the tokenizer sees each as a word (done for the
 * index and the query alike); index_unsegment() undoes it for display.
 */
int index_segment_cjk(const char *s, struct buf *out);
int index_unsegment_cjk(const char *s, struct buf *out);

#endif
