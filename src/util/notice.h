/*
 * notice.h: how code below the commands tells something while it works,
 * without printing.
 *
 * What can wait is returned (counts, lists of findings in a result struct)
 * and printed by the command.  What must be seen when it happens, such as a
 * wait for the API quota or a line of the --verbose trace, goes to a sink that
 * the command passes in; the command decides whether and how to show it
 * (log_notice() prints it as a message line).  An empty sink drops it.
 */
#ifndef FA_NOTICE_H
#define FA_NOTICE_H

enum notice_level {
	NOTICE_DEBUG, /* the --verbose trace: a line per API call and download */
	NOTICE_INFO,
	NOTICE_WARN,
};

struct notice_sink {
	/* one line, without a newline; may be called from any thread at once */
	void (*fn)(void *ud, enum notice_level level, const char *line);
	void *ud;
};

/* Formats one line and hands it to sink; nothing when sink or its fn is NULL. */
void notice(const struct notice_sink *sink, enum notice_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
