/*
 * site_assets.h: the site's stylesheet, scripts and images, from
 * src/site/assets/ (made into C strings at build time by
 * scripts/embed_assets.py).  They are written to ROOT/site/assets/.
 */
#ifndef FA_SITE_ASSETS_H
#define FA_SITE_ASSETS_H

#include <stddef.h>

struct site_asset {
	const char *name;   /* file name in site/assets */
	size_t len;
	const char *data;
};

/* Ends with an entry whose name is NULL. */
extern const struct site_asset site_assets[];

#endif
