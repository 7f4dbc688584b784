/* test_fsutil.c: atomic writes, temporaries, mkdir -p and bounded reads. */
#include <errno.h>
#include <sys/syscall.h>

#include "unit.h"

#include "buf.h"
#include "fsutil.h"

/* The only entry of dir besides . and .. (malloc'ed), or NULL. */
static char *only_entry(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *name = NULL;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		assert_null(name);
		name = strdup(de->d_name);
	}
	closedir(d);
	return name;
}

/* ---- atomic writing ----------------------------------------------------- */

struct write_case {
	const char *content;
	mode_t mode;
};

static const struct write_case write_cases[] = {
	{ "{\"id\":\"1\"}\n", 0644 },
	{ "secret = x\n", 0600 },
	{ "", 0640 },
	{ NULL, 0 },
};

static void test_write_atomic_content_mode_no_temps(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "metadata.json");

	for (const struct write_case *c = write_cases; c->content; c++) {
		struct err e = { 0 };
		size_t len = 0;
		char *back;
		char *name;

		assert_int_equal(fs_write_atomic(path, c->content, strlen(c->content), c->mode, &e), 0);
		back = ut_read_file(path, &len);
		assert_non_null(back);
		assert_int_equal(len, strlen(c->content));
		assert_string_equal(back, c->content);
		assert_int_equal(ut_mode_of(path), c->mode);
		/* the final file is the only thing left in the directory */
		name = only_entry(dir);
		assert_string_equal(name, "metadata.json");
		free(name);
		free(back);
	}
	free(path);
}

static void test_write_atomic_binary(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "original.jpg");
	static const unsigned char data[] = { 0xff, 0xd8, 0xff, 0x00, 0x00, 0xd9 };
	size_t len = 0;
	char *back;

	assert_int_equal(fs_write_atomic(path, data, sizeof(data), 0644, NULL), 0);
	back = ut_read_file(path, &len);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
	free(back);
	free(path);
}

static void test_write_atomic_missing_dir_fails_cleanly(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "no/such/dir/file.json");
	struct err e = { 0 };

	assert_int_equal(fs_write_atomic(path, "x", 1, 0644, &e), FA_EIO);
	assert_int_equal(e.code, FA_EIO);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(ut_count_entries(dir), 0);
	free(path);
}

#ifdef __linux__
/* This program's fsync(2) comes first (an ELF executable's symbol): it counts the calls */
static int fsyncs;

int fsync(int fd)
{
	fsyncs++;
	return (int)syscall(SYS_fsync, fd);
}

/* The fsyncs of one write: the file's and its directory's, or none */
static int fsyncs_of(int (*write)(const char *, const void *, size_t, mode_t, struct err *),
		     const char *path)
{
	int before = fsyncs;

	assert_int_equal(write(path, "x", 1, 0644, NULL), 0);
	return fsyncs - before;
}

static void test_durable_writes_sync_even_while_deferred(void **state)
{
	char *path = ut_join(*state, "marker"), *back;

	assert_int_equal(fs_defer_sync(0), 0);
	assert_int_equal(fsyncs_of(fs_write_atomic, path), 2);
	assert_int_equal(fsyncs_of(fs_write_durable, path), 2);
	assert_int_equal(fsyncs_of(fs_write_replace, path), 0);
	assert_int_equal(fs_defer_sync(1), 0);
	assert_true(fs_sync_deferred());
	assert_int_equal(fsyncs_of(fs_write_atomic, path), 0);
	assert_int_equal(fsyncs_of(fs_write_durable, path), 2);
	assert_int_equal(fsyncs_of(fs_write_replace, path), 0);
	assert_int_equal(fs_defer_sync(0), 1);
	back = ut_read_file(path, NULL);
	assert_string_equal(back, "x");
	free(back);
	free(path);
}
#endif

static void test_tmp_abort_removes_temporary(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "comments.json");
	struct fs_tmp t = FS_TMP_INIT;
	struct err e = { 0 };
	char *name;

	assert_int_equal(fs_tmp_open(&t, path, 0644, &e), 0);
	assert_int_equal(fs_tmp_write(&t, "partial", 7, &e), 0);
	/* while open, the temporary is a hidden name beside the final one */
	name = only_entry(dir);
	assert_non_null(name);
	assert_true(fs_is_temp_name(name));
	assert_non_null(strstr(name, ".comments.json.tmp-"));
	free(name);
	fs_tmp_abort(&t);
	assert_int_equal(ut_count_entries(dir), 0);
	assert_false(fs_exists(path));
	/* aborting again, or aborting a never-opened one, is harmless */
	fs_tmp_abort(&t);
	{
		struct fs_tmp never = FS_TMP_INIT;

		fs_tmp_abort(&never);
	}
	free(path);
}

static void test_tmp_commit_replaces_old_file(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "favorites.json");
	struct fs_tmp t = FS_TMP_INIT;
	struct err e = { 0 };
	char *back;

	ut_write_str(path, "old contents that are longer");
	assert_int_equal(fs_tmp_open(&t, path, 0644, &e), 0);
	assert_int_equal(fs_tmp_write(&t, "new", 3, &e), 0);
	/* the old file stays readable until the commit */
	back = ut_read_file(path, NULL);
	assert_string_equal(back, "old contents that are longer");
	free(back);
	assert_int_equal(fs_tmp_commit(&t, path, &e), 0);
	back = ut_read_file(path, NULL);
	assert_string_equal(back, "new");
	free(back);
	assert_int_equal(ut_count_entries(dir), 1);
	fs_tmp_abort(&t); /* after a commit: nothing to remove */
	assert_true(fs_exists(path));
	free(path);
}

/* ---- temporary names and sweeping --------------------------------------- */

struct name_case {
	const char *name;
	int temp;
};

static const struct name_case name_cases[] = {
	{ ".metadata.json.tmp-AbC123", 1 },
	{ ".original.jpg.tmp-000000", 1 },
	{ ".complete.flag.tmp-zZ9aB1", 1 },
	{ "metadata.json.tmp-AbC123", 0 },  /* not hidden */
	{ ".metadata.json.tmp-AbC12", 0 },  /* 5 random characters */
	{ ".metadata.json.tmp-AbC1234", 0 }, /* 7 */
	{ ".metadata.json.tmp-", 0 },
	{ ".metadata.json", 0 },
	{ "metadata.json", 0 },
	{ ".flickr-archive", 0 },
	{ ".", 0 },
	{ "..", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

static void test_is_temp_name_table(void **state)
{
	(void)state;
	for (const struct name_case *c = name_cases; c->name; c++) {
		print_message("'%s'\n", c->name);
		assert_int_equal(fs_is_temp_name(c->name) != 0, c->temp);
	}
}

static void test_sweep_temps_removes_only_temporaries(void **state)
{
	const char *dir = *state;
	static const char *const temps[] = {
		".metadata.json.tmp-AbC123", ".original.jpg.tmp-x1y2z3",
	};
	static const char *const keep[] = {
		"metadata.json", ".hidden", "notes.tmp-AbC123", ".a.tmp-AbC1234",
	};
	char *sub;

	for (size_t i = 0; i < N_ELEMS(temps); i++) {
		char *p = ut_join(dir, temps[i]);

		ut_write_str(p, "x");
		free(p);
	}
	for (size_t i = 0; i < N_ELEMS(keep); i++) {
		char *p = ut_join(dir, keep[i]);

		ut_write_str(p, "x");
		free(p);
	}
	/* a directory with a temporary's name is left alone */
	sub = ut_join(dir, ".dir.tmp-qwerty");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(fs_sweep_temps(dir), (int)N_ELEMS(temps));
	assert_int_equal(ut_count_entries(dir), (int)N_ELEMS(keep) + 1);
	for (size_t i = 0; i < N_ELEMS(keep); i++) {
		char *p = ut_join(dir, keep[i]);

		assert_true(fs_exists(p));
		free(p);
	}
	assert_true(fs_is_dir(sub));
	assert_int_equal(fs_sweep_temps(dir), 0);
	free(sub);
}

static void test_sweep_temps_missing_dir(void **state)
{
	char *p = ut_join(*state, "missing");

	assert_int_equal(fs_sweep_temps(p), 0);
	free(p);
}

/* ---- directories -------------------------------------------------------- */

static void test_mkdirs_nested_and_idempotent(void **state)
{
	const char *dir = *state;
	char *deep = ut_join(dir, "a/b/c/d");
	char *mid = ut_join(dir, "a/b");
	char *slash = ut_join(dir, "x/y/");
	struct err e = { 0 };

	assert_int_equal(fs_mkdirs(deep, 0700, &e), 0);
	assert_true(fs_is_dir(deep));
	assert_true(fs_is_dir(mid));
	assert_int_equal(ut_mode_of(deep) & 0700, 0700);
	assert_int_equal(ut_mode_of(deep) & 0077, 0); /* 0700 under any umask */
	assert_int_equal(fs_mkdirs(deep, 0700, &e), 0);
	assert_int_equal(fs_mkdirs(mid, 0700, &e), 0);
	assert_int_equal(fs_mkdirs(slash, 0755, &e), 0);
	assert_true(fs_is_dir(slash));
	free(deep);
	free(mid);
	free(slash);
}

static void test_mkdirs_through_a_file_fails(void **state)
{
	const char *dir = *state;
	char *file = ut_join(dir, "file");
	char *under = ut_join(dir, "file/sub");
	struct err e = { 0 };

	ut_write_str(file, "x");
	assert_true(fs_mkdirs(file, 0755, &e) < 0);
	assert_int_equal(e.code, FA_EIO);
	memset(&e, 0, sizeof(e));
	assert_true(fs_mkdirs(under, 0755, &e) < 0);
	assert_true(e.msg[0] != '\0');
	free(file);
	free(under);
}

static void test_mkdirs_empty_path(void **state)
{
	/* An empty path (`--archive ""`) is a clean error, not a read past the
	 * string's end (found by this test, fixed in fsutil.c). */
	struct err e = { 0 };

	(void)state;
	assert_true(fs_mkdirs("", 0755, &e) < 0);
}

static void test_exists_and_is_dir(void **state)
{
	const char *dir = *state;
	char *file = ut_join(dir, "f");
	char *link = ut_join(dir, "dangling");
	char *missing = ut_join(dir, "missing");

	ut_write_str(file, "x");
	assert_int_equal(symlink("nowhere", link), 0);
	assert_true(fs_exists(file));
	assert_true(fs_exists(link)); /* lstat: the link itself exists */
	assert_false(fs_exists(missing));
	assert_true(fs_is_dir(dir));
	assert_false(fs_is_dir(file));
	assert_false(fs_is_dir(missing));
	free(file);
	free(link);
	free(missing);
}

/* ---- reading ------------------------------------------------------------ */

static void test_read_file_limits(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "data");
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	ut_write_str(path, "0123456789");
	assert_int_equal(fs_read_file(path, 10, &b, &e), 0); /* exactly the limit */
	assert_string_equal(buf_cstr(&b), "0123456789");
	buf_reset(&b);
	assert_int_equal(fs_read_file(path, 9, &b, &e), FA_EPARSE);
	assert_true(e.msg[0] != '\0');
	buf_release(&b);
	free(path);
}

static void test_read_file_appends(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "data");
	struct buf b = BUF_INIT;

	ut_write_str(path, "tail");
	assert_int_equal(buf_puts(&b, "head-"), 0);
	assert_int_equal(fs_read_file(path, 100, &b, NULL), 0);
	assert_string_equal(buf_cstr(&b), "head-tail");
	buf_release(&b);
	free(path);
}

static void test_read_file_large(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "big");
	size_t n = 200000; /* several read chunks */
	char *data = malloc(n);
	struct buf b = BUF_INIT;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7);
	ut_write_file(path, data, n);
	assert_int_equal(fs_read_file(path, n, &b, NULL), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, data, n);
	buf_reset(&b);
	assert_int_equal(fs_read_file(path, n - 1, &b, NULL), FA_EPARSE);
	buf_release(&b);
	free(data);
	free(path);
}

static void test_read_file_missing_and_symlink(void **state)
{
	const char *dir = *state;
	char *missing = ut_join(dir, "missing");
	char *target = ut_join(dir, "target");
	char *link = ut_join(dir, "link");
	struct buf b = BUF_INIT;
	struct err e = { 0 };

	assert_int_equal(fs_read_file(missing, 100, &b, &e), FA_ENOTFOUND);
	assert_int_equal(e.code, FA_ENOTFOUND);
	ut_write_str(target, "x");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(fs_read_file(link, 100, &b, &e), FA_EIO); /* never followed */
	assert_int_equal(b.len, 0);
	buf_release(&b);
	free(missing);
	free(target);
	free(link);
}

static void test_errno_error_mapping(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(fs_errno_error(&e, "write", "/x/y", ENOSPC), FA_ENOSPC);
	assert_non_null(strstr(e.msg, "/x/y"));
	assert_int_equal(fs_errno_error(&e, "write", "/x/y", EDQUOT), FA_ENOSPC);
	assert_int_equal(fs_errno_error(&e, "write", "/x/y", EACCES), FA_EIO);
	assert_int_equal(fs_errno_error(NULL, "write", "/x/y", EIO), FA_EIO);
}

#define TMPDIR_TEST(f) cmocka_unit_test_setup_teardown(f, ut_setup_tmpdir, ut_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMPDIR_TEST(test_write_atomic_content_mode_no_temps),
		TMPDIR_TEST(test_write_atomic_binary),
		TMPDIR_TEST(test_write_atomic_missing_dir_fails_cleanly),
#ifdef __linux__
		TMPDIR_TEST(test_durable_writes_sync_even_while_deferred),
#endif
		TMPDIR_TEST(test_tmp_abort_removes_temporary),
		TMPDIR_TEST(test_tmp_commit_replaces_old_file),
		cmocka_unit_test(test_is_temp_name_table),
		TMPDIR_TEST(test_sweep_temps_removes_only_temporaries),
		TMPDIR_TEST(test_sweep_temps_missing_dir),
		TMPDIR_TEST(test_mkdirs_nested_and_idempotent),
		TMPDIR_TEST(test_mkdirs_through_a_file_fails),
		cmocka_unit_test(test_mkdirs_empty_path),
		TMPDIR_TEST(test_exists_and_is_dir),
		TMPDIR_TEST(test_read_file_limits),
		TMPDIR_TEST(test_read_file_appends),
		TMPDIR_TEST(test_read_file_large),
		TMPDIR_TEST(test_read_file_missing_and_symlink),
		cmocka_unit_test(test_errno_error_mapping),
	};

	return cmocka_run_group_tests_name("fsutil", tests, NULL, NULL);
}
