/*
 * search.h: `flickr-archive search QUERY`: find archived items through the
 * archive's search index (index.h), bringing it up to date first.  Reads the
 * archive only (archive.db aside): no network, no credentials.
 */
#ifndef FA_SEARCH_H
#define FA_SEARCH_H

#include "options.h"

/*
 * 0 when something matched, CMD_INCOMPLETE (exit_status.h) when nothing did,
 * or an FA_E* code and e.
 */
int cmd_search(const struct options *o, struct err *e);

#endif
