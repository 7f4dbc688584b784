/*
 * import.h: `flickr-archive import ZIP|DIR...`: Flickr's own account export
 * ("Your Flickr Data") read into the archive, without network or
 * credentials (see README "Importing Flickr's export").
 */
#ifndef FA_IMPORT_H
#define FA_IMPORT_H

#include "options.h"

int cmd_import(const struct options *o);

#endif
