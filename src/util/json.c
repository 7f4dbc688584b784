/* json.c: lenient getters, bounded parsing and atomic JSON output. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "json.h"
#include "utf8.h"

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
	size_t n;

	return utf8_decode(s, avail, &n) < 0 ? 0 : n;
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

/* ---- reading a large array or object a piece at a time ------------------------- */

#define EACH_CHUNK 65536

/* A window on the file: the unread bytes are b.data[at..b.len). */
struct json_reader {
	const char *path;
	int fd;
	struct buf b;
	size_t at;
	int eof;
};

/* What ends the value at the start of the window. */
enum value_end {
	END_OF_ELEMENT,   /* an object or array: its closing bracket, included */
	END_OF_SCALAR,    /* a number, string or literal: the ',', ']' or '}' after it, excluded */
	END_OF_STRING,    /* a string: its closing quote, included */
};

/* Looking for the end of the value at the start of the window, a piece at a time. */
struct value_scan {
	enum value_end end;
	size_t pos;               /* the next byte to look at, from the start of the window */
	int depth, in_string, escaped;
};

/* Reads the next piece of the file behind the unread bytes; sets eof at its end. */
static int reader_fill(struct json_reader *rd, struct err *e)
{
	ssize_t n;

	if (rd->at > 0) {
		memmove(rd->b.data, rd->b.data + rd->at, rd->b.len - rd->at);
		rd->b.len -= rd->at;
		rd->at = 0;
	}
	if (rd->b.len > JSON_MAX_DOC_BYTES)
		return err_set(e, FA_EPARSE, "'%s' holds an element larger than %u bytes", rd->path,
			       JSON_MAX_DOC_BYTES);
	if (buf_grow(&rd->b, EACH_CHUNK) < 0)
		return err_set(e, FA_ENOMEM, "out of memory reading '%s'", rd->path);
	do
		n = read(rd->fd, rd->b.data + rd->b.len, EACH_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_set(e, FA_EIO, "cannot read '%s': %s", rd->path, strerror(errno));
	rd->b.len += (size_t)n;
	rd->b.data[rd->b.len] = '\0';
	rd->eof = n == 0;
	return 0;
}

/* JSON's four white-space characters (strchr() would match the NUL byte too). */
static int is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next byte that is not white space (read as needed), or -1 at the end of the file. */
static int reader_peek(struct json_reader *rd, struct err *e, int *ret_c)
{
	int r;

	for (;;) {
		while (rd->at < rd->b.len && is_json_space(rd->b.data[rd->at]))
			rd->at++;
		if (rd->at < rd->b.len) {
			*ret_c = (unsigned char)rd->b.data[rd->at];
			return 0;
		}
		if (rd->eof) {
			*ret_c = -1;
			return 0;
		}
		r = reader_fill(rd, e);
		if (r < 0)
			return r;
	}
}

/* Scans s[sc->pos..len): 1 once the value's end is found (sc->pos is then its length), else 0. */
static int scan_value(const char *s, size_t len, struct value_scan *sc)
{
	for (; sc->pos < len; sc->pos++) {
		char c = s[sc->pos];
		int closed = 0;

		if (sc->in_string) {
			if (sc->escaped) {
				sc->escaped = 0;
			} else if (c == '\\') {
				sc->escaped = 1;
			} else if (c == '"') {
				sc->in_string = 0;
				closed = sc->end == END_OF_STRING;
			}
		} else if (c == '"') {
			sc->in_string = 1;
		} else if (sc->end == END_OF_SCALAR && (c == ',' || c == ']' || c == '}')) {
			return 1;
		} else if (c == '{' || c == '[') {
			sc->depth++;
		} else if (c == '}' || c == ']') {
			closed = --sc->depth == 0;
		}
		if (closed) {
			sc->pos++;
			return 1;
		}
	}
	return 0;
}

/*
 * The length of the value at the start of the window, which end ends (read in
 * as needed).  keep: the value stays in the window, to be parsed; else what
 * is scanned is let go on the way (a value skipped costs no memory), and the
 * length counts from where the window then starts.
 */
static int value_length(struct json_reader *rd, enum value_end end, int keep, size_t *ret_len,
			struct err *e)
{
	struct value_scan sc = { end, 0, 0, 0, 0 };
	int r;

	while (!scan_value(rd->b.data + rd->at, rd->b.len - rd->at, &sc)) {
		if (!keep) {
			rd->at += sc.pos;
			sc.pos = 0;
		}
		if (rd->eof)
			return err_set(e, FA_EPARSE, "'%s' is truncated", rd->path);
		r = reader_fill(rd, e);
		if (r < 0)
			return r;
	}
	*ret_len = sc.pos;
	return 0;
}

/* Moves the window past the value that starts it (c: its first byte). */
static int skip_value(struct json_reader *rd, int c, struct err *e)
{
	size_t len = 0;
	int r = value_length(rd, c == '{' || c == '[' ? END_OF_ELEMENT : END_OF_SCALAR, 0, &len, e);

	if (r == 0)
		rd->at += len;
	return r;
}

/* The scalar of len bytes at the start of the window, parsed as json_parse() would. */
static int parse_scalar(struct json_reader *rd, size_t len, json_t **ret, struct err *e)
{
	struct buf wrapped = BUF_INIT;
	json_t *doc = NULL;
	int r = 0;

	/* as an array's element: Jansson parses only objects and arrays */
	if (buf_putc(&wrapped, '[') < 0 || buf_append(&wrapped, rd->b.data + rd->at, len) < 0 ||
	    buf_putc(&wrapped, ']') < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = json_parse(wrapped.data, wrapped.len, &doc, e);
	if (r == 0 && json_array_size(doc) != 1)
		r = err_set(e, FA_EPARSE, "a value is missing");
	if (r == 0)
		*ret = json_incref(json_array_get(doc, 0));
	json_decref(doc);
	buf_release(&wrapped);
	return r;
}

/* The value at the start of the window (c: its first byte), parsed; *ret_len its length. */
static int read_value(struct json_reader *rd, int c, json_t **ret, size_t *ret_len,
		      struct err *e)
{
	int element = c == '{' || c == '[';
	int r = value_length(rd, element ? END_OF_ELEMENT : END_OF_SCALAR, 1, ret_len, e);

	/* value_length()'s messages name the file already */
	if (r < 0)
		return r;
	r = element ? json_parse(rd->b.data + rd->at, *ret_len, ret, e)
		    : parse_scalar(rd, *ret_len, ret, e);
	if (r == FA_EPARSE)
		err_wrap(e, r, "'%s'", rd->path);
	return r;
}

/* Parses the object or array at the start of the window (c: its first byte) and hands it to fn. */
static int visit_element(struct json_reader *rd, int c, int (*fn)(void *ud, json_t *elem),
			 void *ud, struct err *e)
{
	json_t *elem = NULL;
	size_t len = 0;
	int r = read_value(rd, c, &elem, &len, e);

	if (r == 0) {
		rd->at += len;
		r = fn(ud, elem);
	}
	json_decref(elem);
	return r;
}

/* The elements, after the '[' (separators checked). */
static int each_element(struct json_reader *rd, int (*fn)(void *ud, json_t *elem), void *ud,
			struct err *e)
{
	int c, r, first = 1;

	for (;;) {
		r = reader_peek(rd, e, &c);
		if (r == 0 && c == ']')
			return 0;
		if (r == 0 && !first) {
			if (c != ',')
				return err_set(e, FA_EPARSE, "'%s' is malformed", rd->path);
			rd->at++;
			r = reader_peek(rd, e, &c);
		}
		if (r == 0 && c == -1)
			r = err_set(e, FA_EPARSE, "'%s' is truncated", rd->path);
		if (r == 0 && (c == '{' || c == '['))
			r = visit_element(rd, c, fn, ud, e);
		else if (r == 0)
			r = skip_value(rd, c, e);
		if (r < 0)
			return r;
		first = 0;
	}
}

/* Opens the file and reads up to its first byte, which must be opening ('[' or '{'). */
static int reader_open(struct json_reader *rd, const char *path, int opening, struct err *e)
{
	int c, r;

	rd->path = path;
	rd->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (rd->fd < 0)
		return err_set(e, errno == ENOENT ? FA_ENOTFOUND : FA_EIO, "cannot open '%s': %s",
			       path, strerror(errno));
	r = reader_peek(rd, e, &c);
	if (r == 0 && c != opening)
		r = err_set(e, FA_EPARSE, "'%s' is not a JSON %s", path,
			    opening == '[' ? "array" : "object");
	if (r == 0)
		rd->at++;
	return r;
}

static void reader_close(struct json_reader *rd)
{
	if (rd->fd >= 0)
		close(rd->fd);
	buf_release(&rd->b);
}

/*
 * Walking an object's members: the member key of the file's object, then
 * each of its own (into), or key's value itself (!into).
 */
struct member_walk {
	const char *key;
	int into;
	int (*fn)(void *ud, const char *name, json_t *value);
	void *ud;
};

/* A member's name (the window starts at its opening quote), then the ':' after it. */
static int read_name(struct json_reader *rd, struct buf *name, struct err *e)
{
	json_t *text = NULL;
	size_t len = 0;
	int c, r = value_length(rd, END_OF_STRING, 1, &len, e);

	/* parsed as any string is (json_parse()'s repairs included) */
	if (r == 0)
		r = parse_scalar(rd, len, &text, e);
	if (r == 0 && buf_set(name, json_is_string(text) ? json_string_value(text) : "") < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	json_decref(text);
	/* the window moves past each part only once that part is read */
	if (r == 0) {
		rd->at += len;
		r = reader_peek(rd, e, &c);
	}
	if (r == 0 && c != ':')
		r = err_set(e, FA_EPARSE, "'%s' is malformed", rd->path);
	if (r == 0)
		rd->at++;
	return r;
}

/*
 * The members of the object whose '{' was read: visit(rd, name, w, e) for
 * each, with the window at its value, until visit returns non-zero.
 */
static int each_member(struct json_reader *rd,
		       int (*visit)(struct json_reader *rd, const char *name,
				    const struct member_walk *w, struct err *e),
		       const struct member_walk *w, struct err *e)
{
	struct buf name = BUF_INIT;
	int c, r, first = 1;

	for (;;) {
		r = reader_peek(rd, e, &c);
		if (r == 0 && c == '}')
			break;
		if (r == 0 && !first && c != ',')
			r = err_set(e, FA_EPARSE, "'%s' is malformed", rd->path);
		if (r == 0 && !first) {
			rd->at++;
			r = reader_peek(rd, e, &c);
		}
		if (r == 0 && c != '"')
			r = err_set(e, FA_EPARSE, "'%s' is malformed", rd->path);
		if (r == 0)
			r = read_name(rd, &name, e);
		if (r == 0)
			r = visit(rd, name.data, w, e);
		/* an error, or the visit says the walk is over */
		if (r != 0)
			break;
		first = 0;
	}
	buf_release(&name);
	return r;
}

/* Parses the value at the start of the window (c: its first byte) and hands it to w->fn. */
static int visit_value(struct json_reader *rd, int c, const char *name,
		       const struct member_walk *w, struct err *e)
{
	json_t *value = NULL;
	size_t len = 0;
	int r = read_value(rd, c, &value, &len, e);

	if (r == 0) {
		rd->at += len;
		r = w->fn(w->ud, name, value);
	}
	json_decref(value);
	return r;
}

/* A member of the walked object: its object or array value goes to fn. */
static int visit_inner(struct json_reader *rd, const char *name, const struct member_walk *w,
		       struct err *e)
{
	int c, r = reader_peek(rd, e, &c);

	if (r < 0)
		return r;
	return c == '{' || c == '[' ? visit_value(rd, c, name, w, e) : skip_value(rd, c, e);
}

/*
 * A member of the file's object: skipped unless it is the first named w->key,
 * which ends the walk (the rest of the file does not matter).
 */
static int visit_top(struct json_reader *rd, const char *name, const struct member_walk *w,
		     struct err *e)
{
	int c, r = reader_peek(rd, e, &c);

	if (r == 0 && strcmp(name, w->key))
		return skip_value(rd, c, e);
	if (r == 0 && !w->into)
		r = visit_value(rd, c, name, w, e);
	else if (r == 0 && c == '{') {
		rd->at++;
		r = each_member(rd, visit_inner, w, e);
	}
	return r < 0 ? r : 1;
}

/* Walks the object that makes up the file at path, as w says. */
static int walk_object(const char *path, const struct member_walk *w, struct err *e)
{
	struct json_reader rd = { path, -1, BUF_INIT, 0, 0 };
	int r = reader_open(&rd, path, '{', e);

	if (r == 0)
		r = each_member(&rd, visit_top, w, e);
	reader_close(&rd);
	return r < 0 ? r : 0;
}

int json_each_in_object(const char *path, const char *key,
			int (*fn)(void *ud, const char *name, json_t *value), void *ud,
			struct err *e)
{
	struct member_walk w = { key, 1, fn, ud };

	return walk_object(path, &w, e);
}

/* json_member_in_object(): takes the member's value. */
static int take_value(void *ud, const char *name, json_t *value)
{
	(void)name;
	*(json_t **)ud = json_incref(value);
	return 0;
}

int json_member_in_object(const char *path, const char *key, json_t **ret, struct err *e)
{
	json_t *value = NULL;
	struct member_walk w = { key, 0, take_value, &value };
	int r = walk_object(path, &w, e);

	if (r == 0 && !value)
		r = err_set(e, FA_ENOTFOUND, "'%s' has no member '%s'", path, key);
	if (r == 0)
		*ret = value;
	else
		json_decref(value);
	return r;
}

int json_each_in_array(const char *path, int (*fn)(void *ud, json_t *elem), void *ud,
		       struct err *e)
{
	struct json_reader rd = { path, -1, BUF_INIT, 0, 0 };
	int r = reader_open(&rd, path, '[', e);

	if (r == 0)
		r = each_element(&rd, fn, ud, e);
	reader_close(&rd);
	return r;
}
