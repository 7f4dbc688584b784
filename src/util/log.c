/*
 * log.c: diagnostics and the progress meter (stderr only; stdout is for a
 * command's primary output).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

#define MAX_SECRETS 16
/* room for a secret that straddles LOG_LINE_MAX, so that it is masked whole */
#define FORMAT_MAX_LEN (LOG_LINE_MAX + 1024)

/* one line at a time on the terminal, from any of sync's workers */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level level = LOG_NORMAL;
static char *secrets[MAX_SECRETS];
static size_t n_secrets;

static struct {
	int active;
	int tty;
	char label[64];
	long total;
	long done;
	long api_calls;
	long first_calls;  /* api_calls when the first item finished, -1 before */
	long first_done;
	int64_t start_ms;
	int64_t last_draw_ms;
	int drawn;
} progress;

static progress_quota_fn quota_fn; /* with out_lock */
static void *quota_ud;

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4 || n_secrets == MAX_SECRETS)
		return;
	for (size_t i = 0; i < n_secrets; i++)
		if (!strcmp(secrets[i], secret))
			return;
	secrets[n_secrets] = strdup(secret);
	if (secrets[n_secrets])
		n_secrets++;
}

void log_forget_secrets(void)
{
	for (size_t i = 0; i < n_secrets; i++)
		free(secrets[i]);
	n_secrets = 0;
}

void log_scrub(char *s)
{
	static const char mask[] = "[redacted]";

	for (size_t i = 0; i < n_secrets; i++) {
		size_t slen = strlen(secrets[i]);
		char *from = s, *p;

		while ((p = strstr(from, secrets[i]))) {
			/* secrets are at least 4 bytes; the mask may be longer, so
			 * shrink it to fit rather than grow the string */
			size_t mlen = slen < sizeof(mask) - 1 ? slen : sizeof(mask) - 1;

			memcpy(p, mask, mlen);
			memmove(p + mlen, p + slen, strlen(p + slen) + 1);
			/* past the mask: a secret that is part of it must not loop */
			from = p + mlen;
		}
	}
}

/* Text from the server (titles, error messages) must not drive the terminal
 * or break a message into several lines. */
static void neutralize_controls(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void log_fit_line(char *s)
{
	size_t n = strlen(s);

	if (n < LOG_LINE_MAX)
		return;
	n = LOG_LINE_MAX - 1;
	/* back to the first byte of the character the cut would split */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* Secrets are masked before the cut: a cut must not show the start of one. */
static void format_line(char *line, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void format_line(char *line, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(line, size, fmt, ap);
	log_scrub(line);
	log_fit_line(line);
}

static void format_linef(char *line, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void format_linef(char *line, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_line(line, size, fmt, ap);
	va_end(ap);
}

static void clear_progress_line(void)
{
	if (progress.active && progress.tty && progress.drawn) {
		fputs("\r\033[K", stderr);
		progress.drawn = 0;
	}
}

static void draw_progress(int force);

static void vmsg(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char line[FORMAT_MAX_LEN];

	format_line(line, sizeof(line), fmt, ap);
	neutralize_controls(line);
	pthread_mutex_lock(&out_lock);
	clear_progress_line();
	fprintf(stderr, "%s%s\n", prefix, line);
	fflush(stderr);
	draw_progress(1);
	pthread_mutex_unlock(&out_lock);
}

void msg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("flickr-archive: ", fmt, ap);
	va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vmsg("flickr-archive: warning: ", fmt, ap);
	va_end(ap);
}

void msg_info(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void msg_result(const char *fmt, ...)
{
	char line[FORMAT_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	format_line(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&out_lock);
	clear_progress_line();
	fprintf(stdout, "%s\n", line);
	fflush(stdout);
	draw_progress(1);
	pthread_mutex_unlock(&out_lock);
}

void log_notice(void *ud, enum notice_level at, const char *line)
{
	(void)ud;
	if (at == NOTICE_WARN)
		msg_warn("%s", line);
	else if (at == NOTICE_INFO)
		msg_info("%s", line);
	else
		msg_debug("%s", line);
}

void msg_debug(const char *fmt, ...)
{
	va_list ap;

	if (level < LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vmsg("debug: ", fmt, ap);
	va_end(ap);
}

static void format_duration(char *out, size_t n, double seconds)
{
	long s = (long)(seconds + 0.5);

	if (s >= 3600)
		snprintf(out, n, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else if (s >= 60)
		snprintf(out, n, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, n, "%lds", s);
}

void progress_set_quota(progress_quota_fn fn, void *ud)
{
	pthread_mutex_lock(&out_lock);
	quota_fn = fn;
	quota_ud = ud;
	pthread_mutex_unlock(&out_lock);
}

double progress_eta_seconds(long left, double rate, double calls_per_item,
			    progress_quota_fn fn, void *ud)
{
	double eta, calls;

	if (rate <= 0.0 || left < 0)
		return -1.0;
	eta = (double)left / rate;
	calls = (double)left * calls_per_item;
	if (fn && calls >= 1.0) {
		double quota_s = (double)fn(ud, (long)(calls + 0.5)) / 1000.0;

		if (quota_s > eta)
			eta = quota_s;
	}
	return eta;
}

/* API calls per item since the first item finished (the first's own are unknown). */
static double calls_per_item(void)
{
	if (progress.first_calls < 0 || progress.done <= progress.first_done ||
	    progress.api_calls < progress.first_calls)
		return 0.0;
	return (double)(progress.api_calls - progress.first_calls) /
	       (double)(progress.done - progress.first_done);
}

static void draw_progress(int force)
{
	int64_t now;
	double elapsed, rate, left_s;
	char eta[32] = "?";

	if (!progress.active || !progress.tty || level < LOG_NORMAL)
		return;
	now = clock_now_ms();
	if (!force && progress.drawn && now - progress.last_draw_ms < 200)
		return;
	elapsed = (double)(now - progress.start_ms) / 1000.0;
	rate = elapsed > 0.5 ? (double)progress.done / elapsed : 0.0;
	left_s = progress.total >= progress.done
		 ? progress_eta_seconds(progress.total - progress.done, rate, calls_per_item(),
					quota_fn, quota_ud) : -1.0;
	if (left_s >= 0.0)
		format_duration(eta, sizeof(eta), left_s);
	fprintf(stderr, "\r\033[K%s [%ld/%ld] %.1f/s ETA %s", progress.label, progress.done,
		progress.total, rate, eta);
	if (progress.api_calls >= 0)
		fprintf(stderr, ", %ld API calls", progress.api_calls);
	fflush(stderr);
	progress.drawn = 1;
	progress.last_draw_ms = now;
}

void progress_begin(const char *label, long total)
{
	pthread_mutex_lock(&out_lock);
	memset(&progress, 0, sizeof(progress));
	progress.active = 1;
	progress.tty = isatty(STDERR_FILENO);
	snprintf(progress.label, sizeof(progress.label), "%s", label);
	progress.total = total;
	progress.api_calls = -1; /* unknown until the first item or tick */
	progress.first_calls = -1;
	progress.start_ms = clock_now_ms();
	draw_progress(1);
	pthread_mutex_unlock(&out_lock);
}

void progress_set_total(long total)
{
	pthread_mutex_lock(&out_lock);
	progress.total = total;
	pthread_mutex_unlock(&out_lock);
}

void progress_item(const char *what, long api_calls)
{
	pthread_mutex_lock(&out_lock);
	if (!progress.active)
		goto done;
	progress.done++;
	progress.api_calls = api_calls;
	if (progress.first_calls < 0 && api_calls >= 0) {
		progress.first_calls = api_calls;
		progress.first_done = progress.done;
	}
	if (progress.tty) {
		draw_progress(0);
	} else if (level >= LOG_NORMAL) {
		char line[FORMAT_MAX_LEN];

		format_linef(line, sizeof(line), "[%ld/%ld] %s", progress.done, progress.total,
			     what);
		neutralize_controls(line);
		fprintf(stderr, "%s\n", line);
	}
done:
	pthread_mutex_unlock(&out_lock);
}

void progress_tick(long api_calls)
{
	pthread_mutex_lock(&out_lock);
	progress.api_calls = api_calls;
	draw_progress(0);
	pthread_mutex_unlock(&out_lock);
}

void progress_end(void)
{
	pthread_mutex_lock(&out_lock);
	if (progress.active && progress.tty && progress.drawn) {
		draw_progress(1);
		fputc('\n', stderr);
	}
	progress.active = 0;
	progress.drawn = 0;
	pthread_mutex_unlock(&out_lock);
}
