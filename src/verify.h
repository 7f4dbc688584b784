/*
 * verify.h: `flickr-archive verify`: recompute the SHA-256 of every archived
 * file and compare it with the manifests sync wrote (see manifest.h); report
 * what is missing, changed or partial.  It reads only: no network, no
 * credentials, and no change to the archive.
 */
#ifndef FA_VERIFY_H
#define FA_VERIFY_H

#include "options.h"

/*
 * 0 when every file matches, CMD_INCOMPLETE (exit_status.h) when a problem
 * was found, or an FA_E* code and e when it could not check.
 */
int cmd_verify(const struct options *o, struct err *e);

#endif
