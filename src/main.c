/*
 * main.c: the command table.  Parses options, sets up signals and libcurl,
 * runs one command and turns its result into the exit status.
 */
#include <signal.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "fa_build.h"
#include "http.h"
#include "import.h"
#include "log.h"
#include "options.h"
#include "search.h"
#include "site.h"
#include "sync.h"
#include "verify.h"

static int cmd_help(const struct options *o)
{
	options_print_help();
	return EXIT_OK;
}

static int cmd_version(const struct options *o)
{
	printf("flickr-archive %s (%s)\n", FA_VERSION, http_library_version());
	return EXIT_OK;
}

static const struct command {
	const char *name;
	int (*fn)(const struct options *o);
	int takes_args; /* positional arguments after the command (a search query) */
} commands[] = {
	{ "auth", cmd_auth, 0 },
	{ "sync", cmd_sync, 0 },
	{ "verify", cmd_verify, 0 },
	{ "import", cmd_import, 1 },
	{ "site", cmd_site, 0 },
	{ "search", cmd_search, 1 },
	{ "help", cmd_help, 0 },
	{ "version", cmd_version, 0 },
};

static void on_stop_signal(int sig)
{
	clock_request_stop();
	/* a second Ctrl-C ends the process at once */
	signal(sig, SIG_DFL);
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * glibc gives each thread that allocates its own arena, up to 8 per CPU, and
 * each keeps what it once held: the site's thumbnail threads (and libvips'
 * own) cost a few megabytes that way.  Two arenas (the main thread's and one
 * for all others) keep the peak down; the threads spend their time decoding.
 */
static void limit_malloc_arenas(void)
{
#ifdef __GLIBC__
	mallopt(M_ARENA_MAX, 2);
#endif
}

/* A key of the config file that means nothing is most likely a typo. */
static void warn_unknown_config_keys(const struct options *o)
{
	for (int i = 0; i < o->n_config_unknown_keys; i++)
		msg_warn("'%s': unknown key '%s' ignored", o->config_path,
			 o->config_unknown_keys[i]);
}

int main(int argc, char **argv)
{
	struct options o;
	struct err e = { 0 };
	int status = EXIT_USAGE;

	limit_malloc_arenas();
	if (options_parse(&o, argc, argv, &e) < 0) {
		msg_error("%s", e.msg);
		options_release(&o);
		return EXIT_USAGE;
	}
	log_set_level(o.verbosity);
	warn_unknown_config_keys(&o);
	if (o.flags & OPT_HELP)
		status = cmd_help(&o);
	else if (o.flags & OPT_VERSION)
		status = cmd_version(&o);
	else if (!o.command)
		msg_error("no command given; try 'flickr-archive --help'");
	else {
		const struct command *cmd = NULL;

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(commands[i].name, o.command))
				cmd = &commands[i];
		if (!cmd) {
			msg_error("unknown command '%s'; try 'flickr-archive --help'", o.command);
		} else if (o.n_args > 0 && !cmd->takes_args) {
			msg_error("unexpected argument '%s' for '%s'", o.args[0], o.command);
		} else if (http_global_init() < 0) {
			msg_error("cannot initialise libcurl");
			status = EXIT_FATAL;
		} else {
			setup_signals();
			status = cmd->fn(&o);
			http_global_cleanup();
		}
	}
	options_release(&o);
	log_forget_secrets();
	return status;
}
