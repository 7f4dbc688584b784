/*
 * site_search.h: the offline search of the site.  Pages opened from disk
 * cannot fetch, so the index is a script, site/search-index.js, that sets
 * window.FA_SEARCH_INDEX; site/search.html and assets/search.js use it.
 *
 *   {"version": 1,
 *    "people": [[nsid, name, username, has_avatar], ...],
 *    "pages": [[kind, id, name], ...],   groups, galleries, collections (site_account.h)
 *    "items": [[kind ("photo"|"fave"), id, title, "YYYY-MM-DD", has_thumb,
 *               is_video, tags (space-separated), description (text),
 *               [[person, comment text], ...], [faver, ...], owner], ...]}
 *
 * person, faver and owner index "people" (-1: unknown).  Every string is
 * escaped with html_js_string(), so no title can end the script.
 */
#ifndef FA_SITE_SEARCH_H
#define FA_SITE_SEARCH_H

#include "site_page.h"

/* Adds an item, from its records (any of which may be NULL), to the spool of items. */
int site_search_add_item(struct site *s, size_t idx, const json_t *meta, const json_t *comments,
			 const json_t *faves, struct err *e);
/* Writes site/search-index.js (when it changed). */
int site_search_write(struct site *s, struct err *e);

#endif
