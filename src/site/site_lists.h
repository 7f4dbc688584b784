/*
 * site_lists.h: the photostream, favorites, albums, people and search pages
 * (see site_page.h for where they go).  Run after site_photos_write().
 */
#ifndef FA_SITE_LISTS_H
#define FA_SITE_LISTS_H

#include "site_page.h"

int site_lists_write(struct site *s, struct err *e);

#endif
