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
#include "exit_status.h"
#include "fa_build.h"
#include "http.h"
#include "import.h"
#include "log.h"
#include "options.h"
#include "search.h"
#include "site.h"
#include "sync.h"
#include "verify.h"

static int cmd_help(const struct options *o, struct err *e)
{
	options_print_help();
	return 0;
}

static int cmd_version(const struct options *o, struct err *e)
{
	printf("flickr-archive %s (%s)\n", FA_VERSION, http_library_version());
	return 0;
}

static const struct command {
	const char *name;
	/* 0, CMD_INCOMPLETE or a negative FA_E* with e filled (exit_status.h) */
	int (*fn)(const struct options *o, struct err *e);
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

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Runs what the options ask for: 0, CMD_INCOMPLETE or an FA_E* code with e filled. */
static int run_command(const struct options *o, struct err *e)
{
	const struct command *cmd;
	int r;

	if (o->flags & OPT_HELP)
		return cmd_help(o, e);
	if (o->flags & OPT_VERSION)
		return cmd_version(o, e);
	if (!o->command)
		return err_set(e, FA_EUSAGE, "no command given; try 'flickr-archive --help'");
	cmd = find_command(o->command);
	if (!cmd)
		return err_set(e, FA_EUSAGE, "unknown command '%s'; try 'flickr-archive --help'",
			       o->command);
	if (o->n_args > 0 && !cmd->takes_args)
		return err_set(e, FA_EUSAGE, "unexpected argument '%s' for '%s'", o->args[0],
			       o->command);
	if (http_global_init() < 0)
		return err_set(e, FA_EIO, "cannot initialise libcurl");
	setup_signals();
	r = cmd->fn(o, e);
	http_global_cleanup();
	return r;
}

int main(int argc, char **argv)
{
	struct options o;
	struct err e = { 0 };
	int r;

	limit_malloc_arenas();
	r = options_parse(&o, argc, argv, &e);
	if (r < 0) {
		r = FA_EUSAGE; /* whatever the reason: the command line must be fixed */
	} else {
		log_set_level(o.verbosity);
		warn_unknown_config_keys(&o);
		r = run_command(&o, &e);
	}
	/* the one line that says why the command failed; warnings came before it */
	if (r < 0)
		msg_error("%s", e.msg[0] ? e.msg : fa_strerror(r));
	options_release(&o);
	log_forget_secrets();
	return exit_status_of(r);
}
