/*
 * test_options.c: flags > environment > config file > defaults, and the
 * errors for bad command lines.  Every test runs with XDG_CONFIG_HOME set to
 * a fresh temporary directory and the FLICKR_* variables cleared.
 */
#include "unit.h"

#include "config.h"
#include "http.h"
#include "log.h"
#include "options.h"
#include "pace.h"

static const char *const env_names[] = {
	"FLICKR_API_KEY", "FLICKR_API_SECRET", "FLICKR_OAUTH_TOKEN",
	"FLICKR_OAUTH_TOKEN_SECRET", "FLICKR_API_URL", "FLICKR_OAUTH_URL",
	"FLICKR_ARCHIVE_RETRY_BASE_MS", "FLICKR_STATIC_URL", "XDG_CONFIG_HOME",
};

struct fixture {
	char *dir;          /* XDG_CONFIG_HOME */
	char *config_path;  /* dir/flickr-archive/config (not created) */
	char *saved[N_ELEMS(env_names)];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	for (size_t i = 0; i < N_ELEMS(env_names); i++) {
		const char *v = getenv(env_names[i]);

		f->saved[i] = v ? strdup(v) : NULL;
		unsetenv(env_names[i]);
	}
	f->dir = ut_mkdtemp();
	f->config_path = ut_join(f->dir, "flickr-archive/config");
	setenv("XDG_CONFIG_HOME", f->dir, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < N_ELEMS(env_names); i++) {
		if (f->saved[i])
			setenv(env_names[i], f->saved[i], 1);
		else
			unsetenv(env_names[i]);
		free(f->saved[i]);
	}
	ut_rm_rf(f->dir);
	free(f->dir);
	free(f->config_path);
	free(f);
	return 0;
}

static void write_config(const struct fixture *f, const char *text)
{
	char *app = ut_join(f->dir, "flickr-archive");

	mkdir(app, 0700);
	ut_write_str(f->config_path, text);
	assert_int_equal(chmod(f->config_path, 0600), 0);
	free(app);
}

/* argv storage that outlives the parse (o->args points into it) */
struct argv_buf {
	char *v[32];
	int n;
};

/* args: NULL-terminated, without the program name. */
static int parse(struct options *o, struct err *e, struct argv_buf *a, const char *const *args)
{
	a->n = 0;
	a->v[a->n++] = (char *)"flickr-archive";
	for (size_t i = 0; args[i]; i++) {
		assert_true(a->n < 31);
		a->v[a->n++] = (char *)args[i];
	}
	a->v[a->n] = NULL;
	memset(e, 0, sizeof(*e));
	return options_parse(o, a->n, a->v, e);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- defaults ----------------------------------------------------------- */

static void test_defaults(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_string_equal(o.command, "sync");
	assert_int_equal(o.n_args, 0);
	assert_string_equal(o.archive_dir, "flickr_archive");
	assert_string_equal(o.archive_dir, DEFAULT_ARCHIVE_DIR);
	assert_string_equal(o.api_url, "https://api.flickr.com/services/rest");
	assert_string_equal(o.oauth_url, "https://www.flickr.com/services/oauth");
	assert_string_equal(o.config_path, f->config_path);
	assert_int_equal(o.calls_per_hour, 3500);
	assert_int_equal(o.retries, RETRY_DEFAULT_MAX);
	assert_int_equal(o.retry_base_ms, RETRY_DEFAULT_BASE_MS);
	assert_int_equal(o.timeout_s, 60);
	assert_int_equal(o.verbosity, LOG_NORMAL);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.config_world_readable, 0);
	assert_null(o.api_key);
	assert_null(o.api_secret);
	assert_null(o.oauth_token);
	assert_null(o.oauth_token_secret);
	assert_false(options_allow_http(&o));
	options_release(&o);
}

static void test_no_command(void **state)
{
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	a.v[0] = (char *)"flickr-archive";
	a.v[1] = NULL;
	assert_int_equal(options_parse(&o, 1, a.v, &e), 0);
	assert_null(o.command);
	assert_int_equal(o.n_args, 0);
	options_release(&o);
}

/* ---- precedence --------------------------------------------------------- */

struct cred {
	const char *flag;
	const char *env;
	const char *file_key;
	size_t offset;
};

static const struct cred creds[] = {
	{ "--api-key", "FLICKR_API_KEY", "api_key", offsetof(struct options, api_key) },
	{ "--api-secret", "FLICKR_API_SECRET", "api_secret", offsetof(struct options, api_secret) },
	{ "--oauth-token", "FLICKR_OAUTH_TOKEN", "oauth_token", offsetof(struct options, oauth_token) },
	{ "--oauth-token-secret", "FLICKR_OAUTH_TOKEN_SECRET", "oauth_token_secret",
	  offsetof(struct options, oauth_token_secret) },
	{ NULL, "FLICKR_API_URL", "api_url", offsetof(struct options, api_url) },
	{ NULL, "FLICKR_OAUTH_URL", "oauth_url", offsetof(struct options, oauth_url) },
};

struct source_case {
	int flag, env, file;
	const char *expect; /* NULL: the default */
};

static const struct source_case source_cases[] = {
	{ 1, 1, 1, "from-flag" },
	{ 1, 0, 1, "from-flag" },
	{ 1, 1, 0, "from-flag" },
	{ 0, 1, 1, "from-env" },
	{ 0, 1, 0, "from-env" },
	{ 0, 0, 1, "from-file" },
	{ 0, 0, 0, NULL },
	{ -1, 0, 0, NULL },
};

static void test_precedence_flag_env_file(void **state)
{
	struct fixture *f = *state;

	for (size_t k = 0; k < N_ELEMS(creds); k++) {
		const struct cred *c = &creds[k];

		for (const struct source_case *s = source_cases; s->flag >= 0; s++) {
			struct options o;
			struct err e;
			struct argv_buf a;
			const char *args[4] = { "sync", NULL, NULL, NULL };
			char text[128];
			const char *got;

			if (s->flag && !c->flag)
				continue;
			print_message("%s flag=%d env=%d file=%d\n", c->env, s->flag, s->env, s->file);
			if (s->flag) {
				args[1] = c->flag;
				args[2] = "from-flag";
			}
			if (s->env)
				setenv(c->env, "from-env", 1);
			else
				unsetenv(c->env);
			snprintf(text, sizeof(text), "# test\n%s = %s\n", s->file ? c->file_key : "other",
				 "from-file");
			write_config(f, text);

			assert_int_equal(parse(&o, &e, &a, args), 0);
			got = *(char **)((char *)&o + c->offset);
			if (s->expect) {
				assert_string_equal(got, s->expect);
			} else if (!strcmp(c->file_key, "api_url")) {
				assert_string_equal(got, DEFAULT_API_URL);
			} else if (!strcmp(c->file_key, "oauth_url")) {
				assert_string_equal(got, DEFAULT_OAUTH_URL);
			} else {
				assert_null(got);
			}
			options_release(&o);
			unsetenv(c->env);
		}
	}
}

static void test_empty_env_does_not_hide_file(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "api_key = from-file\n");
	setenv("FLICKR_API_KEY", "", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_string_equal(o.api_key, "from-file");
	options_release(&o);
}

static void test_calls_per_hour_sources(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "calls_per_hour = 100\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_int_equal(o.calls_per_hour, 100);
	options_release(&o);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync", "--calls-per-hour", "50")), 0);
	assert_int_equal(o.calls_per_hour, 50);
	options_release(&o);
	assert_int_equal(parse(&o, &e, &a, ARGS("--calls-per-hour=0", "sync")), 0);
	assert_int_equal(o.calls_per_hour, 0); /* 0: no pacing */
	options_release(&o);
}

static void test_bad_calls_per_hour_in_file(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "calls_per_hour = lots\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
	assert_non_null(strstr(e.msg, "calls_per_hour"));
	options_release(&o);
}

static void test_explicit_config_path(void **state)
{
	struct fixture *f = *state;
	char *other = ut_join(f->dir, "other.conf");
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "api_key = default-file\n");
	ut_write_str(other, "api_key = other-file\n");
	assert_int_equal(chmod(other, 0600), 0);
	assert_int_equal(parse(&o, &e, &a, ARGS("--config", other, "sync")), 0);
	assert_string_equal(o.config_path, other);
	assert_string_equal(o.api_key, "other-file");
	options_release(&o);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync", "-c", other)), 0);
	assert_string_equal(o.api_key, "other-file");
	options_release(&o);
	free(other);
}

static void test_missing_named_config_is_an_error(void **state)
{
	struct fixture *f = *state;
	char *missing = ut_join(f->dir, "missing.conf");
	struct options o;
	struct err e;
	struct argv_buf a;

	assert_int_equal(parse(&o, &e, &a, ARGS("sync", "-c", missing)), FA_EINVAL);
	assert_non_null(strstr(e.msg, missing));
	assert_non_null(strstr(e.msg, "does not exist"));
	options_release(&o);
	/* auth writes it */
	assert_int_equal(parse(&o, &e, &a, ARGS("auth", "-c", missing)), 0);
	assert_string_equal(o.config_path, missing);
	options_release(&o);
	/* the default one may be missing: nothing configured yet */
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	options_release(&o);
	free(missing);
}

static void test_unknown_config_keys_are_noted(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "\xef\xbb\xbf"
			"api_key = k\napi_secert = s\nuser_nsid = 1@N01\nusername = u\n"
			"calls_per_hour = 10\noauth_url = https://x\ncolour = blue\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	/* the key after the byte-order mark is known */
	assert_string_equal(o.api_key, "k");
	assert_int_equal(o.n_config_unknown_keys, 2);
	assert_string_equal(o.config_unknown_keys[0], "api_secert");
	assert_string_equal(o.config_unknown_keys[1], "colour");
	options_release(&o);
	write_config(f, "api_key = k\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_int_equal(o.n_config_unknown_keys, 0);
	options_release(&o);
}

static void test_world_readable_config_is_reported(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "api_key = k\n");
	assert_int_equal(chmod(f->config_path, 0644), 0);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_int_equal(o.config_world_readable, 1);
	options_release(&o);
}

static void test_malformed_config_file(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "api_key k\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
	assert_non_null(strstr(e.msg, "line 1"));
	options_release(&o);
}

/* ---- errors ------------------------------------------------------------- */

struct bad_case {
	const char *args[4];
	const char *in_msg; /* the message must name the option */
};

static const struct bad_case bad_cases[] = {
	{ { "--calls-per-hour", "abc", "sync" }, "--calls-per-hour" },
	{ { "--calls-per-hour", "12x", "sync" }, "--calls-per-hour" },
	{ { "--calls-per-hour=", "sync" }, "--calls-per-hour" },
	{ { "--calls-per-hour", "-1", "sync" }, "--calls-per-hour" },
	{ { "--calls-per-hour", "1000001", "sync" }, "--calls-per-hour" },
	{ { "--retries", "-1", "sync" }, "--retries" },
	{ { "--retries", "101", "sync" }, "--retries" },
	{ { "--retries", "two", "sync" }, "--retries" },
	{ { "--timeout", "0", "sync" }, "--timeout" },
	{ { "--timeout", "abc", "sync" }, "--timeout" },
	{ { "sync", "--bogus" }, "--bogus" },
	{ { "-x", "sync" }, "-x" },
	{ { "sync", "--archive" }, "--archive" },   /* missing value */
	{ { "sync", "-a" }, "-a" },
	{ { "--no-browser=yes", "sync" }, "--no-browser" },
	{ { NULL }, NULL },
};

static void test_bad_values_name_the_option(void **state)
{
	(void)state;
	for (const struct bad_case *c = bad_cases; c->args[0]; c++) {
		struct options o;
		struct err e;
		struct argv_buf a;
		int r = parse(&o, &e, &a, c->args);

		print_message("%s %s -> %d '%s'\n", c->args[0], c->args[1] ? c->args[1] : "", r, e.msg);
		assert_int_equal(r, FA_EINVAL);
		assert_int_equal(e.code, FA_EINVAL);
		assert_non_null(strstr(e.msg, c->in_msg));
		options_release(&o);
	}
}

static void test_unknown_option_in_a_cluster(void **state)
{
	/* An unknown option inside a cluster ("-xq") is named in the message, and
	 * a later parse does not resume inside the old argv (found by this test). */
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	assert_int_equal(parse(&o, &e, &a, ARGS("-xq", "sync")), FA_EINVAL);
	assert_null(strstr(e.msg, "flickr-archive'"));
	assert_non_null(strstr(e.msg, "-x"));
	options_release(&o);
}

/* ---- commands, positional arguments and flags --------------------------- */

static void test_command_and_positional_args(void **state)
{
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	/* options may come before or after the command */
	assert_int_equal(parse(&o, &e, &a, ARGS("-v", "sync", "extra1", "--archive", "/tmp/arch",
						"extra2", "--no-favorites")), 0);
	assert_string_equal(o.command, "sync");
	assert_int_equal(o.n_args, 2);
	assert_string_equal(o.args[0], "extra1");
	assert_string_equal(o.args[1], "extra2");
	assert_string_equal(o.archive_dir, "/tmp/arch");
	assert_int_equal(o.verbosity, LOG_VERBOSE);
	assert_true(o.flags & OPT_NO_FAVORITES);
	assert_false(o.flags & OPT_NO_BROWSER);
	options_release(&o);

	/* after "--" everything is positional */
	assert_int_equal(parse(&o, &e, &a, ARGS("auth", "--", "--not-an-option")), 0);
	assert_string_equal(o.command, "auth");
	assert_int_equal(o.n_args, 1);
	assert_string_equal(o.args[0], "--not-an-option");
	options_release(&o);
}

struct flag_case {
	const char *args[4];
	unsigned flags;
	int verbosity;
};

static const struct flag_case flag_cases[] = {
	{ { "auth", "--no-browser" }, OPT_NO_BROWSER, LOG_NORMAL },
	{ { "sync", "--no-favorites", "-q" }, OPT_NO_FAVORITES, LOG_QUIET },
	{ { "sync", "--quiet" }, 0, LOG_QUIET },
	{ { "sync", "--verbose" }, 0, LOG_VERBOSE },
	{ { "--help" }, OPT_HELP, LOG_NORMAL },
	{ { "-h" }, OPT_HELP, LOG_NORMAL },
	{ { "--version" }, OPT_VERSION, LOG_NORMAL },
	{ { "-V" }, OPT_VERSION, LOG_NORMAL },
	{ { NULL }, 0, 0 },
};

static void test_flags_table(void **state)
{
	(void)state;
	for (const struct flag_case *c = flag_cases; c->args[0]; c++) {
		struct options o;
		struct err e;
		struct argv_buf a;

		print_message("%s %s\n", c->args[0], c->args[1] ? c->args[1] : "");
		assert_int_equal(parse(&o, &e, &a, c->args), 0);
		assert_int_equal(o.flags, c->flags);
		assert_int_equal(o.verbosity, c->verbosity);
		options_release(&o);
	}
}

static void test_help_ignores_a_broken_config(void **state)
{
	struct fixture *f = *state;
	struct options o;
	struct err e;
	struct argv_buf a;

	write_config(f, "this is not a config line\n");
	assert_int_equal(parse(&o, &e, &a, ARGS("--help")), 0);
	assert_true(o.flags & OPT_HELP);
	options_release(&o);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
	options_release(&o);
}

static void test_numeric_flags(void **state)
{
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	assert_int_equal(parse(&o, &e, &a, ARGS("sync", "--retries", "0", "--timeout", "5")), 0);
	assert_int_equal(o.retries, 0);
	assert_int_equal(o.timeout_s, 5);
	options_release(&o);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync", "--retries=100", "--timeout=86400")), 0);
	assert_int_equal(o.retries, 100);
	assert_int_equal(o.timeout_s, 86400);
	options_release(&o);
}

static void test_retry_base_from_env(void **state)
{
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	setenv("FLICKR_ARCHIVE_RETRY_BASE_MS", "50", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_int_equal(o.retry_base_ms, 50);
	options_release(&o);
	setenv("FLICKR_ARCHIVE_RETRY_BASE_MS", "soon", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
	assert_non_null(strstr(e.msg, "FLICKR_ARCHIVE_RETRY_BASE_MS"));
	options_release(&o);
}

static void test_allow_http(void **state)
{
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	setenv("FLICKR_API_URL", "http://127.0.0.1:8080/services/rest", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_true(options_allow_http(&o));
	options_release(&o);
	setenv("FLICKR_API_URL", "HTTP://127.0.0.1:8080/services/rest", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_true(options_allow_http(&o));
	options_release(&o);
	setenv("FLICKR_API_URL", "https://api.flickr.com/services/rest", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_false(options_allow_http(&o));
	options_release(&o);
}

/* ---- FLICKR_STATIC_URL ---------------------------------------------------- */

static void test_static_url(void **state)
{
	static const struct {
		const char *value;
		const char *stored; /* NULL: refused */
	} cases[] = {
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
		{ "http://127.0.0.1:8080/", "http://127.0.0.1:8080" },
		{ "HTTP://localhost", "HTTP://localhost" },
		{ "https://static.example.org:443", "https://static.example.org:443" },
		{ "http://[::1]:9000/", "http://[::1]:9000" },
		{ "ftp://127.0.0.1", NULL },
		{ "127.0.0.1:8080", NULL },
		{ "http://", NULL },
		{ "http://127.0.0.1:8080/static", NULL },
		{ "http://127.0.0.1:8080//", NULL },
		{ "http://user@127.0.0.1", NULL },
		{ "http://127.0.0.1:", NULL },
		{ "http://127.0.0.1:123456", NULL },
		{ "http://127.0.0.1?x=1", NULL },
		{ "http://[]:80", NULL },
		{ "http://a b", NULL },
	};
	struct options o;
	struct err e;
	struct argv_buf a;

	(void)state;
	setenv("FLICKR_API_URL", "http://127.0.0.1:8080/services/rest", 1);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		setenv("FLICKR_STATIC_URL", cases[i].value, 1);
		if (cases[i].stored) {
			assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
			assert_string_equal(o.static_url, cases[i].stored);
		} else {
			assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
			assert_non_null(strstr(e.msg, "FLICKR_STATIC_URL must be"));
		}
		options_release(&o);
	}
	/* unset or empty: none */
	setenv("FLICKR_STATIC_URL", "", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_null(o.static_url);
	options_release(&o);
	/* plain http only beside a plain-http API */
	setenv("FLICKR_STATIC_URL", "http://127.0.0.1:8080", 1);
	setenv("FLICKR_API_URL", "https://api.flickr.com/services/rest", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), FA_EINVAL);
	assert_non_null(strstr(e.msg, "http only when FLICKR_API_URL is http"));
	options_release(&o);
	setenv("FLICKR_STATIC_URL", "https://127.0.0.1:8443", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("sync")), 0);
	assert_string_equal(o.static_url, "https://127.0.0.1:8443");
	options_release(&o);
	/* only sync fetches what it names: verify and auth do not care */
	setenv("FLICKR_STATIC_URL", "ftp://nonsense", 1);
	assert_int_equal(parse(&o, &e, &a, ARGS("verify")), 0);
	assert_null(o.static_url);
	options_release(&o);
}

static void test_static_url_for(void **state)
{
	static const char *const icon =
		"https://farm8.staticflickr.com/7372/buddyicons/48600090482@N01.jpg";
	struct options o;
	char *url;

	(void)state;
	memset(&o, 0, sizeof(o));
	url = http_url_on_host(o.static_url, icon);
	assert_string_equal(url, icon);
	free(url);
	o.static_url = (char *)"http://127.0.0.1:8080";
	url = http_url_on_host(o.static_url, icon);
	assert_string_equal(url, "http://127.0.0.1:8080/7372/buddyicons/48600090482@N01.jpg");
	free(url);
	url = http_url_on_host(o.static_url, "https://www.flickr.com");
	assert_string_equal(url, "http://127.0.0.1:8080");
	free(url);
	url = http_url_on_host(o.static_url, "no scheme/x");
	assert_string_equal(url, "no scheme/x");
	free(url);
}

#define FIX_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIX_TEST(test_defaults),
		FIX_TEST(test_no_command),
		FIX_TEST(test_precedence_flag_env_file),
		FIX_TEST(test_empty_env_does_not_hide_file),
		FIX_TEST(test_calls_per_hour_sources),
		FIX_TEST(test_bad_calls_per_hour_in_file),
		FIX_TEST(test_explicit_config_path),
		FIX_TEST(test_world_readable_config_is_reported),
		FIX_TEST(test_missing_named_config_is_an_error),
		FIX_TEST(test_unknown_config_keys_are_noted),
		FIX_TEST(test_malformed_config_file),
		FIX_TEST(test_bad_values_name_the_option),
		FIX_TEST(test_unknown_option_in_a_cluster),
		FIX_TEST(test_command_and_positional_args),
		FIX_TEST(test_flags_table),
		FIX_TEST(test_help_ignores_a_broken_config),
		FIX_TEST(test_numeric_flags),
		FIX_TEST(test_retry_base_from_env),
		FIX_TEST(test_allow_http),
		FIX_TEST(test_static_url),
		FIX_TEST(test_static_url_for),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
