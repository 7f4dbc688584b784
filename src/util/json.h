/*
 * json.h: lenient typed access to Flickr's JSON, and JSON output.
 *
 * Jansson's json_t is the document model of the project (archive records are
 * JSON), so this header exposes it; this module adds what Flickr's data needs:
 * numbers that arrive as numbers or numeric strings, flags as 0/1, "0"/"1",
 * "" or booleans, text wrapped as {"_content": ...}, and lists that may be a
 * lone object.  Every getter accepts NULL and wrongly typed input and then
 * reports "absent", so hostile data cannot crash the caller.
 *
 * Returned const pointers are borrowed from the document they came from.
 */
#ifndef FA_JSON_H
#define FA_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Significant digits of every real number written to the archive. */
#define JSON_REAL_DIGITS 10

#include "buf.h"
#include "error.h"

#define JSON_MAX_DOC_BYTES (64u * 1024 * 1024)

/*
 * Parses data; on failure fills e with FA_EPARSE and the position.  Strings
 * Jansson would refuse are repaired first (json_repair_strings), so a bad
 * caption costs at most that caption, not the whole document.
 */
int json_parse(const char *data, size_t len, json_t **ret, struct err *e);
int json_load_path(const char *path, json_t **ret, struct err *e);

/*
 * Calls fn(ud, elem) for each object or array in the JSON array that makes up
 * the file at path, reading and parsing one element at a time (with
 * json_parse()'s repairs), so that a large index costs one element's memory,
 * not the whole document's.  Elements of other types are skipped.  elem is
 * borrowed: it is freed when fn returns.  fn's first negative result stops the
 * walk and is returned.  Errors: FA_ENOTFOUND, FA_EIO, FA_ENOMEM, and
 * FA_EPARSE when the file is not an array, or is malformed or truncated
 * (the elements before that were seen), or holds an element larger than
 * JSON_MAX_DOC_BYTES.
 */
int json_each_in_array(const char *path, int (*fn)(void *ud, json_t *elem), void *ud,
		       struct err *e);
/*
 * The same for the members of the object under key in the object that makes
 * up the file at path ({"version": 1, "thumbs": {"a": {...}, ...}} with key
 * "thumbs"): fn(ud, name, value) for each member whose value is an object or
 * an array.  The file's other members are skipped unparsed; its end after
 * that object is not read.
 *
 * Duplicate keys: the first wins, unlike json_parse() where the last does.
 * The walk stops at the file's first member named key (walked only when it is
 * an object), and a name repeated in that object goes to fn each time, in file
 * order: a caller that keeps the first, as the thumbnails' state does, agrees.
 */
int json_each_in_object(const char *path, const char *key,
			int (*fn)(void *ud, const char *name, json_t *value), void *ud,
			struct err *e);
/*
 * The value (of any type) of the first member named key of the object that
 * makes up the file at path, read the same way: the members before it are
 * skipped unparsed, the file after it is not read.  *ret is the caller's.
 * FA_ENOTFOUND also when the object has no such member.
 */
int json_member_in_object(const char *path, const char *key, json_t **ret, struct err *e);

/* Serialises doc (indented, UTF-8, insertion order) plus a final newline. */
int json_dump_buf(const json_t *doc, struct buf *out);
/* Writes doc to path atomically (see fsutil.h). */
int json_write_atomic(const char *path, const json_t *doc, struct err *e);

/* obj[key] if it is a string, else NULL. */
const char *jstr(const json_t *obj, const char *key);
/* obj[key] as text: a string, obj[key]._content, or a number printed into a
 * per-thread scratch buffer (valid until the next jtext call). NULL if absent. */
const char *jtext(const json_t *obj, const char *key);
/* obj[key]._content (or obj[key] itself if a plain string). */
const char *jcontent(const json_t *obj, const char *key);
/* Integer from a number, an integral real, or a numeric string. */
bool jint(const json_t *obj, const char *key, long long *ret);
long long jint_or(const json_t *obj, const char *key, long long def);
bool jreal(const json_t *obj, const char *key, double *ret);
/* 0/1, "0"/"1", true/false; "" and absent give def. */
bool jflag(const json_t *obj, const char *key, bool def);
/* A value that can be a number or numeric string, read from a json_t itself. */
bool jint_value(const json_t *v, long long *ret);

/* Lists: an array is itself; a lone object counts as a one-item list. */
size_t jlist_size(const json_t *list);
json_t *jlist_at(const json_t *list, size_t i);
/* obj[key] if it is an object, else NULL. */
json_t *jobj(const json_t *obj, const char *key);

/* Setters that steal nothing: strings are copied, NULL becomes JSON null.
 * They return 0 or FA_ENOMEM. */
int jset_str(json_t *obj, const char *key, const char *s);
int jset_int(json_t *obj, const char *key, long long v);
/* v as the archive's files keep it (JSON_REAL_DIGITS significant digits), so that
 * a record compares equal to itself read back from disk. */
int jset_real(json_t *obj, const char *key, double v);
int jset_bool(json_t *obj, const char *key, bool v);
/* Steals v (which may be NULL: then JSON null). */
int jset_new(json_t *obj, const char *key, json_t *v);
/* Copies obj[key] of src into dst if present. */
int jcopy(json_t *dst, const char *dst_key, const json_t *src, const char *src_key);

/*
 * Copies a JSON text to out (when not NULL), repairing inside strings what
 * Jansson refuses: invalid UTF-8 becomes U+FFFD, a raw control character its
 * \u00XX escape, and the escapes \u0000 and lone UTF-16 surrogates \uFFFD.
 * Everything outside strings is copied as is.  Returns the number of repairs
 * (0: the text can be parsed as it is), or FA_ENOMEM.
 */
long json_repair_strings(const char *data, size_t len, struct buf *out);

/* A string that is valid UTF-8 from possibly invalid input (bad bytes become U+FFFD). */
json_t *jstring_lossy(const char *s);

#endif
