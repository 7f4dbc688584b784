/*
 * fuzz_oauth.c: OAuth 1.0a signing on hostile strings.  Input: URL \n
 * consumer secret \n token secret \n a form body (as an access_token
 * answer).  Invariants: percent-decoding undoes percent-encoding; a signature
 * is 28 base64 characters; a signed URL's query parses back to the same
 * parameters.
 */
#include "fuzz.h"
#include "oauth.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_round_trip(const char *s)
{
	struct buf enc = BUF_INIT, dec = BUF_INIT;

	FUZZ_CHECK(oauth_percent_encode(&enc, s) == 0);
	for (size_t i = 0; i < enc.len; i++)
		FUZZ_CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				  "0123456789-._~%", enc.data[i]) && enc.data[i]);
	FUZZ_CHECK(oauth_percent_decode(&dec, buf_cstr(&enc), enc.len) == 0);
	FUZZ_CHECK(dec.len == strlen(s) && !memcmp(buf_cstr(&dec), s, dec.len));
	buf_release(&enc);
	buf_release(&dec);
}

/* The query of a URL built from params parses back to params. */
static void check_url_round_trip(const struct oauth_params *params)
{
	struct oauth_params back = OAUTH_PARAMS_INIT;
	struct buf url = BUF_INIT;
	const char *q;

	FUZZ_CHECK(oauth_build_url(&url, "https://api.flickr.com/services/rest", params) == 0);
	q = strchr(buf_cstr(&url), '?');
	if (params->n == 0) {
		FUZZ_CHECK(q == NULL);
	} else {
		FUZZ_CHECK(q != NULL);
		FUZZ_CHECK(oauth_parse_form(&back, q + 1, strlen(q + 1)) == 0);
		FUZZ_CHECK(back.n == params->n);
		for (size_t i = 0; i < back.n; i++) {
			FUZZ_CHECK(!strcmp(back.v[i].key, params->v[i].key));
			FUZZ_CHECK(!strcmp(back.v[i].value, params->v[i].value));
		}
	}
	oauth_params_release(&back);
	buf_release(&url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oauth_params params = OAUTH_PARAMS_INIT;
	struct oauth_creds creds;
	struct buf base = BUF_INIT;
	char *f[4], sig[29];
	size_t body_len = 0;

	fuzz_split(data, size, f, 4, &body_len);
	for (size_t i = 0; i < 3; i++)
		check_round_trip(f[i]);
	FUZZ_CHECK(oauth_parse_form(&params, f[3], body_len) == 0);
	for (size_t i = 0; i < params.n; i++)
		check_round_trip(params.v[i].value);
	check_url_round_trip(&params);

	FUZZ_CHECK(oauth_base_string(&base, "GET", f[0], &params) == 0);
	FUZZ_CHECK(oauth_hmac_sha1(f[1], f[2], buf_cstr(&base), sig) == 0);
	FUZZ_CHECK(strlen(sig) == 28);

	creds.consumer_key = oauth_params_get(&params, "oauth_consumer_key");
	creds.consumer_secret = f[1];
	creds.token = oauth_params_get(&params, "oauth_token");
	creds.token_secret = f[2];
	FUZZ_CHECK(oauth_sign(&params, &creds, "GET", f[0], 1700000000,
			      "0123456789abcdef0123456789abcdef") == 0);
	FUZZ_CHECK(oauth_params_get(&params, "oauth_signature") != NULL);
	check_url_round_trip(&params);

	oauth_params_release(&params);
	buf_release(&base);
	free(f[0]);
	return 0;
}
