/* notice.c: handing a line to the sink a command passed in. */
#include <stdarg.h>
#include <stdio.h>

#include "notice.h"

/* The log's line limit (log.h's LOG_LINE_MAX): longer lines are cut there anyway. */
#define NOTICE_LINE_MAX 2048

void notice(const struct notice_sink *sink, enum notice_level level, const char *fmt, ...)
{
	char line[NOTICE_LINE_MAX];
	va_list ap;

	if (!sink || !sink->fn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sink->fn(sink->ud, level, line);
}
