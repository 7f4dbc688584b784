/*
 * fuzz_flickr.c: a REST answer's body as flickr_call reads it: JSONP
 * wrapper, JSON, then Flickr's stat/code/message envelope; and the
 * oauth_problem of a refused request's body.
 */
#include "flickr.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = { 0 };
	json_t *doc = NULL;
	char *text, problem[32];
	int r, code = -7;

	r = flickr_parse_body("flickr.test.fuzz", (const char *)data, size, &doc, &e);
	FUZZ_CHECK(r == 0 || r == FA_EPARSE || r == FA_ENOMEM);
	FUZZ_CHECK(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
	if (r == 0) {
		r = flickr_check_envelope("flickr.test.fuzz", doc, &code, &e);
		FUZZ_CHECK(r == 0 || r == FA_EAPI || r == FA_EAUTH || r == FA_EPARSE);
		FUZZ_CHECK(r != 0 || code == 0);
		FUZZ_CHECK(r == 0 || e.msg[0] != '\0');
		json_decref(doc);
	}

	text = fuzz_strndup(data, size);
	for (size_t n = 1; n <= sizeof(problem); n += 15) {
		flickr_oauth_problem(text, problem, n);
		FUZZ_CHECK(strlen(problem) < n);
	}
	free(text);
	return 0;
}
