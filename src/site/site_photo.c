/*
 * site_photo.c: the page of each photo or video, from the item's records
 * (metadata.json, comments.json, favorites.json, exif.json).  Making the
 * pages also teaches the model what it needs for the lists: current titles,
 * and who commented on and faved what.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "damage.h"
#include "html.h"
#include "site_account.h"
#include "site_photo.h"
#include "site_search.h"

/* The item's records, loaded for one page. */
struct records {
	json_t *meta;
	json_t *comments;
	json_t *faves;
	json_t *exif;
};

static json_t *load_record(struct site *s, const struct site_item *it, const char *name)
{
	struct buf path = BUF_INIT;
	json_t *doc = NULL;

	if (buf_printf(&path, "%s/%s/%s/%s", s->m.root, store_kind_dir(it->kind), it->id, name) == 0 &&
	    json_load_path(path.data, &doc, NULL) == FA_EPARSE)
		site_warn(s, "'%s/%s/%s' is damaged (not valid JSON); its page shows "
			  "what could be read ('flickr-archive sync' repairs it)",
			  store_kind_dir(it->kind), it->id, name);
	buf_release(&path);
	return doc;
}

/*
 * A record that parses but is not the bytes its manifest recorded (on an
 * item Flickr no longer has, sync could not repair it) is shown as it is,
 * said; one that does not parse is said by load_record().
 */
static void warn_damaged_records(struct site *s, const struct site_item *it,
				 const struct records *rec)
{
	const char *const names[] = { "metadata.json", "comments.json", "favorites.json",
				      "exif.json" };
	const json_t *const docs[] = { rec->meta, rec->comments, rec->faves, rec->exif };
	struct store store = { s->m.root };
	struct damage d = DAMAGE_INIT;

	if (damage_find_item(&store, it->kind, it->id, &d, NULL) < 0)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (docs[i] && damage_has(&d, names[i]))
			site_warn(s, "'%s/%s/%s' is damaged (changed since it was archived); its "
				  "page shows it as it is: restore it from a backup",
				  store_kind_dir(it->kind), it->id, names[i]);
	damage_release(&d);
}

static void records_load(struct records *rec, struct site *s, const struct site_item *it)
{
	rec->meta = load_record(s, it, "metadata.json");
	rec->comments = load_record(s, it, "comments.json");
	rec->faves = load_record(s, it, "favorites.json");
	rec->exif = load_record(s, it, "exif.json");
	warn_damaged_records(s, it, rec);
	if (!json_is_object(rec->meta)) {
		json_decref(rec->meta);
		rec->meta = NULL;
	}
}

static void records_release(struct records *rec)
{
	json_decref(rec->meta);
	json_decref(rec->comments);
	json_decref(rec->faves);
	json_decref(rec->exif);
}

/* ---- small pieces ------------------------------------------------------------- */

static const char *name_of(const json_t *rec)
{
	static const char *const keys[] = { "display_name", "realname", "author_name", "username",
					    NULL };

	for (const char *const *k = keys; *k; k++)
		if (jstr(rec, *k) && *jstr(rec, *k))
			return jstr(rec, *k);
	return NULL;
}

static int is_http_url(const char *url)
{
	return url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7));
}

/* An external link (http or https only), escaped; label is text. */
static void external_link(struct page *p, const char *cls, const char *url, const char *label)
{
	page_fmt(p, "<a class=\"%s\" href=\"", cls);
	page_text(p, url);
	page_raw(p, "\" rel=\"noopener noreferrer\">");
	page_text(p, label);
	page_raw(p, "</a>");
}

/*
 * "<stream page of seq>" for own photos, the favorites page for favorites,
 * the galleries' list for gallery photos (their galleries are on the page).
 */
static void list_page_href(struct page *p, enum store_kind kind, size_t seq)
{
	size_t no = seq / SITE_PER_PAGE + 1;

	if (kind == STORE_GALLERY)
		page_fmt(p, "%sgalleries.html", p->to_site);
	else if (kind == STORE_FAV)
		page_fmt(p, no == 1 ? "%sfavorites.html" : "%sfavorites-%zu.html", p->to_site, no);
	else if (no == 1)
		page_fmt(p, "%sindex.html", p->to_root);
	else
		page_fmt(p, "%sstream-%zu.html", p->to_site, no);
}

/* ---- navigation ----------------------------------------------------------------- */

static const struct site_refs *list_of(const struct site *s, const struct site_item *it)
{
	return it->kind == STORE_FAV ? &s->m.favorites
	       : it->kind == STORE_GALLERY ? &s->m.gallery : &s->m.stream;
}

static const char *list_name(const struct site_item *it)
{
	return it->kind == STORE_FAV ? "Favorites" : it->kind == STORE_GALLERY ? "Galleries"
									       : "Photostream";
}

static void photo_nav(struct page *p, const struct site *s, const struct site_item *it)
{
	const struct site_refs *list = list_of(s, it);

	page_raw(p, "<nav class=\"photo-nav\" aria-label=\"Photos\">\n");
	if (it->seq > 0) {
		page_raw(p, "<a id=\"prev-link\" rel=\"prev\" href=\"");
		page_item_href(p, &s->m.items[list->v[it->seq - 1]]);
		page_raw(p, "\">&larr; Newer</a>\n");
	}
	page_raw(p, "<a id=\"up-link\" href=\"");
	list_page_href(p, it->kind, it->seq);
	page_fmt(p, "\">%s</a>\n", list_name(it));
	if (it->seq + 1 < list->n) {
		page_raw(p, "<a id=\"next-link\" rel=\"next\" href=\"");
		page_item_href(p, &s->m.items[list->v[it->seq + 1]]);
		page_raw(p, "\">Older &rarr;</a>\n");
	}
	page_raw(p, "</nav>\n");
}

/* ---- the image or video ------------------------------------------------------------ */

/* The type a <source> declares.  A QuickTime file (.mov: a phone's H.264 video) is
 * declared video/mp4, the format it is the ancestor of: Chromium and Firefox read it
 * as MP4 but answer "" for video/quicktime, and so would skip the only source. */
static const char *video_type(const char *file)
{
	static const char *const types[][2] = {
		{ ".mp4", "video/mp4" }, { ".m4v", "video/mp4" }, { ".mov", "video/mp4" },
		{ ".webm", "video/webm" }, { ".ogv", "video/ogg" },
	};
	size_t n = strlen(file);

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t k = strlen(types[i][0]);

		if (n > k && !strcmp(file + n - k, types[i][0]))
			return types[i][1];
	}
	return NULL;
}

static void media_href(struct page *p, const struct site_item *it, const char *file)
{
	page_fmt(p, "%s%s/%s/%s", p->to_root, store_kind_dir(it->kind), it->id, file);
}

static void alt_text(struct page *p, const struct site_item *it)
{
	if (*site_item_title(it))
		page_text(p, site_item_title(it));
	else
		page_fmt(p, "%s %s", it->is_video ? "Video" : "Photo", it->id);
}

/* media: the original's file name, poster: the poster frame's or NULL. */
static void photo_video(struct page *p, const struct site_item *it, const char *media,
			const char *poster)
{
	const char *type = video_type(media);

	page_raw(p, "<video id=\"photo-video\" class=\"photo-video\" controls preload=\"metadata\"");
	if (poster) {
		page_raw(p, " poster=\"");
		media_href(p, it, poster);
		page_raw(p, "\"");
	}
	if (it->src_w > 0 && it->src_h > 0)
		page_fmt(p, " width=\"%d\" height=\"%d\"", it->src_w, it->src_h);
	page_raw(p, ">\n<source src=\"");
	media_href(p, it, media);
	page_raw(p, "\"");
	if (type)
		page_fmt(p, " type=\"%s\"", type);
	page_raw(p, ">\n<p>This browser cannot play this video; <a href=\"");
	media_href(p, it, media);
	page_raw(p, "\">download it</a>.</p>\n</video>\n");
}

/* The image shown: the medium-size copy, else the original when browsers show it, else the thumbnail. */
static void photo_image(struct page *p, const struct site_item *it, const char *media)
{
	int original_shown = !it->medium_ok && media && it->thumb_ok;

	page_raw(p, "<img id=\"photo-image\" class=\"photo-image\" src=\"");
	if (it->medium_ok)
		page_fmt(p, "%smedium/%s/%s.jpg\" width=\"%d\" height=\"%d\"", p->to_site,
			 site_kind_slug(it->kind), it->id, it->medium_w, it->medium_h);
	else if (original_shown) {
		media_href(p, it, media);
		page_fmt(p, "\" width=\"%d\" height=\"%d\"", it->src_w, it->src_h);
	} else
		page_fmt(p, "%sassets/placeholder-photo.svg\" width=\"%d\" height=\"%d\"", p->to_site,
			 SITE_THUMB_BOX, SITE_THUMB_BOX);
	page_raw(p, " alt=\"");
	alt_text(p, it);
	page_raw(p, "\">");
}

static void photo_media(struct page *p, const struct site *s, const struct site_item *it)
{
	const char *media = site_item_media(&s->m, it), *poster = site_item_poster(&s->m, it);

	page_raw(p, "<figure class=\"photo-media\">\n");
	if (it->is_video && media) {
		photo_video(p, it, media, poster);
	} else if (media) {
		page_raw(p, "<a class=\"photo-image-link\" href=\"");
		media_href(p, it, media);
		page_raw(p, "\">");
		photo_image(p, it, media);
		page_raw(p, "</a>\n");
	} else {
		page_thumb(p, it);
		page_raw(p, "\n<figcaption>The file of this item is not in the archive.</figcaption>\n");
	}
	if (media) {
		const char *ext = strrchr(media, '.');

		page_raw(p, "<figcaption><a id=\"original-link\" class=\"original-link\" href=\"");
		media_href(p, it, media);
		page_fmt(p, "\">Original file</a> <span class=\"original-info\">(%s", ext ? ext + 1 : "?");
		if (it->src_w > 0 && it->src_h > 0)
			page_fmt(p, ", %d &times; %d", it->src_w, it->src_h);
		page_raw(p, ")</span></figcaption>\n");
	}
	page_raw(p, "</figure>\n");
}

/* ---- facts ------------------------------------------------------------------------ */

static void photo_upstream(struct page *p, const json_t *meta)
{
	const json_t *up = jobj(meta, "upstream");
	const char *status = jstr(up, "status");
	int64_t seen = jint_or(up, "last_seen", 0);

	if (!status)
		return;
	page_fmt(p, "<p class=\"notice upstream-status\" id=\"upstream-status\" data-status=\"");
	page_text(p, status);
	page_raw(p, "\">");
	if (!strcmp(status, "deleted"))
		page_raw(p, "Deleted on Flickr");
	else if (!strcmp(status, "unfavorited"))
		page_raw(p, "No longer among the favorites on Flickr");
	else if (!strcmp(status, "unavailable"))
		page_raw(p, "No longer available on Flickr (deleted, or no longer shared with "
			    "this account)");
	else {
		page_raw(p, "No longer available on Flickr (");
		page_text(p, status);
		page_raw(p, ")");
	}
	if (seen <= 0)
		seen = jint_or(up, "detected_at", 0);
	if (seen > 0) {
		page_raw(p, ", last seen ");
		page_date(p, seen, 0);
	}
	page_raw(p, ". The archive keeps it.</p>\n");
}

static void taken_date(struct page *p, const json_t *meta)
{
	const char *taken = jstr(meta, "date_taken");
	long long gran = jint_or(meta, "date_taken_granularity", 0);
	int y = 0, mo = 0, d = 0, h = 0, mi = 0;

	if (!taken || sscanf(taken, "%4d-%2d-%2d %2d:%2d", &y, &mo, &d, &h, &mi) < 3 || mo < 1 || mo > 12)
		return;
	page_fmt(p, "<dt>Taken</dt><dd id=\"date-taken\"><time datetime=\"%04d-%02d-%02d\">", y, mo, d);
	if (gran >= 8)
		page_fmt(p, "circa %04d", y);
	else if (gran >= 6)
		page_fmt(p, "%04d", y);
	else if (gran >= 4)
		page_fmt(p, "%s %04d", (const char *[]){ "January", "February", "March", "April", "May",
			 "June", "July", "August", "September", "October", "November",
			 "December" }[mo - 1], y);
	else
		page_fmt(p, "%d %s %04d, %02d:%02d", d, (const char *[]){ "Jan", "Feb", "Mar", "Apr",
			 "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }[mo - 1], y, h, mi);
	page_raw(p, "</time></dd>\n");
}

static void license_fact(struct page *p, const json_t *meta)
{
	const json_t *lic = jobj(meta, "license");
	const char *name = jstr(lic, "name");
	const char *url = jstr(lic, "url");

	if (!name || !*name)
		return;
	page_raw(p, "<dt>License</dt><dd id=\"license\">");
	if (is_http_url(url))
		external_link(p, "license-link", url, name);
	else
		page_text(p, name);
	page_raw(p, "</dd>\n");
}

static void photo_facts(struct page *p, const struct site *s, const struct site_item *it,
			const json_t *meta)
{
	const char *visibility = jstr(jobj(meta, "visibility"), "label");
	const char *photopage = jstr(jobj(meta, "urls"), "photopage");
	long long views;

	page_raw(p, "<dl class=\"facts\">\n");
	if (!jflag(meta, "date_taken_unknown", false))
		taken_date(p, meta);
	page_raw(p, "<dt>Posted</dt><dd id=\"date-posted\">");
	page_date(p, it->posted, 1);
	page_raw(p, "</dd>\n");
	if (it->kind == STORE_FAV && site_item_faved(&s->m, it) > 0) {
		page_raw(p, "<dt>Faved</dt><dd id=\"date-faved\">");
		page_date(p, site_item_faved(&s->m, it), 1);
		page_raw(p, "</dd>\n");
	}
	if (it->kind != STORE_MY) {
		page_raw(p, "<dt>By</dt><dd id=\"owner\">");
		page_person_link(p, it->owner >= 0 ? &s->m.people[it->owner] : NULL,
				 name_of(jobj(meta, "owner")));
		page_raw(p, "</dd>\n");
	}
	if (jint(meta, "views", &views))
		page_fmt(p, "<dt>Views</dt><dd id=\"views\">%lld</dd>\n", views);
	license_fact(p, meta);
	if (visibility && *visibility) {
		page_raw(p, "<dt>Visible to</dt><dd id=\"visibility\">");
		page_text(p, visibility);
		page_raw(p, "</dd>\n");
	}
	if (is_http_url(photopage)) {
		page_raw(p, "<dt>On Flickr</dt><dd>");
		external_link(p, "flickr-link", photopage, "photo page");
		page_raw(p, "</dd>\n");
	}
	page_raw(p, "</dl>\n");
}

/* ---- tags, albums, place ------------------------------------------------------------ */

static void tag_link(struct page *p, const char *tag)
{
	struct buf q = BUF_INIT;
	int r = 0;

	/* the search page reads ?tag= (percent-encoded: any text is safe in a URL) */
	for (const unsigned char *c = (const unsigned char *)tag; *c && r == 0; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-_.~", *c))
			r = buf_putc(&q, (char)*c);
		else
			r = buf_printf(&q, "%%%02X", *c);
	}
	if (r < 0)
		p->failed = 1; /* the page is not written */
	page_fmt(p, "<li><a class=\"tag\" href=\"%ssearch.html?tag=", p->to_site);
	page_text(p, buf_cstr(&q));
	page_raw(p, "\" data-tag=\"");
	page_text(p, tag);
	page_raw(p, "\">");
	page_text(p, tag);
	page_raw(p, "</a></li>");
	buf_release(&q);
}

static void photo_tags(struct page *p, const json_t *meta)
{
	const json_t *detail = json_object_get(meta, "tags_detail");
	const json_t *tags = json_object_get(meta, "tags");
	size_t n = jlist_size(detail) ? jlist_size(detail) : json_array_size(tags);

	if (n == 0)
		return;
	page_raw(p, "<section class=\"photo-section\" id=\"tags\" aria-labelledby=\"tags-h\">\n"
		 "<h2 id=\"tags-h\">Tags</h2>\n<ul class=\"tags\">");
	for (size_t i = 0; i < n; i++) {
		const char *t = jlist_size(detail) ? jstr(jlist_at(detail, i), "raw")
						   : json_string_value(json_array_get(tags, i));

		if (t && *t)
			tag_link(p, t);
	}
	page_raw(p, "</ul>\n</section>\n");
}

static const struct site_album *find_album(const struct site_model *m, const char *id)
{
	for (size_t i = 0; id && i < m->n_albums; i++)
		if (!strcmp(m->albums[i].id, id))
			return &m->albums[i];
	return NULL;
}

static void photo_albums(struct page *p, const struct site *s, const json_t *meta)
{
	const json_t *albums = json_object_get(meta, "albums");
	int open = 0;

	for (size_t i = 0; i < jlist_size(albums); i++) {
		const json_t *a = jlist_at(albums, i);
		const struct site_album *al = find_album(&s->m, jstr(a, "id"));

		if (!open) {
			page_raw(p, "<section class=\"photo-section\" id=\"albums\" aria-labelledby="
				 "\"albums-h\">\n<h2 id=\"albums-h\">Albums</h2>\n<ul class=\"album-links\">");
			open = 1;
		}
		if (al) {
			page_fmt(p, "<li><a class=\"album-link\" data-album-id=\"%s\" href=\"%salbum/%s.html\">",
				 al->id, p->to_site, al->id);
			page_text(p, *al->title ? al->title : "Untitled album");
			page_raw(p, "</a></li>");
		} else {
			page_raw(p, "<li>");
			page_text(p, jstr(a, "title") ? jstr(a, "title") : "an album");
			page_raw(p, "</li>");
		}
	}
	if (open)
		page_raw(p, "</ul>\n</section>\n");
}

/* "Stare Miasto, Kraków, Małopolskie, Poland": the place's names, repeats left out. */
static void place_names(struct page *p, const json_t *loc)
{
	static const char *const levels[] = { "neighbourhood", "locality", "county", "region",
					      "country" };
	const char *prev = NULL;
	int any = 0;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		const char *name = jcontent(loc, levels[i]);

		if (!name || !*name || (prev && !strcmp(prev, name)))
			continue;
		page_raw(p, any ? ", " : "<p class=\"place-name\" id=\"place-name\">");
		page_text(p, name);
		prev = name;
		any = 1;
	}
	if (any)
		page_raw(p, "</p>\n");
}

static void photo_place(struct page *p, const json_t *meta)
{
	const json_t *loc = jobj(meta, "location");
	double lat, lon;
	long long acc = jint_or(loc, "accuracy", 14);
	int zoom = acc < 2 ? 3 : acc > 16 ? 18 : (int)acc + 2;

	if (!jreal(loc, "latitude", &lat) || !jreal(loc, "longitude", &lon) || !isfinite(lat) ||
	    !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180 || (lat == 0 && lon == 0))
		return;
	if (zoom > 18)
		zoom = 18;
	page_raw(p, "<section class=\"photo-section\" id=\"place\" aria-labelledby=\"place-h\">\n"
		 "<h2 id=\"place-h\">Place</h2>\n");
	place_names(p, loc);
	page_fmt(p, "<p class=\"coords\"><span id=\"coords\" data-lat=\"%.6f\" data-lon=\"%.6f\">"
		 "%.5f, %.5f</span> &middot; <a class=\"osm-link\" id=\"osm-link\" "
		 "href=\"https://www.openstreetmap.org/?mlat=%.6f&amp;mlon=%.6f#map=%d/%.6f/%.6f\" "
		 "rel=\"noopener noreferrer\">OpenStreetMap</a></p>\n</section>\n",
		 lat, lon, lat, lon, lat, lon, zoom, lat, lon);
}

/* ---- EXIF ------------------------------------------------------------------------- */

/* The value of the first of tags (NULL-terminated) in exif.json, clean form first. */
static const char *exif_value(const json_t *exif, const char *const *tags)
{
	const json_t *list = json_object_get(exif, "exif");

	for (const char *const *t = tags; *t; t++)
		for (size_t i = 0; i < jlist_size(list); i++) {
			const json_t *x = jlist_at(list, i);
			const char *v = jstr(x, "clean") ? jstr(x, "clean") : jstr(x, "raw");

			if (jstr(x, "tag") && !strcmp(jstr(x, "tag"), *t) && v && *v)
				return v;
		}
	return NULL;
}

static void exif_fact(struct page *p, const char *key, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	page_fmt(p, "<dt>%s</dt><dd data-exif=\"%s\">", label, key);
	page_text(p, value);
	page_raw(p, "</dd>\n");
}

static void exif_table(struct page *p, const json_t *exif)
{
	const json_t *list = json_object_get(exif, "exif");

	page_raw(p, "<details class=\"exif-all\"><summary>All EXIF data</summary>\n<table>\n"
		 "<thead><tr><th scope=\"col\">Tag</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < jlist_size(list); i++) {
		const json_t *x = jlist_at(list, i);
		const char *label = jstr(x, "label") ? jstr(x, "label") : jstr(x, "tag");
		const char *v = jstr(x, "clean") ? jstr(x, "clean") : jstr(x, "raw");

		page_raw(p, "<tr><th scope=\"row\">");
		page_text(p, label ? label : "?");
		page_raw(p, "</th><td>");
		page_text(p, v ? v : "");
		page_raw(p, "</td></tr>\n");
	}
	page_raw(p, "</tbody>\n</table>\n</details>\n");
}

static void photo_exif(struct page *p, const json_t *exif)
{
	static const char *const make[] = { "Make", NULL }, *const model[] = { "Model", NULL };
	static const char *const lens[] = { "LensModel", "Lens", "LensInfo", NULL };
	static const char *const exposure[] = { "ExposureTime", NULL };
	static const char *const aperture[] = { "FNumber", "ApertureValue", NULL };
	static const char *const iso[] = { "ISOSpeedRatings", "PhotographicSensitivity", "ISO", NULL };
	static const char *const focal[] = { "FocalLength", NULL };
	static const char *const flash[] = { "Flash", NULL };
	const char *camera = jstr(exif, "camera");
	struct buf made = BUF_INIT;

	if (!jlist_size(json_object_get(exif, "exif")) && !(camera && *camera))
		return;
	if (!camera || !*camera) {
		const char *mk = exif_value(exif, make), *md = exif_value(exif, model);

		if (md && mk && strncmp(md, mk, strlen(mk)) && buf_printf(&made, "%s %s", mk, md) < 0)
			p->failed = 1; /* the page is not written */
		camera = made.len ? made.data : md ? md : mk;
	}
	page_raw(p, "<section class=\"photo-section\" id=\"exif\" aria-labelledby=\"exif-h\">\n"
		 "<h2 id=\"exif-h\">Camera</h2>\n<dl class=\"exif-summary\">\n");
	exif_fact(p, "camera", "Camera", camera);
	exif_fact(p, "lens", "Lens", exif_value(exif, lens));
	exif_fact(p, "exposure", "Exposure", exif_value(exif, exposure));
	exif_fact(p, "aperture", "Aperture", exif_value(exif, aperture));
	exif_fact(p, "iso", "ISO", exif_value(exif, iso));
	exif_fact(p, "focal-length", "Focal length", exif_value(exif, focal));
	exif_fact(p, "flash", "Flash", exif_value(exif, flash));
	page_raw(p, "</dl>\n");
	exif_table(p, exif);
	page_raw(p, "</section>\n");
	buf_release(&made);
}

/* ---- people ----------------------------------------------------------------------- */

static void removed_note(struct page *p, const json_t *rec)
{
	int64_t seen = jint_or(rec, "last_seen", 0);

	page_raw(p, " <span class=\"removed-note\">removed from Flickr");
	if (seen > 0) {
		page_raw(p, ", last seen ");
		page_date(p, seen, 0);
	}
	page_raw(p, "</span>");
}

static const struct site_person *person_at(const struct site *s, long idx)
{
	return idx >= 0 ? &s->m.people[idx] : NULL;
}

static void photo_tagged(struct page *p, struct site *s, size_t item, const json_t *meta)
{
	const json_t *people = json_object_get(meta, "people");

	if (!jlist_size(people))
		return;
	page_raw(p, "<section class=\"photo-section\" id=\"people-in-photo\" aria-labelledby="
		 "\"people-h\">\n<h2 id=\"people-h\">In this photo</h2>\n<ul class=\"people-tags\">");
	for (size_t i = 0; i < jlist_size(people); i++) {
		const json_t *who = jlist_at(people, i);
		long idx = site_model_person(&s->m, jstr(who, "nsid"), who);

		if (idx >= 0 && site_refs_add(&s->m.people[idx].tagged, item) < 0)
			p->failed = 1;
		page_raw(p, "<li>");
		page_person_link(p, person_at(s, idx), name_of(who));
		page_raw(p, "</li>");
	}
	page_raw(p, "</ul>\n</section>\n");
}

/*
 * Keeps the comment, sanitised, for the commenter's page (in the spool: there
 * may be many).  Errors: out of memory, the spool's (a full disk).
 */
static int remember_comment(struct site *s, long who, size_t item, const json_t *c,
			    const char *html, size_t len, struct err *e)
{
	struct site_person *p;
	struct site_comment_ref *ref;
	int r;

	if (who < 0)
		return 0;
	p = &s->m.people[who];
	if (len > INT32_MAX ||
	    ALLOC_GROW(p->comments, p->n_comments + 1, p->cap_comments) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	ref = &p->comments[p->n_comments];
	ref->item = (uint32_t)item;
	ref->date = jint_or(c, "date_created", 0);
	ref->removed = jflag(c, "removed", false);
	ref->html_len = (uint32_t)len;
	r = site_spool_add(&s->m.spool, html, len, &ref->html_off, e);
	if (r == 0)
		p->n_comments++;
	return r;
}

/* Who (icon and name), when, and whether Flickr lost it, for a comment or a fave. */
static void byline(struct page *p, const struct site *s, long who, const json_t *rec,
		   const char *date_class, int64_t date, int with_time)
{
	page_person_link(p, person_at(s, who), name_of(rec));
	page_fmt(p, " <span class=\"%s\">", date_class);
	page_date(p, date, with_time);
	page_raw(p, "</span>");
	if (jflag(rec, "removed", false))
		removed_note(p, rec);
}

static void comment_entry(struct page *p, struct site *s, size_t item, const json_t *c)
{
	long who = site_model_person(&s->m, jstr(c, "author"), c);
	int removed = jflag(c, "removed", false);
	size_t start;

	if (who == -2)
		p->failed = 1;
	page_fmt(p, "<li class=\"comment%s\"", removed ? " removed" : "");
	if (jstr(c, "id")) {
		page_raw(p, " id=\"comment-");
		page_text(p, jstr(c, "id"));
		page_raw(p, "\"");
	}
	if (who >= 0)
		page_fmt(p, " data-author=\"%s\"", s->m.people[who].nsid);
	page_raw(p, ">\n<p class=\"comment-meta\">");
	byline(p, s, who, c, "comment-date", jint_or(c, "date_created", 0), 1);
	page_raw(p, "</p>\n<div class=\"comment-text\">");
	start = p->html.len;
	page_markup(p, jstr(c, "text"));
	if (!p->failed) {
		struct err why = { 0 };

		if (remember_comment(s, who, item, c, p->html.data + start, p->html.len - start,
				     &why) < 0)
			page_fail(p, &why);
	}
	page_raw(p, "</div>\n</li>\n");
}

static void fave_entry(struct page *p, struct site *s, size_t item, const json_t *f)
{
	long who = site_model_person(&s->m, jstr(f, "nsid"), f);
	int removed = jflag(f, "removed", false);

	if (who == -2)
		p->failed = 1;
	if (who >= 0 && site_refs_add(&s->m.people[who].faved, item) < 0)
		p->failed = 1;
	page_fmt(p, "<li class=\"fave%s\"", removed ? " removed" : "");
	if (who >= 0)
		page_fmt(p, " data-nsid=\"%s\"", s->m.people[who].nsid);
	page_raw(p, ">");
	byline(p, s, who, f, "fave-date", jint_or(f, "favedate", 0), 0);
	page_raw(p, "</li>\n");
}

/* The comments or the faves: a heading with the count, then one entry each. */
struct people_section {
	const char *id;           /* "comments": the section's id */
	const char *heading;
	const char *list;         /* "ol" or "ul", with class id */
	const char *empty;
	void (*entry)(struct page *p, struct site *s, size_t item, const json_t *rec);
};

static void people_section(struct page *p, struct site *s, size_t item, const json_t *list,
			   const struct people_section *sec)
{
	size_t n = jlist_size(list), present = 0;

	for (size_t i = 0; i < n; i++)
		present += !jflag(jlist_at(list, i), "removed", false);
	page_fmt(p, "<section class=\"photo-section\" id=\"%s\" aria-labelledby=\"%s-h\" "
		 "data-count=\"%zu\">\n<h2 id=\"%s-h\">%s <span class=\"count\">%zu</span>",
		 sec->id, sec->id, n, sec->id, sec->heading, present);
	if (n > present)
		page_fmt(p, " <span class=\"count-removed\">(and %zu removed)</span>", n - present);
	page_raw(p, "</h2>\n");
	if (n == 0)
		page_fmt(p, "<p class=\"empty\">%s</p>\n", sec->empty);
	else
		page_fmt(p, "<%s class=\"%s\">\n", sec->list, sec->id);
	for (size_t i = 0; i < n; i++)
		sec->entry(p, s, item, jlist_at(list, i));
	if (n)
		page_fmt(p, "</%s>\n", sec->list);
	page_raw(p, "</section>\n");
}

static const struct people_section comments_section = {
	"comments", "Comments", "ol", "No comments.", comment_entry,
};
static const struct people_section faves_section = {
	"faves", "Faves", "ul", "No faves.", fave_entry,
};

/* ---- the page ---------------------------------------------------------------------- */

static void photo_body(struct page *p, struct site *s, size_t idx, const struct records *rec)
{
	const struct site_item *it = &s->m.items[idx];
	const char *desc = jstr(rec->meta, "description");

	page_fmt(p, "<article class=\"photo\" data-kind=\"%s\" data-id=\"%s\">\n",
		 site_kind_slug(it->kind), it->id);
	photo_nav(p, s, it);
	page_raw(p, "<h1 id=\"photo-title\"");
	page_raw(p, *site_item_title(it) ? ">" : " class=\"untitled\">");
	page_text(p, *site_item_title(it) ? site_item_title(it) : "Untitled");
	page_raw(p, "</h1>\n");
	photo_upstream(p, rec->meta);
	photo_media(p, s, it);
	if (desc && *desc) {
		page_raw(p, "<div class=\"description\" id=\"description\">");
		page_markup(p, desc);
		page_raw(p, "</div>\n");
	}
	page_raw(p, "<div class=\"photo-details\">\n<section class=\"photo-section\" id=\"about\" "
		 "aria-label=\"About this photo\">\n");
	photo_facts(p, s, it, rec->meta);
	page_raw(p, "</section>\n");
	photo_tags(p, rec->meta);
	photo_albums(p, s, rec->meta);
	site_account_item_galleries(p, s, it->id);
	photo_place(p, rec->meta);
	photo_exif(p, rec->exif);
	photo_tagged(p, s, idx, rec->meta);
	page_raw(p, "</div>\n");
	people_section(p, s, idx, rec->comments, &comments_section);
	people_section(p, s, idx, rec->faves, &faves_section);
	page_raw(p, "</article>\n");
}

static int write_photo(struct site *s, size_t idx, struct err *e)
{
	struct records rec = { 0 };
	struct page p;
	struct buf rel = BUF_INIT, attrs = BUF_INIT;
	struct site_item *it = &s->m.items[idx];
	int r = 0;

	page_init(&p, SITE_IN_SUBDIR);
	records_load(&rec, s, it);
	if (rec.meta && site_model_refine_item(&s->m, idx, rec.meta) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (buf_printf(&rel, SITE_DIR "/%s/%s.html", site_kind_slug(it->kind), it->id) < 0 ||
	    buf_printf(&attrs, "data-page=\"photo\" data-kind=\"%s\" data-id=\"%s\"",
		       site_kind_slug(it->kind), it->id) < 0)
		p.failed = 1;
	page_open(&p, s, *site_item_title(it) ? site_item_title(it) : "Untitled",
		  it->kind == STORE_FAV ? "favorites" : it->kind == STORE_GALLERY ? "albums" : "photos",
		  attrs.data);
	photo_body(&p, s, idx, &rec);
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	if (r == 0)
		r = site_search_add_item(s, idx, rec.meta, rec.comments, rec.faves, e);
cleanup:
	page_release(&p);
	buf_release(&rel);
	buf_release(&attrs);
	records_release(&rec);
	return r;
}

int site_photos_write(struct site *s, struct err *e)
{
	const struct site_refs *lists[] = { &s->m.stream, &s->m.favorites, &s->m.gallery };
	int r = 0;

	for (size_t k = 0; k < 3 && r == 0; k++)
		for (size_t i = 0; i < lists[k]->n && r == 0; i++) {
			if (clock_stop_requested())
				return err_set(e, FA_EINTR, "interrupted");
			r = write_photo(s, lists[k]->v[i], e);
		}
	return r;
}
