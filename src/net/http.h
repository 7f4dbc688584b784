/*
 * http.h: the project's HTTP client over libcurl (the only file that
 * includes <curl/curl.h>).
 *
 * One client runs every transfer in one libcurl multi handle (shared
 * connections, HTTP/2 multiplexing); it may be used from several threads at
 * once, each call blocking until its transfer ends.  Only https is allowed unless the
 * client was made with allow_http (when FLICKR_API_URL is itself http: a
 * local test server).  TLS verification is never turned off.  Transport
 * failures come back as FA_ENET with a reason; any HTTP status is a
 * successful transfer whose status the caller inspects.  Once too many
 * transport failures came in a row (see unreachable_after), every request
 * fails at once with FA_EUNREACHABLE, "Flickr is unreachable: <why>".
 */
#ifndef FA_HTTP_H
#define FA_HTTP_H

#include <stdint.h>

#include "buf.h"
#include "error.h"

struct http_client;

struct http_client_options {
	int allow_http;
	long connect_timeout_s;
	long stall_timeout_s; /* abort when nothing arrives for this long */
	const char *user_agent;
	long max_host_connections; /* 0: libcurl's default (no limit) */
	/* network failures in a row, across threads, after which every request and
	 * every http_client_wait() is FA_EUNREACHABLE (see breaker.h); 0: never */
	int unreachable_after;
};

struct http_response {
	long status;
	int64_t retry_after_ms; /* -1 when the server sent no Retry-After */
	int64_t content_length; /* -1 when unknown */
	int64_t bytes;          /* body bytes received (final response only) */
	int transient;          /* a transport failure worth retrying */
	char content_type[128];
	char filename[256];     /* from Content-Disposition, unvalidated */
};

int http_global_init(void);
void http_global_cleanup(void);
/* libcurl's version, for --version. */
const char *http_library_version(void);

int http_client_new(const struct http_client_options *opts, struct http_client **ret,
		    struct err *e);
void http_client_free(struct http_client *c);

/* GET url into body (bounded by body->max when set). */
int http_get(struct http_client *c, const char *url, struct buf *body,
	     struct http_response *res, struct err *e);

/*
 * GET url and stream a 2xx body into fd (at most max_bytes; 0: no limit).
 * A body shorter than its Content-Length is FA_ENET (transient).  Write
 * failures are FA_EIO or FA_ENOSPC.  A non-2xx body is not written.
 */
int http_download(struct http_client *c, const char *url, int fd, int64_t max_bytes,
		  struct http_response *res, struct err *e);

/*
 * Sleeps ms (a retry's backoff, a turn under the quota); cut short with
 * FA_EINTR by Ctrl-C, or with FA_EUNREACHABLE once the client's breaker has
 * tripped, so that a thread waiting to retry learns at once that it need not.
 */
int http_client_wait(struct http_client *c, int64_t ms, struct err *e);

/* url without its query string, for messages (queries carry tokens). */
void http_redact_url(const char *url, char *out, size_t n);

/*
 * url with its scheme and host (and port) replaced by host, or a copy of url
 * when host is NULL: a test server stands in for Flickr's static hosts (only
 * for URLs the tool builds itself, the buddy icons).  NULL when out of
 * memory.  Caller frees.
 */
char *http_url_on_host(const char *host, const char *url);

#endif
