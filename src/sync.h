/*
 * sync.h: `flickr-archive sync`: list the account, archive every item not
 * yet complete, rebuild the index files, report.
 */
#ifndef FA_SYNC_H
#define FA_SYNC_H

#include "options.h"

/* Exit statuses shared by the commands. */
enum exit_status {
	EXIT_OK = 0,
	EXIT_SOME_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_FATAL = 3,
	EXIT_INTERRUPTED = 130,
};

int cmd_sync(const struct options *o);

#endif
