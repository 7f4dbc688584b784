/*
 * fuzz.h: what the libFuzzer targets share.  Each target feeds untrusted bytes
 * to one family of parsers and checks the invariants the archive relies on
 * (records serialise to strict, valid UTF-8 JSON; extensions come from the
 * allow-list; ...).  A broken invariant aborts, which libFuzzer reports as a
 * crash with the input saved.
 *
 * Targets must be deterministic (no clock, no randomness: Jansson's hash seed
 * is pinned) and free what they allocate (LeakSanitizer runs on every input).
 */
#ifndef FA_FUZZ_H
#define FA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #cond);                               \
			abort();                                                \
		}                                                               \
	} while (0)

static inline void fuzz_init_jansson(void)
{
	json_object_seed(1);
}

/* Two files in a private temporary directory, removed at exit. */
static struct {
	char dir[64];
	char a[96];
	char b[96];
} fuzz_tmp;

static inline void fuzz_tmp_remove(void)
{
	unlink(fuzz_tmp.a);
	unlink(fuzz_tmp.b);
	rmdir(fuzz_tmp.dir);
}

static inline void fuzz_tmp_files(const char *a_name, const char *b_name)
{
	snprintf(fuzz_tmp.dir, sizeof(fuzz_tmp.dir), "/tmp/fa-fuzz-XXXXXX");
	FUZZ_CHECK(mkdtemp(fuzz_tmp.dir) != NULL);
	snprintf(fuzz_tmp.a, sizeof(fuzz_tmp.a), "%s/%s", fuzz_tmp.dir, a_name);
	snprintf(fuzz_tmp.b, sizeof(fuzz_tmp.b), "%s/%s", fuzz_tmp.dir, b_name);
	atexit(fuzz_tmp_remove);
}

/* The input as the archiver would parse a response; NULL when malformed. */
static inline json_t *fuzz_parse(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;

	if (json_parse((const char *)data, size, &doc, NULL) < 0)
		return NULL;
	return doc;
}

/*
 * A document the archive would write must serialise and read back strictly
 * (no repair needed: valid UTF-8, no NUL).  Takes the reference.
 */
static inline void fuzz_check_output(json_t *doc)
{
	struct buf text = BUF_INIT;
	json_error_t je;
	json_t *back;

	FUZZ_CHECK(doc != NULL);
	FUZZ_CHECK(json_dump_buf(doc, &text) == 0);
	FUZZ_CHECK(json_repair_strings(text.data, text.len, NULL) == 0);
	back = json_loadb(text.data, text.len, JSON_REJECT_DUPLICATES, &je);
	if (!back)
		fprintf(stderr, "output does not parse: %s\n", je.text);
	FUZZ_CHECK(back != NULL);
	json_decref(back);
	buf_release(&text);
	json_decref(doc);
}

/* A NUL-terminated copy of data[0..size) (caller frees). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Splits the input at the first n-1 newlines into n NUL-terminated fields
 * (missing ones are empty).  fields[n-1] holds the rest, NULs and newlines
 * included, with its length in *rest_len.  Free fields[0] only.
 */
static inline void fuzz_split(const uint8_t *data, size_t size, char **fields, size_t n,
			      size_t *rest_len)
{
	char *copy = malloc(size + n);
	size_t pos = 0, out = 0;

	FUZZ_CHECK(copy != NULL);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *nl = i + 1 < n && pos < size
			? memchr(data + pos, '\n', size - pos) : NULL;
		size_t len = i + 1 < n ? (nl ? (size_t)(nl - data) - pos : size - pos)
				       : size - pos;

		if (pos > size)
			len = 0;
		fields[i] = copy + out;
		if (len)
			memcpy(copy + out, data + pos, len);
		copy[out + len] = '\0';
		out += len + 1;
		if (i + 1 == n && rest_len)
			*rest_len = len;
		pos = nl ? (size_t)(nl - data) + 1 : size;
	}
}

#endif
