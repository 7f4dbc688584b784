/*
 * site_lists.c: the pages that list items: the photostream (index.html and
 * site/stream-N.html), the favorites, the albums, the people, and the
 * search page.  They come after the photo pages, which bring the model's
 * titles and people up to date.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "site_account.h"
#include "site_lists.h"

/* ---- paginated grids ---------------------------------------------------------- */

/* One list of items cut into pages of SITE_PER_PAGE. */
struct paged {
	const char *title;          /* h1 and <title> */
	const char *section;        /* nav entry */
	const char *page_kind;      /* body's data-page */
	const char *first_rel;      /* page 1, relative to the root */
	const char *rest_prefix;    /* page N >= 2 is <rest_prefix>N.html */
	enum site_depth first_depth, rest_depth;
	const struct site_refs *items;
	const struct site_album *album; /* an album's page: its description and dates */
	const char *empty;          /* said when there are no items */
	const char *intro;          /* a line under the title (text), or NULL */
	enum { SORT_NONE, SORT_POSTED, SORT_TAKEN } sort; /* the photostream's two orders */
};

/* ROOT-relative path of page no of a paged list. */
static int paged_rel(struct buf *out, const struct paged *pl, size_t no)
{
	if (no == 1)
		return buf_puts(out, pl->first_rel);
	return buf_printf(out, "%s%zu.html", pl->rest_prefix, no);
}

/* href of page no of a paged list, from page p. */
static void paged_href(struct page *p, size_t no, const void *ud)
{
	const struct paged *pl = ud;

	if (no == 1)
		page_fmt(p, "%s%s", p->to_root, pl->first_rel);
	else
		page_fmt(p, "%s%s%zu.html", p->to_root, pl->rest_prefix, no);
}

static void album_intro(struct page *p, const struct site_album *a)
{
	if (*a->description) {
		page_raw(p, "<div class=\"description\" id=\"album-description\">");
		page_markup(p, a->description);
		page_raw(p, "</div>\n");
	}
	page_fmt(p, "<p class=\"list-meta\">%zu item%s", a->items.n, a->items.n == 1 ? "" : "s");
	if (a->created > 0) {
		page_raw(p, " &middot; created ");
		page_date(p, a->created, 0);
	}
	page_raw(p, "</p>\n");
}

/* Links between the photostream by date posted and by date taken. */
static void sort_switch(struct page *p, int sort)
{
	page_raw(p, "<p class=\"sort-switch\" id=\"sort-switch\">Sorted by ");
	if (sort == SORT_POSTED)
		page_fmt(p, "<strong>date posted</strong> &middot; <a id=\"sort-taken\" "
			 "href=\"%ssite/taken.html\">date taken</a>", p->to_root);
	else
		page_fmt(p, "<a id=\"sort-posted\" href=\"%sindex.html\">date posted</a> &middot; "
			 "<strong>date taken</strong>", p->to_root);
	page_raw(p, "</p>\n");
}

static int write_paged_one(struct site *s, const struct paged *pl, size_t no, size_t n_pages,
			   struct err *e)
{
	struct buf rel = BUF_INIT, title = BUF_INIT, attrs = BUF_INIT;
	struct page p;
	int r;

	page_init(&p, no == 1 ? pl->first_depth : pl->rest_depth);
	if (paged_rel(&rel, pl, no) < 0)
		p.failed = 1;
	if (no == 1 ? buf_puts(&title, pl->title) < 0
		    : buf_printf(&title, "%s, page %zu", pl->title, no) < 0)
		p.failed = 1;
	if (buf_printf(&attrs, "data-page=\"%s\" data-page-no=\"%zu\"", pl->page_kind, no) < 0 ||
	    (pl->album && buf_printf(&attrs, " data-album-id=\"%s\"", pl->album->id) < 0))
		p.failed = 1;
	page_open(&p, s, buf_cstr(&title), pl->section, attrs.data);
	/* the account's profile heads the front page */
	if (no == 1 && pl->first_depth == SITE_AT_ROOT)
		site_account_profile(&p, s);
	page_raw(&p, "<h1 id=\"list-title\">");
	page_text(&p, pl->title);
	page_raw(&p, "</h1>\n");
	if (pl->album)
		album_intro(&p, pl->album);
	else if (pl->intro) {
		page_raw(&p, "<p class=\"list-meta\">");
		page_text(&p, pl->intro);
		page_raw(&p, "</p>\n");
	}
	if (pl->sort != SORT_NONE && pl->items->n > 1)
		sort_switch(&p, pl->sort);
	if (pl->items->n == 0)
		page_fmt(&p, "<p class=\"empty\">%s</p>\n", pl->empty);
	page_grid(&p, &s->m, pl->items, (no - 1) * SITE_PER_PAGE, no * SITE_PER_PAGE);
	page_pagination(&p, no, n_pages, paged_href, pl);
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	buf_release(&rel);
	buf_release(&title);
	buf_release(&attrs);
	return r;
}

static int write_paged(struct site *s, const struct paged *pl, struct err *e)
{
	size_t n_pages = (pl->items->n + SITE_PER_PAGE - 1) / SITE_PER_PAGE;
	int r = 0;

	if (n_pages == 0)
		n_pages = 1;
	for (size_t no = 1; no <= n_pages && r == 0; no++)
		r = write_paged_one(s, pl, no, n_pages, e);
	return r;
}

static int write_stream(struct site *s, struct err *e)
{
	char intro[96];
	struct paged pl = {
		"Photostream", "photos", "stream", "index.html", SITE_DIR "/stream-",
		SITE_AT_ROOT, SITE_IN_SITE, &s->m.stream, NULL,
		"No photos in this archive yet: run 'flickr-archive sync'.", intro, SORT_POSTED,
	};
	int r;

	snprintf(intro, sizeof(intro), "%zu photo%s and video%s, newest first", s->m.stream.n,
		 s->m.stream.n == 1 ? "" : "s", s->m.stream.n == 1 ? "" : "s");
	r = write_paged(s, &pl, e);
	if (r == 0) {
		pl.page_kind = "taken";
		pl.first_rel = SITE_DIR "/taken.html";
		pl.rest_prefix = SITE_DIR "/taken-";
		pl.first_depth = SITE_IN_SITE;
		pl.items = &s->m.by_taken;
		pl.sort = SORT_TAKEN;
		snprintf(intro, sizeof(intro), "%zu photo%s and video%s, the most recently taken "
			 "first", s->m.stream.n, s->m.stream.n == 1 ? "" : "s",
			 s->m.stream.n == 1 ? "" : "s");
		r = write_paged(s, &pl, e);
	}
	return r;
}

static int write_favorites(struct site *s, struct err *e)
{
	char intro[96];
	struct paged pl = {
		"Favorites", "favorites", "favorites", SITE_DIR "/favorites.html",
		SITE_DIR "/favorites-", SITE_IN_SITE, SITE_IN_SITE, &s->m.favorites, NULL,
		"No favorites in this archive.", intro, SORT_NONE,
	};

	snprintf(intro, sizeof(intro), "%zu photo%s by others, most recently faved first",
		 s->m.favorites.n, s->m.favorites.n == 1 ? "" : "s");
	return write_paged(s, &pl, e);
}

/* ---- albums ------------------------------------------------------------------- */

static int write_album(struct site *s, const struct site_album *a, struct err *e)
{
	struct buf first = BUF_INIT, rest = BUF_INIT;
	struct paged pl = {
		*a->title ? a->title : "Untitled album", "albums", "album", NULL, NULL,
		SITE_IN_SUBDIR, SITE_IN_SUBDIR, &a->items, a, "This album has no archived photos.",
		NULL, SORT_NONE,
	};
	int r;

	if (buf_printf(&first, SITE_DIR "/album/%s.html", a->id) < 0 ||
	    buf_printf(&rest, SITE_DIR "/album/%s-", a->id) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	pl.first_rel = first.data;
	pl.rest_prefix = rest.data;
	r = write_paged(s, &pl, e);
cleanup:
	buf_release(&first);
	buf_release(&rest);
	return r;
}

static void album_card(struct page *p, const struct site_model *m, const struct site_album *a)
{
	page_fmt(p, "<li class=\"album-card\" data-album-id=\"%s\"><a href=\"album/%s.html\">",
		 a->id, a->id);
	if (a->cover >= 0)
		page_thumb(p, &m->items[a->cover]);
	else
		page_fmt(p, "<img src=\"assets/placeholder-photo.svg\" width=\"%d\" height=\"%d\" "
			 "alt=\"\">", SITE_THUMB_BOX, SITE_THUMB_BOX);
	page_raw(p, "<span class=\"grid-caption\"><span class=\"grid-title\">");
	page_text(p, *a->title ? a->title : "Untitled album");
	page_fmt(p, "</span><span class=\"grid-owner\">%zu item%s</span></span></a></li>\n",
		 a->items.n, a->items.n == 1 ? "" : "s");
}

static int write_albums(struct site *s, struct err *e)
{
	struct page p;
	int r = 0;

	page_init(&p, SITE_IN_SITE);
	page_open(&p, s, "Albums", "albums", "data-page=\"albums\"");
	page_fmt(&p, "<h1 id=\"list-title\">Albums</h1>\n<p class=\"list-meta\">%zu album%s</p>\n",
		 s->m.n_albums, s->m.n_albums == 1 ? "" : "s");
	if (s->m.n_albums == 0)
		page_raw(&p, "<p class=\"empty\">No albums in this archive.</p>\n");
	page_raw(&p, "<ul class=\"grid albums\">\n");
	for (size_t i = 0; i < s->m.n_albums; i++)
		album_card(&p, &s->m, &s->m.albums[i]);
	page_raw(&p, "</ul>\n");
	page_close(&p, NULL);
	r = site_write_page(s, SITE_DIR "/albums.html", &p, e);
	page_release(&p);
	for (size_t i = 0; i < s->m.n_albums && r == 0; i++)
		r = write_album(s, &s->m.albums[i], e);
	return r;
}

/* ---- people -------------------------------------------------------------------- */

static size_t activity(const struct site_person *p)
{
	return p->n_comments + p->faved.n + p->owns.n + p->tagged.n;
}

static const struct site_model *sort_model;

static int cmp_people(const void *pa, const void *pb)
{
	const struct site_person *a = &sort_model->people[*(const size_t *)pa];
	const struct site_person *b = &sort_model->people[*(const size_t *)pb];
	int c;

	if (activity(a) != activity(b))
		return activity(a) > activity(b) ? -1 : 1;
	c = strcasecmp(a->name, b->name);
	return c ? c : strcmp(a->nsid, b->nsid);
}

static void counts(struct page *p, const struct site_person *who)
{
	const char *sep = "";

	page_raw(p, "<span class=\"person-counts\">");
	if (who->n_comments) {
		page_fmt(p, "%zu comment%s", who->n_comments, who->n_comments == 1 ? "" : "s");
		sep = " &middot; ";
	}
	if (who->faved.n) {
		page_fmt(p, "%s%zu fave%s", sep, who->faved.n, who->faved.n == 1 ? "" : "s");
		sep = " &middot; ";
	}
	if (who->owns.n) {
		page_fmt(p, "%s%zu favorite%s by them", sep, who->owns.n, who->owns.n == 1 ? "" : "s");
		sep = " &middot; ";
	}
	if (who->tagged.n)
		page_fmt(p, "%sin %zu photo%s", sep, who->tagged.n, who->tagged.n == 1 ? "" : "s");
	page_raw(p, "</span>");
}

static int write_people_index(struct site *s, struct err *e)
{
	size_t *order = calloc(s->m.n_people + 1, sizeof(*order));
	struct page p;
	int r;

	if (!order)
		return err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->m.n_people; i++)
		order[i] = i;
	sort_model = &s->m;
	qsort(order, s->m.n_people, sizeof(*order), cmp_people);
	sort_model = NULL;
	page_init(&p, SITE_IN_SITE);
	page_open(&p, s, "People", "people", "data-page=\"people\"");
	page_fmt(&p, "<h1 id=\"list-title\">People</h1>\n<p class=\"list-meta\">%zu people who "
		 "commented, faved, took a favorite or are in a photo</p>\n<ul class=\"people-list\">\n",
		 s->m.n_people);
	for (size_t i = 0; i < s->m.n_people; i++) {
		const struct site_person *who = &s->m.people[order[i]];

		page_fmt(&p, "<li class=\"person-card\" data-nsid=\"%s\">", who->nsid);
		page_person_link(&p, who, NULL);
		counts(&p, who);
		page_raw(&p, "</li>\n");
	}
	page_raw(&p, "</ul>\n");
	site_account_contacts(&p, s);
	page_close(&p, NULL);
	r = site_write_page(s, SITE_DIR "/people.html", &p, e);
	page_release(&p);
	free(order);
	return r;
}

static void person_header(struct page *p, const struct site_person *who)
{
	page_raw(p, "<header class=\"person-header\">");
	page_avatar(p, who, 96);
	page_raw(p, "<div><h1 id=\"person-name\">");
	page_text(p, who->name);
	page_raw(p, "</h1>\n<p class=\"list-meta\">");
	if (who->username && strcmp(who->username, who->name)) {
		page_raw(p, "<span class=\"person-username\">");
		page_text(p, who->username);
		page_raw(p, "</span> &middot; ");
	}
	counts(p, who);
	if (who->profile_url) {
		page_raw(p, " &middot; <a class=\"profile-link\" href=\"");
		page_text(p, who->profile_url);
		page_raw(p, "\" rel=\"noopener noreferrer\">Flickr profile</a>");
	}
	page_raw(p, "</p></div></header>\n");
}

static int cmp_comments_newest_first(const void *pa, const void *pb)
{
	const struct site_comment_ref *a = pa, *b = pb;

	if (a->date != b->date)
		return a->date > b->date ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

static void person_comments(struct page *p, struct site_model *m, struct site_person *who)
{
	struct buf html = BUF_INIT;
	struct err why = { 0 };

	if (!who->n_comments)
		return;
	qsort(who->comments, who->n_comments, sizeof(*who->comments), cmp_comments_newest_first);
	page_fmt(p, "<section class=\"person-section\" id=\"person-comments\" aria-labelledby="
		 "\"pc-h\">\n<h2 id=\"pc-h\">Comments <span class=\"count\">%zu</span></h2>\n"
		 "<ol class=\"person-comments\">\n", who->n_comments);
	for (size_t i = 0; i < who->n_comments; i++) {
		const struct site_comment_ref *c = &who->comments[i];
		const struct site_item *it = &m->items[c->item];

		page_fmt(p, "<li class=\"person-comment%s\" data-id=\"%s\"><a class=\"comment-photo\" "
			 "href=\"", c->removed ? " removed" : "", it->id);
		page_item_href(p, it);
		page_raw(p, "\">");
		page_thumb(p, it);
		page_raw(p, "</a><div><p class=\"comment-meta\">on <a href=\"");
		page_item_href(p, it);
		page_raw(p, "\">");
		page_text(p, *site_item_title(it) ? site_item_title(it) : "Untitled");
		page_raw(p, "</a> <span class=\"comment-date\">");
		page_date(p, c->date, 1);
		page_raw(p, c->removed ? "</span> <span class=\"removed-note\">removed from Flickr</span>"
				       : "</span>");
		page_raw(p, "</p>\n<div class=\"comment-text\">");
		/* sanitised when the photo page was made */
		buf_reset(&html);
		if (!p->failed &&
		    site_spool_read(&m->spool, c->html_off, c->html_len, &html, &why) < 0)
			page_fail(p, &why);
		page_raw(p, buf_cstr(&html));
		page_raw(p, "</div></div></li>\n");
	}
	page_raw(p, "</ol>\n</section>\n");
	buf_release(&html);
}

static void person_grid(struct page *p, const struct site_model *m, const struct site_refs *refs,
			const char *id, const char *title)
{
	if (!refs->n)
		return;
	page_fmt(p, "<section class=\"person-section\" id=\"%s\" aria-labelledby=\"%s-h\">\n"
		 "<h2 id=\"%s-h\">%s <span class=\"count\">%zu</span></h2>\n", id, id, id, title, refs->n);
	page_grid(p, m, refs, 0, refs->n);
	page_raw(p, "</section>\n");
}

static int write_person(struct site *s, struct site_person *who, struct err *e)
{
	struct buf rel = BUF_INIT, attrs = BUF_INIT;
	struct page p;
	int r;

	page_init(&p, SITE_IN_SUBDIR);
	/* NSIDs are digits, "@N" and digits (site_valid_nsid): safe in a path and a URL */
	if (buf_printf(&rel, SITE_DIR "/person/%s.html", who->nsid) < 0 ||
	    buf_printf(&attrs, "data-page=\"person\" data-nsid=\"%s\"", who->nsid) < 0)
		p.failed = 1;
	page_open(&p, s, who->name, "people", attrs.data);
	person_header(&p, who);
	site_account_contact_badge(&p, s, who->nsid);
	person_comments(&p, &s->m, who);
	person_grid(&p, &s->m, &who->faved, "person-faved", "Faved");
	person_grid(&p, &s->m, &who->owns, "person-owns", "Their photos among the favorites");
	person_grid(&p, &s->m, &who->tagged, "person-tagged", "In these photos");
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	buf_release(&rel);
	buf_release(&attrs);
	return r;
}

static int write_people(struct site *s, struct err *e)
{
	int r = write_people_index(s, e);

	for (size_t i = 0; i < s->m.n_people && r == 0; i++)
		r = write_person(s, &s->m.people[i], e);
	return r;
}

/* ---- search ---------------------------------------------------------------------- */

static int write_search_page(struct site *s, struct err *e)
{
	struct page p;
	int r;

	page_init(&p, SITE_IN_SITE);
	page_open(&p, s, "Search", "search", "data-page=\"search\"");
	page_raw(&p, "<h1 id=\"list-title\">Search</h1>\n"
		 "<form id=\"search-page-form\" class=\"search-page-form\" role=\"search\" "
		 "action=\"search.html\" method=\"get\">\n<label for=\"search-input\">Titles, "
		 "descriptions, tags, comments and people</label>\n<div class=\"search-row\">"
		 "<input id=\"search-input\" name=\"q\" type=\"search\" autocomplete=\"off\">"
		 "<button type=\"submit\">Search</button></div>\n</form>\n"
		 "<p id=\"search-status\" class=\"list-meta\" role=\"status\" aria-live=\"polite\">"
		 "</p>\n<ul id=\"search-people\" class=\"people-list search-people\"></ul>\n"
		 "<ol id=\"search-results\" class=\"search-results\"></ol>\n"
		 "<noscript><p>The search needs JavaScript.</p></noscript>\n"
		 "<script src=\"search-index.js\"></script>\n");
	page_close(&p, "search.js");
	r = site_write_page(s, SITE_DIR "/search.html", &p, e);
	page_release(&p);
	return r;
}

int site_lists_write(struct site *s, struct err *e)
{
	int r = write_stream(s, e);

	if (r == 0)
		r = write_favorites(s, e);
	if (r == 0)
		r = write_albums(s, e);
	if (r == 0)
		r = write_people(s, e);
	if (r == 0)
		r = write_search_page(s, e);
	return r;
}
