/* auth.c: the three-legged OAuth dance, then a flickr.test.login check. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "config.h"
#include "fa_build.h"
#include "flickr.h"
#include "http.h"
#include "log.h"
#include "oauth.h"

#define TOKEN_BODY_MAX (64 * 1024)

extern char **environ;

struct token {
	char *token;
	char *secret;
	char *user_nsid;
	char *username;
	char *fullname;
};

static void token_release(struct token *t)
{
	free(t->token);
	if (t->secret)
		memset(t->secret, 0, strlen(t->secret));
	free(t->secret);
	free(t->user_nsid);
	free(t->username);
	free(t->fullname);
	memset(t, 0, sizeof(*t));
}

static char *dup_param(const struct oauth_params *p, const char *key)
{
	const char *v = oauth_params_get(p, key);

	return v ? strdup(v) : NULL;
}

/* One signed GET (a fresh nonce each time, as the endpoint spends it) into body. */
static int oauth_get_once(struct http_client *http, const char *url,
			  const struct oauth_creds *creds, const char *extra_key,
			  const char *extra_value, struct buf *body, struct http_response *res,
			  struct err *e)
{
	struct oauth_params params = OAUTH_PARAMS_INIT;
	struct buf full = BUF_INIT;
	char nonce[33];
	int r;

	buf_reset(body);
	r = oauth_params_add(&params, extra_key, extra_value);
	if (r == 0)
		r = oauth_make_nonce(nonce);
	if (r == 0)
		r = oauth_sign(&params, creds, "GET", url, clock_real_unix_now(), nonce);
	if (r == 0)
		r = oauth_build_url(&full, url, &params);
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "cannot build the OAuth request");
	else
		r = http_get(http, full.data, body, res, e);
	oauth_params_release(&params);
	if (full.data)
		memset(full.data, 0, full.len);
	buf_release(&full);
	return r;
}

/* The GET, again after a wait while the endpoint is busy (429, 5xx) or unreachable. */
static int oauth_get(struct http_client *http, const struct retry_policy *retry,
		     const char *url, const struct oauth_creds *creds, const char *extra_key,
		     const char *extra_value, struct buf *body, struct http_response *res,
		     struct err *e)
{
	for (int attempt = 0;; attempt++) {
		unsigned char rnd;
		int r = oauth_get_once(http, url, creds, extra_key, extra_value, body, res, e);
		int again = r == FA_ENET ? res->transient
			    : r == 0 && retry_http_status(res->status);

		if (!again || attempt >= retry->max_retries)
			return r;
		clock_random_bytes(&rnd, 1);
		if (clock_sleep_ms(retry_delay_ms(retry, attempt + 1, res->retry_after_ms,
						  rnd / 256.0)) < 0)
			return err_set(e, FA_EINTR, "interrupted");
	}
}

/* A signed GET to an OAuth endpoint whose answer is a form-encoded body. */
static int oauth_step(struct http_client *http, const struct retry_policy *retry,
		      const char *url, const struct oauth_creds *creds, const char *extra_key,
		      const char *extra_value, struct token *ret, struct err *e)
{
	struct oauth_params answer = OAUTH_PARAMS_INIT;
	struct buf body = BUF_INIT;
	struct http_response res;
	char shown[512];
	int r;

	buf_init(&body, TOKEN_BODY_MAX);
	http_redact_url(url, shown, sizeof(shown));
	r = oauth_get(http, retry, url, creds, extra_key, extra_value, &body, &res, e);
	if (r == FA_ENOMEM || r == FA_EINTR)
		goto cleanup;
	if (r < 0) {
		err_wrap(e, r, "cannot reach Flickr's OAuth service");
		goto cleanup;
	}
	if (res.status != 200) {
		const char *p = strstr(buf_cstr(&body), "oauth_problem=");
		size_t n = p ? strcspn(p + 14, "&\r\n") : 0;

		r = err_set(e, res.status == 401 || res.status == 400 ? FA_EAUTH : FA_EHTTP,
			    "Flickr refused '%s' (HTTP %ld%s%.*s)", shown, res.status,
			    p ? ", oauth_problem=" : "", (int)(n > 64 ? 64 : n), p ? p + 14 : "");
		goto cleanup;
	}
	r = oauth_parse_form(&answer, buf_cstr(&body), body.len);
	if (r < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	ret->token = dup_param(&answer, "oauth_token");
	ret->secret = dup_param(&answer, "oauth_token_secret");
	ret->user_nsid = dup_param(&answer, "user_nsid");
	ret->username = dup_param(&answer, "username");
	ret->fullname = dup_param(&answer, "fullname");
	if (!ret->token || !ret->secret || !*ret->token || !*ret->secret)
		r = err_set(e, FA_EPARSE, "'%s' answered without oauth_token/oauth_token_secret",
			    shown);
cleanup:
	oauth_params_release(&answer);
	if (body.data)
		memset(body.data, 0, body.len);
	buf_release(&body);
	return r;
}

static void try_open_browser(const char *url)
{
#ifdef __APPLE__
	const char *opener = "open";
#else
	const char *opener = "xdg-open";

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return;
#endif
	{
		char *argv[] = { (char *)opener, (char *)url, NULL };
		posix_spawn_file_actions_t fa;
		pid_t pid;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", 1, 0);
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", 1, 0);
		posix_spawnp(&pid, opener, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
}

/* Reads one line of input, trimmed; "" on EOF. */
static int read_verifier(char *out, size_t n)
{
	size_t len;

	fputs("Paste the code Flickr shows (like 123-456-789) and press Enter: ", stderr);
	fflush(stderr);
	if (!fgets(out, (int)n, stdin))
		out[0] = '\0';
	/* a terminal echoes the user's Enter; piped input does not */
	if (!isatty(STDIN_FILENO))
		fputc('\n', stderr);
	len = strcspn(out, "\r\n");
	out[len] = '\0';
	while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
		out[--len] = '\0';
	{
		char *p = out;

		while (*p == ' ' || *p == '\t')
			p++;
		memmove(out, p, strlen(p) + 1);
	}
	return out[0] ? 0 : FA_EINVAL;
}

static int save_token(const struct options *o, const struct token *t, struct err *e)
{
	struct config cfg = CONFIG_INIT;
	int world, r;

	r = config_load(&cfg, o->config_path, &world, e);
	if (r == 0)
		r = config_set(&cfg, "api_key", o->api_key);
	if (r == 0)
		r = config_set(&cfg, "api_secret", o->api_secret);
	if (r == 0)
		r = config_set(&cfg, "oauth_token", t->token);
	if (r == 0)
		r = config_set(&cfg, "oauth_token_secret", t->secret);
	if (r == 0 && t->user_nsid)
		r = config_set(&cfg, "user_nsid", t->user_nsid);
	if (r == 0 && t->username) {
		r = config_set(&cfg, "username", t->username);
		r = r == FA_EINVAL ? 0 : r; /* only shown to the user: not worth failing for */
	}
	if (r == FA_ENOMEM)
		r = err_set(e, r, "out of memory");
	else if (r == FA_EINVAL)
		r = err_set(e, FA_EAUTH, "Flickr sent a key or token with a line break in it; "
			    "refusing to save it");
	if (r == 0)
		r = config_save(&cfg, o->config_path, e);
	config_release(&cfg);
	return r;
}

static int check_login(const struct options *o, struct http_client *http,
		       const struct token *t, struct err *e)
{
	struct oauth_creds creds = { o->api_key, o->api_secret, t->token, t->secret };
	struct retry_policy retry = { o->retries, o->retry_base_ms, RETRY_DEFAULT_MAX_DELAY_MS };
	struct flickr_client fc;
	json_t *resp = NULL;
	int r;

	flickr_client_init(&fc, http, &creds, o->api_url, 0, &retry);
	fc.notice = LOG_NOTICE_SINK;
	r = flickr_call(&fc, "flickr.test.login", NULL, &resp, e);
	if (r == 0) {
		const json_t *user = jobj(resp, "user");

		msg_info("Authorized as %s (%s).",
			 jcontent(user, "username") ? jcontent(user, "username") : "?",
			 jstr(user, "id") ? jstr(user, "id") : "?");
	}
	json_decref(resp);
	flickr_client_release(&fc);
	return r;
}

static int run_auth(const struct options *o, struct http_client *http, struct err *e)
{
	struct oauth_creds consumer = { o->api_key, o->api_secret, NULL, NULL };
	struct retry_policy retry = { o->retries, o->retry_base_ms, RETRY_DEFAULT_MAX_DELAY_MS };
	struct token request = { 0 }, access = { 0 };
	struct buf url = BUF_INIT, authorize = BUF_INIT;
	char verifier[256];
	int r;

	buf_printf(&url, "%s/request_token", o->oauth_url);
	r = oauth_step(http, &retry, url.data, &consumer, "oauth_callback", "oob", &request, e);
	if (r < 0)
		goto cleanup;
	buf_printf(&authorize, "%s/authorize?oauth_token=", o->oauth_url);
	oauth_percent_encode(&authorize, request.token);
	buf_puts(&authorize, "&perms=read");
	printf("Open this address in a web browser, sign in to Flickr and allow read access:\n\n"
	       "  %s\n\n", authorize.data);
	fflush(stdout);
	if (!(o->flags & OPT_NO_BROWSER))
		try_open_browser(authorize.data);
	r = read_verifier(verifier, sizeof(verifier));
	if (r < 0) {
		r = err_set(e, FA_EUSAGE, "no code was entered; run 'flickr-archive auth' again");
		goto cleanup;
	}
	{
		struct oauth_creds with_request = { o->api_key, o->api_secret, request.token,
						    request.secret };

		buf_reset(&url);
		buf_printf(&url, "%s/access_token", o->oauth_url);
		r = oauth_step(http, &retry, url.data, &with_request, "oauth_verifier", verifier,
			       &access, e);
	}
	memset(verifier, 0, sizeof(verifier));
	if (r < 0)
		goto cleanup;
	log_add_secret(access.secret);
	r = save_token(o, &access, e);
	if (r < 0)
		goto cleanup;
	msg_info("Token saved to '%s'.", o->config_path);
	r = check_login(o, http, &access, e);
cleanup:
	token_release(&request);
	token_release(&access);
	buf_release(&url);
	buf_release(&authorize);
	return r;
}

int cmd_auth(const struct options *o, struct err *e)
{
	struct http_client_options ho = {
		.allow_http = options_allow_http(o),
		.connect_timeout_s = 30,
		.stall_timeout_s = o->timeout_s,
		.user_agent = "flickr-archive/" FA_VERSION,
	};
	struct http_client *http = NULL;
	int r;

	r = options_need_api_key(o, e);
	if (r < 0)
		return r;
	r = http_client_new(&ho, &http, e);
	if (r == 0)
		r = run_auth(o, http, e);
	http_client_free(http);
	return r;
}
