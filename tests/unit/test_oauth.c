/*
 * test_oauth.c: OAuth 1.0a signing against the published vectors
 * (shared/flickr-api/README.md §3.3-3.4), percent-encoding and form parsing.
 */
#include "unit.h"

#include "buf.h"
#include "oauth.h"

#define DOCS_CONSUMER_KEY "653e7a6ecc1d528c516cc8f92cf98611"
#define DOCS_CONSUMER_SECRET "a9567d986a7539fe"
#define DOCS_TOKEN "72157626737672178-022bbd2f4c2f3432"
#define DOCS_TOKEN_SECRET "fccb68c4e6103197"

/* ---- percent-encoding ---------------------------------------------------- */

struct enc_case {
	const char *in;
	const char *out;
};

static const struct enc_case encode_cases[] = {
	{ "ABCXYZabcxyz0189-._~", "ABCXYZabcxyz0189-._~" }, /* unreserved kept */
	{ "a b", "a%20b" },                                  /* never '+' */
	{ "!'()*", "%21%27%28%29%2A" },                      /* sub-delims encoded */
	{ "\xc3\xa9", "%C3%A9" },                            /* UTF-8 bytes, upper hex */
	{ "\xe2\x98\x83", "%E2%98%83" },
	{ "\xf0\x9f\x98\x80", "%F0%9F%98%80" },
	{ "/?=&+%:@", "%2F%3F%3D%26%2B%25%3A%40" },
	{ "\x01\x7f\xff", "%01%7F%FF" },
	{ "http://www.example.com", "http%3A%2F%2Fwww.example.com" },
	{ "", "" },
	{ NULL, NULL },
};

static void test_percent_encode_table(void **state)
{
	(void)state;
	for (const struct enc_case *c = encode_cases; c->in; c++) {
		struct buf b = BUF_INIT;

		assert_int_equal(oauth_percent_encode(&b, c->in), 0);
		assert_string_equal(buf_cstr(&b), c->out);
		buf_release(&b);
	}
}

static void test_percent_encode_appends(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_puts(&b, "x="), 0);
	assert_int_equal(oauth_percent_encode(&b, "a b"), 0);
	assert_string_equal(buf_cstr(&b), "x=a%20b");
	buf_release(&b);
}

struct dec_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *out;
};

static const struct dec_case decode_cases[] = {
	{ "a%20b", 0, "a b" },
	{ "a+b", 0, "a b" },               /* form encoding: '+' is a space */
	{ "%2B", 0, "+" },
	{ "%41%42c", 0, "ABc" },
	{ "%c3%A9", 0, "\xc3\xa9" },       /* either hex case */
	{ "21207597%40N07", 0, "21207597@N07" },
	{ "100%", 0, "100%" },             /* malformed '%' at the end kept */
	{ "a%4", 0, "a%4" },
	{ "%zz", 0, "%zz" },
	{ "%4g", 0, "%4g" },
	{ "%41%42", 3, "A" },              /* only len bytes are read */
	{ "%41", 2, "%4" },                /* an escape cut by len is not decoded */
	{ "plain", 0, "plain" },
	{ "", 0, "" },
	{ NULL, 0, NULL },
};

static void test_percent_decode_table(void **state)
{
	(void)state;
	for (const struct dec_case *c = decode_cases; c->in; c++) {
		struct buf b = BUF_INIT;
		size_t len = c->len ? c->len : strlen(c->in);

		assert_int_equal(oauth_percent_decode(&b, c->in, len), 0);
		assert_string_equal(buf_cstr(&b), c->out);
		buf_release(&b);
	}
}

static void test_percent_roundtrip_all_bytes(void **state)
{
	char all[256];
	struct buf enc = BUF_INIT, dec = BUF_INIT;

	(void)state;
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	assert_int_equal(oauth_percent_encode(&enc, all), 0);
	/* every '+' was encoded, so form-decoding gives the input back */
	assert_null(strchr(buf_cstr(&enc), '+'));
	assert_int_equal(oauth_percent_decode(&dec, enc.data, enc.len), 0);
	assert_string_equal(buf_cstr(&dec), all);
	buf_release(&enc);
	buf_release(&dec);
}

/* ---- signatures: oauth_sign with pinned timestamp and nonce ------------- */

struct sign_case {
	const char *name;
	const char *url;
	const char *token;        /* NULL: no token yet */
	const char *token_secret;
	const char *extra_key;    /* a request parameter besides the oauth_* ones */
	const char *extra_value;
	int64_t timestamp;
	const char *nonce;
	const char *base;         /* expected base string, NULL: not published */
	const char *signature;
};

static const struct sign_case sign_cases[] = {
	{ "docs request_token http", "http://www.flickr.com/services/oauth/request_token",
	  NULL, NULL, "oauth_callback", "http://www.example.com", 1305586162, "95613465",
	  "GET&http%3A%2F%2Fwww.flickr.com%2Fservices%2Foauth%2Frequest_token&"
	  "oauth_callback%3Dhttp%253A%252F%252Fwww.example.com%26"
	  "oauth_consumer_key%3D653e7a6ecc1d528c516cc8f92cf98611%26"
	  "oauth_nonce%3D95613465%26oauth_signature_method%3DHMAC-SHA1%26"
	  "oauth_timestamp%3D1305586162%26oauth_version%3D1.0",
	  "7w18YS2bONDPL/zgyzP5XTr5af4=" },
	{ "docs request_token https", "https://www.flickr.com/services/oauth/request_token",
	  NULL, NULL, "oauth_callback", "http://www.example.com", 1305586162, "95613465",
	  NULL, "2zL7aYEzEEY0IvEgQjT7IqB518U=" },
	{ "docs access_token http", "http://www.flickr.com/services/oauth/access_token",
	  DOCS_TOKEN, DOCS_TOKEN_SECRET, "oauth_verifier", "5d1b96a26b494074", 1305586309,
	  "37026218",
	  "GET&http%3A%2F%2Fwww.flickr.com%2Fservices%2Foauth%2Faccess_token&"
	  "oauth_consumer_key%3D653e7a6ecc1d528c516cc8f92cf98611%26"
	  "oauth_nonce%3D37026218%26oauth_signature_method%3DHMAC-SHA1%26"
	  "oauth_timestamp%3D1305586309%26"
	  "oauth_token%3D72157626737672178-022bbd2f4c2f3432%26"
	  "oauth_verifier%3D5d1b96a26b494074%26oauth_version%3D1.0",
	  "UD9TGXzrvLIb0Ar5ynqvzatM58U=" },
	{ "docs access_token https", "https://www.flickr.com/services/oauth/access_token",
	  DOCS_TOKEN, DOCS_TOKEN_SECRET, "oauth_verifier", "5d1b96a26b494074", 1305586309,
	  "37026218", NULL, "9bFoO0o30UZ3TXWagb4fl2c7aU0=" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL },
};

static void test_sign_vectors(void **state)
{
	(void)state;
	for (const struct sign_case *c = sign_cases; c->name; c++) {
		struct oauth_params p = OAUTH_PARAMS_INIT;
		struct oauth_creds creds = { DOCS_CONSUMER_KEY, DOCS_CONSUMER_SECRET,
					     c->token, c->token_secret };
		const char *sig;

		print_message("vector: %s\n", c->name);
		assert_int_equal(oauth_params_add(&p, c->extra_key, c->extra_value), 0);
		assert_int_equal(oauth_sign(&p, &creds, "GET", c->url, c->timestamp, c->nonce), 0);
		sig = oauth_params_get(&p, "oauth_signature");
		assert_non_null(sig);
		assert_string_equal(sig, c->signature);
		if (c->base) {
			struct buf base = BUF_INIT;

			/* the signed list (oauth_signature included) gives the same base */
			assert_int_equal(oauth_base_string(&base, "GET", c->url, &p), 0);
			assert_string_equal(buf_cstr(&base), c->base);
			buf_release(&base);
		}
		oauth_params_release(&p);
	}
}

static void test_sign_adds_protocol_params(void **state)
{
	struct oauth_params p = OAUTH_PARAMS_INIT;
	struct oauth_creds creds = { DOCS_CONSUMER_KEY, DOCS_CONSUMER_SECRET, DOCS_TOKEN,
				     DOCS_TOKEN_SECRET };

	(void)state;
	assert_int_equal(oauth_params_add(&p, "method", "flickr.test.login"), 0);
	assert_int_equal(oauth_sign(&p, &creds, "GET", "https://api.flickr.com/services/rest",
				    1700000000, "abc123"), 0);
	assert_string_equal(oauth_params_get(&p, "method"), "flickr.test.login");
	assert_string_equal(oauth_params_get(&p, "oauth_consumer_key"), DOCS_CONSUMER_KEY);
	assert_string_equal(oauth_params_get(&p, "oauth_nonce"), "abc123");
	assert_string_equal(oauth_params_get(&p, "oauth_signature_method"), "HMAC-SHA1");
	assert_string_equal(oauth_params_get(&p, "oauth_timestamp"), "1700000000");
	assert_string_equal(oauth_params_get(&p, "oauth_version"), "1.0");
	assert_string_equal(oauth_params_get(&p, "oauth_token"), DOCS_TOKEN);
	assert_int_equal(strlen(oauth_params_get(&p, "oauth_signature")), 28);
	/* the signature is added last */
	assert_string_equal(p.v[p.n - 1].key, "oauth_signature");
	oauth_params_release(&p);
}

static void test_sign_without_token_omits_oauth_token(void **state)
{
	static const char *const tokens[] = { NULL, "" };

	(void)state;
	for (size_t i = 0; i < N_ELEMS(tokens); i++) {
		struct oauth_params p = OAUTH_PARAMS_INIT;
		struct oauth_creds creds = { "key", "secret", tokens[i], "" };

		assert_int_equal(oauth_sign(&p, &creds, "GET", "https://example.com/x", 1, "n"), 0);
		assert_null(oauth_params_get(&p, "oauth_token"));
		assert_non_null(oauth_params_get(&p, "oauth_signature"));
		oauth_params_release(&p);
	}
}

/* ---- base string and HMAC directly (SDK test/oauth.ts vectors) ---------- */

struct base_case {
	const char *name;
	const char *params[5][2]; /* ends with { NULL, NULL } */
	const char *base;
	const char *consumer_secret;
	const char *token_secret;
	const char *signature;   /* NULL: only the base string is a published vector */
};

static const struct base_case base_cases[] = {
	{ "sdk no token", { { "foo", "123" }, { "bar", "456" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123",
	  "consumer secret", NULL, "lNBTzyWRRHBuoXmgK13Nht5oiKs=" },
	{ "sdk no token, empty token secret", { { "foo", "123" }, { "bar", "456" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123",
	  "consumer secret", "", "lNBTzyWRRHBuoXmgK13Nht5oiKs=" },
	{ "sdk token secret", { { "foo", "123" }, { "bar", "456" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123",
	  "consumer secret", "keyboard cat", "pytjoWTzMmvq13/Bai9YVX1tV9c=" },
	{ "sdk encoding of !'()*", { { "foo", "!'()*" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&foo%3D%2521%2527%2528%2529%252A",
	  "consumer secret", NULL, NULL },
	{ "signature is not signed", { { "foo", "123" }, { "oauth_signature", "zzz" },
				       { "bar", "456" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123",
	  "consumer secret", NULL, "lNBTzyWRRHBuoXmgK13Nht5oiKs=" },
	{ "byte order: upper case first, then by value",
	  { { "b", "2" }, { "a", "2" }, { "a", "1" }, { "Z", "x y" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&Z%3Dx%2520y%26a%3D1%26a%3D2%26b%3D2",
	  "s", NULL, NULL },
	{ "sorted by encoded key", { { "a b", "1" }, { "a", "2" }, { "a-b", "3" }, { NULL, NULL } },
	  "GET&http%3A%2F%2Fwww.example.com&a%3D2%26a%2520b%3D1%26a-b%3D3",
	  "s", NULL, NULL },
	{ NULL, { { NULL, NULL } }, NULL, NULL, NULL, NULL },
};

static void test_base_string_and_hmac_vectors(void **state)
{
	(void)state;
	for (const struct base_case *c = base_cases; c->name; c++) {
		struct oauth_params p = OAUTH_PARAMS_INIT;
		struct buf base = BUF_INIT;

		print_message("vector: %s\n", c->name);
		for (size_t i = 0; c->params[i][0]; i++)
			assert_int_equal(oauth_params_add(&p, c->params[i][0], c->params[i][1]), 0);
		assert_int_equal(oauth_base_string(&base, "GET", "http://www.example.com", &p), 0);
		assert_string_equal(buf_cstr(&base), c->base);
		if (c->signature) {
			char sig[29];

			assert_int_equal(oauth_hmac_sha1(c->consumer_secret, c->token_secret,
							 buf_cstr(&base), sig), 0);
			assert_string_equal(sig, c->signature);
		}
		buf_release(&base);
		oauth_params_release(&p);
	}
}

static void test_hmac_docs_key(void **state)
{
	static const char base[] =
		"GET&http%3A%2F%2Fwww.flickr.com%2Fservices%2Foauth%2Frequest_token&"
		"oauth_callback%3Dhttp%253A%252F%252Fwww.example.com%26"
		"oauth_consumer_key%3D653e7a6ecc1d528c516cc8f92cf98611%26"
		"oauth_nonce%3D95613465%26oauth_signature_method%3DHMAC-SHA1%26"
		"oauth_timestamp%3D1305586162%26oauth_version%3D1.0";
	char sig[29];

	(void)state;
	assert_int_equal(oauth_hmac_sha1(DOCS_CONSUMER_SECRET, NULL, base, sig), 0);
	assert_string_equal(sig, "7w18YS2bONDPL/zgyzP5XTr5af4=");
}

/* ---- URLs and form bodies ----------------------------------------------- */

static void test_build_url(void **state)
{
	struct oauth_params p = OAUTH_PARAMS_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(oauth_params_add(&p, "method", "flickr.test.echo"), 0);
	assert_int_equal(oauth_params_add(&p, "text", "a b&c=d/\xc3\xa9"), 0);
	assert_int_equal(oauth_params_add(&p, "oauth_signature", "7w18YS2bONDPL/zgyzP5XTr5af4="), 0);
	assert_int_equal(oauth_build_url(&b, "https://api.flickr.com/services/rest", &p), 0);
	assert_string_equal(buf_cstr(&b),
			    "https://api.flickr.com/services/rest?method=flickr.test.echo"
			    "&text=a%20b%26c%3Dd%2F%C3%A9"
			    "&oauth_signature=7w18YS2bONDPL%2FzgyzP5XTr5af4%3D");
	buf_release(&b);
	oauth_params_release(&p);
}

static void test_build_url_existing_query_and_no_params(void **state)
{
	struct oauth_params p = OAUTH_PARAMS_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(oauth_build_url(&b, "http://127.0.0.1:8080/rest", &p), 0);
	assert_string_equal(buf_cstr(&b), "http://127.0.0.1:8080/rest");
	buf_reset(&b);
	assert_int_equal(oauth_params_add(&p, "k", "v"), 0);
	assert_int_equal(oauth_build_url(&b, "http://h/x?a=1", &p), 0);
	assert_string_equal(buf_cstr(&b), "http://h/x?a=1&k=v");
	buf_release(&b);
	oauth_params_release(&p);
}

static void test_parse_form_docs_access_token_response(void **state)
{
	char *path = ut_sample_path("oauth.access_token.response.txt");
	size_t len = 0;
	char *body = ut_read_file(path, &len);
	struct oauth_params p = OAUTH_PARAMS_INIT;

	(void)state;
	assert_non_null(body);
	/* the recorded body ends with a newline, which must not reach the last value */
	assert_int_equal(oauth_parse_form(&p, body, len), 0);
	assert_int_equal(p.n, 5);
	assert_string_equal(oauth_params_get(&p, "fullname"), "Jamal Fanaian");
	assert_string_equal(oauth_params_get(&p, "oauth_token"),
			    "72157626318069415-087bfc7b5816092c");
	assert_string_equal(oauth_params_get(&p, "oauth_token_secret"), "a202d1f853ec69de");
	assert_string_equal(oauth_params_get(&p, "user_nsid"), "21207597@N07");
	assert_string_equal(oauth_params_get(&p, "username"), "jamalfanaian");
	oauth_params_release(&p);
	free(body);
	free(path);
}

struct form_case {
	const char *body;
	size_t n;
	const char *keys[4];
	const char *values[4];
};

static const struct form_case form_cases[] = {
	{ "oauth_callback_confirmed=true&oauth_token=72157626737672178-022bbd2f4c2f3432"
	  "&oauth_token_secret=fccb68c4e6103197",
	  3, { "oauth_callback_confirmed", "oauth_token", "oauth_token_secret" },
	  { "true", "72157626737672178-022bbd2f4c2f3432", "fccb68c4e6103197" } },
	{ "a=1&&b=&c", 3, { "a", "b", "c" }, { "1", "", "" } },
	{ "x=a+b%2Bc%3D", 1, { "x" }, { "a b+c=" } },
	{ "k%20ey=v\r\n", 1, { "k ey" }, { "v" } },
	{ "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_token", 2,
	  { "oauth_problem", "oauth_parameters_absent" }, { "parameter_absent", "oauth_token" } },
	{ "", 0, { NULL }, { NULL } },
	{ NULL, 0, { NULL }, { NULL } },
};

static void test_parse_form_table(void **state)
{
	(void)state;
	for (const struct form_case *c = form_cases; c->body; c++) {
		struct oauth_params p = OAUTH_PARAMS_INIT;

		assert_int_equal(oauth_parse_form(&p, c->body, strlen(c->body)), 0);
		assert_int_equal(p.n, c->n);
		for (size_t i = 0; i < c->n; i++) {
			assert_string_equal(p.v[i].key, c->keys[i]);
			assert_string_equal(p.v[i].value, c->values[i]);
		}
		oauth_params_release(&p);
	}
}

static void test_parse_form_respects_len(void **state)
{
	static const char body[] = "a=1&b=2";
	struct oauth_params p = OAUTH_PARAMS_INIT;

	(void)state;
	assert_int_equal(oauth_parse_form(&p, body, 3), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(oauth_params_get(&p, "a"), "1");
	assert_null(oauth_params_get(&p, "b"));
	oauth_params_release(&p);
}

/* ---- parameter list and nonce ------------------------------------------- */

static void test_params_get_first_and_missing(void **state)
{
	struct oauth_params p = OAUTH_PARAMS_INIT;

	(void)state;
	for (int i = 0; i < 40; i++) { /* past the first growth */
		char v[16];

		snprintf(v, sizeof(v), "%d", i);
		assert_int_equal(oauth_params_add(&p, "k", v), 0);
	}
	assert_int_equal(oauth_params_add(&p, "nullvalue", NULL), 0);
	assert_int_equal(p.n, 41);
	assert_string_equal(oauth_params_get(&p, "k"), "0");
	assert_string_equal(oauth_params_get(&p, "nullvalue"), "");
	assert_null(oauth_params_get(&p, "missing"));
	oauth_params_release(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

static void test_make_nonce(void **state)
{
	char a[33], b[33];

	(void)state;
	assert_int_equal(oauth_make_nonce(a), 0);
	assert_int_equal(oauth_make_nonce(b), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent_encode_table),
		cmocka_unit_test(test_percent_encode_appends),
		cmocka_unit_test(test_percent_decode_table),
		cmocka_unit_test(test_percent_roundtrip_all_bytes),
		cmocka_unit_test(test_sign_vectors),
		cmocka_unit_test(test_sign_adds_protocol_params),
		cmocka_unit_test(test_sign_without_token_omits_oauth_token),
		cmocka_unit_test(test_base_string_and_hmac_vectors),
		cmocka_unit_test(test_hmac_docs_key),
		cmocka_unit_test(test_build_url),
		cmocka_unit_test(test_build_url_existing_query_and_no_params),
		cmocka_unit_test(test_parse_form_docs_access_token_response),
		cmocka_unit_test(test_parse_form_table),
		cmocka_unit_test(test_parse_form_respects_len),
		cmocka_unit_test(test_params_get_first_and_missing),
		cmocka_unit_test(test_make_nonce),
	};

	return cmocka_run_group_tests_name("oauth", tests, NULL, NULL);
}
