/*
 * search.c: the search command.  The index is brought up to date under the
 * archive's lock (a sync may be running: then the index is used as it is),
 * and an archive we cannot write to is indexed in memory.  One line per
 * match on stdout, or a JSON array with --json.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "index.h"
#include "index_doc.h"
#include "json.h"
#include "log.h"
#include "search.h"
#include "store.h"
#include "exit_status.h"

/* Bytes of a title shown on a result line (a line is at most 2 KB) */
#define TITLE_SHOWN 200

/* ---- opening the index ----------------------------------------------------- */

/*
 * Takes the archive's lock, as a sync does.  Returns 1 with *ret_fd locked
 * (or -1: without a lock file, or one we cannot open, the update will say),
 * 0 when a sync holds it.
 */
static int lock_archive(const char *root, int *ret_fd)
{
	return store_lock(root, STORE_LOCK_EXCLUSIVE, ret_fd, NULL) != FA_EBUSY;
}

static void report_update(const char *root, const struct index_stats *st)
{
	if (st->damaged)
		msg_warn("'%s' is damaged (not valid JSON)%s; searching what could be read "
			 "('flickr-archive sync' repairs it)", st->damaged_path,
			 st->damaged > 1 ? ", and so are files of other items" : "");
	if (st->rebuilt && strcmp(st->why, "created"))
		msg_info("Rebuilt the search index '%s/%s' (%s): %ld items", root, INDEX_DB_NAME,
			 st->why, st->items);
	else if (st->rebuilt)
		msg_info("Built the search index '%s/%s': %ld items", root, INDEX_DB_NAME,
			 st->items);
	else
		msg_debug("search index: %ld of %ld items read again, %ld dropped", st->indexed,
			  st->items, st->removed);
}

/*
 * The index brought up to date (or rebuilt: a search found it damaged), else
 * as it is, else built in memory.
 */
static int open_index(const char *root, int rebuild, struct index **ret, struct err *e)
{
	struct index_stats st;
	struct err why = { 0 };
	int lock_fd, r = FA_EINVAL;

	*ret = NULL;
	if (lock_archive(root, &lock_fd)) {
		r = index_open(root, INDEX_WRITE, ret, &why);
		if (r == 0)
			r = rebuild ? index_rebuild(*ret, &st, &why) : index_update(*ret, &st, &why);
		if (r == 0)
			report_update(root, &st);
		else if (r != FA_EINTR)
			msg_warn("cannot update the search index: %s; searching without it", why.msg);
	} else {
		msg_info("a sync is working on '%s': searching the index as it was", root);
	}
	store_unlock(&lock_fd);
	if (r == FA_EINTR)
		return err_set(e, r, "interrupted");
	if (r == 0)
		return 0;
	index_close(*ret);
	*ret = NULL;
	if (!rebuild && index_open(root, INDEX_READ, ret, NULL) == 0)
		return 0;
	r = index_open(root, INDEX_MEMORY, ret, e);
	if (r == 0)
		r = index_update(*ret, &st, e);
	return r;
}

/* ---- collecting and printing ----------------------------------------------- */

/*
 * Hits are collected first, as the JSON objects --json prints but with their
 * texts still marked, and printed once the search is over: a search that
 * finds the index damaged can then start again without printing twice.
 */
struct results {
	const struct options *o;
	json_t *hits;
	struct buf scratch;
};

static json_t *where_json(const struct index_where *w)
{
	json_t *one = json_object();

	if (one && (jset_str(one, "field", index_field_name(w->field)) < 0 ||
		    jset_str(one, "by", w->by) < 0 || jset_new(one, "text", jstring_lossy(w->text)) < 0 ||
		    jset_int(one, "more", w->more) < 0)) {
		json_decref(one);
		return NULL;
	}
	return one;
}

static int on_hit(void *ud, const struct index_hit *hit)
{
	struct results *res = ud;
	json_t *o = json_object(), *where = json_array();
	struct buf path = BUF_INIT;
	int r = o && where ? 0 : FA_ENOMEM;

	for (size_t i = 0; i < hit->n_where && r == 0; i++)
		if (json_array_append_new(where, where_json(&hit->where[i])) < 0)
			r = FA_ENOMEM;
	if (r == 0 && buf_printf(&path, "%s/%s/%s", res->o->archive_dir,
				 store_kind_dir(hit->kind), hit->id) < 0)
		r = FA_ENOMEM;
	if (r == 0 && (jset_str(o, "id", hit->id) < 0 ||
		       jset_str(o, "section", store_kind_dir(hit->kind)) < 0 ||
		       jset_new(o, "path", jstring_lossy(buf_cstr(&path))) < 0 ||
		       jset_str(o, "date", hit->date) < 0 ||
		       jset_str(o, "date_taken", hit->date_taken) < 0 ||
		       jset_str(o, "date_posted", hit->date_posted) < 0 ||
		       jset_new(o, "title", jstring_lossy(hit->title)) < 0 ||
		       jset_str(o, "owner", hit->owner) < 0 || jset_str(o, "status", hit->status) < 0 ||
		       jset_real(o, "rank", hit->rank) < 0 || jset_new(o, "where", json_incref(where)) < 0 ||
		       json_array_append(res->hits, o) < 0))
		r = FA_ENOMEM;
	json_decref(o);
	json_decref(where);
	buf_release(&path);
	return r;
}

/* Appends s, its match marks made `mark` (or dropped when mark is NULL). */
static int put_marked(struct buf *out, const char *s, const char *mark)
{
	int r = 0;

	for (; s && *s && r == 0; s++) {
		if (*s == INDEX_MARK_OPEN || *s == INDEX_MARK_CLOSE)
			r = mark ? buf_puts(out, mark) : 0;
		else
			r = buf_putc(out, *s);
	}
	return r;
}

/* ---- one line per hit ---- */

static const char *where_label(const char *field)
{
	static const char *const labels[INDEX_N_FIELDS] = {
		"title", "description", "tag", "comment", "person", "note", "album", "place",
	};

	for (int f = 0; f < INDEX_N_FIELDS; f++)
		if (!strcmp(field, index_field_name((enum index_field)f)))
			return labels[f];
	return field;
}

/* "title", "comment by Jane: ...*word*...", "faved: *Jane* Doe", "tag: *word*" */
static int put_where(struct buf *out, const json_t *w)
{
	const char *field = jstr(w, "field"), *by = jstr(w, "by");
	long long more = jint_or(w, "more", 0);
	int r;

	if (!strcmp(field, "title"))
		return buf_puts(out, "title");
	if (!strcmp(field, "comments") && by)
		r = buf_printf(out, "comment by %s: ", by);
	else if (!strcmp(field, "people") && by)
		r = buf_printf(out, "%s: ", by);
	else
		r = buf_printf(out, "%s: ", where_label(field));
	if (r == 0)
		r = put_marked(out, jstr(w, "text"), "*");
	if (r == 0 && more)
		r = buf_printf(out, " (+%lld more)", more);
	return r;
}

/* A title cut to TITLE_SHOWN bytes, at a character. */
static int put_title(struct buf *out, const char *title)
{
	size_t n = strlen(title);

	if (!n)
		return buf_puts(out, "(untitled)");
	if (n <= TITLE_SHOWN)
		return buf_puts(out, title);
	n = TITLE_SHOWN;
	while (n > 0 && ((unsigned char)title[n] & 0xc0) == 0x80)
		n--;
	if (buf_append(out, title, n) < 0)
		return FA_ENOMEM;
	return buf_puts(out, "\xe2\x80\xa6");
}

/* "[favorite, deleted from Flickr]", "[gallery photo]", "[no longer on Flickr]" */
static int put_flags(struct buf *out, const json_t *hit)
{
	const char *section = jstr(hit, "section");
	const char *kind = !strcmp(section, store_kind_dir(STORE_FAV)) ? "favorite"
			   : !strcmp(section, store_kind_dir(STORE_GALLERY)) ? "gallery photo" : NULL;
	const char *status = jstr(hit, "status");

	if (!kind && !status)
		return 0;
	if (status && !strcmp(status, "deleted"))
		status = "deleted from Flickr";
	else if (status && !strcmp(status, "unavailable"))
		status = "no longer on Flickr";
	return buf_printf(out, "  [%s%s%s]", kind ? kind : "", kind && status ? ", " : "",
			  status ? status : "");
}

/* ID  DATE  TITLE  [favorite, deleted from Flickr]  (where; where) */
static int print_line(struct buf *l, const json_t *hit)
{
	const json_t *where = json_object_get(hit, "where");
	const char *date = jstr(hit, "date");
	int r;

	buf_reset(l);
	r = buf_printf(l, "%s  %s  ", jstr(hit, "id"), date && *date ? date : "(no date)");
	if (r == 0)
		r = put_title(l, jstr(hit, "title"));
	if (r == 0)
		r = put_flags(l, hit);
	for (size_t i = 0; i < json_array_size(where) && r == 0; i++) {
		r = buf_puts(l, i ? "; " : "  (");
		if (r == 0)
			r = put_where(l, json_array_get(where, i));
	}
	if (r == 0 && json_array_size(where))
		r = buf_putc(l, ')');
	if (r < 0)
		return FA_ENOMEM;
	msg_result("%s", l->data);
	return 0;
}

/* ---- --json ---- */

/* The words between match marks. */
static json_t *matched_words(const char *s)
{
	json_t *words = json_array();

	while (words && s && (s = strchr(s, INDEX_MARK_OPEN))) {
		const char *end = strchr(++s, INDEX_MARK_CLOSE);
		size_t n = end ? (size_t)(end - s) : strlen(s);
		char *w = strndup(s, n);

		json_array_append_new(words, w ? jstring_lossy(w) : NULL);
		free(w);
		s += n;
	}
	return words;
}

/* s without its marks, as a new JSON string. */
static json_t *plain(struct buf *scratch, const char *s)
{
	buf_reset(scratch);
	if (!s || put_marked(scratch, s, NULL) < 0)
		return json_null();
	return jstring_lossy(buf_cstr(scratch));
}

/*
 * Makes a collected hit what --json prints: texts without marks, the words
 * matched beside them, the names of the fields matched, and a snippet (the
 * first match outside the title, which is shown anyway).
 */
static int finish_json_hit(json_t *hit, struct buf *scratch)
{
	json_t *where = json_incref(json_object_get(hit, "where")), *matched = json_array();
	size_t n = json_array_size(where), shown = 0;
	int r = matched ? 0 : FA_ENOMEM;

	while (shown + 1 < n && !strcmp(jstr(json_array_get(where, shown), "field"), "title"))
		shown++;
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *w = json_array_get(where, i);

		if (json_array_append_new(matched, json_string(jstr(w, "field"))) < 0 ||
		    jset_new(w, "matches", matched_words(jstr(w, "text"))) < 0 ||
		    jset_new(w, "text", plain(scratch, jstr(w, "text"))) < 0)
			r = FA_ENOMEM;
	}
	/* "where" last: the keys a reader looks for first come first */
	if (r == 0 && (json_object_del(hit, "where") < 0 || jset_new(hit, "matched", matched) < 0 ||
		       jset_str(hit, "snippet", n ? jstr(json_array_get(where, shown), "text") : NULL) < 0 ||
		       jset_new(hit, "where", json_incref(where)) < 0))
		r = FA_ENOMEM;
	else if (r < 0)
		json_decref(matched);
	json_decref(where);
	return r;
}

static int print_results(struct results *res)
{
	char *text;
	int r = 0;

	for (size_t i = 0; i < json_array_size(res->hits) && r == 0; i++)
		r = res->o->flags & OPT_JSON
			? finish_json_hit(json_array_get(res->hits, i), &res->scratch)
			: print_line(&res->scratch, json_array_get(res->hits, i));
	if (r < 0 || !(res->o->flags & OPT_JSON))
		return r;
	text = json_dumps(res->hits, JSON_INDENT(2));
	if (!text)
		return FA_ENOMEM;
	fputs(text, stdout);
	fputc('\n', stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : FA_EIO;
}

/* ---- the command ------------------------------------------------------------ */

/* The positional arguments joined by spaces: `search gran cake` needs no quotes. */
static int join_args(const struct options *o, struct buf *out)
{
	for (int i = 0; i < o->n_args; i++)
		if ((i && buf_putc(out, ' ') < 0) || buf_puts(out, o->args[i]) < 0)
			return FA_ENOMEM;
	return 0;
}

/* my_photos or favorited_photos is a folder in root: one that is a link is never followed. */
static int is_archive(const char *root)
{
	struct store s = { (char *)root };
	struct buf p = BUF_INIT;
	int found = 0;

	for (int k = 0; k < 2 && !found; k++) {
		buf_reset(&p);
		found = store_root_path(&s, store_kind_dir((enum store_kind)k), &p) == 0 &&
			fs_is_real_dir(p.data);
	}
	buf_release(&p);
	return found;
}

int cmd_search(const struct options *o, struct err *e)
{
	struct results res = { .o = o };
	struct buf query = BUF_INIT, fts = BUF_INIT;
	struct index *ix = NULL;
	int r;

	r = join_args(o, &query);
	if (r == 0 && index_fts_query(buf_cstr(&query), &fts) == FA_EINVAL) {
		r = err_set(e, FA_EUSAGE, "%s; usage: flickr-archive search [--json] [--limit N] "
			    "QUERY", o->n_args ? "nothing to search for: give a word with a "
			    "letter or digit" : "search for what?");
		goto cleanup;
	}
	if (r == 0 && !is_archive(o->archive_dir)) {
		r = err_set(e, FA_ENOTFOUND, "no archive at '%s' (no my_photos or favorited_photos "
			    "folder); use --archive DIR", o->archive_dir);
		goto cleanup;
	}
	if (r == 0 && !(res.hits = json_array()))
		r = FA_ENOMEM;
	if (r == 0)
		r = open_index(o->archive_dir, 0, &ix, e);
	if (r == 0)
		r = index_search(ix, buf_cstr(&query), o->limit, on_hit, &res, e);
	if (r < 0 && r != FA_ENOMEM && ix && index_damaged(ix)) {
		/* a part of the file the update did not read; it is derived data */
		msg_warn("%s; building the search index again", e->msg);
		index_close(ix);
		json_array_clear(res.hits);
		err_clear(e);
		r = open_index(o->archive_dir, 1, &ix, e);
		if (r == 0)
			r = index_search(ix, buf_cstr(&query), o->limit, on_hit, &res, e);
	}
	if (r == 0 && print_results(&res) < 0)
		r = err_set(e, FA_EIO, "cannot write the results: %s", strerror(errno));
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	else if (r == FA_EINTR)
		err_set(e, r, "interrupted");
	else if (r == 0 && !json_array_size(res.hits))
		r = CMD_INCOMPLETE;
cleanup:
	index_close(ix);
	json_decref(res.hits);
	buf_release(&res.scratch);
	buf_release(&query);
	buf_release(&fts);
	return r;
}
