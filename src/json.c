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
	struct buf repaired = BUF_INIT;
	json_error_t je;
	json_t *doc;
	long fixes;

	if (len > JSON_MAX_DOC_BYTES)
		return err_set(e, FA_EPARSE, "JSON document of %zu bytes is too large", len);
	/* a lossy copy only when a string needs it: one bad caption must not
	 * cost a whole listing page */
	fixes = json_repair_strings(data, len, NULL);
	if (fixes > 0) {
		if (json_repair_strings(data, len, &repaired) < 0)
			return err_set(e, FA_ENOMEM, "out of memory repairing a JSON document");
		data = repaired.data;
		len = repaired.len;
	}
	/* a duplicate key keeps its last value: refusing it would cost a whole page */
	doc = json_loadb(data, len, 0, &je);
	buf_release(&repaired);
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

/* How every JSON file of the archive is written. */
#define FILE_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(JSON_REAL_DIGITS))

static int dump_cb(const char *data, size_t size, void *ud)
{
	return buf_append(ud, data, size) < 0 ? -1 : 0;
}

int json_dump_buf(const json_t *doc, struct buf *out)
{
	if (json_dump_callback(doc, dump_cb, out, FILE_JSON_FLAGS) < 0)
		return FA_ENOMEM;
	return buf_putc(out, '\n');
}

/* json_write_atomic() streams the document to its temp file a chunk at a time:
 * an index of 100,000 items is never held whole in memory. */
#define WRITE_CHUNK 65536

struct file_sink {
	struct fs_tmp tmp;
	struct buf chunk;
	struct err *e;
	int r;                    /* the first write error */
};

static int sink_flush(struct file_sink *fs)
{
	if (fs->r == 0 && fs->chunk.len)
		fs->r = fs_tmp_write(&fs->tmp, fs->chunk.data, fs->chunk.len, fs->e);
	buf_reset(&fs->chunk);
	return fs->r;
}

static int sink_cb(const char *data, size_t size, void *ud)
{
	struct file_sink *fs = ud;

	if (buf_append(&fs->chunk, data, size) < 0)
		return -1;
	return fs->chunk.len >= WRITE_CHUNK && sink_flush(fs) < 0 ? -1 : 0;
}

int json_write_atomic(const char *path, const json_t *doc, struct err *e)
{
	struct file_sink fs = { FS_TMP_INIT, BUF_INIT, e, 0 };
	int r;

	r = fs_tmp_open(&fs.tmp, path, 0644, e);
	if (r < 0)
		goto cleanup;
	r = json_dump_callback(doc, sink_cb, &fs, FILE_JSON_FLAGS);
	if (r == 0)
		r = buf_putc(&fs.chunk, '\n');
	if (r < 0) {
		r = fs.r < 0 ? fs.r : err_set(e, FA_ENOMEM, "out of memory serialising '%s'", path);
		goto cleanup;
	}
	r = sink_flush(&fs);
	if (r == 0)
		r = fs_tmp_commit(&fs.tmp, path, e);
cleanup:
	fs_tmp_abort(&fs.tmp);
	buf_release(&fs.chunk);
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
		snprintf(scratch, sizeof(scratch), "%.*g", JSON_REAL_DIGITS, json_real_value(v));
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
	char digits[40];

	if (isfinite(v)) {
		snprintf(digits, sizeof(digits), "%.*g", JSON_REAL_DIGITS, v);
		v = strtod(digits, NULL);
	}
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

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid; reads
 * at most avail bytes. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
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
	if (n > avail)
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

/* The code unit of a "\uXXXX" escape at s (6 bytes available), or -1. */
static long unicode_escape_at(const unsigned char *s, size_t avail)
{
	long v = 0;

	if (avail < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (size_t i = 2; i < 6; i++) {
		int d = (s[i] >= '0' && s[i] <= '9') ? s[i] - '0'
			: (s[i] >= 'a' && s[i] <= 'f') ? s[i] - 'a' + 10
			: (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static int emit(struct buf *out, const void *p, size_t n)
{
	return out ? buf_append(out, p, n) : 0;
}

/*
 * One step inside a JSON string at s[0] (not the closing quote): writes the
 * bytes, or their repair, to out and returns how many input bytes were used;
 * *fixed is set when a repair was needed.  Negative on FA_ENOMEM.
 */
static long repair_string_step(const unsigned char *s, size_t avail, struct buf *out,
			       int *fixed)
{
	static const char fffd_escape[] = "\\uFFFD";
	long cu;
	size_t n;

	*fixed = 0;
	if (s[0] == '\\') {
		cu = unicode_escape_at(s, avail);
		if (cu >= 0xd800 && cu <= 0xdbff) {
			long low = unicode_escape_at(s + 6, avail - 6);

			if (low >= 0xdc00 && low <= 0xdfff)
				return emit(out, s, 12) < 0 ? FA_ENOMEM : 12;
		}
		if (cu == 0 || (cu >= 0xd800 && cu <= 0xdfff)) {
			/* Jansson refuses \u0000 and lone surrogates */
			*fixed = 1;
			return emit(out, fffd_escape, 6) < 0 ? FA_ENOMEM : 6;
		}
		n = avail >= 2 ? 2 : 1;
		if (cu >= 0)
			n = 6;
		return emit(out, s, n) < 0 ? FA_ENOMEM : (long)n;
	}
	if (s[0] < 0x20) {
		char esc[8];

		*fixed = 1;
		if (s[0] == 0)
			return emit(out, fffd_escape, 6) < 0 ? FA_ENOMEM : 1;
		snprintf(esc, sizeof(esc), "\\u%04x", s[0]);
		return emit(out, esc, 6) < 0 ? FA_ENOMEM : 1;
	}
	n = utf8_seq_len(s, avail);
	if (n == 0) {
		*fixed = 1;
		return emit(out, "\xef\xbf\xbd", 3) < 0 ? FA_ENOMEM : 1;
	}
	return emit(out, s, n) < 0 ? FA_ENOMEM : (long)n;
}

long json_repair_strings(const char *data, size_t len, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)data;
	long fixes = 0;
	int in_string = 0;
	size_t i = 0;

	while (i < len) {
		long used;
		int fixed = 0;

		if (s[i] == '"') {
			in_string = !in_string;
			used = emit(out, s + i, 1) < 0 ? FA_ENOMEM : 1;
		} else if (in_string) {
			used = repair_string_step(s + i, len - i, out, &fixed);
		} else {
			used = emit(out, s + i, 1) < 0 ? FA_ENOMEM : 1;
		}
		if (used < 0)
			return FA_ENOMEM;
		fixes += fixed;
		i += (size_t)used;
	}
	return fixes;
}

json_t *jstring_lossy(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	json_t *v;

	v = json_string(s);
	if (v)
		return v;
	while (i < len) {
		size_t n = utf8_seq_len(p + i, len - i);

		if (n == 0) {
			if (buf_puts(&b, "\xef\xbf\xbd") < 0)
				goto fail;
			i++;
			continue;
		}
		if (buf_append(&b, p + i, n) < 0)
			goto fail;
		i += n;
	}
	v = json_string(buf_cstr(&b));
fail:
	buf_release(&b);
	return v;
}
