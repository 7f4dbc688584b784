/* site_page.c: the pieces every page shares, and writing pages only when they changed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "html.h"
#include "site_page.h"

/* ---- building ----------------------------------------------------------------- */

void page_init(struct page *p, enum site_depth depth)
{
	static const char *const to_site[] = { SITE_DIR "/", "", "../" };
	static const char *const to_root[] = { "", "../", "../../" };

	memset(p, 0, sizeof(*p));
	p->to_site = to_site[depth];
	p->to_root = to_root[depth];
}

void page_release(struct page *p)
{
	buf_release(&p->html);
}

void page_fail(struct page *p, const struct err *why)
{
	if (!p->failed)
		p->why = *why;
	p->failed = 1;
}

void page_raw(struct page *p, const char *html)
{
	if (!p->failed && buf_puts(&p->html, html) < 0)
		p->failed = 1;
}

void page_fmt(struct page *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(&p->html, (size_t)n) < 0) {
		p->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(p->html.data + p->html.len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	p->html.len += (size_t)n;
}

void page_text(struct page *p, const char *text)
{
	if (!p->failed && html_escape(&p->html, text) < 0)
		p->failed = 1;
}

void page_markup(struct page *p, const char *markup)
{
	if (!p->failed && markup && html_sanitize(&p->html, markup, strlen(markup)) < 0)
		p->failed = 1;
}

/* ---- the frame ---------------------------------------------------------------- */

static void nav_entry(struct page *p, const char *section, const char *id, const char *href,
		      const char *label)
{
	page_fmt(p, "<li><a id=\"nav-%s\" href=\"%s%s\"%s>%s</a></li>", id,
		 strcmp(id, "photos") ? p->to_site : p->to_root, href,
		 section && !strcmp(section, id) ? " aria-current=\"page\"" : "", label);
}

void page_open(struct page *p, const struct site *s, const char *title, const char *section,
	       const char *attrs)
{
	page_raw(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<meta name=\"color-scheme\" content=\"light dark\">\n"
		 "<meta name=\"generator\" content=\"flickr-archive\">\n<title>");
	if (title && *title) {
		page_text(p, title);
		page_raw(p, " \xc2\xb7 ");
	}
	page_text(p, s->name);
	page_fmt(p, "</title>\n<link rel=\"stylesheet\" href=\"%sassets/style.css\">\n"
		 "<link rel=\"icon\" href=\"%sassets/icon.svg\" type=\"image/svg+xml\">\n</head>\n",
		 p->to_site, p->to_site);
	page_fmt(p, "<body class=\"page-%s\"%s%s>\n", section ? section : "other",
		 attrs ? " " : "", attrs ? attrs : "");
	page_raw(p, "<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
		 "<header class=\"site-header\">\n<div class=\"header-inner\">\n");
	page_fmt(p, "<a class=\"site-name\" id=\"site-name\" href=\"%sindex.html\">", p->to_root);
	page_text(p, s->name);
	page_raw(p, "</a>\n<nav class=\"site-nav\" aria-label=\"Sections\"><ul>");
	nav_entry(p, section, "photos", "index.html", "Photostream");
	nav_entry(p, section, "albums", "albums.html", "Albums");
	nav_entry(p, section, "favorites", "favorites.html", "Favorites");
	nav_entry(p, section, "people", "people.html", "People");
	page_raw(p, "</ul></nav>\n");
	page_fmt(p, "<form class=\"search-form\" role=\"search\" action=\"%ssearch.html\" "
		 "method=\"get\">\n<label class=\"visually-hidden\" for=\"site-search\">Search the "
		 "archive</label>\n<input id=\"site-search\" name=\"q\" type=\"search\" "
		 "placeholder=\"Search\" autocomplete=\"off\">\n<button type=\"submit\">Search</button>\n"
		 "</form>\n</div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n", p->to_site);
}

void page_close(struct page *p, const char *script)
{
	page_raw(p, "</main>\n<footer class=\"site-footer\"><p>Made by flickr-archive from the "
		 "files in this archive; it works offline, without a server.</p></footer>\n");
	page_fmt(p, "<script src=\"%sassets/site.js\"></script>\n", p->to_site);
	if (script)
		page_fmt(p, "<script src=\"%sassets/%s\"></script>\n", p->to_site, script);
	page_raw(p, "</body>\n</html>\n");
}

/* ---- links and images ----------------------------------------------------------- */

void page_item_href(struct page *p, const struct site_item *it)
{
	page_fmt(p, "%s%s/%s.html", p->to_site, site_kind_slug(it->kind), it->id);
}

/* href of a person's page. */
static void page_person_href(struct page *p, const struct site_person *who)
{
	page_fmt(p, "%sperson/%s.html", p->to_site, who->nsid);
}

void page_thumb(struct page *p, const struct site_item *it)
{
	if (it->thumb_ok)
		page_fmt(p, "<img src=\"%sthumbs/%s/%s.jpg\" width=\"%d\" height=\"%d\"", p->to_site,
			 site_kind_slug(it->kind), it->id, it->thumb_w, it->thumb_h);
	else
		page_fmt(p, "<img src=\"%sassets/%s.svg\" width=\"%d\" height=\"%d\"", p->to_site,
			 it->is_video ? "placeholder-video" : "placeholder-photo", SITE_THUMB_BOX,
			 SITE_THUMB_BOX);
	page_raw(p, " loading=\"lazy\" decoding=\"async\" alt=\"");
	if (*site_item_title(it))
		page_text(p, site_item_title(it));
	else
		page_fmt(p, "%s %s", it->is_video ? "Video" : "Photo", it->id);
	page_raw(p, "\">");
}

void page_avatar(struct page *p, const struct site_person *who, int size)
{
	if (who && who->avatar)
		page_fmt(p, "<img class=\"avatar\" src=\"%s%s\"", p->to_root, who->avatar);
	else
		page_fmt(p, "<img class=\"avatar avatar-default\" src=\"%sassets/avatar.svg\"",
			 p->to_site);
	/* the name is always beside it */
	page_fmt(p, " width=\"%d\" height=\"%d\" alt=\"\" loading=\"lazy\">", size, size);
}

void page_person_link(struct page *p, const struct site_person *who, const char *fallback_name)
{
	if (!who) {
		page_raw(p, "<span class=\"person\">");
		page_avatar(p, NULL, 48);
		page_raw(p, "<span class=\"person-name\">");
		page_text(p, fallback_name && *fallback_name ? fallback_name : "someone");
		page_raw(p, "</span></span>");
		return;
	}
	page_fmt(p, "<a class=\"person person-link\" data-nsid=\"%s\" href=\"", who->nsid);
	page_person_href(p, who);
	page_raw(p, "\">");
	page_avatar(p, who, 48);
	page_raw(p, "<span class=\"person-name\">");
	page_text(p, who->name);
	page_raw(p, "</span></a>");
}

/* ---- dates -------------------------------------------------------------------- */

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void site_ymd(int64_t t, char out[11])
{
	time_t tt = (time_t)t;
	struct tm tm;
	char ymd[40];

	out[0] = '\0';
	if (t <= 0 || !gmtime_r(&tt, &tm))
		return;
	snprintf(ymd, sizeof(ymd), "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1,
		 tm.tm_mday);
	memcpy(out, ymd, 10);
	out[10] = '\0';
}

void page_date(struct page *p, int64_t t, int with_time)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		page_raw(p, "unknown");
		return;
	}
	page_fmt(p, "<time datetime=\"%04d-%02d-%02dT%02d:%02d:%02dZ\">%d %s %04d",
		 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, tm.tm_mday, month_names[tm.tm_mon], (tm.tm_year + 1900) % 10000);
	if (with_time)
		page_fmt(p, ", %02d:%02d UTC", tm.tm_hour, tm.tm_min);
	page_raw(p, "</time>");
}

/* ---- grids and pagination --------------------------------------------------------- */

static void grid_item(struct page *p, const struct site_model *m, const struct site_item *it)
{
	page_fmt(p, "<li class=\"grid-item%s%s\" data-kind=\"%s\" data-id=\"%s\"><a class=\"grid-link\" "
		 "href=\"", it->is_video ? " is-video" : "", it->gone ? " is-gone" : "",
		 site_kind_slug(it->kind), it->id);
	page_item_href(p, it);
	page_raw(p, "\">");
	page_thumb(p, it);
	page_raw(p, "<span class=\"grid-caption\"><span class=\"grid-title\">");
	page_text(p, *site_item_title(it) ? site_item_title(it) : "Untitled");
	page_raw(p, "</span>");
	if (it->owner >= 0) {
		page_raw(p, "<span class=\"grid-owner\">by ");
		page_text(p, m->people[it->owner].name);
		page_raw(p, "</span>");
	}
	if (it->gone)
		page_raw(p, "<span class=\"badge badge-gone\">gone from Flickr</span>");
	if (it->is_video)
		page_raw(p, "<span class=\"badge badge-video\">video</span>");
	page_raw(p, "</span></a></li>\n");
}

void page_grid(struct page *p, const struct site_model *m, const struct site_refs *refs,
	       size_t from, size_t to)
{
	page_raw(p, "<ul class=\"grid\">\n");
	for (size_t i = from; i < to && i < refs->n; i++)
		grid_item(p, m, &m->items[refs->v[i]]);
	page_raw(p, "</ul>\n");
}

static void page_link(struct page *p, size_t no, const char *id, const char *rel,
		      const char *label, void (*href_of)(struct page *, size_t, const void *),
		      const void *ud)
{
	page_fmt(p, "<a%s%s%s%s%s href=\"", id ? " id=\"" : "", id ? id : "", id ? "\"" : "",
		 rel ? " rel=" : "", rel ? rel : "");
	href_of(p, no, ud);
	page_fmt(p, "\">%s</a>", label);
}

void page_pagination(struct page *p, size_t cur, size_t n_pages,
		     void (*href_of)(struct page *p, size_t page_no, const void *ud), const void *ud)
{
	size_t lo = cur > 3 ? cur - 3 : 1, hi = cur + 3 < n_pages ? cur + 3 : n_pages;

	if (n_pages <= 1)
		return;
	page_fmt(p, "<nav class=\"pagination\" aria-label=\"Pages\" data-page=\"%zu\" "
		 "data-pages=\"%zu\">\n", cur, n_pages);
	if (cur > 1)
		page_link(p, cur - 1, "prev-link", "\"prev\"", "&larr; Newer", href_of, ud);
	page_raw(p, "<ol>");
	if (lo > 1) {
		page_raw(p, "<li>");
		page_link(p, 1, NULL, NULL, "1", href_of, ud);
		page_raw(p, lo > 2 ? "</li><li class=\"gap\">&hellip;</li>" : "</li>");
	}
	for (size_t i = lo; i <= hi; i++) {
		char label[24];

		snprintf(label, sizeof(label), "%zu", i);
		page_raw(p, "<li>");
		if (i == cur)
			page_fmt(p, "<span aria-current=\"page\">%zu</span>", i);
		else
			page_link(p, i, NULL, NULL, label, href_of, ud);
		page_raw(p, "</li>");
	}
	if (hi < n_pages) {
		char label[24];

		snprintf(label, sizeof(label), "%zu", n_pages);
		page_raw(p, hi + 1 < n_pages ? "<li class=\"gap\">&hellip;</li><li>" : "<li>");
		page_link(p, n_pages, NULL, NULL, label, href_of, ud);
		page_raw(p, "</li>");
	}
	page_raw(p, "</ol>");
	if (cur < n_pages)
		page_link(p, cur + 1, "next-link", "\"next\"", "Older &rarr;", href_of, ud);
	page_raw(p, "\n</nav>\n");
}

/* ---- writing ---------------------------------------------------------------------- */

#define COMPARE_CHUNK 65536

/* Comparing a file with pieces of data, in order, a chunk at a time (pages can be large). */
struct compare {
	int fd;
	char *chunk;
	int differs;
};

/* Whether the next len bytes of the file are data (stops the walk when not). */
static int compare_piece(void *ud, const void *data, size_t len)
{
	struct compare *c = ud;
	size_t done = 0;

	while (done < len && !c->differs) {
		size_t want = len - done < COMPARE_CHUNK ? len - done : COMPARE_CHUNK;
		ssize_t n = read(c->fd, c->chunk, want);

		if (n < 0 && errno == EINTR)
			continue;
		c->differs = n <= 0 || memcmp(c->chunk, (const char *)data + done, (size_t)n);
		done += n > 0 ? (size_t)n : 0;
	}
	return c->differs ? FA_EPARSE : 0;
}

/* Opens the file at path for a comparison when it is a regular file of size bytes. */
static int compare_open(struct compare *c, const char *path, uint64_t size)
{
	struct stat st;

	c->fd = -1;
	c->chunk = NULL;
	c->differs = 0;
	/* a symlink differs (even from its target's bytes): it is replaced, never followed */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
		return 0;
	/* and one that took the file's place since fails with ELOOP: it differs too */
	c->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	c->chunk = malloc(COMPARE_CHUNK);
	return c->fd >= 0 && c->chunk;
}

static void compare_close(struct compare *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->chunk);
}

/* True when the file at path holds exactly data. */
static int same_bytes(const char *path, const void *data, size_t len)
{
	struct compare c;
	int same = compare_open(&c, path, len) && compare_piece(&c, data, len) == 0;

	compare_close(&c);
	return same;
}

int site_write_file(struct site *s, const char *rel, const void *data, size_t len,
		    struct err *e)
{
	struct buf path = BUF_INIT;
	int r = 0;

	if (buf_printf(&path, "%s/%s", s->m.root, rel) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
	} else if (same_bytes(path.data, data, len)) {
		s->stats->pages_unchanged++;
	} else {
		r = fs_write_replace(path.data, data, len, 0644, e);
		if (r == 0)
			s->stats->pages_written++;
	}
	buf_release(&path);
	return r;
}

int site_write_page(struct site *s, const char *rel, struct page *p, struct err *e)
{
	if (p->failed && p->why.code)
		return err_set(e, p->why.code, "%s", p->why.msg);
	if (p->failed)
		return err_set(e, FA_ENOMEM, "out of memory");
	return site_write_file(s, rel, p->html.data ? p->html.data : "", p->html.len, e);
}

/* ---- writing large files -------------------------------------------------------- */

/* True when the file at path holds exactly head, the spool and tail. */
static int same_spooled(const char *path, const struct buf *head, struct site_spool *sp,
			const char *tail)
{
	struct compare c;
	int same = compare_open(&c, path, head->len + sp->len + strlen(tail)) &&
		   compare_piece(&c, head->data, head->len) == 0 &&
		   site_spool_each(sp, 0, sp->len, compare_piece, &c, NULL) == 0 &&
		   compare_piece(&c, tail, strlen(tail)) == 0;

	compare_close(&c);
	return same;
}

struct writing {
	struct fs_tmp *t;
	struct err *e;
};

static int write_piece(void *ud, const void *data, size_t len)
{
	const struct writing *w = ud;

	return fs_tmp_write(w->t, data, len, w->e);
}

int site_update_spooled(const char *path, const struct buf *head, struct site_spool *sp,
			const char *tail, struct err *e)
{
	struct fs_tmp t = FS_TMP_INIT;
	struct writing w = { &t, e };
	int r;

	if (same_spooled(path, head, sp, tail))
		return 0;
	r = fs_tmp_open(&t, path, 0644, e);
	if (r == 0)
		r = fs_tmp_write(&t, head->data, head->len, e);
	if (r == 0)
		r = site_spool_each(sp, 0, sp->len, write_piece, &w, e);
	if (r == 0)
		r = fs_tmp_write(&t, tail, strlen(tail), e);
	if (r == 0)
		r = fs_tmp_commit(&t, path, e);
	fs_tmp_abort(&t);
	return r < 0 ? r : 1;
}

int site_write_spooled(struct site *s, const char *rel, const struct buf *head,
		       struct site_spool *sp, const char *tail, struct err *e)
{
	struct buf path = BUF_INIT;
	int r;

	r = buf_printf(&path, "%s/%s", s->m.root, rel) < 0 ? err_set(e, FA_ENOMEM, "out of memory")
							   : site_update_spooled(path.data, head, sp,
										 tail, e);
	if (r == 0)
		s->stats->pages_unchanged++;
	else if (r > 0)
		s->stats->pages_written++;
	buf_release(&path);
	return r < 0 ? r : 0;
}

void site_warn(struct site *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (s->stats->warnings)
		json_array_append_new(s->stats->warnings, jstring_lossy(line));
}
