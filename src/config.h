/*
 * config.h: the config file, $XDG_CONFIG_HOME/flickr-archive/config.
 *
 * Lines of `key = value`; '#' starts a comment.  It holds secrets, so it is
 * written with mode 0600 inside a 0700 directory, atomically.
 */
#ifndef FA_CONFIG_H
#define FA_CONFIG_H

#include <stddef.h>

#include "error.h"

struct config_entry {
	char *key;
	char *value;
};

struct config {
	struct config_entry *v;
	size_t n;
	size_t cap;
};

#define CONFIG_INIT { NULL, 0, 0 }

/* The default path (caller frees), from XDG_CONFIG_HOME or HOME; NULL when out of memory. */
char *config_default_path(void);
/* Loads path; a missing file is an empty config, not an error.  Sets
 * *ret_world_readable when the file can be read by group or others.  A UTF-8
 * byte-order mark at the start is skipped. */
int config_load(struct config *c, const char *path, int *ret_world_readable,
		struct err *e);
const char *config_get(const struct config *c, const char *key);
/* FA_EINVAL for a key or value that cannot be one line of the file. */
int config_set(struct config *c, const char *key, const char *value);
int config_save(const struct config *c, const char *path, struct err *e);
void config_release(struct config *c);

/* Parses one line's worth; exposed for tests.  Returns 1 for an entry, 0
 * for a blank/comment line, FA_EINVAL for a malformed one. */
int config_parse_line(const char *line, char **ret_key, char **ret_value);

#endif
