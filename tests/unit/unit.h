/*
 * unit.h: what every unit-test program shares: the cmocka includes, temporary
 * directories, and loading the sample responses from tests/unit/data.
 *
 * Everything here is static inline so a program that does not use a helper
 * gets no unused-function warning.
 */
#ifndef FA_UNIT_H
#define FA_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must be defined (tests/unit/meson.build does it)"
#endif

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A new empty directory under $TMPDIR (or /tmp); caller frees the path. */
static inline char *ut_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/fa-unit-XXXXXX", base);
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	dir = strdup(dir);
	assert_non_null(dir);
	return dir;
}

static inline int ut_rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

/* rm -rf path */
static inline void ut_rm_rf(const char *path)
{
	if (path)
		nftw(path, ut_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir + "/" + name, malloc'ed. */
static inline char *ut_join(const char *dir, const char *name)
{
	size_t nd = strlen(dir), nn = strlen(name);
	char *p = malloc(nd + nn + 2);

	assert_non_null(p);
	memcpy(p, dir, nd);
	p[nd] = '/';
	memcpy(p + nd + 1, name, nn + 1);
	return p;
}

static inline void ut_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline void ut_write_str(const char *path, const char *s)
{
	ut_write_file(path, s, strlen(s));
}

/* Whole file as a NUL-terminated string (NULL if it cannot be read). */
static inline char *ut_read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			assert_non_null(data);
		}
		n = fread(data + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	data[len] = '\0';
	if (ret_len)
		*ret_len = len;
	return data;
}

/* Number of entries in dir besides "." and "..". */
static inline int ut_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static inline mode_t ut_mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* A sample from tests/unit/data, parsed; the test owns the reference. */
static inline json_t *ut_load_sample(const char *name)
{
	char path[4096];
	json_error_t je;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	doc = json_load_file(path, 0, &je);
	if (!doc)
		fail_msg("cannot load sample '%s': %s (line %d)", path, je.text, je.line);
	return doc;
}

static inline char *ut_sample_path(const char *name)
{
	return ut_join(TEST_DATA_DIR, name);
}

/* A JSON literal parsed for a test (must be valid). */
static inline json_t *ut_json(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &je);

	if (!doc)
		fail_msg("bad JSON in test: %s: %s", text, je.text);
	return doc;
}

/* Setup/teardown that give a test a fresh temporary directory as *state. */
static inline int ut_setup_tmpdir(void **state)
{
	*state = ut_mkdtemp();
	return 0;
}

static inline int ut_teardown_tmpdir(void **state)
{
	ut_rm_rf(*state);
	free(*state);
	return 0;
}

#endif
