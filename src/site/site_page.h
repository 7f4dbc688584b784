/*
 * site_page.h: what every page of the site is made of, and writing pages.
 *
 * A page is built in memory (struct page) and written only when its bytes
 * differ from the file on disk, so an unchanged archive rewrites nothing.
 * Building never fails half-way: the first out-of-memory (or other error,
 * page_fail()) makes the page "failed" and the rest of the calls no-ops;
 * site_write_page() reports it.
 *
 * Site layout (paths relative to the archive root):
 *   index.html                 the photostream, first page
 *   site/stream-N.html         the photostream, page N (N >= 2)
 *   site/photo/<id>.html       an own photo or video;  site/fave/<id>.html a favorite
 *   site/albums.html, site/album/<id>[-N].html
 *   site/favorites[-N].html, site/people.html, site/person/<nsid>.html
 *   site/search.html, site/search-index.js, site/assets/ (CSS, JS, SVG)
 *   site/collections.html, site/collection/<id>.html, site/galleries.html,
 *   site/gallery/<id>.html, site/groups.html, site/group/<nsid>.html (site_account.h)
 *   site/thumbs/<photo|fave>/<id>.jpg, site/medium/<photo|fave>/<id>.jpg
 *   site/state.json            what the thumbnails were made from
 */
#ifndef FA_SITE_PAGE_H
#define FA_SITE_PAGE_H

#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "site_model.h"
#include "site_spool.h"

#define SITE_PER_PAGE 100
#define SITE_THUMB_BOX 400
#define SITE_MEDIUM_BOX 2048

struct site_stats {
	long pages_written;
	long pages_unchanged;
	long thumbs_made;
	long thumbs_kept;
	long thumbs_failed;
	json_t *warnings;          /* one string per warning, for the command to print */
};

/* One build of the site. */
struct site {
	struct site_model m;
	struct site_stats *stats;
	char *name;                /* the site's name: "<owner> · Flickr archive" */
	struct site_spool search_items; /* the search index's items so far (site_search.c) */
	json_t *account;           /* the account's structure files (site_account.c), or NULL */
};

/* Where a page lives: sets its relative links to the site folder and the root. */
enum site_depth {
	SITE_AT_ROOT,              /* index.html */
	SITE_IN_SITE,              /* site/x.html */
	SITE_IN_SUBDIR,            /* site/photo/x.html */
};

struct page {
	struct buf html;
	int failed;
	struct err why;            /* why it failed (code 0: out of memory) */
	const char *to_site;       /* "site/", "", "../" */
	const char *to_root;       /* "", "../", "../../" */
};

void page_init(struct page *p, enum site_depth depth);
void page_release(struct page *p);
/* Makes the page failed for the reason in why, unless it failed already (the first is kept). */
void page_fail(struct page *p, const struct err *why);

void page_raw(struct page *p, const char *html);
void page_fmt(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text, escaped. */
void page_text(struct page *p, const char *text);
/* Flickr's markup, sanitised (html.h). */
void page_markup(struct page *p, const char *markup);

/*
 * The page up to and including <main>: title (text), section ("photos",
 * "albums", "favorites", "people", "search": the current nav entry) and
 * attrs, extra attributes for <body> (HTML the caller escaped).
 */
void page_open(struct page *p, const struct site *s, const char *title, const char *section,
	       const char *attrs);
/* Closes <main> and the page; script: a file of site/assets to load, or NULL. */
void page_close(struct page *p, const char *script);

/* href of an item's page. */
void page_item_href(struct page *p, const struct site_item *it);
/* <img> of an item's thumbnail (or placeholder), lazily loaded. */
void page_thumb(struct page *p, const struct site_item *it);
/* <img> of a person's buddy icon (or the placeholder), size px square. */
void page_avatar(struct page *p, const struct site_person *who, int size);
/* A link to the person's page with their icon and name; who may be NULL (name only). */
void page_person_link(struct page *p, const struct site_person *who, const char *fallback_name);

/* <time> for unix seconds: "16 Sep 2014" (with_time: ", 14:31 UTC"). */
void page_date(struct page *p, int64_t t, int with_time);
/* The date part of unix seconds as "YYYY-MM-DD" into out (11 bytes). */
void site_ymd(int64_t t, char out[11]);

/* A grid of items refs[from..to). */
void page_grid(struct page *p, const struct site_model *m, const struct site_refs *refs,
	       size_t from, size_t to);

/*
 * Pages 1..n_pages, current cur; href_of(p, page_no) writes a page's href.
 * Includes the #prev-link/#next-link the arrow keys follow.
 */
void page_pagination(struct page *p, size_t cur, size_t n_pages,
		     void (*href_of)(struct page *p, size_t page_no, const void *ud), const void *ud);

/* Writes the page to ROOT/rel when it changed (counted in the stats). */
int site_write_page(struct site *s, const char *rel, struct page *p, struct err *e);
/* The same for any bytes. */
int site_write_file(struct site *s, const char *rel, const void *data, size_t len,
		    struct err *e);
/*
 * The same for a file too large to hold: head, then everything in the spool,
 * then tail.  It is compared with the file on disk, and written, a piece at
 * a time.
 */
int site_write_spooled(struct site *s, const char *rel, const struct buf *head,
		       struct site_spool *sp, const char *tail, struct err *e);
/* The same for a file that is no page (not counted): 1 when written, 0 when it was the same. */
int site_update_spooled(const char *path, const struct buf *head, struct site_spool *sp,
			const char *tail, struct err *e);

/* Records a warning for the command to print (dropped when out of memory). */
void site_warn(struct site *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
