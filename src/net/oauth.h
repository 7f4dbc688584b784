/*
 * oauth.h: OAuth 1.0a request signing (RFC 5849, HMAC-SHA1), as Flickr uses it.
 *
 * Pure functions: the clock and the nonce are inputs, so signatures can be
 * checked against published vectors.  A request's parameters live in a
 * struct oauth_params list (owned strings).
 */
#ifndef FA_OAUTH_H
#define FA_OAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct oauth_param {
	char *key;
	char *value;
};

struct oauth_params {
	struct oauth_param *v;
	size_t n;
	size_t cap;
};

#define OAUTH_PARAMS_INIT { NULL, 0, 0 }

struct oauth_creds {
	const char *consumer_key;
	const char *consumer_secret;
	const char *token;        /* NULL before a token exists */
	const char *token_secret; /* NULL or "" before a token exists */
};

int oauth_params_add(struct oauth_params *p, const char *key, const char *value);
/* Value of the first parameter named key, or NULL (borrowed). */
const char *oauth_params_get(const struct oauth_params *p, const char *key);
void oauth_params_release(struct oauth_params *p);

/* RFC 3986 percent-encoding: all but ALPHA DIGIT - . _ ~ as %XX (upper hex). */
int oauth_percent_encode(struct buf *out, const char *s);
/* Decodes %XX and '+' (as space) of application/x-www-form-urlencoded. */
int oauth_percent_decode(struct buf *out, const char *s, size_t len);

/* The signature base string: METHOD&enc(url)&enc(sorted k=v&...). */
int oauth_base_string(struct buf *out, const char *http_method, const char *url,
		      const struct oauth_params *params);
/* base64(HMAC-SHA1(enc(consumer_secret)&enc(token_secret), base)); ret gets 28 chars + NUL. */
int oauth_hmac_sha1(const char *consumer_secret, const char *token_secret,
		    const char *base, char ret[29]);

/*
 * Adds oauth_consumer_key, oauth_nonce, oauth_signature_method,
 * oauth_timestamp, oauth_version, oauth_token (when creds has one) and finally
 * oauth_signature to params, signing every parameter already in params.
 */
int oauth_sign(struct oauth_params *params, const struct oauth_creds *creds,
	       const char *http_method, const char *url, int64_t timestamp,
	       const char *nonce);

/* url + "?" + k=v&... with every key and value percent-encoded. */
int oauth_build_url(struct buf *out, const char *url, const struct oauth_params *params);

/* Parses a form-encoded body ("a=1&b=2") into params (decoded). */
int oauth_parse_form(struct oauth_params *out, const char *body, size_t len);

/* 32 random hex characters. */
int oauth_make_nonce(char ret[33]);

#endif
