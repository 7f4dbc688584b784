/*
 * site_account.c: the profile, collections, galleries, groups and contacts
 * on the site.  The files are small (one entry per gallery, group or
 * contact), so they are read whole.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "html.h"
#include "site_account.h"

static const char *const files[][2] = {
	{ "profile", "profile.json" },       { "collections", "collections.json" },
	{ "galleries", "galleries_index.json" }, { "groups", "groups_index.json" },
	{ "contacts", "contacts.json" },
};

static const json_t *part(const struct site *s, const char *name, const char *list);

/*
 * s->account's "by_photo": photo id -> [[gallery index, index in its
 * photos], ...], for the photo pages (a favorite's page is made once per
 * item, the galleries are few).
 */
static int index_gallery_photos(struct site *s)
{
	const json_t *list = part(s, "galleries", "galleries");
	json_t *by_photo = json_object();

	if (!by_photo || json_object_set_new(s->account, "by_photo", by_photo) < 0)
		return FA_ENOMEM;
	for (size_t g = 0; g < json_array_size(list); g++) {
		const json_t *photos = json_object_get(json_array_get(list, g), "photos");

		for (size_t i = 0; i < json_array_size(photos); i++) {
			const char *id = jstr(json_array_get(photos, i), "id");
			json_t *in = id ? json_object_get(by_photo, id) : NULL;

			if (!id)
				continue;
			if (!in && (json_object_set_new(by_photo, id, json_array()) < 0 ||
				    !(in = json_object_get(by_photo, id))))
				return FA_ENOMEM;
			if (json_array_append_new(in, json_pack("[I, I]", (json_int_t)g,
								(json_int_t)i)) < 0)
				return FA_ENOMEM;
		}
	}
	return 0;
}

int site_account_load(struct site *s, struct err *e)
{
	s->account = json_object();
	if (!s->account)
		return err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct buf path = BUF_INIT;
		json_t *doc = NULL;

		if (buf_printf(&path, "%s/%s", s->m.root, files[i][1]) < 0) {
			buf_release(&path);
			return err_set(e, FA_ENOMEM, "out of memory");
		}
		/* a damaged file is a warning: the sync that wrote it writes it again */
		if (json_load_path(path.data, &doc, NULL) < 0)
			doc = NULL;
		if (!doc && access(path.data, F_OK) == 0)
			site_warn(s, "'%s' cannot be read: its part of the site is left out",
				  files[i][1]);
		buf_release(&path);
		if (doc && json_object_set_new(s->account, files[i][0], doc) < 0)
			return err_set(e, FA_ENOMEM, "out of memory");
	}
	return index_gallery_photos(s) < 0 ? err_set(e, FA_ENOMEM, "out of memory") : 0;
}

void site_account_release(struct site *s)
{
	json_decref(s->account);
	s->account = NULL;
}

static const json_t *part(const struct site *s, const char *name, const char *list)
{
	const json_t *doc = json_object_get(s->account, name);

	return list ? json_object_get(doc, list) : doc;
}

/* Digits and dashes (collections and galleries: "<owner's number>-<id>"). */
static int valid_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	return n > 0 && n < 64 && strspn(id, "0123456789-") == n && id[0] != '-';
}

static int valid_nsid(const char *nsid)
{
	return nsid && site_valid_nsid(nsid);
}

/* Flickr's upstream mark, said in a few words. */
static void gone_note(struct page *p, const json_t *rec, const char *what)
{
	if (json_object_get(rec, "upstream"))
		page_fmt(p, " <span class=\"removed-note\">%s</span>", what);
}

/* An http(s) link with text (escaped), or the text alone when the URL is not allowed. */
static void page_link(struct page *p, const char *url, const char *text, const char *cls)
{
	char *ok = url ? html_allowed_url(url, strlen(url)) : NULL;

	if (ok && strncmp(ok, "mailto:", 7)) {
		page_fmt(p, "<a class=\"%s\" href=\"", cls);
		page_text(p, ok);
		page_raw(p, "\" rel=\"noopener noreferrer\">");
		page_text(p, text);
		page_raw(p, "</a>");
	} else {
		page_text(p, text);
	}
	free(ok);
}

/* ---- the profile ---- */

static void profile_line(struct page *p, const char *label, const char *value, const char *id)
{
	if (!value || !*value)
		return;
	page_fmt(p, "<li id=\"%s\"><span class=\"label\">%s</span> ", id, label);
	page_text(p, value);
	page_raw(p, "</li>");
}

static void structure_links(struct page *p, const struct site *s)
{
	size_t n_coll = json_array_size(part(s, "collections", "collections"));
	size_t n_gal = json_array_size(part(s, "galleries", "galleries"));
	size_t n_grp = json_array_size(part(s, "groups", "groups"));
	size_t n_con = json_array_size(part(s, "contacts", "contacts"));
	size_t n_fol = json_array_size(part(s, "contacts", "followers"));

	page_raw(p, "<p class=\"structure-links\" id=\"structure-links\">");
	page_fmt(p, "<a id=\"link-collections\" href=\"%scollections.html\">Collections</a> (%zu)"
		 " &middot; <a id=\"link-galleries\" href=\"%sgalleries.html\">Galleries</a> (%zu)"
		 " &middot; <a id=\"link-groups\" href=\"%sgroups.html\">Groups</a> (%zu)"
		 " &middot; <a id=\"link-contacts\" href=\"%speople.html#contacts\">Contacts</a> (%zu)",
		 p->to_site, n_coll, p->to_site, n_gal, p->to_site, n_grp, p->to_site, n_con);
	if (n_fol)
		page_fmt(p, " &middot; <a id=\"link-followers\" href=\"%speople.html#followers\">"
			 "Followers</a> (%zu)", p->to_site, n_fol);
	page_raw(p, "</p>\n");
}

void site_account_profile(struct page *p, struct site *s)
{
	const json_t *prof = part(s, "profile", NULL);
	const char *nsid = jstr(prof, "nsid");
	long who = valid_nsid(nsid) ? site_model_person(&s->m, nsid, NULL) : -1;
	const char *name = jstr(prof, "realname") && *jstr(prof, "realname")
		? jstr(prof, "realname") : jstr(prof, "username");
	char where[256] = "";

	if (!json_is_object(prof)) {
		if (json_object_size(s->account))
			structure_links(p, s);
		return;
	}
	page_raw(p, "<section class=\"profile\" id=\"profile\" aria-label=\"Profile\">\n"
		 "<header class=\"person-header\">");
	page_avatar(p, who >= 0 ? &s->m.people[who] : NULL, 96);
	page_raw(p, "<div><h2 id=\"profile-name\">");
	page_text(p, name ? name : "");
	page_raw(p, "</h2>\n<ul class=\"profile-facts\">");
	profile_line(p, "Username", jstr(prof, "username"), "profile-username");
	if (jstr(prof, "city") || jstr(prof, "country"))
		snprintf(where, sizeof(where), "%s%s%s", jstr(prof, "city") ? jstr(prof, "city") : "",
			 jstr(prof, "city") && *jstr(prof, "city") && jstr(prof, "country") &&
			 *jstr(prof, "country") ? ", " : "",
			 jstr(prof, "country") ? jstr(prof, "country") : "");
	profile_line(p, "Lives in", *where ? where : jstr(prof, "location"), "profile-location");
	profile_line(p, "Hometown", jstr(prof, "hometown"), "profile-hometown");
	profile_line(p, "Occupation", jstr(prof, "occupation"), "profile-occupation");
	if (jstr(prof, "website") && *jstr(prof, "website")) {
		page_raw(p, "<li id=\"profile-website\"><span class=\"label\">Website</span> ");
		page_link(p, jstr(prof, "website"), jstr(prof, "website"), "profile-website");
		page_raw(p, "</li>");
	}
	if (jint_or(prof, "join_date", 0) > 0) {
		page_raw(p, "<li id=\"profile-joined\"><span class=\"label\">Joined</span> ");
		page_date(p, jint_or(prof, "join_date", 0), 0);
		page_raw(p, "</li>");
	}
	if (json_object_get(prof, "count_photos"))
		page_fmt(p, "<li id=\"profile-count\"><span class=\"label\">On Flickr</span> %lld "
			 "photos and videos, %lld views</li>", jint_or(prof, "count_photos", 0),
			 jint_or(prof, "views", 0));
	page_raw(p, "</ul></div></header>\n");
	if (jstr(prof, "description") && *jstr(prof, "description")) {
		page_raw(p, "<div class=\"description\" id=\"profile-description\">");
		page_markup(p, jstr(prof, "description"));
		page_raw(p, "</div>\n");
	}
	if (jstr(prof, "profile_description") && *jstr(prof, "profile_description")) {
		page_raw(p, "<div class=\"description\" id=\"profile-about\">");
		page_markup(p, jstr(prof, "profile_description"));
		page_raw(p, "</div>\n");
	}
	structure_links(p, s);
	page_raw(p, "</section>\n");
}

/* ---- contacts ---- */

static void contact_flags(struct page *p, const json_t *c)
{
	int friend = jflag(c, "friend", false), family = jflag(c, "family", false);

	page_raw(p, "<span class=\"contact-flags\">contact");
	if (friend)
		page_raw(p, " &middot; <span class=\"flag-friend\">friend</span>");
	if (family)
		page_raw(p, " &middot; <span class=\"flag-family\">family</span>");
	page_raw(p, "</span>");
}

static const char *nonempty(const json_t *rec, const char *key)
{
	const char *v = jstr(rec, key);

	return v && *v ? v : NULL;
}

/*
 * The opening of a contact's or follower's card: linked to their page when
 * contacts.json has their NSID; else (Flickr's export may give only a name and
 * a profile URL with a path alias) their name and the link to their profile.
 */
static void person_card(struct page *p, struct site *s, const json_t *c, const char *cls)
{
	const char *nsid = jstr(c, "nsid");
	const char *name = nonempty(c, "display_name") ? nonempty(c, "display_name")
			 : nonempty(c, "path_alias") ? nonempty(c, "path_alias")
			 : nonempty(c, "profile_url");
	long who = valid_nsid(nsid) ? site_model_person(&s->m, nsid, c) : -1;

	if (who == -2)
		page_fail(p, &(struct err){ 0 }); /* code 0: out of memory */
	if (who >= 0) {
		page_fmt(p, "<li class=\"person-card %s\" data-nsid=\"%s\">", cls, nsid);
		page_person_link(p, &s->m.people[who], NULL);
		return;
	}
	page_fmt(p, "<li class=\"person-card %s\"", cls);
	if (nonempty(c, "path_alias")) {
		page_raw(p, " data-alias=\"");
		page_text(p, nonempty(c, "path_alias"));
		page_raw(p, "\"");
	}
	page_raw(p, ">");
	page_person_link(p, NULL, name);
	if (nonempty(c, "profile_url")) {
		page_raw(p, " ");
		page_link(p, nonempty(c, "profile_url"), "Flickr profile", "profile-link");
	}
}

void site_account_contacts(struct page *p, struct site *s)
{
	const json_t *list = part(s, "contacts", "contacts");
	const json_t *followers = part(s, "contacts", "followers");

	if (json_is_array(list)) {
		page_fmt(p, "<section class=\"person-section\" id=\"contacts\" aria-labelledby="
			 "\"contacts-h\">\n<h2 id=\"contacts-h\">Contacts <span class=\"count\">%zu"
			 "</span></h2>\n<ul class=\"people-list contacts\">\n", json_array_size(list));
		for (size_t i = 0; i < json_array_size(list); i++) {
			person_card(p, s, json_array_get(list, i), "contact-card");
			contact_flags(p, json_array_get(list, i));
			gone_note(p, json_array_get(list, i), "no longer a contact");
			page_raw(p, "</li>\n");
		}
		page_raw(p, "</ul>\n</section>\n");
	}
	/* the API does not list them: Flickr's export does (import) */
	if (!json_array_size(followers))
		return;
	page_fmt(p, "<section class=\"person-section\" id=\"followers\" aria-labelledby="
		 "\"followers-h\">\n<h2 id=\"followers-h\">Followers <span class=\"count\">%zu"
		 "</span></h2>\n<ul class=\"people-list followers\">\n", json_array_size(followers));
	for (size_t i = 0; i < json_array_size(followers); i++) {
		person_card(p, s, json_array_get(followers, i), "follower-card");
		page_raw(p, "<span class=\"contact-flags\">follower</span></li>\n");
	}
	page_raw(p, "</ul>\n</section>\n");
}

/* The entry of list whose NSID is nsid, or NULL. */
static const json_t *person_in(const json_t *list, const char *nsid)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (jstr(json_array_get(list, i), "nsid") &&
		    !strcmp(jstr(json_array_get(list, i), "nsid"), nsid))
			return json_array_get(list, i);
	return NULL;
}

void site_account_contact_badge(struct page *p, const struct site *s, const char *nsid)
{
	const json_t *c = person_in(part(s, "contacts", "contacts"), nsid);
	const json_t *f = person_in(part(s, "contacts", "followers"), nsid);

	if (!c && !f)
		return;
	page_raw(p, "<p class=\"list-meta\" id=\"contact-badge\">");
	if (c) {
		contact_flags(p, c);
		gone_note(p, c, "no longer a contact");
	}
	if (f)
		page_fmt(p, "%s<span class=\"contact-flags\" id=\"follower-badge\">follower</span>",
			 c ? " &middot; " : "");
	page_raw(p, "</p>\n");
}

/* ---- finding the archived items a page shows ---- */

/* id -> item index of the archived items among ids (an object of id -> anything). */
static json_t *items_by_id(const struct site_model *m, json_t *wanted)
{
	json_t *found = json_object();

	for (size_t i = 0; found && i < m->n_items; i++) {
		const struct site_item *it = &m->items[i];

		/* an own photo wins over a favorite of the same id (there is none) */
		if (json_object_get(wanted, it->id) && !json_object_get(found, it->id) &&
		    json_object_set_new(found, it->id, json_integer((json_int_t)i)) < 0)
			break;
	}
	return found;
}

static int want_ids(json_t *wanted, const json_t *list, const char *key)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *x = json_array_get(list, i);
		const char *id = key ? jstr(x, key) : json_string_value(x);

		if (id && json_object_set_new(wanted, id, json_true()) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* ---- collections ---- */

static void album_link(struct page *p, const struct site *s, const json_t *album)
{
	const char *id = jstr(album, "id");
	const char *title = jstr(album, "title") && *jstr(album, "title") ? jstr(album, "title")
									  : "Untitled album";
	int archived = 0;

	for (size_t i = 0; id && i < s->m.n_albums && !archived; i++)
		archived = !strcmp(s->m.albums[i].id, id);
	page_raw(p, "<li class=\"collection-album\">");
	if (archived) {
		page_fmt(p, "<a href=\"%salbum/%s.html\">", p->to_site, id);
		page_text(p, title);
		page_raw(p, "</a>");
	} else {
		page_text(p, title);
	}
	page_raw(p, "</li>");
}

/* A node and its children as nested lists. */
static void collection_tree(struct page *p, const struct site *s, const json_t *node,
			    int depth)
{
	const char *id = jstr(node, "id");
	const json_t *albums = json_object_get(node, "albums");
	const json_t *kids = json_object_get(node, "collections");

	if (!valid_id(id) || depth > 16)
		return;
	page_fmt(p, "<li class=\"collection\" data-collection-id=\"%s\"><a href=\"%scollection/%s.html\">",
		 id, p->to_site, id);
	page_text(p, jstr(node, "title") && *jstr(node, "title") ? jstr(node, "title")
								 : "Untitled collection");
	page_raw(p, "</a>");
	gone_note(p, node, "deleted on Flickr");
	if (json_array_size(albums)) {
		page_raw(p, "<ul class=\"collection-albums\">");
		for (size_t i = 0; i < json_array_size(albums); i++)
			album_link(p, s, json_array_get(albums, i));
		page_raw(p, "</ul>");
	}
	if (json_array_size(kids)) {
		page_raw(p, "<ul class=\"collection-tree\">");
		for (size_t i = 0; i < json_array_size(kids); i++)
			collection_tree(p, s, json_array_get(kids, i), depth + 1);
		page_raw(p, "</ul>");
	}
	page_raw(p, "</li>\n");
}

static void description(struct page *p, const json_t *rec, const char *id)
{
	if (!jstr(rec, "description") || !*jstr(rec, "description"))
		return;
	page_fmt(p, "<div class=\"description\" id=\"%s\">", id);
	page_markup(p, jstr(rec, "description"));
	page_raw(p, "</div>\n");
}

static int write_collection(struct site *s, const json_t *node, int depth, struct err *e)
{
	const char *id = jstr(node, "id");
	const json_t *kids = json_object_get(node, "collections");
	const char *title = jstr(node, "title") && *jstr(node, "title") ? jstr(node, "title")
									: "Untitled collection";
	struct buf rel = BUF_INIT, attrs = BUF_INIT;
	struct page p;
	int r = 0;

	if (!valid_id(id) || depth > 16)
		return 0;
	page_init(&p, SITE_IN_SUBDIR);
	if (buf_printf(&rel, SITE_DIR "/collection/%s.html", id) < 0 ||
	    buf_printf(&attrs, "data-page=\"collection\" data-collection-id=\"%s\"", id) < 0)
		p.failed = 1;
	page_open(&p, s, title, "albums", attrs.data);
	page_raw(&p, "<h1 id=\"list-title\">");
	page_text(&p, title);
	page_raw(&p, "</h1>\n");
	gone_note(&p, node, "deleted on Flickr");
	description(&p, node, "collection-description");
	page_raw(&p, "<ul class=\"collection-tree\" id=\"collection-tree\">\n");
	collection_tree(&p, s, node, 0);
	page_raw(&p, "</ul>\n");
	page_fmt(&p, "<p class=\"list-meta\"><a href=\"../collections.html\">All collections</a></p>\n");
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	buf_release(&rel);
	buf_release(&attrs);
	for (size_t i = 0; r == 0 && i < json_array_size(kids); i++)
		r = write_collection(s, json_array_get(kids, i), depth + 1, e);
	return r;
}

static int write_collections(struct site *s, struct err *e)
{
	const json_t *tree = part(s, "collections", "collections");
	struct page p;
	int r;

	page_init(&p, SITE_IN_SITE);
	page_open(&p, s, "Collections", "albums", "data-page=\"collections\"");
	page_raw(&p, "<h1 id=\"list-title\">Collections</h1>\n");
	if (!json_array_size(tree))
		page_raw(&p, "<p class=\"empty\">No collections in this archive.</p>\n");
	page_raw(&p, "<ul class=\"collection-tree\" id=\"collection-tree\">\n");
	for (size_t i = 0; i < json_array_size(tree); i++)
		collection_tree(&p, s, json_array_get(tree, i), 0);
	page_raw(&p, "</ul>\n");
	page_close(&p, NULL);
	r = site_write_page(s, SITE_DIR "/collections.html", &p, e);
	page_release(&p);
	for (size_t i = 0; r == 0 && i < json_array_size(tree); i++)
		r = write_collection(s, json_array_get(tree, i), 0, e);
	return r;
}

/* ---- galleries ---- */

static void gallery_photo(struct page *p, const struct site *s, const json_t *photo,
			  const json_t *found)
{
	const char *id = jstr(photo, "id");
	const json_t *idx = id ? json_object_get(found, id) : NULL;
	const char *title = jstr(photo, "title") && *jstr(photo, "title") ? jstr(photo, "title")
									  : "Untitled";

	if (!id || strspn(id, "0123456789") != strlen(id))
		return;
	page_fmt(p, "<li class=\"gallery-photo\" data-id=\"%s\">", id);
	if (idx) {
		const struct site_item *it = &s->m.items[json_integer_value(idx)];

		page_raw(p, "<a href=\"");
		page_item_href(p, it);
		page_raw(p, "\">");
		page_thumb(p, it);
		page_raw(p, "</a>");
	}
	page_raw(p, "<div><p class=\"gallery-photo-title\">");
	if (valid_nsid(jstr(photo, "owner"))) {
		struct buf url = BUF_INIT;

		if (buf_printf(&url, "https://www.flickr.com/photos/%s/%s/", jstr(photo, "owner"),
			       id) < 0)
			page_fail(p, &(struct err){ 0 }); /* code 0: out of memory */
		else
			page_link(p, buf_cstr(&url), title, "flickr-link");
		buf_release(&url);
	} else {
		page_text(p, title);
	}
	if (jstr(photo, "ownername") && *jstr(photo, "ownername")) {
		page_raw(p, " <span class=\"grid-owner\">by ");
		page_text(p, jstr(photo, "ownername"));
		page_raw(p, "</span>");
	}
	gone_note(p, photo, "removed from the gallery");
	page_raw(p, "</p>");
	if (jstr(photo, "comment") && *jstr(photo, "comment")) {
		page_raw(p, "<div class=\"comment-text curator-comment\">");
		page_markup(p, jstr(photo, "comment"));
		page_raw(p, "</div>");
	}
	page_raw(p, "</div></li>\n");
}

static int write_gallery(struct site *s, const json_t *g, struct err *e)
{
	const char *id = jstr(g, "id");
	const json_t *photos = json_object_get(g, "photos");
	const char *title = jstr(g, "title") && *jstr(g, "title") ? jstr(g, "title")
								  : "Untitled gallery";
	json_t *wanted = json_object(), *found = NULL;
	struct buf rel = BUF_INIT, attrs = BUF_INIT;
	struct page p;
	int r;

	if (!valid_id(id)) {
		json_decref(wanted);
		return 0;
	}
	page_init(&p, SITE_IN_SUBDIR);
	if (!wanted || want_ids(wanted, photos, "id") < 0 || !(found = items_by_id(&s->m, wanted)) ||
	    buf_printf(&rel, SITE_DIR "/gallery/%s.html", id) < 0 ||
	    buf_printf(&attrs, "data-page=\"gallery\" data-gallery-id=\"%s\"", id) < 0)
		p.failed = 1;
	page_open(&p, s, title, "albums", attrs.data);
	page_raw(&p, "<h1 id=\"list-title\">");
	page_text(&p, title);
	page_raw(&p, "</h1>\n");
	gone_note(&p, g, "deleted on Flickr");
	description(&p, g, "gallery-description");
	page_fmt(&p, "<p class=\"list-meta\">%zu photo%s", json_array_size(photos),
		 json_array_size(photos) == 1 ? "" : "s");
	if (jint_or(g, "date_create", 0) > 0) {
		page_raw(&p, " &middot; created ");
		page_date(&p, jint_or(g, "date_create", 0), 0);
	}
	page_raw(&p, " &middot; <a href=\"../galleries.html\">All galleries</a></p>\n");
	page_raw(&p, "<ol class=\"gallery-photos\" id=\"gallery-photos\">\n");
	for (size_t i = 0; i < json_array_size(photos); i++)
		gallery_photo(&p, s, json_array_get(photos, i), found);
	page_raw(&p, "</ol>\n");
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	buf_release(&rel);
	buf_release(&attrs);
	json_decref(wanted);
	json_decref(found);
	return r;
}

/* A list page of galleries or groups: one linked line each. */
static int write_list(struct site *s, const char *what, const char *slug, const char *title,
		      const json_t *list, const char *id_key, const char *name_key, struct err *e)
{
	struct buf rel = BUF_INIT, attrs = BUF_INIT;
	size_t shown = 0;
	struct page p;
	int r;

	page_init(&p, SITE_IN_SITE);
	if (buf_printf(&rel, SITE_DIR "/%s.html", what) < 0 ||
	    buf_printf(&attrs, "data-page=\"%s\"", what) < 0)
		p.failed = 1;
	page_open(&p, s, title, "albums", attrs.data);
	page_fmt(&p, "<h1 id=\"list-title\">%s</h1>\n<ul class=\"account-list\" id=\"%s-list\">\n",
		 title, what);
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *x = json_array_get(list, i);
		const char *id = jstr(x, id_key);
		const char *name = jstr(x, name_key) && *jstr(x, name_key) ? jstr(x, name_key)
									   : "Untitled";
		int ok = !strcmp(id_key, "nsid") ? valid_nsid(id) : valid_id(id);
		size_t n = json_array_size(json_object_get(x, !strcmp(id_key, "nsid") ? "photo_ids"
										       : "photos"));

		if (!ok)
			continue;
		shown++;
		page_fmt(&p, "<li data-id=\"%s\"><a href=\"%s/%s.html\">", id, slug, id);
		page_text(&p, name);
		page_fmt(&p, "</a> <span class=\"count\">%zu</span>", n);
		gone_note(&p, x, !strcmp(id_key, "nsid") ? "no longer a member" : "deleted on Flickr");
		page_raw(&p, "</li>\n");
	}
	page_raw(&p, "</ul>\n");
	if (!shown)
		page_fmt(&p, "<p class=\"empty\">No %s in this archive.</p>\n", what);
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	buf_release(&rel);
	buf_release(&attrs);
	return r;
}

void site_account_item_galleries(struct page *p, const struct site *s, const char *id)
{
	const json_t *list = part(s, "galleries", "galleries");
	const json_t *in = json_object_get(part(s, "by_photo", NULL), id);

	if (!json_array_size(in))
		return;
	page_raw(p, "<section class=\"photo-section\" id=\"galleries\" aria-labelledby="
		 "\"galleries-h\">\n<h2 id=\"galleries-h\">In galleries</h2>\n<ul class=\"gallery-links\">");
	for (size_t i = 0; i < json_array_size(in); i++) {
		const json_t *at = json_array_get(in, i);
		const json_t *g = json_array_get(list, (size_t)json_integer_value(json_array_get(at, 0)));
		const json_t *photo = json_array_get(json_object_get(g, "photos"),
						     (size_t)json_integer_value(json_array_get(at, 1)));
		const char *gid = jstr(g, "id");

		if (!valid_id(gid))
			continue;
		page_fmt(p, "<li><a class=\"gallery-link\" data-gallery-id=\"%s\" "
			 "href=\"%sgallery/%s.html\">", gid, p->to_site, gid);
		page_text(p, jstr(g, "title") && *jstr(g, "title") ? jstr(g, "title")
								 : "Untitled gallery");
		page_raw(p, "</a>");
		gone_note(p, photo, "removed from the gallery");
		page_raw(p, "</li>");
	}
	page_raw(p, "</ul>\n</section>\n");
}

static int write_galleries(struct site *s, struct err *e)
{
	const json_t *list = part(s, "galleries", "galleries");
	int r = write_list(s, "galleries", "gallery", "Galleries", list, "id", "title", e);

	for (size_t i = 0; r == 0 && i < json_array_size(list); i++)
		r = write_gallery(s, json_array_get(list, i), e);
	return r;
}

/* ---- groups ---- */

static int write_group(struct site *s, const json_t *g, struct err *e)
{
	const char *nsid = jstr(g, "nsid");
	const json_t *ids = json_object_get(g, "photo_ids");
	const char *name = jstr(g, "name") && *jstr(g, "name") ? jstr(g, "name") : "Untitled group";
	json_t *wanted = json_object(), *found = NULL;
	struct site_refs refs = { NULL, 0, 0 };
	struct buf rel = BUF_INIT, attrs = BUF_INIT, url = BUF_INIT;
	struct page p;
	int r;

	if (!valid_nsid(nsid)) {
		json_decref(wanted);
		return 0;
	}
	page_init(&p, SITE_IN_SUBDIR);
	if (!wanted || want_ids(wanted, ids, NULL) < 0 || !(found = items_by_id(&s->m, wanted)) ||
	    buf_printf(&rel, SITE_DIR "/group/%s.html", nsid) < 0 ||
	    buf_printf(&attrs, "data-page=\"group\" data-nsid=\"%s\"", nsid) < 0 ||
	    buf_printf(&url, "https://www.flickr.com/groups/%s/", nsid) < 0)
		p.failed = 1;
	for (size_t i = 0; !p.failed && i < json_array_size(ids); i++) {
		const json_t *idx = json_object_get(found, json_string_value(json_array_get(ids, i)));

		if (idx && site_refs_add(&refs, (size_t)json_integer_value(idx)) < 0)
			p.failed = 1;
	}
	page_open(&p, s, name, "albums", attrs.data);
	page_raw(&p, "<h1 id=\"list-title\">");
	page_text(&p, name);
	page_raw(&p, "</h1>\n");
	gone_note(&p, g, "no longer a member");
	description(&p, g, "group-description");
	page_fmt(&p, "<p class=\"list-meta\" id=\"group-counts\">%lld members &middot; %lld items in "
		 "the pool, %zu of them yours &middot; ", jint_or(g, "members", 0),
		 jint_or(g, "pool_count", 0), json_array_size(ids));
	page_link(&p, buf_cstr(&url), "on Flickr", "flickr-link");
	page_raw(&p, " &middot; <a href=\"../groups.html\">All groups</a></p>\n");
	if (!refs.n)
		page_raw(&p, "<p class=\"empty\">None of this archive's photos is in the pool.</p>\n");
	page_grid(&p, &s->m, &refs, 0, refs.n);
	page_close(&p, NULL);
	r = site_write_page(s, rel.data, &p, e);
	page_release(&p);
	site_refs_release(&refs);
	buf_release(&rel);
	buf_release(&attrs);
	buf_release(&url);
	json_decref(wanted);
	json_decref(found);
	return r;
}

static int write_groups(struct site *s, struct err *e)
{
	const json_t *list = part(s, "groups", "groups");
	int r = write_list(s, "groups", "group", "Groups", list, "nsid", "name", e);

	for (size_t i = 0; r == 0 && i < json_array_size(list); i++)
		r = write_group(s, json_array_get(list, i), e);
	return r;
}

int site_account_write(struct site *s, struct err *e)
{
	int r = write_collections(s, e);

	if (r == 0)
		r = write_galleries(s, e);
	if (r == 0)
		r = write_groups(s, e);
	return r;
}

/* ---- search ---- */

static void add_pages(json_t *out, const char *kind, const json_t *list, const char *id_key,
		      const char *name_key, int depth)
{
	for (size_t i = 0; depth < 16 && i < json_array_size(list); i++) {
		const json_t *x = json_array_get(list, i);
		const char *id = jstr(x, id_key);

		if ((!strcmp(id_key, "nsid") ? valid_nsid(id) : valid_id(id)) && jstr(x, name_key))
			json_array_append_new(out, json_pack("[sss]", kind, id, jstr(x, name_key)));
		if (!strcmp(kind, "collection"))
			add_pages(out, kind, json_object_get(x, "collections"), id_key, name_key,
				  depth + 1);
	}
}

json_t *site_account_search_pages(const struct site *s)
{
	json_t *out = json_array();

	if (!out)
		return NULL;
	add_pages(out, "group", part(s, "groups", "groups"), "nsid", "name", 0);
	add_pages(out, "gallery", part(s, "galleries", "galleries"), "id", "title", 0);
	add_pages(out, "collection", part(s, "collections", "collections"), "id", "title", 0);
	return out;
}
