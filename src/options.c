/*
 * options.c: command line (getopt_long), environment and config file,
 * merged into one struct options.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "options.h"
#include "pace.h"

enum long_only {
	OPT_API_KEY = 1000,
	OPT_API_SECRET,
	OPT_OAUTH_TOKEN,
	OPT_OAUTH_TOKEN_SECRET,
	OPT_CALLS_PER_HOUR,
	OPT_RETRIES,
	OPT_TIMEOUT,
	OPT_JOBS,
	OPT_NO_BROWSER_ID,
	OPT_NO_FAVORITES_ID,
	OPT_REFRESH_ID,
	OPT_NO_SITE_ID,
	OPT_PLAN_ID,
	OPT_JSON_ID,
	OPT_LIMIT,
};

static const struct option long_options[] = {
	{ "archive", required_argument, NULL, 'a' },
	{ "config", required_argument, NULL, 'c' },
	{ "api-key", required_argument, NULL, OPT_API_KEY },
	{ "api-secret", required_argument, NULL, OPT_API_SECRET },
	{ "oauth-token", required_argument, NULL, OPT_OAUTH_TOKEN },
	{ "oauth-token-secret", required_argument, NULL, OPT_OAUTH_TOKEN_SECRET },
	{ "calls-per-hour", required_argument, NULL, OPT_CALLS_PER_HOUR },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "jobs", required_argument, NULL, 'j' },
	{ "no-browser", no_argument, NULL, OPT_NO_BROWSER_ID },
	{ "no-favorites", no_argument, NULL, OPT_NO_FAVORITES_ID },
	{ "refresh", no_argument, NULL, OPT_REFRESH_ID },
	{ "no-site", no_argument, NULL, OPT_NO_SITE_ID },
	{ "plan", no_argument, NULL, OPT_PLAN_ID },
	{ "json", no_argument, NULL, OPT_JSON_ID },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_print_help(void)
{
	fputs(
"usage: flickr-archive [OPTIONS] COMMAND [OPTIONS]\n"
"\n"
"Makes a complete, lasting local archive of a Flickr account: every photo and\n"
"video at original resolution with its title, description, dates, place, tags,\n"
"albums, views, comments, faves, people, notes and EXIF, plus the photos the\n"
"account favorited.\n"
"\n"
"Commands:\n"
"  auth        authorize flickr-archive to read your account (OAuth, read-only);\n"
"              prints a URL to open, asks for the code Flickr shows, and saves\n"
"              the token in the config file\n"
"  sync        archive the account into the archive directory; run it again at\n"
"              any time to resume an interrupted sync or pick up what changed:\n"
"              new photos, comments, faves and edits cost about one API call\n"
"              per 500 unchanged photos; nothing Flickr deleted is ever removed\n"
"              from the archive (it is marked in metadata.json instead); ends by\n"
"              making the site (see 'site')\n"
"  verify      check every archived file against the SHA-256 manifests that\n"
"              sync keeps (manifest-sha256.txt, BagIt's format) and print one\n"
"              line per problem: missing, changed, partial (an item without\n"
"              complete.flag, or a temporary file left by a killed run),\n"
"              unrecorded (a file no manifest lists; a warning only);\n"
"              reads only, needs no network or credentials\n"
"  import ZIP|DIR...\n"
"              read Flickr's own export (\"Your Flickr Data\": the ZIPs as\n"
"              downloaded, or the folders they were unpacked into; any order,\n"
"              any subset at a time) into the archive, without network or\n"
"              credentials: an archived photo whose original Flickr withheld\n"
"              (a free account's 1024 px) gets the export's original, once it\n"
"              proves to be the size Flickr reported (the earlier file kept as\n"
"              replaced-<t>-original.<ext>); an archived original is compared\n"
"              by size and SHA-256 and never overwritten; a photo not yet\n"
"              archived is made from its photo_<id>.json (the next sync\n"
"              completes it); every JSON file is kept under ARCHIVE/export/.\n"
"              Reports damaged ZIP members, what the export lacks against its\n"
"              JSON and what sync archived that the export does not hold\n"
"              (export/import_report.json); ends by making the site\n"
"  site        make or update a website inside the archive to browse it\n"
"              offline, from disk, in any browser (no server, no network):\n"
"              ARCHIVE/index.html opens the photostream; a page per photo with\n"
"              its comments, faves, tags, albums, place and EXIF; albums,\n"
"              favorites, a page per person, and a search box.  Only pages that\n"
"              changed are rewritten, thumbnails only made when missing; prints\n"
"              the path of index.html.  Sync runs it at its end\n"
"  search QUERY\n"
"              find archived items by the words of their title, description,\n"
"              tags, comments (and who wrote them), people (owner, commenters,\n"
"              favers, people in the photo), notes, albums and place; prints\n"
"              one line per item, best match first: id, date, title, and where\n"
"              it matched (\"comment by Jane Doe: ...*word*...\").  Every word\n"
"              must appear; case and accents do not matter (cafe finds Café);\n"
"              word* matches words that begin with word; no other syntax\n"
"              (put -- before a query that begins with '-').\n"
"              Items deleted from Flickr are found too, marked.  Uses the\n"
"              archive's search index, archive.db, which sync keeps current;\n"
"              search builds or updates it first when it is missing or behind\n"
"              (an archive of the original Python tool, say); needs no network\n"
"              or credentials\n"
"  help        show this text\n"
"  version     show the version\n"
"\n"
"Options:\n"
"  -a, --archive DIR          archive directory (default ./" DEFAULT_ARCHIVE_DIR ")\n"
"  -c, --config FILE          config file (default\n"
"                             $XDG_CONFIG_HOME/flickr-archive/config)\n"
"      --api-key KEY          Flickr API key (env FLICKR_API_KEY)\n"
"      --api-secret SECRET    Flickr API secret (env FLICKR_API_SECRET)\n"
"      --oauth-token TOKEN    OAuth access token (env FLICKR_OAUTH_TOKEN)\n"
"      --oauth-token-secret SECRET\n"
"                             OAuth token secret (env FLICKR_OAUTH_TOKEN_SECRET)\n"
"      --calls-per-hour N     API calls allowed in any rolling hour, counted with\n"
"                             every other run that uses the same API key (see\n"
"                             XDG_STATE_HOME; default 3500, under Flickr's 3600;\n"
"                             0 = no pacing, nothing recorded)\n"
"      --retries N            retries of a failed request (429, 5xx, error 105,\n"
"                             network errors) with exponential backoff (default 6)\n"
"      --timeout SECONDS      abandon a connection that sends nothing for this\n"
"                             long (default 60)\n"
"  -j, --jobs N               sync: items archived at once (default 16; API calls\n"
"                             stay within --calls-per-hour whatever N is)\n"
"      --no-favorites         sync: skip the photos the account favorited\n"
"      --refresh              sync: fetch every item's info, comments and faves\n"
"                             again, not only those whose lastupdate or counts\n"
"                             changed (costs about 2 API calls per item)\n"
"      --no-site              sync, import: do not make the site at the end\n"
"      --plan                 sync: list the account (listing calls only) and say\n"
"                             what a sync would do and cost: items new, changed,\n"
"                             unchanged and no longer listed, API calls, time under\n"
"                             the quota, bytes to download (estimated), disk free;\n"
"                             archives nothing\n"
"      --no-browser           auth: do not try to open a web browser\n"
"      --json                 search: print a JSON array of matches (id, section,\n"
"                             path, date, title, status, matched, snippet, where)\n"
"      --limit N              search: show at most N matches (default 50; 0 = all)\n"
"  -q, --quiet                print errors only (verify: problems only)\n"
"  -v, --verbose              print every API call and download (verify:\n"
"                             every file checked)\n"
"  -h, --help                 show this text\n"
"  -V, --version              show the version\n"
"\n"
"Environment:\n"
"  FLICKR_API_KEY, FLICKR_API_SECRET, FLICKR_OAUTH_TOKEN, FLICKR_OAUTH_TOKEN_SECRET\n"
"                             credentials (a flag wins over the environment,\n"
"                             the environment over the config file)\n"
"  FLICKR_API_URL             REST endpoint (default " DEFAULT_API_URL ")\n"
"  FLICKR_OAUTH_URL           OAuth endpoint base (default\n"
"                             " DEFAULT_OAUTH_URL ")\n"
"  FLICKR_STATIC_URL          scheme://host[:port] to fetch buddy icons from\n"
"                             instead of Flickr's static hosts (tests; http\n"
"                             only when FLICKR_API_URL is http too)\n"
"  FLICKR_ARCHIVE_RETRY_BASE_MS\n"
"                             first backoff delay in ms (default 2000; tests)\n"
"  XDG_STATE_HOME             sync records the times of its API calls, per API\n"
"                             key (named by its SHA-256, nothing secret), in\n"
"                             $XDG_STATE_HOME/flickr-archive (default\n"
"                             ~/.local/state/flickr-archive)\n"
"\n"
"Exit status:\n"
"  0    done: sync archived everything, verify found every file as its\n"
"       manifest says, site made the site, search matched something\n"
"  1    done, but something is missing: sync left items that failed, lack a\n"
"       part or an original Flickr offered but refused, or a listing short\n"
"       (listed and retried on the next run), or met an avatars folder that\n"
"       is a symbolic link (never followed); verify found a problem; search\n"
"       matched nothing; import met a damaged ZIP member, a file that failed\n"
"       its check or differs from the archived original, photos its JSON\n"
"       lists without media, or media no JSON names\n"
"  2    usage: an unknown option or a bad value, a config file named with -c\n"
"       that does not exist, no API key (auth, sync) or not authorized yet\n"
"       (sync), no code entered (auth), a query with nothing to search for,\n"
"       import without a ZIP or folder\n"
"  3    could not run or had to stop: credentials Flickr refused, no archive,\n"
"       another flickr-archive working on it, a full disk, Flickr unreachable,\n"
"       a folder import writes into (my_photos, favorited_photos,\n"
"       gallery_photos, export, the media kept aside) that is a symbolic link\n"
"  130  interrupted (Ctrl-C)\n"
"The same failure exits the same way in every command.  A sync whose site\n"
"fails warns and keeps its status.\n"
"\n"
"Secrets given as flags are visible to other users of this machine (ps);\n"
"prefer the environment or the config file that 'auth' writes.\n",
	stdout);
}

static int set_str(char **dst, const char *src)
{
	char *v;

	if (!src)
		return 0;
	v = strdup(src);
	if (!v)
		return FA_ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return FA_EINVAL;
	*ret = v;
	return 0;
}

/* Values from the environment, then the config file, fill what flags left unset. */
static int fill_from(struct options *o, const char *(*get)(void *, const char *),
		     void *ud, const char *const *keys)
{
	char **slots[] = { &o->api_key, &o->api_secret, &o->oauth_token,
			   &o->oauth_token_secret, &o->api_url, &o->oauth_url };
	int r = 0;

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]) && r == 0; i++) {
		const char *v = keys[i] ? get(ud, keys[i]) : NULL;

		if (!*slots[i] && v && *v)
			r = set_str(slots[i], v);
	}
	return r;
}

static const char *env_get(void *ud, const char *key)
{
	(void)ud;
	return getenv(key);
}

static const char *cfg_get(void *ud, const char *key)
{
	return config_get(ud, key);
}

static const char *const file_keys[] = {
	"api_key", "api_secret", "oauth_token", "oauth_token_secret",
	"api_url", "oauth_url",
};

/* The keys a config file may hold: those read here, and those 'auth' writes for the user. */
static int is_config_key(const char *key)
{
	static const char *const others[] = { "calls_per_hour", "user_nsid", "username" };

	for (size_t i = 0; i < sizeof(file_keys) / sizeof(file_keys[0]); i++)
		if (!strcmp(key, file_keys[i]))
			return 1;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!strcmp(key, others[i]))
			return 1;
	return 0;
}

/* Notes the keys that mean nothing (a typo would otherwise be ignored silently). */
static int note_unknown_keys(struct options *o, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		char **v;

		if (is_config_key(cfg->v[i].key))
			continue;
		if (ALLOC_GROW(o->config_unknown_keys, (size_t)o->n_config_unknown_keys + 1,
			       o->cap_config_unknown_keys) < 0)
			return FA_ENOMEM;
		v = o->config_unknown_keys;
		v[o->n_config_unknown_keys] = strdup(cfg->v[i].key);
		if (!v[o->n_config_unknown_keys])
			return FA_ENOMEM;
		o->n_config_unknown_keys++;
	}
	return 0;
}

/* The config file named by -c must exist, but for 'auth', which writes it. */
static int check_named_config(const struct options *o, struct err *e)
{
	if (o->command && !strcmp(o->command, "auth"))
		return 0;
	if (access(o->config_path, F_OK) < 0 && errno == ENOENT)
		return err_set(e, FA_EINVAL, "config file '%s' does not exist (see --config)",
			       o->config_path);
	return 0;
}

static int apply_config_file(struct options *o, long *ret_calls, struct err *e)
{
	static const char *const env_keys[] = {
		"FLICKR_API_KEY", "FLICKR_API_SECRET", "FLICKR_OAUTH_TOKEN",
		"FLICKR_OAUTH_TOKEN_SECRET", "FLICKR_API_URL", "FLICKR_OAUTH_URL",
	};
	struct config cfg = CONFIG_INIT;
	const char *v;
	int r;

	r = fill_from(o, env_get, NULL, env_keys);
	if (r < 0)
		return err_set(e, r, "out of memory");
	if (o->config_path && check_named_config(o, e) < 0)
		return FA_EINVAL;
	if (!o->config_path) {
		o->config_path = config_default_path();
		if (!o->config_path)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	r = config_load(&cfg, o->config_path, &o->config_world_readable, e);
	if (r < 0)
		goto cleanup;
	r = fill_from(o, cfg_get, &cfg, file_keys);
	if (r == 0)
		r = note_unknown_keys(o, &cfg);
	if (r < 0) {
		r = err_set(e, r, "out of memory");
		goto cleanup;
	}
	v = config_get(&cfg, "calls_per_hour");
	if (v && *ret_calls < 0 && parse_long(v, 0, 1000000, ret_calls) < 0)
		r = err_set(e, FA_EINVAL, "'%s': calls_per_hour must be a number", o->config_path);
cleanup:
	config_release(&cfg);
	return r;
}

static int parse_flag(struct options *o, int c, const char *arg, long *calls, struct err *e)
{
	long v;

	switch (c) {
	case 'a': return set_str(&o->archive_dir, arg);
	case 'c': return set_str(&o->config_path, arg);
	case OPT_API_KEY: return set_str(&o->api_key, arg);
	case OPT_API_SECRET: return set_str(&o->api_secret, arg);
	case OPT_OAUTH_TOKEN: return set_str(&o->oauth_token, arg);
	case OPT_OAUTH_TOKEN_SECRET: return set_str(&o->oauth_token_secret, arg);
	case OPT_CALLS_PER_HOUR:
		if (parse_long(arg, 0, 1000000, calls) < 0)
			return err_set(e, FA_EINVAL, "--calls-per-hour: '%s' is not a number from 0 to 1000000", arg);
		return 0;
	case OPT_RETRIES:
		if (parse_long(arg, 0, 100, &v) < 0)
			return err_set(e, FA_EINVAL, "--retries: '%s' is not a number from 0 to 100", arg);
		o->retries = (int)v;
		return 0;
	case 'j':
		if (parse_long(arg, 1, 64, &o->jobs) < 0)
			return err_set(e, FA_EINVAL, "--jobs: '%s' is not a number from 1 to 64", arg);
		return 0;
	case OPT_TIMEOUT:
		if (parse_long(arg, 1, 86400, &v) < 0)
			return err_set(e, FA_EINVAL, "--timeout: '%s' is not a number of seconds", arg);
		o->timeout_s = v;
		return 0;
	case OPT_NO_BROWSER_ID: o->flags |= OPT_NO_BROWSER; return 0;
	case OPT_NO_FAVORITES_ID: o->flags |= OPT_NO_FAVORITES; return 0;
	case OPT_REFRESH_ID: o->flags |= OPT_REFRESH; return 0;
	case OPT_NO_SITE_ID: o->flags |= OPT_NO_SITE; return 0;
	case OPT_PLAN_ID: o->flags |= OPT_PLAN; return 0;
	case OPT_JSON_ID: o->flags |= OPT_JSON; return 0;
	case OPT_LIMIT:
		if (parse_long(arg, 0, 1000000000, &v) < 0)
			return err_set(e, FA_EINVAL, "--limit: '%s' is not a number (0 = no limit)", arg);
		o->limit = v;
		return 0;
	case 'q': o->verbosity = LOG_QUIET; return 0;
	case 'v': o->verbosity = LOG_VERBOSE; return 0;
	case 'h': o->flags |= OPT_HELP; return 0;
	case 'V': o->flags |= OPT_VERSION; return 0;
	default: return err_set(e, FA_EINVAL, "unknown option (see 'flickr-archive --help')");
	}
}

static int parse_argv(struct options *o, int argc, char **argv, long *calls, struct err *e)
{
	int c, r;

	opterr = 0;
#ifdef __GLIBC__
	optind = 0; /* also forgets a half-read cluster like "-xq" */
#else
	optind = 1;
#endif
	/* getopt_long permutes: options may come before or after the command */
	while ((c = getopt_long(argc, argv, ":a:c:j:qvhV", long_options, NULL)) != -1) {
		if (c == '?' && optopt && optopt < 256)
			return err_set(e, FA_EINVAL, "unknown option '-%c' (see 'flickr-archive --help')",
				       optopt);
		if (c == '?')
			return err_set(e, FA_EINVAL, "unknown option '%s' (see 'flickr-archive --help')",
				       argv[optind - 1]);
		if (c == ':' && strncmp(argv[optind - 1], "--", 2) && optopt && optopt < 256)
			return err_set(e, FA_EINVAL, "option '-%c' needs a value", optopt);
		if (c == ':')
			return err_set(e, FA_EINVAL, "option '%s' needs a value", argv[optind - 1]);
		r = parse_flag(o, c, optarg, calls, e);
		if (r == FA_ENOMEM)
			return err_set(e, r, "out of memory");
		if (r < 0)
			return r;
	}
	if (optind < argc && set_str(&o->command, argv[optind++]) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	o->args = argv + optind;
	o->n_args = argc - optind;
	return 0;
}

/* "http(s)://host[:port]" with an optional final "/", which is dropped. */
static int parse_origin(const char *url, char **ret)
{
	const char *host, *p;
	size_t len;

	if (!strncasecmp(url, "http://", 7))
		host = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		host = url + 8;
	else
		return FA_EINVAL;
	p = host;
	if (*p == '[') { /* an IPv6 literal */
		while (isxdigit((unsigned char)*++p) || *p == ':' || *p == '.')
			;
		if (*p++ != ']' || p - host < 4)
			return FA_EINVAL;
	} else {
		while (isalnum((unsigned char)*p) || *p == '.' || *p == '-')
			p++;
		if (p == host)
			return FA_EINVAL;
	}
	if (*p == ':') {
		const char *digits = ++p;

		while (isdigit((unsigned char)*p))
			p++;
		if (p == digits || p - digits > 5)
			return FA_EINVAL;
	}
	len = (size_t)(p - url);
	if (*p == '/')
		p++;
	if (*p)
		return FA_EINVAL;
	*ret = strndup(url, len);
	return *ret ? 0 : FA_ENOMEM;
}

/* FLICKR_STATIC_URL, for the command that fetches what it names (verify must not care). */
static int apply_static_url(struct options *o, struct err *e)
{
	const char *v = getenv("FLICKR_STATIC_URL");
	int r;

	if (!v || !*v || !o->command || strcmp(o->command, "sync"))
		return 0;
	r = parse_origin(v, &o->static_url);
	if (r == FA_ENOMEM)
		return err_set(e, r, "out of memory");
	if (r < 0)
		return err_set(e, r, "FLICKR_STATIC_URL must be http(s)://HOST[:PORT], not '%s'", v);
	/* no plain http behind the user's back: only beside a plain-http test API */
	if (!strncasecmp(o->static_url, "http://", 7) && !options_allow_http(o))
		return err_set(e, FA_EINVAL, "FLICKR_STATIC_URL may be http only when "
			       "FLICKR_API_URL is http too (a local test server)");
	return 0;
}

int options_parse(struct options *o, int argc, char **argv, struct err *e)
{
	const char *base_ms = getenv("FLICKR_ARCHIVE_RETRY_BASE_MS");
	long calls = -1;
	int r;

	memset(o, 0, sizeof(*o));
	o->retries = RETRY_DEFAULT_MAX;
	o->retry_base_ms = RETRY_DEFAULT_BASE_MS;
	o->timeout_s = 60;
	o->jobs = OPTIONS_DEFAULT_JOBS;
	o->limit = DEFAULT_SEARCH_LIMIT;
	o->verbosity = LOG_NORMAL;
	r = parse_argv(o, argc, argv, &calls, e);
	if (r < 0)
		return r;
	if (o->flags & (OPT_HELP | OPT_VERSION))
		return 0;
	r = apply_config_file(o, &calls, e);
	if (r < 0)
		return r;
	o->calls_per_hour = calls >= 0 ? calls : PACE_DEFAULT_CALLS_PER_HOUR;
	if (base_ms && *base_ms && parse_long(base_ms, 0, 3600000, &o->retry_base_ms) < 0)
		return err_set(e, FA_EINVAL, "FLICKR_ARCHIVE_RETRY_BASE_MS must be a number of milliseconds");
	if (!o->archive_dir && set_str(&o->archive_dir, DEFAULT_ARCHIVE_DIR) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (!o->api_url && set_str(&o->api_url, DEFAULT_API_URL) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (!o->oauth_url && set_str(&o->oauth_url, DEFAULT_OAUTH_URL) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = apply_static_url(o, e);
	if (r < 0)
		return r;
	log_add_secret(o->api_secret);
	log_add_secret(o->oauth_token_secret);
	log_add_secret(o->oauth_token);
	return 0;
}

static void free_secret(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

void options_release(struct options *o)
{
	free(o->command);
	free(o->archive_dir);
	free(o->config_path);
	for (int i = 0; i < o->n_config_unknown_keys; i++)
		free(o->config_unknown_keys[i]);
	free(o->config_unknown_keys);
	free(o->api_key);
	free_secret(o->api_secret);
	free_secret(o->oauth_token);
	free_secret(o->oauth_token_secret);
	free(o->api_url);
	free(o->oauth_url);
	free(o->static_url);
	memset(o, 0, sizeof(*o));
}

int options_need_api_key(const struct options *o, struct err *e)
{
	if (!o->api_key || !o->api_secret)
		return err_set(e, FA_EUSAGE, "no Flickr API key: set FLICKR_API_KEY and "
			       "FLICKR_API_SECRET or pass --api-key and --api-secret (get a key at "
			       "https://www.flickr.com/services/apps/create/)");
	return 0;
}

int options_need_token(const struct options *o, struct err *e)
{
	int r = options_need_api_key(o, e);

	if (r == 0 && (!o->oauth_token || !o->oauth_token_secret))
		r = err_set(e, FA_EUSAGE, "not authorized yet: run 'flickr-archive auth' first");
	return r;
}

int options_allow_http(const struct options *o)
{
	return o->api_url && !strncasecmp(o->api_url, "http://", 7);
}
