/* test_store.c: the archive layout, id and extension allow-lists, completion. */
#include "unit.h"

#include "buf.h"
#include "fsutil.h"
#include "store.h"

/* ---- ids and extensions ------------------------------------------------- */

struct id_case {
	const char *id;
	int valid;
};

static const struct id_case id_cases[] = {
	{ "1", 1 },
	{ "8130464513", 1 },
	{ "12345678901234567890123456789012", 1 },   /* 32 digits */
	{ "123456789012345678901234567890123", 0 },  /* 33 digits */
	{ "", 0 },
	{ "../1", 0 },
	{ "1/2", 0 },
	{ "12a", 0 },
	{ " 1", 0 },
	{ "1 ", 0 },
	{ "-1", 0 },
	{ "+1", 0 },
	{ "1.0", 0 },
	{ ".", 0 },
	{ "..", 0 },
	{ "78733179@N04", 0 },  /* an NSID is not a photo id */
	{ "\xd9\xa1", 0 },      /* ARABIC-INDIC DIGIT ONE */
	{ NULL, 0 },
};

static void test_valid_id_table(void **state)
{
	(void)state;
	for (const struct id_case *c = id_cases; c->id; c++) {
		print_message("'%s'\n", c->id);
		assert_int_equal(store_valid_id(c->id) != 0, c->valid);
	}
	assert_false(store_valid_id(NULL));
}

struct ext_case {
	const char *ext;
	const char *canonical; /* NULL: refused */
};

static const struct ext_case ext_cases[] = {
	{ "jpg", "jpg" }, { "jpeg", "jpg" }, { "JPEG", "jpg" }, { "Jpg", "jpg" },
	{ "png", "png" }, { "gif", "gif" }, { "tiff", "tif" }, { "tif", "tif" },
	{ "heic", "heic" }, { "webp", "webp" },
	{ "mp4", "mp4" }, { "MOV", "mov" }, { "qt", "mov" }, { "mpeg", "mpg" },
	{ "m4v", "m4v" }, { "avi", "avi" }, { "3gp", "3gp" },
	{ "exe", NULL }, { "", NULL }, { "php", NULL }, { "html", NULL }, { "svg", NULL },
	{ "sh", NULL }, { "jpg/../x", NULL }, { "jpg ", NULL }, { ".jpg", NULL },
	{ "jp", NULL }, { "jpgx", NULL }, { "json", NULL },
	{ NULL, NULL },
};

static void test_allowed_ext_table(void **state)
{
	(void)state;
	for (const struct ext_case *c = ext_cases; c->ext; c++) {
		const char *got = store_allowed_ext(c->ext);

		print_message("'%s'\n", c->ext);
		if (c->canonical)
			assert_string_equal(got, c->canonical);
		else
			assert_null(got);
	}
	assert_null(store_allowed_ext(NULL));
}

static void test_kind_dirs(void **state)
{
	(void)state;
	assert_string_equal(store_kind_dir(STORE_MY), "my_photos");
	assert_string_equal(store_kind_dir(STORE_FAV), "favorited_photos");
}

/* ---- layout ------------------------------------------------------------- */

static void test_open_creates_layout(void **state)
{
	const char *dir = *state;
	char *root = ut_join(dir, "nested/flickr_archive");
	static const char *const subdirs[] = { "my_photos", "favorited_photos", STORE_WORK_DIR };
	struct store s = { NULL };
	struct err e = { 0 };

	assert_int_equal(store_open(&s, root, &e), 0);
	assert_string_equal(s.root, root);
	assert_true(fs_is_dir(root));
	for (size_t i = 0; i < N_ELEMS(subdirs); i++) {
		char *p = ut_join(root, subdirs[i]);

		assert_true(fs_is_dir(p));
		free(p);
	}
	store_release(&s);
	assert_null(s.root);
	/* opening an existing archive again is fine */
	assert_int_equal(store_open(&s, root, &e), 0);
	store_release(&s);
	free(root);
}

static void test_open_over_a_file_fails(void **state)
{
	const char *dir = *state;
	char *root = ut_join(dir, "file");
	struct store s = { NULL };
	struct err e = { 0 };

	ut_write_str(root, "x");
	assert_true(store_open(&s, root, &e) < 0);
	assert_true(e.msg[0] != '\0');
	store_release(&s);
	free(root);
}

static void test_item_and_root_paths(void **state)
{
	struct store s = { (char *)"/arch" };
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(store_item_path(&s, STORE_MY, "8130464513", "metadata.json", &b), 0);
	assert_string_equal(buf_cstr(&b), "/arch/my_photos/8130464513/metadata.json");
	assert_int_equal(store_item_path(&s, STORE_FAV, "42", NULL, &b), 0);
	assert_string_equal(buf_cstr(&b), "/arch/favorited_photos/42");
	assert_int_equal(store_root_path(&s, "users_cache.json", &b), 0);
	assert_string_equal(buf_cstr(&b), "/arch/users_cache.json");
	buf_release(&b);
}

static void test_item_path_refuses_bad_ids(void **state)
{
	struct store s = { (char *)"/arch" };
	static const char *const bad[] = { "../1", "", "1/2", "12a", "..", NULL };

	(void)state;
	for (const char *const *id = bad; *id; id++) {
		struct buf b = BUF_INIT;

		assert_int_equal(store_item_path(&s, STORE_MY, *id, "metadata.json", &b), FA_EINVAL);
		assert_null(strstr(buf_cstr(&b), ".."));
		buf_release(&b);
	}
	{
		struct buf b = BUF_INIT;

		assert_int_equal(store_item_path(&s, STORE_MY, NULL, NULL, &b), FA_EINVAL);
		buf_release(&b);
	}
}

static void test_mark_and_check_complete(void **state)
{
	const char *dir = *state;
	struct store s = { NULL };
	struct err e = { 0 };
	struct buf p = BUF_INIT;
	char *flag;

	assert_int_equal(store_open(&s, dir, &e), 0);
	assert_int_equal(store_item_path(&s, STORE_MY, "123", NULL, &p), 0);
	assert_int_equal(mkdir(p.data, 0755), 0);
	assert_false(store_item_complete(&s, STORE_MY, "123"));
	assert_int_equal(store_mark_complete(&s, STORE_MY, "123", NULL, &e), 0);
	assert_true(store_item_complete(&s, STORE_MY, "123"));
	/* the flag is per kind and per id */
	assert_false(store_item_complete(&s, STORE_FAV, "123"));
	assert_false(store_item_complete(&s, STORE_MY, "1234"));
	/* the flag file is the original tool's, beside the (empty) manifest; no temporaries */
	flag = ut_join(p.data, "complete.flag");
	assert_true(fs_exists(flag));
	free(flag);
	flag = ut_join(p.data, "manifest-sha256.txt");
	assert_true(fs_exists(flag));
	assert_int_equal(ut_count_entries(p.data), 2);
	free(flag);
	buf_release(&p);
	store_release(&s);
}

static void test_mark_complete_bad_id(void **state)
{
	const char *dir = *state;
	struct store s = { NULL };
	struct err e = { 0 };

	assert_int_equal(store_open(&s, dir, &e), 0);
	assert_int_equal(store_mark_complete(&s, STORE_MY, "../x", NULL, &e), FA_EINVAL);
	assert_false(store_item_complete(&s, STORE_MY, "../x"));
	assert_false(store_item_complete(&s, STORE_MY, NULL));
	store_release(&s);
}

struct find_case {
	const char *files[4];
	const char *stem;
	const char *found; /* NULL: not found */
};

static const struct find_case find_cases[] = {
	{ { "original.jpg", "metadata.json" }, "original", "original.jpg" },
	{ { "metadata.json", "original.mp4" }, "original", "original.mp4" },
	{ { "original.exe", "original.json" }, "original", NULL },
	{ { "originalx.jpg", "xoriginal.jpg" }, "original", NULL },
	{ { "original", "original." }, "original", NULL },
	{ { "original.jpg", "poster.jpg" }, "poster", "poster.jpg" },
	{ { ".original.jpg.tmp-AbC123" }, "original", NULL },
	{ { "metadata.json" }, "original", NULL },
	{ { NULL }, NULL, NULL },
};

static void test_find_media_table(void **state)
{
	const char *dir = *state;

	for (const struct find_case *c = find_cases; c->stem; c++) {
		char *item = ut_mkdtemp();
		struct buf name = BUF_INIT;
		int found;

		for (size_t i = 0; i < N_ELEMS(c->files) && c->files[i]; i++) {
			char *p = ut_join(item, c->files[i]);

			ut_write_str(p, "x");
			free(p);
		}
		found = store_find_media(item, c->stem, &name);
		print_message("%s + %s -> %d '%s'\n", c->files[0], c->stem, found, buf_cstr(&name));
		assert_int_equal(found, c->found != NULL);
		if (c->found)
			assert_string_equal(buf_cstr(&name), c->found);
		buf_release(&name);
		ut_rm_rf(item);
		free(item);
	}
	{
		char *missing = ut_join(dir, "missing");
		struct buf name = BUF_INIT;

		assert_int_equal(store_find_media(missing, "original", &name), 0);
		buf_release(&name);
		free(missing);
	}
}

/* ---- sweeping temporaries ----------------------------------------------- */

static void touch(const char *root, const char *rel)
{
	char *p = ut_join(root, rel);

	ut_write_str(p, "x");
	free(p);
}

static int exists_in(const char *root, const char *rel)
{
	char *p = ut_join(root, rel);
	int r = fs_exists(p);

	free(p);
	return r;
}

static void test_open_sweeps_leftover_temporaries(void **state)
{
	const char *root = *state;
	static const char *const dirs[] = {
		"my_photos", "my_photos/123", "favorited_photos", "favorited_photos/9",
		STORE_WORK_DIR,
	};
	static const char *const temps[] = {
		"my_photos/123/.metadata.json.tmp-AbC123",
		"my_photos/123/.original.jpg.tmp-q1w2e3",
		"favorited_photos/9/.comments.json.tmp-zzzzzz",
		".my_photos_index.json.tmp-qwerty",
	};
	static const char *const kept[] = {
		"my_photos/123/metadata.json",
		"my_photos/123/original.jpg",
		"my_photos/123/.hidden-note",
		"my_photos/123/metadata.json.tmp-AbC123",
		"favorited_photos/9/complete.flag",
		"my_photos_index.json",
	};
	struct store s = { NULL };
	struct err e = { 0 };

	for (size_t i = 0; i < N_ELEMS(dirs); i++) {
		char *p = ut_join(root, dirs[i]);

		assert_int_equal(mkdir(p, 0755), 0);
		free(p);
	}
	for (size_t i = 0; i < N_ELEMS(temps); i++)
		touch(root, temps[i]);
	for (size_t i = 0; i < N_ELEMS(kept); i++)
		touch(root, kept[i]);

	assert_int_equal(store_open(&s, root, &e), 0);
	for (size_t i = 0; i < N_ELEMS(temps); i++) {
		print_message("swept? %s\n", temps[i]);
		assert_false(exists_in(root, temps[i]));
	}
	for (size_t i = 0; i < N_ELEMS(kept); i++) {
		print_message("kept? %s\n", kept[i]);
		assert_true(exists_in(root, kept[i]));
	}
	store_release(&s);
}

/* flock(2) locks belong to an open file, so one process can play two runs. */
static void test_lock_modes(void **state)
{
	const char *root = *state;
	int a = -1, b = -1, c = -1;
	struct err e = { 0 };

	assert_int_equal(store_lock(root, STORE_LOCK_SHARED, &a, &e), FA_ENOTFOUND);
	assert_int_equal(a, -1);
	assert_int_equal(store_lock(root, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &a, &e), 0);
	assert_true(a >= 0);
	assert_true(fcntl(a, F_GETFD) & FD_CLOEXEC);
	/* a writer holds it: nobody else, and a refusal holds nothing */
	assert_int_equal(store_lock(root, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &b, &e),
			 FA_EBUSY);
	assert_int_equal(b, -1);
	assert_non_null(strstr(e.msg, "already working"));
	assert_int_equal(store_lock(root, STORE_LOCK_SHARED, &b, &e), FA_EBUSY);
	assert_int_equal(b, -1);
	store_unlock(&a);
	assert_int_equal(a, -1);
	store_unlock(&a); /* nothing held: nothing to do */
	/* readers side by side keep a writer out */
	assert_int_equal(store_lock(root, STORE_LOCK_SHARED, &a, &e), 0);
	assert_int_equal(store_lock(root, STORE_LOCK_SHARED, &b, &e), 0);
	assert_int_equal(store_lock(root, STORE_LOCK_EXCLUSIVE, &c, &e), FA_EBUSY);
	assert_int_equal(c, -1);
	store_unlock(&a);
	store_unlock(&b);
	assert_int_equal(store_lock(root, STORE_LOCK_EXCLUSIVE, &c, &e), 0);
	store_unlock(&c);
}

static void test_lock_never_follows_a_symlink(void **state)
{
	const char *root = *state;
	char *work = ut_join(root, STORE_WORK_DIR);
	char *lock = ut_join(work, "lock");
	char *elsewhere = ut_join(root, "elsewhere");
	char *target = ut_join(elsewhere, "lock");
	struct err e = { 0 };
	int fd = -1;

	assert_int_equal(mkdir(elsewhere, 0755), 0);
	/* the lock file a symlink */
	assert_int_equal(mkdir(work, 0755), 0);
	assert_int_equal(symlink("../elsewhere/lock", lock), 0);
	assert_true(store_lock(root, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &fd, &e) < 0);
	assert_int_equal(fd, -1);
	assert_false(fs_exists(target));
	/* the work dir a symlink */
	assert_int_equal(unlink(lock), 0);
	assert_int_equal(rmdir(work), 0);
	assert_int_equal(symlink("elsewhere", work), 0);
	assert_true(store_lock(root, STORE_LOCK_EXCLUSIVE | STORE_LOCK_CREATE, &fd, &e) < 0);
	assert_int_equal(fd, -1);
	assert_false(fs_exists(target));
	free(target);
	free(work);
	free(lock);
	free(elsewhere);
}

#define TMPDIR_TEST(f) cmocka_unit_test_setup_teardown(f, ut_setup_tmpdir, ut_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_id_table),
		cmocka_unit_test(test_allowed_ext_table),
		cmocka_unit_test(test_kind_dirs),
		TMPDIR_TEST(test_open_creates_layout),
		TMPDIR_TEST(test_open_over_a_file_fails),
		cmocka_unit_test(test_item_and_root_paths),
		cmocka_unit_test(test_item_path_refuses_bad_ids),
		TMPDIR_TEST(test_mark_and_check_complete),
		TMPDIR_TEST(test_mark_complete_bad_id),
		TMPDIR_TEST(test_find_media_table),
		TMPDIR_TEST(test_open_sweeps_leftover_temporaries),
		TMPDIR_TEST(test_lock_modes),
		TMPDIR_TEST(test_lock_never_follows_a_symlink),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
