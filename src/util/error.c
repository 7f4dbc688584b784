/* error.c: filling and describing struct err. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	if (code != FA_EAPI)
		e->api_code = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_wrap(struct err *e, int code, const char *fmt, ...)
{
	char prefix[FA_ERR_MSG_MAX];
	char joined[2 * FA_ERR_MSG_MAX + 4];
	va_list ap;

	if (!e)
		return code;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(joined, sizeof(joined), "%s: %s", prefix,
		 e->msg[0] ? e->msg : fa_strerror(code));
	e->code = code;
	/* long chains are cut, not overflowed */
	memcpy(e->msg, joined, sizeof(e->msg) - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
	return code;
}

void err_clear(struct err *e)
{
	if (e)
		memset(e, 0, sizeof(*e));
}

const char *fa_strerror(int code)
{
	switch (code) {
	case FA_OK: return "success";
	case FA_ENOMEM: return "out of memory";
	case FA_EIO: return "input/output error";
	case FA_ENOSPC: return "no space left on device";
	case FA_ENET: return "network error";
	case FA_EHTTP: return "unexpected HTTP status";
	case FA_EAPI: return "Flickr API error";
	case FA_EPARSE: return "malformed response";
	case FA_EAUTH: return "not authorized";
	case FA_ERATELIMIT: return "rate limited";
	case FA_EINVAL: return "invalid argument";
	case FA_EINTR: return "interrupted";
	case FA_ENOTFOUND: return "not found";
	case FA_EBUSY: return "another flickr-archive is working on the archive";
	case FA_EUNREACHABLE: return "Flickr is unreachable";
	case FA_EUSAGE: return "usage error";
	default: return "unknown error";
	}
}

int err_is_fatal(int code)
{
	return code == FA_ENOMEM || code == FA_ENOSPC || code == FA_EAUTH ||
	       code == FA_EINTR || code == FA_EUNREACHABLE;
}
