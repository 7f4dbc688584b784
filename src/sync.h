/*
 * sync.h: `flickr-archive sync`: list the account, archive every item not
 * yet complete, rebuild the index files, report.
 */
#ifndef FA_SYNC_H
#define FA_SYNC_H

#include "options.h"

/* 0, CMD_INCOMPLETE (exit_status.h) when something is missing, or an FA_E* code and e. */
int cmd_sync(const struct options *o, struct err *e);

#endif
