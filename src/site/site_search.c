/* site_search.c: the search index script (see site_search.h for its shape). */
#include <string.h>

#include "html.h"
#include "site_account.h"
#include "site_search.h"

/* Sticky errors, as for pages: the first out-of-memory makes the rest no-ops. */
struct out {
	struct buf *b;
	int failed;
};

static void put_raw(struct out *o, const char *s)
{
	if (!o->failed && buf_puts(o->b, s) < 0)
		o->failed = 1;
}

static void put_long(struct out *o, long v)
{
	if (!o->failed && buf_printf(o->b, "%ld", v) < 0)
		o->failed = 1;
}

static void put_str(struct out *o, const char *s)
{
	if (!o->failed && html_js_string(o->b, s) < 0)
		o->failed = 1;
}

/* Flickr's markup as plain text, as a string. */
static void put_text(struct out *o, const char *markup)
{
	struct buf text = BUF_INIT;

	if (markup && html_to_text(&text, markup, strlen(markup)) < 0)
		o->failed = 1;
	put_str(o, buf_cstr(&text));
	buf_release(&text);
}

/* The person an entry names (site_model_person knows them from the photo page). */
static long person_of(struct site *s, const char *nsid)
{
	long idx = site_model_person(&s->m, nsid, NULL);

	return idx >= 0 ? idx : -1;
}

static void put_comments(struct out *o, struct site *s, const json_t *comments)
{
	put_raw(o, "[");
	for (size_t i = 0; i < jlist_size(comments); i++) {
		const json_t *c = jlist_at(comments, i);

		put_raw(o, i ? ",[" : "[");
		put_long(o, person_of(s, jstr(c, "author")));
		put_raw(o, ",");
		put_text(o, jstr(c, "text"));
		put_raw(o, "]");
	}
	put_raw(o, "]");
}

static void put_faves(struct out *o, struct site *s, const json_t *faves)
{
	put_raw(o, "[");
	for (size_t i = 0; i < jlist_size(faves); i++) {
		if (i)
			put_raw(o, ",");
		put_long(o, person_of(s, jstr(jlist_at(faves, i), "nsid")));
	}
	put_raw(o, "]");
}

/* The entry of an item, from its records (any of which may be NULL). */
static int put_item(struct out *o, struct site *s, size_t idx, const json_t *meta,
		    const json_t *comments, const json_t *faves, struct err *e)
{
	const struct site_item *it = &s->m.items[idx];
	struct buf tags = BUF_INIT;
	char ymd[11];
	int r = site_model_item_tags(&s->m, idx, meta, &tags, e);

	site_ymd(it->posted, ymd);
	put_raw(o, s->search_items.len ? ",\n[" : "[");
	put_str(o, site_kind_slug(it->kind));
	put_raw(o, ",");
	put_str(o, it->id);
	put_raw(o, ",");
	put_str(o, site_item_title(it));
	put_raw(o, ",");
	put_str(o, ymd);
	put_raw(o, it->thumb_ok ? ",1" : ",0");
	put_raw(o, it->is_video ? ",1," : ",0,");
	put_str(o, buf_cstr(&tags));
	put_raw(o, ",");
	put_text(o, jstr(meta, "description"));
	put_raw(o, ",");
	put_comments(o, s, comments);
	put_raw(o, ",");
	put_faves(o, s, faves);
	put_raw(o, ",");
	put_long(o, it->owner);
	put_raw(o, "]");
	buf_release(&tags);
	return r;
}

int site_search_add_item(struct site *s, size_t idx, const json_t *meta, const json_t *comments,
			 const json_t *faves, struct err *e)
{
	struct buf entry = BUF_INIT;
	struct out o = { &entry, 0 };
	int r = put_item(&o, s, idx, meta, comments, faves, e);

	if (r == 0 && o.failed)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = site_spool_add(&s->search_items, entry.data, entry.len, NULL, e);
	buf_release(&entry);
	return r;
}

static void put_people(struct out *o, const struct site_model *m)
{
	put_raw(o, "[");
	for (size_t i = 0; i < m->n_people; i++) {
		const struct site_person *p = &m->people[i];

		put_raw(o, i ? ",\n[" : "\n[");
		put_str(o, p->nsid);
		put_raw(o, ",");
		put_str(o, p->name);
		put_raw(o, ",");
		put_str(o, p->username ? p->username : "");
		put_raw(o, p->avatar ? ",1]" : ",0]");
	}
	put_raw(o, "]");
}

/* The group, gallery and collection pages, found by their names: [[kind, id, name], ...]. */
static void put_pages(struct out *o, const struct site *s)
{
	json_t *pages = site_account_search_pages(s);

	if (!pages) {
		o->failed = 1;
		return;
	}
	put_raw(o, "[");
	for (size_t i = 0; i < json_array_size(pages); i++) {
		const json_t *pg = json_array_get(pages, i);

		put_raw(o, i ? ",\n[" : "\n[");
		for (size_t k = 0; k < 3; k++) {
			put_raw(o, k ? "," : "");
			put_str(o, json_string_value(json_array_get(pg, k)));
		}
		put_raw(o, "]");
	}
	put_raw(o, "]");
	json_decref(pages);
}

int site_search_write(struct site *s, struct err *e)
{
	struct buf head = BUF_INIT;
	struct out o = { &head, 0 };
	int r;

	put_raw(&o, "/* The search index of this archive's site (made by flickr-archive). */\n"
		"window.FA_SEARCH_INDEX = {\"version\":1,\n\"people\":");
	put_people(&o, &s->m);
	put_raw(&o, ",\n\"pages\":");
	put_pages(&o, s);
	put_raw(&o, ",\n\"items\":[\n");
	/* the items wait in a spool: at 100,000 photos they are tens of megabytes */
	r = o.failed ? err_set(e, FA_ENOMEM, "out of memory")
		     : site_write_spooled(s, SITE_DIR "/search-index.js", &head, &s->search_items,
					  "]};\n", e);
	buf_release(&head);
	return r;
}
