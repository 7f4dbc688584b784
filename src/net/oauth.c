/*
 * oauth.c: OAuth 1.0a signing, in the stages RFC 5849 §3.4 describes:
 * normalise and sort parameters -> base string -> HMAC-SHA1 -> base64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alloc.h"
#include "clock.h"
#include "error.h"
#include "oauth.h"

int oauth_params_add(struct oauth_params *p, const char *key, const char *value)
{
	char *k, *val;

	if (ALLOC_GROW(p->v, p->n + 1, p->cap) < 0)
		return FA_ENOMEM;
	k = strdup(key);
	val = strdup(value ? value : "");
	if (!k || !val) {
		free(k);
		free(val);
		return FA_ENOMEM;
	}
	p->v[p->n].key = k;
	p->v[p->n].value = val;
	p->n++;
	return 0;
}

const char *oauth_params_get(const struct oauth_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].key, key))
			return p->v[i].value;
	return NULL;
}

void oauth_params_release(struct oauth_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].key);
		/* values may be secrets (verifiers, tokens): wipe before freeing */
		memset(p->v[i].value, 0, strlen(p->v[i].value));
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
	p->cap = 0;
}

static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

int oauth_percent_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		int r = is_unreserved(*p) ? buf_putc(out, (char)*p) : buf_append(out, esc, 3);

		if (r < 0)
			return r;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int oauth_percent_decode(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int r;

		if (c == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		r = buf_putc(out, c);
		if (r < 0)
			return r;
	}
	return 0;
}

struct encoded_pair {
	char *key;
	char *value;
};

static int compare_pairs(const void *a, const void *b)
{
	const struct encoded_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

/* enc(k)=enc(v) pairs sorted by encoded key then value, joined with '&'. */
static int normalized_params(struct buf *out, const struct oauth_params *params)
{
	struct encoded_pair *pairs = calloc(params->n ? params->n : 1, sizeof(*pairs));
	struct buf k = BUF_INIT, v = BUF_INIT;
	size_t used = 0;
	int r = 0;

	if (!pairs)
		return FA_ENOMEM;
	for (size_t i = 0; i < params->n; i++) {
		if (!strcmp(params->v[i].key, "oauth_signature"))
			continue;
		buf_reset(&k);
		buf_reset(&v);
		r = oauth_percent_encode(&k, params->v[i].key);
		if (r == 0)
			r = oauth_percent_encode(&v, params->v[i].value);
		if (r < 0)
			goto cleanup;
		pairs[used].key = buf_detach(&k);
		pairs[used].value = buf_detach(&v);
		used++;
	}
	qsort(pairs, used, sizeof(*pairs), compare_pairs);
	for (size_t i = 0; i < used && r == 0; i++)
		r = buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].key, pairs[i].value);
cleanup:
	for (size_t i = 0; i < used; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
	buf_release(&k);
	buf_release(&v);
	return r;
}

int oauth_base_string(struct buf *out, const char *http_method, const char *url,
		      const struct oauth_params *params)
{
	struct buf norm = BUF_INIT;
	const char *q = strchr(url, '?');
	char *bare = q ? strndup(url, (size_t)(q - url)) : strdup(url);
	int r;

	if (!bare)
		return FA_ENOMEM;
	r = normalized_params(&norm, params);
	if (r == 0)
		r = oauth_percent_encode(out, http_method);
	if (r == 0)
		r = buf_putc(out, '&');
	if (r == 0)
		r = oauth_percent_encode(out, bare);
	if (r == 0)
		r = buf_putc(out, '&');
	if (r == 0)
		r = oauth_percent_encode(out, buf_cstr(&norm));
	buf_release(&norm);
	free(bare);
	return r;
}

int oauth_hmac_sha1(const char *consumer_secret, const char *token_secret,
		    const char *base, char ret[29])
{
	struct buf key = BUF_INIT;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	int r;

	r = oauth_percent_encode(&key, consumer_secret ? consumer_secret : "");
	if (r == 0)
		r = buf_putc(&key, '&');
	if (r == 0)
		r = oauth_percent_encode(&key, token_secret ? token_secret : "");
	if (r < 0)
		goto cleanup;
	if (!HMAC(EVP_sha1(), key.data, (int)key.len, (const unsigned char *)base,
		  strlen(base), mac, &mac_len) || mac_len != 20) {
		r = FA_EIO;
		goto cleanup;
	}
	EVP_EncodeBlock((unsigned char *)ret, mac, (int)mac_len);
cleanup:
	if (key.data)
		memset(key.data, 0, key.len);
	buf_release(&key);
	return r;
}

int oauth_sign(struct oauth_params *params, const struct oauth_creds *creds,
	       const char *http_method, const char *url, int64_t timestamp,
	       const char *nonce)
{
	struct buf base = BUF_INIT;
	char ts[32], sig[29];
	int r;

	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp);
	r = oauth_params_add(params, "oauth_consumer_key", creds->consumer_key);
	if (r == 0)
		r = oauth_params_add(params, "oauth_nonce", nonce);
	if (r == 0)
		r = oauth_params_add(params, "oauth_signature_method", "HMAC-SHA1");
	if (r == 0)
		r = oauth_params_add(params, "oauth_timestamp", ts);
	if (r == 0)
		r = oauth_params_add(params, "oauth_version", "1.0");
	if (r == 0 && creds->token && *creds->token)
		r = oauth_params_add(params, "oauth_token", creds->token);
	if (r == 0)
		r = oauth_base_string(&base, http_method, url, params);
	if (r == 0)
		r = oauth_hmac_sha1(creds->consumer_secret, creds->token_secret,
				    buf_cstr(&base), sig);
	if (r == 0)
		r = oauth_params_add(params, "oauth_signature", sig);
	buf_release(&base);
	return r;
}

int oauth_build_url(struct buf *out, const char *url, const struct oauth_params *params)
{
	int r = buf_puts(out, url);

	for (size_t i = 0; i < params->n && r == 0; i++) {
		r = buf_putc(out, i ? '&' : (strchr(url, '?') ? '&' : '?'));
		if (r == 0)
			r = oauth_percent_encode(out, params->v[i].key);
		if (r == 0)
			r = buf_putc(out, '=');
		if (r == 0)
			r = oauth_percent_encode(out, params->v[i].value);
	}
	return r;
}

int oauth_parse_form(struct oauth_params *out, const char *body, size_t len)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	const char *p = body, *end = body + len;
	int r = 0;

	while (p < end && r == 0) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		/* trim a trailing newline some servers add */
		while (stop > p && (stop[-1] == '\n' || stop[-1] == '\r'))
			stop--;
		buf_reset(&k);
		buf_reset(&v);
		if (stop > p) {
			const char *kend = eq ? eq : stop;

			r = oauth_percent_decode(&k, p, (size_t)(kend - p));
			if (r == 0 && eq)
				r = oauth_percent_decode(&v, eq + 1, (size_t)(stop - eq - 1));
			if (r == 0)
				r = oauth_params_add(out, buf_cstr(&k), buf_cstr(&v));
		}
		p = amp ? amp + 1 : end;
	}
	buf_release(&k);
	buf_release(&v);
	return r;
}

int oauth_make_nonce(char ret[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];

	if (clock_random_bytes(raw, sizeof(raw)) < 0)
		return FA_EIO;
	for (size_t i = 0; i < sizeof(raw); i++) {
		ret[2 * i] = hex[raw[i] >> 4];
		ret[2 * i + 1] = hex[raw[i] & 15];
	}
	ret[32] = '\0';
	return 0;
}
