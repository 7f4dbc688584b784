/* config.c: reading and writing the key = value config file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "buf.h"
#include "config.h"
#include "fsutil.h"

#define CONFIG_MAX_BYTES (1024 * 1024)

char *config_default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	struct buf p = BUF_INIT;
	int r;

	if (xdg && *xdg == '/')
		r = buf_printf(&p, "%s/flickr-archive/config", xdg);
	else if (home && *home)
		r = buf_printf(&p, "%s/.config/flickr-archive/config", home);
	else
		r = buf_puts(&p, ".flickr-archive.config");
	if (r < 0) {
		buf_release(&p);
		return NULL;
	}
	return buf_detach(&p);
}

static char *trimmed_dup(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

int config_parse_line(const char *line, char **ret_key, char **ret_value)
{
	const char *p = line, *eq;
	char *k, *v;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	eq = strchr(p, '=');
	if (!eq)
		return FA_EINVAL;
	k = trimmed_dup(p, (size_t)(eq - p));
	v = trimmed_dup(eq + 1, strlen(eq + 1));
	if (!k || !v || !*k) {
		free(k);
		free(v);
		return k && v ? FA_EINVAL : FA_ENOMEM;
	}
	*ret_key = k;
	*ret_value = v;
	return 1;
}

int config_set(struct config *c, const char *key, const char *value)
{
	char *v;

	/* one entry per line: a line break would smuggle in another entry */
	if (!*key || strpbrk(key, "=\r\n") || strpbrk(value, "\r\n"))
		return FA_EINVAL;

	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].key, key))
			continue;
		v = strdup(value);
		if (!v)
			return FA_ENOMEM;
		free(c->v[i].value);
		c->v[i].value = v;
		return 0;
	}
	if (ALLOC_GROW(c->v, c->n + 1, c->cap) < 0)
		return FA_ENOMEM;
	c->v[c->n].key = strdup(key);
	c->v[c->n].value = strdup(value);
	if (!c->v[c->n].key || !c->v[c->n].value) {
		free(c->v[c->n].key);
		free(c->v[c->n].value);
		return FA_ENOMEM;
	}
	c->n++;
	return 0;
}

const char *config_get(const struct config *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].key, key))
			return c->v[i].value;
	return NULL;
}

/* Editors on Windows may start a UTF-8 file with a byte-order mark: not part of the first key. */
static char *skip_bom(char *text)
{
	return text && !strncmp(text, "\xef\xbb\xbf", 3) ? text + 3 : text;
}

int config_load(struct config *c, const char *path, int *ret_world_readable,
		struct err *e)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int r, lineno = 0;

	*ret_world_readable = 0;
	r = fs_read_file(path, CONFIG_MAX_BYTES, &b, e);
	if (r == FA_ENOTFOUND) {
		err_clear(e);
		return 0;
	}
	if (r < 0)
		goto cleanup;
	if (stat(path, &st) == 0 && (st.st_mode & 0077))
		*ret_world_readable = 1;
	for (char *line = skip_bom(b.data); line && *line; ) {
		char *nl = strchr(line, '\n');
		char *k = NULL, *v = NULL;
		int pr;

		if (nl)
			*nl = '\0';
		lineno++;
		pr = config_parse_line(line, &k, &v);
		if (pr == FA_EINVAL) {
			r = err_set(e, FA_EINVAL, "'%s' line %d: expected 'key = value'", path, lineno);
			goto cleanup;
		}
		if (pr < 0) {
			r = err_set(e, pr, "out of memory");
			goto cleanup;
		}
		if (pr == 1)
			r = config_set(c, k, v);
		if (r == FA_EINVAL)
			err_set(e, r, "'%s' line %d: expected 'key = value'", path, lineno);
		else if (r < 0)
			err_set(e, r, "out of memory");
		free(k);
		if (v)
			memset(v, 0, strlen(v));
		free(v);
		if (r < 0)
			goto cleanup;
		line = nl ? nl + 1 : NULL;
	}
cleanup:
	if (b.data)
		memset(b.data, 0, b.len);
	buf_release(&b);
	return r;
}

static int ensure_private_dir(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int r;

	if (!slash || slash == path)
		return 0;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_mkdirs(dir, 0700, e);
	free(dir);
	return r;
}

int config_save(const struct config *c, const char *path, struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	r = ensure_private_dir(path, e);
	if (r < 0)
		return r;
	r = buf_puts(&b, "# flickr-archive configuration: holds secrets, keep it private (mode 0600)\n");
	for (size_t i = 0; i < c->n && r == 0; i++)
		r = buf_printf(&b, "%s = %s\n", c->v[i].key, c->v[i].value);
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else
		r = fs_write_atomic(path, b.data, b.len, 0600, e);
	if (b.data)
		memset(b.data, 0, b.len);
	buf_release(&b);
	return r;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key);
		memset(c->v[i].value, 0, strlen(c->v[i].value));
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
