/*
 * options.h: everything a command needs to know, resolved once from the
 * command line, the environment and the config file, in that order of
 * precedence (flag > environment > file > default).
 */
#ifndef FA_OPTIONS_H
#define FA_OPTIONS_H

#include <stddef.h>

#include "error.h"

#define DEFAULT_ARCHIVE_DIR "flickr_archive"
#define DEFAULT_API_URL "https://api.flickr.com/services/rest"
#define DEFAULT_OAUTH_URL "https://www.flickr.com/services/oauth"
#define DEFAULT_SEARCH_LIMIT 50

enum options_flags {
	OPT_HELP = 1 << 0,
	OPT_VERSION = 1 << 1,
	OPT_NO_BROWSER = 1 << 2,
	OPT_NO_FAVORITES = 1 << 3,
	OPT_REFRESH = 1 << 4,
	OPT_NO_SITE = 1 << 5,
	OPT_JSON = 1 << 6,
	OPT_PLAN = 1 << 7,
};

#define OPTIONS_DEFAULT_JOBS 16

struct options {
	char *command;            /* NULL when none was given */
	char *archive_dir;
	char *config_path;
	char *api_key;
	char *api_secret;
	char *oauth_token;
	char *oauth_token_secret;
	char *api_url;
	char *oauth_url;
	char *static_url;         /* sync: FLICKR_STATIC_URL, "scheme://host[:port]", or NULL */
	long calls_per_hour;
	int retries;
	long retry_base_ms;
	long timeout_s;
	long jobs;             /* sync: items archived at once */
	long limit;            /* search: most matches shown, 0 = all */
	int verbosity;            /* enum log_level */
	unsigned flags;
	int config_world_readable;
	char **config_unknown_keys; /* keys of the config file that mean nothing, to warn of */
	int n_config_unknown_keys;
	size_t cap_config_unknown_keys;
	char **args;              /* positional arguments after the command */
	int n_args;
};

/*
 * Parses argv (argv[0] is the program) and fills o from flags, the
 * environment and the config file.  FA_EINVAL with a specific message for a
 * bad option or value.
 */
int options_parse(struct options *o, int argc, char **argv, struct err *e);
void options_release(struct options *o);

/* True when the API URL is plain http (a local test server). */
int options_allow_http(const struct options *o);

/*
 * FA_EUSAGE, with the one message every command gives, when no API key and
 * secret were given (options_need_api_key) or, besides, no OAuth token
 * (options_need_token); else 0.
 */
int options_need_api_key(const struct options *o, struct err *e);
int options_need_token(const struct options *o, struct err *e);

/* The complete --help text. */
void options_print_help(void);

#endif
