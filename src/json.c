/* json.c: lenient getters, bounded parsing and atomic JSON output. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "json.h"

int json_parse(const char *data, size_t len, json_t **ret, struct err *e)
{
	json_error_t je;
	json_t *doc;

	if (len > JSON_MAX_DOC_BYTES)
		return err_set(e, FA_EPARSE, "JSON document of %zu bytes is too large", len);
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return err_set(e, FA_EPARSE, "malformed JSON (line %d, column %d): %s",
			       je.line, je.column, je.text);
	*ret = doc;
	return 0;
}

int json_load_path(const char *path, json_t **ret, struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	r = fs_read_file(path, JSON_MAX_DOC_BYTES, &b, e);
	if (r < 0)
		goto cleanup;
	r = json_parse(buf_cstr(&b), b.len, ret, e);
	if (r < 0)
		err_wrap(e, r, "'%s'", path);
cleanup:
	buf_release(&b);
	return r;
}

static int dump_cb(const char *data, size_t size, void *ud)
{
	return buf_append(ud, data, size) < 0 ? -1 : 0;
}

int json_dump_buf(const json_t *doc, struct buf *out)
{
	if (json_dump_callback(doc, dump_cb, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) < 0)
		return FA_ENOMEM;
	return buf_putc(out, '\n');
}

int json_write_atomic(const char *path, const json_t *doc, struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	r = json_dump_buf(doc, &b);
	if (r < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory serialising '%s'", path);
		goto cleanup;
	}
	r = fs_write_atomic(path, b.data, b.len, 0644, e);
cleanup:
	buf_release(&b);
	return r;
}

const char *jstr(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *jcontent(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (json_is_string(v))
		return json_string_value(v);
	return jstr(v, "_content");
}

const char *jtext(const json_t *obj, const char *key)
{
	static _Thread_local char scratch[64];
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	long long n;

	if (json_is_object(v))
		v = json_object_get(v, "_content");
	if (json_is_string(v))
		return json_string_value(v);
	if (jint_value(v, &n)) {
		snprintf(scratch, sizeof(scratch), "%lld", n);
		return scratch;
	}
	if (json_is_real(v) && isfinite(json_real_value(v))) {
		snprintf(scratch, sizeof(scratch), "%.10g", json_real_value(v));
		return scratch;
	}
	return NULL;
}

static bool parse_ll(const char *s, long long *ret)
{
	char *end;
	long long v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		return false;
	*ret = v;
	return true;
}

bool jint_value(const json_t *v, long long *ret)
{
	if (json_is_integer(v)) {
		*ret = json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != floor(d) || d > 9e18 || d < -9e18)
			return false;
		*ret = (long long)d;
		return true;
	}
	if (json_is_string(v))
		return parse_ll(json_string_value(v), ret);
	if (json_is_object(v))
		return jint_value(json_object_get(v, "_content"), ret);
	return false;
}

bool jint(const json_t *obj, const char *key, long long *ret)
{
	return json_is_object(obj) && jint_value(json_object_get(obj, key), ret);
}

long long jint_or(const json_t *obj, const char *key, long long def)
{
	long long v;

	return jint(obj, key, &v) ? v : def;
}

bool jreal(const json_t *obj, const char *key, double *ret)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (json_is_number(v)) {
		*ret = json_number_value(v);
		return isfinite(*ret);
	}
	if (json_is_string(v) && *json_string_value(v)) {
		char *end;
		double d;

		errno = 0;
		d = strtod(json_string_value(v), &end);
		if (errno || *end != '\0' || !isfinite(d))
			return false;
		*ret = d;
		return true;
	}
	return false;
}

bool jflag(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	long long n;

	if (json_is_boolean(v))
		return json_is_true(v);
	if (jint_value(v, &n))
		return n != 0;
	if (json_is_string(v) && !strcmp(json_string_value(v), "true"))
		return true;
	if (json_is_string(v) && !strcmp(json_string_value(v), "false"))
		return false;
	return def;
}

size_t jlist_size(const json_t *list)
{
	if (json_is_array(list))
		return json_array_size(list);
	return json_is_object(list) ? 1 : 0;
}

json_t *jlist_at(const json_t *list, size_t i)
{
	if (json_is_array(list))
		return json_array_get(list, i);
	return (json_is_object(list) && i == 0) ? (json_t *)list : NULL;
}

json_t *jobj(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_object(v) ? v : NULL;
}

int jset_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		v = json_null();
	return json_object_set_new(obj, key, v) < 0 ? FA_ENOMEM : 0;
}

int jset_str(json_t *obj, const char *key, const char *s)
{
	return jset_new(obj, key, s ? jstring_lossy(s) : json_null());
}

int jset_int(json_t *obj, const char *key, long long v)
{
	return jset_new(obj, key, json_integer(v));
}

int jset_real(json_t *obj, const char *key, double v)
{
	return jset_new(obj, key, json_real(v));
}

int jset_bool(json_t *obj, const char *key, bool v)
{
	return jset_new(obj, key, json_boolean(v));
}

int jcopy(json_t *dst, const char *dst_key, const json_t *src, const char *src_key)
{
	json_t *v = json_is_object(src) ? json_object_get(src, src_key) : NULL;

	if (!v)
		return 0;
	return json_object_set(dst, dst_key, v) < 0 ? FA_ENOMEM : 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_t *jstring_lossy(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	json_t *v;

	v = json_string(s);
	if (v)
		return v;
	while (*p) {
		size_t n = utf8_seq_len(p);

		if (n == 0) {
			if (buf_puts(&b, "\xef\xbf\xbd") < 0)
				goto fail;
			p++;
			continue;
		}
		if (buf_append(&b, p, n) < 0)
			goto fail;
		p += n;
	}
	v = json_string(buf_cstr(&b));
fail:
	buf_release(&b);
	return v;
}
