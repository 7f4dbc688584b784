/*
 * error.h: the project's error codes and the error record that carries a
 * one-line reason up to the command level.
 *
 * Functions return 0 on success or a negative FA_E* code.  A caller that wants
 * the reason passes a struct err; deep code fills it with err_set() and never
 * prints.  Only cmd_* functions report, once.
 */
#ifndef FA_ERROR_H
#define FA_ERROR_H

enum fa_error {
	FA_OK = 0,
	FA_ENOMEM = -1,     /* out of memory */
	FA_EIO = -2,        /* local file system error */
	FA_ENOSPC = -3,     /* disk full: pointless to go on */
	FA_ENET = -4,       /* network or transport failure */
	FA_EHTTP = -5,      /* unexpected HTTP status */
	FA_EAPI = -6,       /* Flickr answered stat=fail (err.api_code) */
	FA_EPARSE = -7,     /* malformed or unexpected server data */
	FA_EAUTH = -8,      /* credentials refused or missing */
	FA_ERATELIMIT = -9, /* still throttled after every retry */
	FA_EINVAL = -10,    /* bad input from the user */
	FA_EINTR = -11,     /* interrupted by the user */
	FA_ENOTFOUND = -12, /* the thing asked for does not exist */
	FA_EBUSY = -13,     /* another flickr-archive holds the archive's lock */
	FA_EUNREACHABLE = -14, /* Flickr failed with network errors too many times in a row */
	FA_EUSAGE = -15,    /* the command line or the configuration must be fixed (exit 2) */
};

#define FA_ERR_MSG_MAX 512

struct err {
	int code;      /* last FA_E* set */
	int api_code;  /* Flickr's error code for FA_EAPI, else 0 */
	int http_status;
	char msg[FA_ERR_MSG_MAX];
};

/* Fills e (which may be NULL) and returns code, so `return err_set(...)` reads well. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with more context: "context: old message". */
int err_wrap(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void err_clear(struct err *e);

/* A short generic text for a code, used when no message was set. */
const char *fa_strerror(int code);

/* True for errors after which continuing the sync is pointless. */
int err_is_fatal(int code);

#endif
