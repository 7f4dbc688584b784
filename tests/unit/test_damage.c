/* test_damage.c: an item's files against its manifest; pending rewrites; damaged copies. */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "buf.h"
#include "damage.h"
#include "fsutil.h"
#include "manifest.h"
#include "store.h"

static void put(const char *dir, const char *name, const char *text)
{
	char *p = ut_join(dir, name);

	ut_write_str(p, text);
	free(p);
}

static void drop(const char *dir, const char *name)
{
	char *p = ut_join(dir, name);

	assert_int_equal(unlink(p), 0);
	free(p);
}

/* A complete item "7" with three files, and a store open on root. */
static void make_item(struct store *s, const char *root, char **ret_dir)
{
	struct buf p = BUF_INIT;

	assert_int_equal(store_open(s, root, NULL), 0);
	assert_int_equal(store_item_path(s, STORE_MY, "7", NULL, &p), 0);
	assert_int_equal(fs_mkdirs(p.data, 0755, NULL), 0);
	*ret_dir = strdup(p.data);
	put(*ret_dir, "original.jpg", "jpeg bytes");
	put(*ret_dir, "metadata.json", "{}");
	put(*ret_dir, "comments.json", "[]");
	assert_int_equal(store_mark_complete(s, STORE_MY, "7", NULL, NULL), 0);
	sleep(1); /* what follows is later than the manifest, whatever the clock's grain */
	buf_release(&p);
}

static void check(struct store *s, struct damage *d)
{
	damage_release(d);
	assert_int_equal(damage_check_item(s, STORE_MY, "7", d, NULL), 0);
}

static void test_untouched_item_has_no_damage(void **state)
{
	struct damage d = DAMAGE_INIT;
	struct store s;
	char *dir;

	make_item(&s, *state, &dir);
	check(&s, &d);
	assert_int_equal(d.n, 0);
	/* touched, same bytes: hashed, and whole */
	put(dir, "metadata.json", "{}");
	check(&s, &d);
	assert_int_equal(d.n, 0);
	damage_release(&d);
	store_release(&s);
	free(dir);
}

struct damage_case {
	const char *name;
	enum damage_kind kind;
};

static void test_each_kind_of_damage(void **state)
{
	static const struct damage_case want[] = {
		{ "original.jpg", DAMAGE_NOT_REGULAR },
		{ "metadata.json", DAMAGE_CHANGED },
		{ "comments.json", DAMAGE_MISSING },
	};
	struct damage d = DAMAGE_INIT;
	struct store s;
	char *dir, *orig;

	make_item(&s, *state, &dir);
	orig = ut_join(dir, "original.jpg");
	assert_int_equal(unlink(orig), 0);
	assert_int_equal(symlink("/etc/hostname", orig), 0);
	put(dir, "metadata.json", "");
	drop(dir, "comments.json");
	check(&s, &d);
	assert_int_equal(d.n, N_ELEMS(want));
	for (size_t i = 0; i < N_ELEMS(want); i++) {
		print_message("%s\n", want[i].name);
		assert_true(damage_has(&d, want[i].name));
		for (size_t k = 0; k < d.n; k++)
			if (!strcmp(d.v[k].name, want[i].name))
				assert_int_equal(d.v[k].kind, want[i].kind);
	}
	assert_null(d.names[d.n]);
	/* rewriting the manifest records none of it as the truth */
	assert_int_equal(store_mark_complete(&s, STORE_MY, "7", (const char *const[]){ NULL },
					     NULL), 0);
	check(&s, &d);
	assert_int_equal(d.n, N_ELEMS(want));
	damage_release(&d);
	store_release(&s);
	free(orig);
	free(dir);
}

static void test_pending_rewrite_is_ours_but_its_repairs_are_not(void **state)
{
	static const char *const repairing[] = { "comments.json", NULL };
	struct damage d = DAMAGE_INIT;
	struct buf text = BUF_INIT;
	struct store s;
	char *dir;

	make_item(&s, *state, &dir);
	assert_int_equal(store_begin_rewrite(&s, STORE_MY, "7", repairing, NULL), 0);
	assert_true(store_rewrite_pending(&s, STORE_MY, "7", &text));
	assert_string_equal(text.data, "comments.json\n");
	put(dir, "metadata.json", "{\"views\": 2}");
	put(dir, "comments.json", "[{");
	check(&s, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].name, "comments.json");
	/* settled: the marker is gone, the killed run's write recorded */
	assert_false(store_rewrite_pending(&s, STORE_MY, "7", &text));
	check(&s, &d);
	assert_int_equal(d.n, 1);
	buf_release(&text);
	damage_release(&d);
	store_release(&s);
	free(dir);
}

static void test_item_folder_that_is_a_link_is_refused(void **state)
{
	struct damage d = DAMAGE_INIT;
	struct err e = { 0 };
	struct store s;
	char *dir, *moved;

	make_item(&s, *state, &dir);
	moved = ut_join(*state, "elsewhere");
	assert_int_equal(rename(dir, moved), 0);
	assert_int_equal(symlink(moved, dir), 0);
	assert_int_equal(damage_check_item(&s, STORE_MY, "7", &d, &e), FA_EINVAL);
	assert_non_null(strstr(e.msg, "my_photos/7' is a symbolic link"));
	store_release(&s);
	free(moved);
	free(dir);
}

static void test_keep_copy_links_a_link_as_itself(void **state)
{
	const char *dir = *state;
	char *link = ut_join(dir, "original.jpg"), *kept;
	struct buf name = BUF_INIT;
	struct stat st;

	assert_int_equal(symlink("/nonexistent/target", link), 0);
	assert_int_equal(damage_keep_copy(dir, "original.jpg", 42, &name, NULL), 0);
	assert_string_equal(name.data, "damaged-42-original.jpg");
	kept = ut_join(dir, name.data);
	assert_int_equal(lstat(kept, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* nothing there: nothing to keep, not an error */
	assert_int_equal(damage_keep_copy(dir, "gone.json", 42, &name, NULL), 0);
	buf_release(&name);
	free(link);
	free(kept);
}

#define TMPDIR_TEST(f) cmocka_unit_test_setup_teardown(f, ut_setup_tmpdir, ut_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMPDIR_TEST(test_untouched_item_has_no_damage),
		TMPDIR_TEST(test_each_kind_of_damage),
		TMPDIR_TEST(test_pending_rewrite_is_ours_but_its_repairs_are_not),
		TMPDIR_TEST(test_item_folder_that_is_a_link_is_refused),
		TMPDIR_TEST(test_keep_copy_links_a_link_as_itself),
	};

	return cmocka_run_group_tests_name("damage", tests, NULL, NULL);
}
