/*
 * log.h: every line the user sees on stderr, the progress line, and the
 * lines of a command's result on stdout.
 *
 * Only command-level code calls these, but for the progress line, which a
 * long step below them updates as it goes (src/README.md).  Messages are one line each, without a
 * trailing newline in the format.  Every message passes through a scrubber
 * that replaces registered secrets with "[redacted]", so a secret that slips
 * into an error text (a URL, a server's debug string) is never printed.
 */
#ifndef FA_LOG_H
#define FA_LOG_H

#include <stdint.h>

#include "notice.h"

enum log_level {
	LOG_QUIET = 0,   /* errors only */
	LOG_NORMAL = 1,  /* errors, warnings, summary, progress */
	LOG_VERBOSE = 2, /* plus a line per API call and download */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Registers a secret to scrub from all output (copied; empty strings ignored). */
void log_add_secret(const char *secret);
void log_forget_secrets(void);
/* Replaces every registered secret in s (in place, same or shorter length). */
void log_scrub(char *s);
/* A message line is cut to fewer than LOG_LINE_MAX bytes, never inside a UTF-8 character. */
#define LOG_LINE_MAX 2048
void log_fit_line(char *s);

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The sink (notice.h) a command passes to the code below it: each line is
 * printed as msg_debug(), msg_info() or msg_warn() would print it.
 */
void log_notice(void *ud, enum notice_level level, const char *line);
#define LOG_NOTICE_SINK ((struct notice_sink){ log_notice, NULL })

/* A line of a command's primary output, on stdout (at every level). */
void msg_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Progress: on a terminal a live line "[148/3220] 2.1/s ETA 25m 310 API calls"
 * redrawn at most 5 times a second; elsewhere one plain line per finished item.
 */
void progress_begin(const char *label, long total);
void progress_set_total(long total);
/*
 * An item finished; `what` describes it for the plain-line mode.  A negative
 * api_calls leaves the count out of the live line (a command that makes none).
 */
void progress_item(const char *what, long api_calls);
/* Refreshes the live line (e.g. while waiting), without finishing an item. */
void progress_tick(long api_calls);
void progress_end(void);

/*
 * How many ms until `calls` more API calls may have gone under the quota.
 * Set by the command that makes them, so that the time left on the live line
 * counts what the rolling hour still allows (NULL: no quota).  It is called
 * with the output lock held: it must not print.
 */
typedef int64_t (*progress_quota_fn)(void *ud, long calls);
void progress_set_quota(progress_quota_fn fn, void *ud);

/*
 * The time left, in seconds, of `left` items going at `rate` items/s, each
 * making calls_per_item API calls: no less than the quota (fn, may be NULL)
 * makes their calls wait.  -1 when unknown (no rate yet).
 */
double progress_eta_seconds(long left, double rate, double calls_per_item,
			    progress_quota_fn fn, void *ud);

#endif
