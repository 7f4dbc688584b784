/*
 * import.h: `flickr-archive import ZIP|DIR...`: Flickr's own account export
 * ("Your Flickr Data") read into the archive, without network or
 * credentials (see README "Importing Flickr's export").
 */
#ifndef FA_IMPORT_H
#define FA_IMPORT_H

#include "error.h"
#include "options.h"

/* 0, CMD_INCOMPLETE (exit_status.h) or a negative FA_E* with e filled. */
int cmd_import(const struct options *o, struct err *e);

#endif
