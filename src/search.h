/*
 * search.h: `flickr-archive search QUERY`: find archived items through the
 * archive's search index (index.h), bringing it up to date first.  Reads the
 * archive only (archive.db aside): no network, no credentials.
 */
#ifndef FA_SEARCH_H
#define FA_SEARCH_H

#include "options.h"

/* EXIT_OK when something matched, EXIT_SOME_FAILED when nothing did. */
int cmd_search(const struct options *o);

#endif
