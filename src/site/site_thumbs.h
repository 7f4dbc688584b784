/*
 * site_thumbs.h: brings the site's thumbnails (site/thumbs/) and medium-size
 * images (site/medium/) up to date with the archived originals and poster
 * frames, n_threads at a time, and records in each item what it can show.
 */
#ifndef FA_SITE_THUMBS_H
#define FA_SITE_THUMBS_H

#include "site_page.h"

/*
 * An image that cannot be decoded is a warning (site_warn) and a
 * placeholder, never an error.  Errors: out of memory, a full disk, FA_EINTR.
 */
int site_thumbs_update(struct site *s, int n_threads, struct err *e);

#endif
