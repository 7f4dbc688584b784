/*
 * exit_status.h: what a command returns, and the one table that turns it
 * into the process's exit status.
 *
 * A cmd_* function returns 0 when it did everything, CMD_INCOMPLETE when it
 * ran to its end but something is missing (an item failed, verify found a
 * problem, search matched nothing), or a negative FA_E* code with its struct
 * err filled.  It prints its own output and warnings, never the error that
 * ends it: main prints that one line ("flickr-archive: <e.msg>") and picks
 * the status here, so the same failure exits the same way in every command.
 */
#ifndef FA_EXIT_STATUS_H
#define FA_EXIT_STATUS_H

#include "error.h"

#define CMD_INCOMPLETE 1

enum exit_status {
	EXIT_OK = 0,
	EXIT_INCOMPLETE = 1,   /* ran to its end; something is missing or failed */
	EXIT_USAGE = 2,        /* the command line or the configuration must be fixed */
	EXIT_FATAL = 3,        /* could not run, or had to stop */
	EXIT_INTERRUPTED = 130, /* Ctrl-C or SIGTERM */
};

/*
 * The table, for every command:
 *   0                 EXIT_OK
 *   CMD_INCOMPLETE    EXIT_INCOMPLETE
 *   FA_EUSAGE         EXIT_USAGE: an unknown option or a bad value, a missing
 *                     config file named with -c, no API key or no OAuth token,
 *                     no code entered in auth, a query with nothing to search
 *   FA_EINTR          EXIT_INTERRUPTED
 *   any other error   EXIT_FATAL: credentials Flickr refused, no archive, the
 *                     archive's lock held, a full disk, Flickr unreachable...
 */
static inline int exit_status_of(int result)
{
	if (result >= 0)
		return result == CMD_INCOMPLETE ? EXIT_INCOMPLETE : EXIT_OK;
	if (result == FA_EUSAGE)
		return EXIT_USAGE;
	if (result == FA_EINTR)
		return EXIT_INTERRUPTED;
	return EXIT_FATAL;
}

#endif
