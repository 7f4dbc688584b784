/*
 * index_doc.c: an item's entry in the search index (see index_doc.h): HTML
 * made text, Chinese and Japanese characters spaced out for the tokenizer,
 * people listed once with all they did, and user queries quoted for FTS5.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index_doc.h"
#include "record.h"
#include "utf8.h"

/* ---- text ------------------------------------------------------------------ */

/* The code point at s (valid UTF-8 from Jansson; anything else is U+FFFD),
 * and its length in *ret_len. */
static uint32_t char_at(const unsigned char *s, size_t *ret_len)
{
	long c = utf8_decode(s, strnlen((const char *)s, 4), ret_len);

	return c < 0 ? UTF8_REPLACEMENT : (uint32_t)c;
}

/* Scripts written without spaces between words (and Hangul, harmlessly), with their
 * punctuation and full-width forms. */
static int is_cjk(uint32_t c)
{
	return (c >= 0x2e80 && c <= 0x2fdf) || (c >= 0x3000 && c <= 0x31ff) ||
	       (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) ||
	       (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xff00 && c <= 0xffef) || (c >= 0x20000 && c <= 0x3134f);
}

int index_segment_cjk(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	int prev_cjk = 0;

	while (*p) {
		size_t n;
		int cjk = is_cjk(char_at(p, &n));

		if ((cjk || prev_cjk) && *p != ' ' && out->len && out->data[out->len - 1] != ' ' &&
		    out->data[out->len - 1] != '\n' && buf_putc(out, ' ') < 0)
			return FA_ENOMEM;
		if (buf_append(out, p, n) < 0)
			return FA_ENOMEM;
		prev_cjk = cjk;
		p += n;
	}
	return 0;
}

/* The next character after s that is not a match mark (0 at the end). */
static uint32_t next_visible(const unsigned char *s)
{
	size_t n;

	while (*s == INDEX_MARK_OPEN || *s == INDEX_MARK_CLOSE)
		s++;
	return *s ? char_at(s, &n) : 0;
}

int index_unsegment_cjk(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t prev = 0;

	while (*p) {
		size_t n = 1;
		uint32_t c = *p;

		if (c == INDEX_MARK_OPEN || c == INDEX_MARK_CLOSE) {
			if (buf_putc(out, (char)c) < 0)
				return FA_ENOMEM;
			p++;
			continue;
		}
		c = char_at(p, &n);
		if (c == ' ' && is_cjk(prev) && is_cjk(next_visible(p + 1))) {
			p++;
			continue;
		}
		if (buf_append(out, p, n) < 0)
			return FA_ENOMEM;
		prev = c;
		p += n;
	}
	return 0;
}

/* An entity's code point as UTF-8; a control character is a space here. */
static int put_code_point(struct buf *out, unsigned long c)
{
	if (c < 0x20 || c == 0x7f)
		c = ' ';
	return utf8_put(out, c);
}

/* Text being cleaned into out: white space is collapsed and trimmed as it comes. */
struct cleaner {
	struct buf *out;
	size_t start;
	int pending_space;
};

static int clean_put(struct cleaner *cl, const char *bytes, size_t n)
{
	if (cl->pending_space && cl->out->len > cl->start && buf_putc(cl->out, ' ') < 0)
		return FA_ENOMEM;
	cl->pending_space = 0;
	return buf_append(cl->out, bytes, n) < 0 ? FA_ENOMEM : 0;
}

/* An entity at s ("&amp;", "&#233;", "&#xE9;"): its text, returns its length, or 0. */
static size_t decode_entity(const char *s, struct buf *text)
{
	long cp;
	size_t len = utf8_charref(s, strnlen(s, UTF8_CHARREF_MAX), &cp);

	buf_reset(text);
	if (!len || cp < 0)
		return 0;
	/* a no-break space separates words like a space */
	return put_code_point(text, cp == 0xa0 ? ' ' : (unsigned long)cp) < 0 ? 0 : len;
}

/* Tags whose edges separate words ("a<br>b" is two words, "<b>a</b>b" one). */
static int tag_separates(const char *tag)
{
	static const char *const names[] = { "br", "p", "div", "li", "ul", "ol", "tr", "td",
					     "th", "h1", "h2", "h3", "h4", "h5", "h6",
					     "blockquote", "hr", "pre", "table", NULL };
	size_t n;

	tag += tag[1] == '/' ? 2 : 1;
	n = strcspn(tag, " \t\r\n/>");
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncasecmp(tag, names[i], n))
			return 1;
	return 0;
}

/* The end of the tag at p ('>'), or NULL when p only looks like one ("a < b"). */
static const char *tag_end(const char *p)
{
	char c = p[1];

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!' || c == '?')
		return strchr(p, '>');
	return NULL;
}

/* Appends s cleaned (HTML too when html): see index_html_to_text(). */
static int text_clean(const char *s, int html, struct buf *out)
{
	struct cleaner cl = { out, out->len, 0 };
	struct buf ent = BUF_INIT;
	const char *p = s;
	int r = 0;

	while (*p && r == 0) {
		unsigned char c = (unsigned char)*p;
		const char *gt = html && c == '<' ? tag_end(p) : NULL;
		size_t n = html && c == '&' ? decode_entity(p, &ent) : 0;

		if (gt) {
			cl.pending_space |= tag_separates(p);
			p = gt + 1;
		} else if (n > 0) {
			if (!strcmp(buf_cstr(&ent), " "))
				cl.pending_space = 1;
			else
				r = clean_put(&cl, ent.data, ent.len);
			p += n;
		} else if (c <= ' ' || c == 0x7f) {
			cl.pending_space = 1;
			p++;
		} else {
			r = clean_put(&cl, p, 1);
			p++;
		}
	}
	buf_release(&ent);
	return r;
}

int index_html_to_text(const char *html, struct buf *out)
{
	return text_clean(html ? html : "", 1, out);
}

/* ---- queries ------------------------------------------------------------- */

static int has_word_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'))
			return 1;
	}
	return 0;
}

/* One user word as a quoted FTS5 string (a '"' is doubled), maybe a prefix; empty if no word. */
static int quote_query_word(struct buf *out, const char *w, size_t n)
{
	struct buf word = BUF_INIT, seg = BUF_INIT;
	int prefix = 0, r;

	buf_reset(out);
	while (n > 0 && w[n - 1] == '*') {
		prefix = 1;
		n--;
	}
	if (!has_word_char(w, n))
		return 0;
	r = buf_append(&word, w, n) < 0 ? FA_ENOMEM : index_segment_cjk(buf_cstr(&word), &seg);
	if (r == 0)
		r = buf_putc(out, '"');
	for (size_t i = 0; r == 0 && i < seg.len; i++)
		r = seg.data[i] == '"' ? buf_puts(out, "\"\"") : buf_putc(out, seg.data[i]);
	if (r == 0)
		r = buf_puts(out, prefix ? "\"*" : "\"");
	buf_release(&word);
	buf_release(&seg);
	return r < 0 ? FA_ENOMEM : 0;
}

/*
 * Whether the terms of out (from start) hold term already.  A term is bounded
 * by spaces, and a quote inside one is doubled, so a match is a whole term.
 */
static int has_term(const struct buf *out, size_t start, const struct buf *term)
{
	const char *terms = buf_cstr(out) + start, *p = terms;

	while ((p = strstr(p, term->data))) {
		if ((p == terms || p[-1] == ' ') && (p[term->len] == ' ' || p[term->len] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

int index_fts_query(const char *query, struct buf *out)
{
	const char *p = query ? query : "";
	struct buf term = BUF_INIT;
	size_t start = out->len;
	int r = 0;

	while (*p && r == 0) {
		size_t n;

		p += strspn(p, " \t\r\n\f\v");
		n = strcspn(p, " \t\r\n\f\v");
		r = quote_query_word(&term, p, n);
		p += n;
		/* a word said twice is one condition (2,500 x "a*" cost SQLite minutes) */
		if (r < 0 || !term.len || has_term(out, start, &term))
			continue;
		if ((out->len > start && buf_putc(out, ' ') < 0) || buf_append(out, term.data,
									   term.len) < 0)
			r = FA_ENOMEM;
	}
	buf_release(&term);
	if (r == 0 && out->len == start)
		r = FA_EINVAL;
	return r;
}

/* ---- what an item says ----------------------------------------------------- */

const char *const index_doc_files[INDEX_DOC_N_FILES] = { "metadata.json", "comments.json",
							    "favorites.json" };

/* Keys that name a person in comments.json, favorites.json and metadata.json. */
static const char *const name_keys[] = { "display_name", "realname", "username", "author_name",
					 "authorname", "author", "nsid", NULL };
static const char *const username_keys[] = { "username", "author_name", "authorname", NULL };
static const char *const person_id_keys[] = { "nsid", "author", NULL };

void index_doc_release(struct index_doc *d)
{
	for (size_t i = 0; i < INDEX_N_FIELDS; i++)
		buf_release(&d->col[i]);
	buf_release(&d->roles);
	buf_release(&d->title);
	buf_release(&d->line);
	buf_release(&d->scratch);
	json_decref(d->meta);
	json_decref(d->comments);
	json_decref(d->faves);
	json_decref(d->seen);
	json_decref(d->people);
	json_decref(d->people_at);
	memset(d, 0, sizeof(*d));
}

/* The first of keys that obj has as non-empty text (borrowed), or NULL. */
static const char *first_text(const json_t *obj, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *v = jcontent(obj, *keys);

		if (v && *v)
			return v;
	}
	return NULL;
}

/* Appends text as one entry (line) of column f: 1 when added, 0 when it was empty. */
static int add_entry(struct index_doc *d, enum index_field f, const char *text, int html)
{
	struct buf *col = &d->col[f];
	int r;

	if (!text)
		return 0;
	buf_reset(&d->scratch);
	r = text_clean(text, html, &d->scratch);
	if (r < 0 || d->scratch.len == 0)
		return r;
	if (col->len && buf_putc(col, '\n') < 0)
		return FA_ENOMEM;
	r = index_segment_cjk(buf_cstr(&d->scratch), col);
	return r < 0 ? r : 1;
}

/* A tag, once whatever its case. */
static int add_tag(struct index_doc *d, const char *tag)
{
	char *key;
	int r = 0;

	if (!tag || !*tag)
		return 0;
	key = strdup(tag);
	if (!key)
		return FA_ENOMEM;
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (!json_object_get(d->seen, key)) {
		r = json_object_set_new(d->seen, key, json_true()) < 0 ? FA_ENOMEM : 0;
		if (r == 0)
			r = add_entry(d, INDEX_TAGS, tag, 0);
	}
	free(key);
	return r < 0 ? r : 0;
}

/* Space-separated tags (a listing's "tags"). */
static int add_tag_words(struct index_doc *d, const char *s)
{
	int r = 0;

	while (*s && r == 0) {
		size_t n;
		char *word;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		word = strndup(s, n);
		r = word ? add_tag(d, word) : FA_ENOMEM;
		free(word);
		s += n;
	}
	return r;
}

/* Raw and normalised tags, from this tool's keys and the original tool's. */
static int add_tags(struct index_doc *d)
{
	static const char *const lists[] = { "tags", "tags_normalized", "tags_detail", NULL };
	static const char *const tag_keys[] = { "raw", "_content", "tag", NULL };
	int r = 0;

	for (size_t k = 0; lists[k] && r == 0; k++) {
		const json_t *list = json_object_get(d->meta, lists[k]);

		if (json_is_string(list))
			r = add_tag_words(d, json_string_value(list));
		for (size_t i = 0; json_is_array(list) && i < json_array_size(list) && r == 0; i++) {
			const json_t *t = json_array_get(list, i);

			if (json_is_string(t))
				r = add_tag(d, json_string_value(t));
			for (size_t j = 0; json_is_object(t) && tag_keys[j] && r == 0; j++)
				r = add_tag(d, jcontent(t, tag_keys[j]));
		}
	}
	return r;
}

/* The place names of the location, most precise first, each once. */
static int add_place(struct index_doc *d)
{
	static const char *const keys[] = { "neighbourhood", "locality", "county", "region",
					    "country", NULL };
	const json_t *loc = jobj(d->meta, "location");
	const char *prev = NULL;
	int r = 0;

	buf_reset(&d->line);
	for (size_t i = 0; keys[i] && r == 0; i++) {
		const char *name = jcontent(loc, keys[i]);

		if (!name || !*name || (prev && !strcmp(prev, name)))
			continue;
		if (d->line.len)
			r = buf_puts(&d->line, ", ");
		if (r == 0)
			r = buf_puts(&d->line, name);
		prev = name;
	}
	if (r == 0)
		r = add_entry(d, INDEX_PLACE, buf_cstr(&d->line), 0);
	return r < 0 ? FA_ENOMEM : 0;
}

/* Adds a role to a person, listing the person the first time. */
static int add_person(struct index_doc *d, const json_t *p, const char *role)
{
	const char *name = first_text(p, name_keys), *username = first_text(p, username_keys);
	const char *key = first_text(p, person_id_keys);
	const json_t *at;
	json_t *person;
	struct buf text = BUF_INIT;
	int r;

	if (!name)
		return 0;
	key = key ? key : name;
	at = json_object_get(d->people_at, key);
	person = at ? json_array_get(d->people, (size_t)json_integer_value(at)) : NULL;
	if (person && strstr(jstr(person, "roles"), role))
		return 0;
	if (person) {
		r = buf_printf(&text, "%s, %s", jstr(person, "roles"), role);
		if (r == 0)
			r = jset_str(person, "roles", text.data);
		buf_release(&text);
		return r < 0 ? FA_ENOMEM : 0;
	}
	r = buf_puts(&text, name);
	if (r == 0 && username && strcmp(username, name))
		r = buf_printf(&text, " (%s)", username);
	person = r == 0 ? json_pack("{s:s, s:s}", "line", text.data, "roles", role) : NULL;
	buf_release(&text);
	if (!person)
		return FA_ENOMEM;
	if (json_array_append_new(d->people, person) < 0 ||
	    json_object_set_new(d->people_at, key,
				json_integer((json_int_t)json_array_size(d->people) - 1)) < 0)
		return FA_ENOMEM;
	return 0;
}

/* The people column and its roles, line for line. */
static int flush_people(struct index_doc *d)
{
	int r = 0;

	for (size_t i = 0; i < json_array_size(d->people) && r == 0; i++) {
		const json_t *person = json_array_get(d->people, i);
		int added = add_entry(d, INDEX_PEOPLE, jstr(person, "line"), 0);

		/* a roles line only for a people line, or they no longer match */
		if (added < 0 || (added && d->roles.len && buf_putc(&d->roles, '\n') < 0) ||
		    (added && buf_puts(&d->roles, jstr(person, "roles")) < 0))
			r = FA_ENOMEM;
	}
	return r;
}

/* "Author: text", the author's colons made spaces so the first ": " ends the name. */
static int add_comment(struct index_doc *d, const json_t *c)
{
	static const char *const text_keys[] = { "text", "_content", "content", NULL };
	const char *name = first_text(c, name_keys), *text = first_text(c, text_keys);
	size_t name_len;
	int r;

	r = add_person(d, c, "commented");
	if (r < 0 || !text)
		return r;
	buf_reset(&d->line);
	r = text_clean(name ? name : "someone", 0, &d->line);
	for (size_t i = 0; i < d->line.len; i++)
		if (d->line.data[i] == ':')
			d->line.data[i] = ' ';
	if (r == 0)
		r = buf_puts(&d->line, ": ");
	name_len = d->line.len;
	if (r == 0)
		r = text_clean(text, 1, &d->line);
	if (r == 0 && d->line.len > name_len)
		r = add_entry(d, INDEX_COMMENTS, buf_cstr(&d->line), 0);
	return r < 0 ? FA_ENOMEM : 0;
}

/* Each element of list (an array) through fn. */
static int each(struct index_doc *d, const json_t *list,
		int (*fn)(struct index_doc *, const json_t *))
{
	int r = 0;

	for (size_t i = 0; json_is_array(list) && i < json_array_size(list) && r == 0; i++)
		r = fn(d, json_array_get(list, i));
	return r;
}

static int add_fave(struct index_doc *d, const json_t *f)
{
	return add_person(d, f, "faved");
}

static int add_person_in_photo(struct index_doc *d, const json_t *p)
{
	return add_person(d, p, "in the photo");
}

static int add_note(struct index_doc *d, const json_t *n)
{
	static const char *const keys[] = { "text", "_content", NULL };
	int r = add_entry(d, INDEX_NOTES, first_text(n, keys), 1);

	return r < 0 ? r : 0;
}

static int add_album(struct index_doc *d, const json_t *a)
{
	static const char *const keys[] = { "title", NULL };
	int r = add_entry(d, INDEX_ALBUMS, first_text(a, keys), 0);

	return r < 0 ? r : 0;
}

/* The groups whose pool holds the item are found with the albums it is in. */
static int add_group(struct index_doc *d, const json_t *g)
{
	static const char *const keys[] = { "name", NULL };
	int r = add_entry(d, INDEX_ALBUMS, first_text(g, keys), 0);

	return r < 0 ? r : 0;
}

static void doc_dates(struct index_doc *d)
{
	long long t;

	d->date_taken = jflag(d->meta, "date_taken_unknown", false) ? NULL
		: jstr(d->meta, "date_taken");
	d->date_posted = jstr(d->meta, "date_uploaded_formatted");
	if (!d->date_posted && jint(d->meta, "date_uploaded", &t) && t > 0) {
		record_iso8601(t, d->posted);
		d->date_posted = d->posted;
	}
}

/* Fills the columns from the files read into d. */
static int doc_build(struct index_doc *d)
{
	const json_t *owner = jobj(d->meta, "owner");
	const char *title = jcontent(d->meta, "title");
	int r;

	d->seen = json_object();
	d->people = json_array();
	d->people_at = json_object();
	if (!d->seen || !d->people || !d->people_at)
		return FA_ENOMEM;
	doc_dates(d);
	d->status = jstr(jobj(d->meta, "upstream"), "status");
	d->owner = owner ? first_text(owner, name_keys) : jstr(d->meta, "ownername");
	r = text_clean(title ? title : "", 0, &d->title);
	if (r == 0 && add_entry(d, INDEX_TITLE, title, 0) < 0)
		r = FA_ENOMEM;
	if (r == 0 && add_entry(d, INDEX_DESCRIPTION, jcontent(d->meta, "description"), 1) < 0)
		r = FA_ENOMEM;
	if (r == 0)
		r = add_tags(d);
	if (r == 0)
		r = add_place(d);
	if (r == 0)
		r = each(d, json_object_get(d->meta, "albums"), add_album);
	if (r == 0)
		r = each(d, json_object_get(d->meta, "groups"), add_group);
	if (r == 0)
		r = each(d, json_object_get(d->meta, "notes"), add_note);
	if (r == 0 && owner)
		r = add_person(d, owner, "owner");
	if (r == 0)
		r = each(d, json_object_get(d->meta, "people"), add_person_in_photo);
	if (r == 0)
		r = each(d, d->comments, add_comment);
	if (r == 0)
		r = each(d, d->faves, add_fave);
	if (r == 0)
		r = flush_people(d);
	return r < 0 ? FA_ENOMEM : 0;
}

/* Reads the item's files from dir ("ROOT/<kind>/<id>") and builds its entry. */
int index_doc_load(struct index_doc *d, const char *dir, struct err *e)
{
	struct buf path = BUF_INIT;
	json_t **docs[] = { &d->meta, &d->comments, &d->faves };
	int r = 0;

	for (size_t i = 0; i < 3 && r == 0; i++) {
		int loaded;

		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", dir, index_doc_files[i]) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			break;
		}
		loaded = json_load_path(path.data, docs[i], i == 0 ? e : NULL);
		if (loaded == FA_EPARSE && !d->damaged[0])
			snprintf(d->damaged, sizeof(d->damaged), "%s", index_doc_files[i]);
		/* comments and faves are optional: an item is found by what it has */
		if (i == 0)
			r = loaded;
	}
	if (r == 0 && !json_is_object(d->meta))
		r = err_set(e, FA_EPARSE, "'%s/%s': not a JSON object", dir, index_doc_files[0]);
	if (r == 0 && doc_build(d) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	buf_release(&path);
	return r;
}
