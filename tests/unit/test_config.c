/* test_config.c: the key = value config file, its path and its permissions. */
#include "unit.h"

#include "config.h"
#include "error.h"

/* ---- one line ----------------------------------------------------------- */

struct line_case {
	const char *line;
	int ret;
	const char *key;
	const char *value;
};

static const struct line_case line_cases[] = {
	{ "api_key = abc123", 1, "api_key", "abc123" },
	{ "api_key=abc123", 1, "api_key", "abc123" },
	{ "  api_key \t=\t abc123  ", 1, "api_key", "abc123" },
	{ "api_secret = a b c", 1, "api_secret", "a b c" },         /* inner spaces kept */
	{ "api_url = http://127.0.0.1:8080/rest?x=1", 1, "api_url",
	  "http://127.0.0.1:8080/rest?x=1" },                       /* '=' in the value */
	{ "oauth_token =", 1, "oauth_token", "" },
	{ "calls_per_hour = 100\r", 1, "calls_per_hour", "100" },   /* CRLF file */
	{ "# a comment", 0, NULL, NULL },
	{ "   # indented comment = with equals", 0, NULL, NULL },
	{ "", 0, NULL, NULL },
	{ "   \t ", 0, NULL, NULL },
	{ "\r", 0, NULL, NULL },
	{ "no equals sign", FA_EINVAL, NULL, NULL },
	{ "= value", FA_EINVAL, NULL, NULL },                       /* empty key */
	{ "   = value", FA_EINVAL, NULL, NULL },
	{ NULL, 0, NULL, NULL },
};

static void test_parse_line_table(void **state)
{
	(void)state;
	for (const struct line_case *c = line_cases; c->line; c++) {
		char *k = NULL, *v = NULL;
		int r = config_parse_line(c->line, &k, &v);

		print_message("'%s' -> %d\n", c->line, r);
		assert_int_equal(r, c->ret);
		if (r == 1) {
			assert_string_equal(k, c->key);
			assert_string_equal(v, c->value);
		} else {
			assert_null(k);
			assert_null(v);
		}
		free(k);
		free(v);
	}
}

/* ---- entries ------------------------------------------------------------ */

static void test_set_get_overwrite(void **state)
{
	struct config c = CONFIG_INIT;

	(void)state;
	assert_null(config_get(&c, "api_key"));
	assert_int_equal(config_set(&c, "api_key", "one"), 0);
	assert_int_equal(config_set(&c, "api_secret", "s"), 0);
	assert_int_equal(config_set(&c, "api_key", "two"), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(config_get(&c, "api_key"), "two");
	assert_string_equal(config_get(&c, "api_secret"), "s");
	for (int i = 0; i < 20; i++) { /* past the first growth */
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		assert_int_equal(config_set(&c, k, k), 0);
	}
	assert_string_equal(config_get(&c, "k19"), "k19");
	/* a line break would add entries to the file */
	assert_int_equal(config_set(&c, "oauth_token", "t\napi_key=evil"), FA_EINVAL);
	assert_int_equal(config_set(&c, "oauth_token", "t\r"), FA_EINVAL);
	assert_int_equal(config_set(&c, "a=b", "v"), FA_EINVAL);
	assert_int_equal(config_set(&c, "", "v"), FA_EINVAL);
	assert_null(config_get(&c, "oauth_token"));
	config_release(&c);
	assert_int_equal(c.n, 0);
	assert_null(c.v);
}

/* ---- paths -------------------------------------------------------------- */

struct env_fixture {
	char *dir;
	char *old_xdg;
	char *old_home;
};

static char *dup_env(const char *name)
{
	const char *v = getenv(name);

	return v ? strdup(v) : NULL;
}

static void restore_env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static int setup_env(void **state)
{
	struct env_fixture *f = calloc(1, sizeof(*f));

	f->dir = ut_mkdtemp();
	f->old_xdg = dup_env("XDG_CONFIG_HOME");
	f->old_home = dup_env("HOME");
	*state = f;
	return 0;
}

static int teardown_env(void **state)
{
	struct env_fixture *f = *state;

	restore_env("XDG_CONFIG_HOME", f->old_xdg);
	restore_env("HOME", f->old_home);
	ut_rm_rf(f->dir);
	free(f->dir);
	free(f->old_xdg);
	free(f->old_home);
	free(f);
	return 0;
}

static void test_default_path(void **state)
{
	struct env_fixture *f = *state;
	char *p;

	(void)f;
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("HOME", "/home/u", 1);
	p = config_default_path();
	assert_string_equal(p, "/xdg/conf/flickr-archive/config");
	free(p);
	/* a relative XDG_CONFIG_HOME is invalid per the spec and ignored */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	p = config_default_path();
	assert_string_equal(p, "/home/u/.config/flickr-archive/config");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	assert_string_equal(p, "/home/u/.config/flickr-archive/config");
	free(p);
	setenv("XDG_CONFIG_HOME", "", 1);
	p = config_default_path();
	assert_string_equal(p, "/home/u/.config/flickr-archive/config");
	free(p);
}

/* ---- load and save ------------------------------------------------------ */

static void test_save_load_round_trip_private(void **state)
{
	struct env_fixture *f = *state;
	char *xdg = ut_join(f->dir, "xdg");
	char *app_dir = ut_join(xdg, "flickr-archive");
	char *path;
	struct config c = CONFIG_INIT, back = CONFIG_INIT;
	struct err e = { 0 };
	int wr = -1;

	setenv("XDG_CONFIG_HOME", xdg, 1);
	path = config_default_path();
	assert_non_null(strstr(path, "/xdg/flickr-archive/config"));
	assert_int_equal(config_set(&c, "api_key", "0123456789abcdef"), 0);
	assert_int_equal(config_set(&c, "api_secret", "fedcba98"), 0);
	assert_int_equal(config_set(&c, "oauth_token", "72157626737672178-022bbd2f4c2f3432"), 0);
	assert_int_equal(config_set(&c, "api_url", "http://127.0.0.1:1/rest?a=b"), 0);
	assert_int_equal(config_save(&c, path, &e), 0);

	assert_int_equal(ut_mode_of(path), 0600);
	assert_int_equal(ut_mode_of(app_dir), 0700);
	assert_int_equal(ut_count_entries(app_dir), 1); /* no temporary left */

	assert_int_equal(config_load(&back, path, &wr, &e), 0);
	assert_int_equal(wr, 0);
	assert_int_equal(back.n, c.n);
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(config_get(&back, c.v[i].key), c.v[i].value);

	/* saving again replaces the file and keeps it private */
	assert_int_equal(config_set(&c, "api_key", "changed"), 0);
	assert_int_equal(config_save(&c, path, &e), 0);
	assert_int_equal(ut_mode_of(path), 0600);
	config_release(&back);
	assert_int_equal(config_load(&back, path, &wr, &e), 0);
	assert_string_equal(config_get(&back, "api_key"), "changed");

	config_release(&back);
	config_release(&c);
	free(path);
	free(app_dir);
	free(xdg);
}

static void test_world_readable_detection(void **state)
{
	struct env_fixture *f = *state;
	char *path = ut_join(f->dir, "config");
	static const struct {
		mode_t mode;
		int readable;
	} modes[] = { { 0600, 0 }, { 0400, 0 }, { 0640, 1 }, { 0644, 1 }, { 0604, 1 }, { 0660, 1 } };

	ut_write_str(path, "api_key = x\n");
	for (size_t i = 0; i < N_ELEMS(modes); i++) {
		struct config c = CONFIG_INIT;
		struct err e = { 0 };
		int wr = -1;

		assert_int_equal(chmod(path, modes[i].mode), 0);
		assert_int_equal(config_load(&c, path, &wr, &e), 0);
		print_message("mode %o -> %d\n", (unsigned)modes[i].mode, wr);
		assert_int_equal(wr, modes[i].readable);
		assert_string_equal(config_get(&c, "api_key"), "x");
		config_release(&c);
	}
	free(path);
}

static void test_load_missing_is_empty(void **state)
{
	struct env_fixture *f = *state;
	char *path = ut_join(f->dir, "nope/config");
	struct config c = CONFIG_INIT;
	struct err e = { 0 };
	int wr = -1;

	assert_int_equal(config_load(&c, path, &wr, &e), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(wr, 0);
	assert_int_equal(e.code, 0);
	config_release(&c);
	free(path);
}

static void test_load_parses_file(void **state)
{
	struct env_fixture *f = *state;
	char *path = ut_join(f->dir, "config");
	struct config c = CONFIG_INIT;
	struct err e = { 0 };
	int wr = -1;

	ut_write_str(path, "# flickr-archive configuration\n"
			   "\n"
			   "api_key = k1\r\n"
			   "  api_secret=s1  \n"
			   "api_key = k2\n"        /* the last one wins */
			   "calls_per_hour = 100"); /* no final newline */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_load(&c, path, &wr, &e), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(config_get(&c, "api_key"), "k2");
	assert_string_equal(config_get(&c, "api_secret"), "s1");
	assert_string_equal(config_get(&c, "calls_per_hour"), "100");
	config_release(&c);
	free(path);
}

static void test_load_malformed_line_names_it(void **state)
{
	struct env_fixture *f = *state;
	char *path = ut_join(f->dir, "config");
	struct config c = CONFIG_INIT;
	struct err e = { 0 };
	int wr = -1;

	ut_write_str(path, "api_key = k\nthis line is wrong\n");
	assert_int_equal(config_load(&c, path, &wr, &e), FA_EINVAL);
	assert_int_equal(e.code, FA_EINVAL);
	assert_non_null(strstr(e.msg, "line 2"));
	assert_non_null(strstr(e.msg, path));
	config_release(&c);
	free(path);
}

static void test_load_skips_a_byte_order_mark(void **state)
{
	struct env_fixture *f = *state;
	char *path = ut_join(f->dir, "config");
	struct config c = CONFIG_INIT;
	struct err e = { 0 };
	int wr = -1;

	ut_write_str(path, "\xef\xbb\xbf" "api_key = k\n\xef\xbb\xbf" "x = y\n");
	assert_int_equal(config_load(&c, path, &wr, &e), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(config_get(&c, "api_key"), "k");
	/* only at the start of the file */
	assert_string_equal(config_get(&c, "\xef\xbb\xbf" "x"), "y");
	config_release(&c);
	free(path);
}

#define ENV_TEST(f) cmocka_unit_test_setup_teardown(f, setup_env, teardown_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line_table),
		cmocka_unit_test(test_set_get_overwrite),
		ENV_TEST(test_default_path),
		ENV_TEST(test_save_load_round_trip_private),
		ENV_TEST(test_world_readable_detection),
		ENV_TEST(test_load_skips_a_byte_order_mark),
		ENV_TEST(test_load_missing_is_empty),
		ENV_TEST(test_load_parses_file),
		ENV_TEST(test_load_malformed_line_names_it),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
