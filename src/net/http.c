/*
 * http.c: every transfer runs in one libcurl multi handle, driven by an
 * engine thread, so that any number of callers (sync's workers) share its
 * connections and HTTP/2 multiplexing; each caller blocks until its own
 * transfer ends.  Also: restricted protocols, stall detection, and a header
 * callback that keeps Content-Type, Content-Disposition and Retry-After of
 * the final response.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "breaker.h"
#include "clock.h"
#include "http.h"

struct transfer;

struct http_client {
	struct http_client_options opts;
	CURLM *multi;
	pthread_t engine;
	int engine_running;
	pthread_mutex_t lock;     /* guards the fields below and every request's done */
	struct transfer *queue;   /* submitted, not yet in the multi handle (FIFO) */
	struct transfer **queue_tail;
	int stopping;
	struct breaker breaker;   /* the transport outcomes of every thread's requests */
};

struct transfer {
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc;
	int done;
	pthread_cond_t done_cond;
	struct transfer *next;  /* in the client's queue */
	struct http_response *res;
	struct buf *body;   /* for http_get */
	int fd;             /* for http_download */
	int64_t max_bytes;
	int write_errno;
	int too_big;
	long status_seen;
};

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : FA_ENET;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

const char *http_library_version(void)
{
	return curl_version();
}

char *http_url_on_host(const char *host, const char *url)
{
	const char *path = strstr(url, "://");
	struct buf b = BUF_INIT;

	if (!host || !path)
		return strdup(url);
	path += 3;
	path += strcspn(path, "/");
	return buf_printf(&b, "%s%s", host, path) < 0 ? NULL : buf_detach(&b);
}

void http_redact_url(const char *url, char *out, size_t n)
{
	size_t len = strcspn(url, "?#");

	if (len >= n)
		len = n - 1;
	memcpy(out, url, len);
	out[len] = '\0';
}

static void *engine_main(void *arg);

int http_client_new(const struct http_client_options *opts, struct http_client **ret,
		    struct err *e)
{
	struct http_client *c = calloc(1, sizeof(*c));

	if (!c)
		return err_set(e, FA_ENOMEM, "out of memory");
	c->opts = *opts;
	c->queue_tail = &c->queue;
	pthread_mutex_init(&c->lock, NULL);
	breaker_init(&c->breaker, opts->unreachable_after);
	c->multi = curl_multi_init();
	if (!c->multi)
		goto fail;
	curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	if (opts->max_host_connections > 0)
		curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
				  opts->max_host_connections);
	if (pthread_create(&c->engine, NULL, engine_main, c) != 0)
		goto fail;
	c->engine_running = 1;
	*ret = c;
	return 0;
fail:
	http_client_free(c);
	return err_set(e, FA_ENET, "cannot initialise libcurl");
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	if (c->engine_running) {
		pthread_mutex_lock(&c->lock);
		c->stopping = 1;
		pthread_mutex_unlock(&c->lock);
		curl_multi_wakeup(c->multi);
		pthread_join(c->engine, NULL);
	}
	if (c->multi)
		curl_multi_cleanup(c->multi);
	pthread_mutex_destroy(&c->lock);
	breaker_release(&c->breaker);
	free(c);
}

static void trim_copy(char *out, size_t n, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

static void parse_disposition_filename(char *out, size_t n, const char *v, size_t len)
{
	const char *end = v + len;
	const char *p = v;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi ? semi : end;

		while (p < stop && isspace((unsigned char)*p))
			p++;
		if ((size_t)(stop - p) > 9 && !strncasecmp(p, "filename=", 9)) {
			p += 9;
			if (p < stop && *p == '"') {
				const char *q = memchr(p + 1, '"', (size_t)(stop - p - 1));

				trim_copy(out, n, p + 1, (size_t)((q ? q : stop) - p - 1));
			} else {
				trim_copy(out, n, p, (size_t)(stop - p));
			}
			return;
		}
		p = semi ? semi + 1 : end;
	}
}

static int64_t parse_retry_after(const char *v, size_t len)
{
	char tmp[128];
	char *end;
	long long secs;

	trim_copy(tmp, sizeof(tmp), v, len);
	if (!tmp[0])
		return -1;
	secs = strtoll(tmp, &end, 10);
	if (*end == '\0' && secs >= 0)
		return secs * 1000;
	{
		time_t when = curl_getdate(tmp, NULL);
		time_t now = time(NULL);

		if (when < 0)
			return -1;
		return when > now ? (int64_t)(when - now) * 1000 : 0;
	}
}

static size_t header_cb(char *data, size_t size, size_t nitems, void *ud)
{
	struct transfer *t = ud;
	size_t len = size * nitems;
	const char *colon;

	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		/* a new response (after a redirect or 100-continue): start over */
		t->res->content_type[0] = '\0';
		t->res->filename[0] = '\0';
		t->res->retry_after_ms = -1;
		t->res->content_length = -1;
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return len;
	{
		size_t name_len = (size_t)(colon - data);
		const char *v = colon + 1;
		size_t vlen = len - name_len - 1;

		if (name_len == 12 && !strncasecmp(data, "content-type", 12))
			trim_copy(t->res->content_type, sizeof(t->res->content_type), v, vlen);
		else if (name_len == 19 && !strncasecmp(data, "content-disposition", 19))
			parse_disposition_filename(t->res->filename, sizeof(t->res->filename), v, vlen);
		else if (name_len == 11 && !strncasecmp(data, "retry-after", 11))
			t->res->retry_after_ms = parse_retry_after(v, vlen);
		else if (name_len == 14 && !strncasecmp(data, "content-length", 14)) {
			char tmp[32];

			trim_copy(tmp, sizeof(tmp), v, vlen);
			t->res->content_length = strtoll(tmp, NULL, 10);
		}
	}
	return len;
}

static size_t write_buf_cb(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t len = size * nmemb;

	if (buf_append(t->body, data, len) < 0) {
		t->too_big = 1;
		return 0;
	}
	t->res->bytes += (int64_t)len;
	return len;
}

static size_t write_fd_cb(char *data, size_t size, size_t nmemb, void *ud)
{
	struct transfer *t = ud;
	size_t len = size * nmemb;
	size_t done = 0;

	if (t->status_seen < 200 || t->status_seen >= 300)
		return len; /* error bodies are read and dropped */
	if (t->max_bytes > 0 && t->res->bytes + (int64_t)len > t->max_bytes) {
		t->too_big = 1;
		return 0;
	}
	while (done < len) {
		ssize_t n = write(t->fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			t->write_errno = errno;
			return 0;
		}
		done += (size_t)n;
	}
	t->res->bytes += (int64_t)len;
	return len;
}

/* lets Ctrl-C abort a transfer in progress */
static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	return clock_stop_requested() ? 1 : 0;
}

static int transient_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* ---- the engine ---- */

static void complete(struct http_client *c, struct transfer *t, CURLcode rc)
{
	pthread_mutex_lock(&c->lock);
	t->rc = rc;
	t->done = 1;
	pthread_cond_signal(&t->done_cond);
	pthread_mutex_unlock(&c->lock);
}

/* Moves submitted transfers into the multi handle; returns whether to stop. */
static int take_queue(struct http_client *c, int running)
{
	struct transfer *t;
	int stop;

	pthread_mutex_lock(&c->lock);
	t = c->queue;
	c->queue = NULL;
	c->queue_tail = &c->queue;
	stop = c->stopping && !t && !running;
	pthread_mutex_unlock(&c->lock);
	while (t) {
		struct transfer *next = t->next;

		if (curl_multi_add_handle(c->multi, t->easy) != CURLM_OK)
			complete(c, t, CURLE_OUT_OF_MEMORY);
		t = next;
	}
	return stop;
}

static void collect_done(struct http_client *c)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left))) {
		char *priv = NULL; /* CURLINFO_PRIVATE gives a char *: no cast of &t */

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		curl_multi_remove_handle(c->multi, msg->easy_handle);
		complete(c, (struct transfer *)priv, msg->data.result);
	}
}

static void *engine_main(void *arg)
{
	struct http_client *c = arg;
	int running = 0;

	while (!take_queue(c, running)) {
		curl_multi_perform(c->multi, &running);
		collect_done(c);
		curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

/* Hands t to the engine and waits for it to end. */
static CURLcode run_transfer(struct http_client *c, struct transfer *t)
{
	pthread_cond_init(&t->done_cond, NULL);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, (char *)t);
	pthread_mutex_lock(&c->lock);
	*c->queue_tail = t;
	c->queue_tail = &t->next;
	pthread_mutex_unlock(&c->lock);
	curl_multi_wakeup(c->multi);
	pthread_mutex_lock(&c->lock);
	while (!t->done)
		pthread_cond_wait(&t->done_cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	pthread_cond_destroy(&t->done_cond);
	return t->rc;
}

/* ---- one transfer ---- */

/* What a request answers before anything arrives (or when none is sent). */
static void response_init(struct http_response *res)
{
	memset(res, 0, sizeof(*res));
	res->retry_after_ms = -1;
	res->content_length = -1;
}

/*
 * What every request starts with: t->res reset, the breaker asked, and t's
 * easy handle made with our options, its body going to write_cb.  Nothing
 * to clean up when it fails.
 */
static int setup_handle(struct http_client *c, const char *url, struct transfer *t,
			curl_write_callback write_cb, struct err *e)
{
	const char *protos = c->opts.allow_http ? "http,https" : "https";
	CURL *h;
	int r;

	response_init(t->res);
	r = breaker_check(&c->breaker, e);
	if (r < 0)
		return r;
	h = curl_easy_init();
	t->easy = h;
	if (!h)
		return err_set(e, FA_ENOMEM, "out of memory");
	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protos);
#else
	{
		long mask = c->opts.allow_http ? (CURLPROTO_HTTP | CURLPROTO_HTTPS) : CURLPROTO_HTTPS;

		curl_easy_setopt(h, CURLOPT_PROTOCOLS, mask);
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, mask);
	}
	(void)protos;
#endif
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->opts.user_agent);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->opts.connect_timeout_s);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->opts.stall_timeout_s);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	t->errbuf[0] = '\0';
	return 0;
}

static int finish(struct http_client *c, CURLcode rc, const char *url, struct transfer *t,
		  struct err *e)
{
	const char *why;
	char shown[512];

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->res->status);
	curl_easy_cleanup(t->easy);
	t->easy = NULL;
	http_redact_url(url, shown, sizeof(shown));
	if (rc == CURLE_OK) {
		breaker_success(&c->breaker);
		return 0;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return err_set(e, FA_EINTR, "interrupted");
	if (t->write_errno)
		return err_set(e, (t->write_errno == ENOSPC || t->write_errno == EDQUOT)
				   ? FA_ENOSPC : FA_EIO,
			       "cannot write download of '%s': %s", shown,
			       strerror(t->write_errno));
	if (t->too_big)
		return err_set(e, FA_EPARSE, "response from '%s' exceeds the size limit", shown);
	t->res->transient = transient_curl_error(rc);
	why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
	if (t->res->transient && breaker_failure(&c->breaker, why))
		return breaker_check(&c->breaker, e);
	return err_set(e, FA_ENET, "%s: %s", shown, why);
}

int http_client_wait(struct http_client *c, int64_t ms, struct err *e)
{
	int r = breaker_check(&c->breaker, e);

	/* in short slices, so that a trip is noticed within one */
	while (r == 0 && ms > 0) {
		int64_t slice = ms > 100 ? 100 : ms;

		if (clock_sleep_ms(slice) < 0)
			return err_set(e, FA_EINTR, "interrupted");
		ms -= slice;
		r = breaker_check(&c->breaker, e);
	}
	return r;
}

int http_get(struct http_client *c, const char *url, struct buf *body,
	     struct http_response *res, struct err *e)
{
	struct transfer t = { .res = res, .body = body, .fd = -1 };
	int r = setup_handle(c, url, &t, write_buf_cb, e);

	if (r < 0)
		return r;
	curl_easy_setopt(t.easy, CURLOPT_ACCEPT_ENCODING, "");
	return finish(c, run_transfer(c, &t), url, &t, e);
}

static size_t header_status_cb(char *data, size_t size, size_t nitems, void *ud)
{
	struct transfer *t = ud;
	size_t len = size * nitems;

	if (len >= 12 && !strncmp(data, "HTTP/", 5)) {
		const char *sp = memchr(data, ' ', len);

		if (sp)
			t->status_seen = strtol(sp + 1, NULL, 10);
	}
	return header_cb(data, size, nitems, ud);
}

int http_download(struct http_client *c, const char *url, int fd, int64_t max_bytes,
		  struct http_response *res, struct err *e)
{
	struct transfer t = { .res = res, .fd = fd, .max_bytes = max_bytes };
	int r = setup_handle(c, url, &t, write_fd_cb, e);

	if (r < 0)
		return r;
	curl_easy_setopt(t.easy, CURLOPT_HEADERFUNCTION, header_status_cb);
	return finish(c, run_transfer(c, &t), url, &t, e);
}
