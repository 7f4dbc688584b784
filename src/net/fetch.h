/*
 * fetch.h: downloading a static file (media, buddy icons) into a temporary
 * file, through retry.h's loop.
 */
#ifndef FA_FETCH_H
#define FA_FETCH_H

#include <stdint.h>

#include "error.h"
#include "fsutil.h"
#include "http.h"
#include "pace.h"

/*
 * GETs url into tmp (from its start), retrying transient failures (network,
 * 429, 5xx, a body shorter than its Content-Length) under retry.  Any other
 * HTTP status is FA_EHTTP (e->http_status set), an empty body FA_EPARSE.
 */
int fetch_file(struct http_client *http, const struct retry_policy *retry, const char *url,
	       struct fs_tmp *tmp, int64_t max_bytes, struct http_response *res,
	       struct err *e);

#endif
