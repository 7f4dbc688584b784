/*
 * site.h: `flickr-archive site`: a static website inside the archive
 * (ROOT/index.html and ROOT/site/) to browse it offline, from disk, in any
 * browser: the photostream, a page per photo with its comments, faves,
 * tags, albums, place and EXIF, the albums, the favorites, a page per
 * person, and a search box.  Sync makes it again at its end.
 *
 * Only the site's own files are written (never archived data), each only
 * when its content changed, and thumbnails only when missing or when their
 * original changed; see site_page.h for the layout.
 */
#ifndef FA_SITE_H
#define FA_SITE_H

#include "error.h"
#include "options.h"
#include "site_page.h"

/*
 * Builds or brings up to date the site of the archive at root; the caller
 * holds the archive's lock.  stats->warnings must be an array (the
 * undecodable images are listed there).  Errors: out of memory, a full
 * disk or other write failure, FA_EINTR.
 */
int site_build(const char *root, struct site_stats *stats, struct err *e);

/* `flickr-archive site`: prints the path of index.html on stdout; 0 or an FA_E* code and e. */
int cmd_site(const struct options *o, struct err *e);

/*
 * The end of a sync (which holds the lock): builds the site and says where
 * it is; a failure is only a warning.  Returns FA_EINTR when interrupted
 * (unsaid: the sync's error line tells it), else 0.
 */
int site_after_sync(const char *root);

#endif
