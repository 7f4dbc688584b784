/* fetch.c: one static file into a temporary file, whole or not at all. */
#include <errno.h>
#include <unistd.h>

#include "fetch.h"
#include "retry.h"

struct fetch {
	struct http_client *http;
	const char *url;
	const char *shown; /* url without its query, for messages */
	struct fs_tmp *tmp;
	int64_t max_bytes;
	struct http_response *res;
};

/* One GET into the emptied file: a 2xx body of the size announced, or why not. */
static int fetch_once(void *ud, struct retry_outcome *out, struct err *e)
{
	struct fetch *f = ud;
	struct http_response *res = f->res;
	int r;

	if (ftruncate(f->tmp->fd, 0) < 0 || lseek(f->tmp->fd, 0, SEEK_SET) < 0)
		return fs_errno_error(e, "write", f->tmp->tmp_path, errno);
	r = http_download(f->http, f->url, f->tmp->fd, f->max_bytes, res, e);
	if (r == 0 && res->status >= 200 && res->status < 300) {
		if (res->content_length >= 0 && res->bytes != res->content_length) {
			r = err_set(e, FA_ENET, "'%s': got %lld of %lld bytes", f->shown,
				    (long long)res->bytes, (long long)res->content_length);
			res->transient = 1;
		} else if (res->bytes == 0) {
			return err_set(e, FA_EPARSE, "'%s': empty file", f->shown);
		} else {
			return 0;
		}
	} else if (r == 0) {
		r = err_set(e, FA_EHTTP, "'%s': HTTP %ld", f->shown, res->status);
		if (e)
			e->http_status = (int)res->status;
		res->transient = retry_http_status(res->status);
	}
	out->again = (r == FA_ENET || r == FA_EHTTP) && res->transient;
	out->retry_after_ms = res->retry_after_ms;
	return r;
}

int fetch_file(struct http_client *http, const struct retry_policy *retry, const char *url,
	       struct fs_tmp *tmp, int64_t max_bytes, struct http_response *res,
	       struct err *e)
{
	char shown[512];
	struct fetch f = { http, url, shown, tmp, max_bytes, res };
	const struct retry_ops ops = { fetch_once, NULL, shown, NULL };

	http_redact_url(url, shown, sizeof(shown));
	return retry_run(http, retry, &ops, &f, e);
}
