/*
 * site_photo.h: the page of every photo and video (site/photo/<id>.html,
 * site/fave/<id>.html), in list order.  Refines the model from each item's
 * records and records who commented on and faved what, for the lists.
 */
#ifndef FA_SITE_PHOTO_H
#define FA_SITE_PHOTO_H

#include "site_page.h"

int site_photos_write(struct site *s, struct err *e);

#endif
