/*
 * auth.h: `flickr-archive auth`: OAuth 1.0a with perms=read and an
 * out-of-band verifier.  Prints the authorize URL, tries to open a browser,
 * reads the code the user pastes, and saves the access token to the config
 * file (mode 0600).
 */
#ifndef FA_AUTH_H
#define FA_AUTH_H

#include "options.h"

/* 0 once the token is saved and works, or an FA_E* code and e. */
int cmd_auth(const struct options *o, struct err *e);

#endif
