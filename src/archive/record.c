/* record.c: Flickr responses -> metadata.json, comments.json, favorites.json, index entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "record.h"

void record_iso8601(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;
	char tmp[64];

	if (t < 0 || t > 253402300799LL || !gmtime_r(&tt, &tm)) {
		memcpy(out, "1970-01-01T00:00:00Z", 21);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, tmp, 20);
	out[20] = '\0';
}

/* b's contents for the caller to free, or NULL (b released) when building it failed (r < 0). */
static char *detach_or_null(struct buf *b, int r)
{
	if (r < 0) {
		buf_release(b);
		return NULL;
	}
	return buf_detach(b);
}

char *record_avatar_url(long long iconfarm, const char *iconserver, const char *nsid)
{
	struct buf b = BUF_INIT;
	long long server = 0;
	int r;

	if (iconserver)
		server = strtoll(iconserver, NULL, 10);
	if (server > 0 && nsid && *nsid)
		r = buf_printf(&b, "https://farm%lld.staticflickr.com/%s/buddyicons/%s.jpg",
			       iconfarm, iconserver, nsid);
	else
		r = buf_puts(&b, "https://www.flickr.com/images/buddyicon.gif");
	return detach_or_null(&b, r);
}

char *record_profile_url(const char *nsid, const char *path_alias)
{
	struct buf b = BUF_INIT;
	const char *who = (path_alias && *path_alias) ? path_alias : nsid;

	if (!who || !*who)
		return NULL;
	return detach_or_null(&b, buf_printf(&b, "https://www.flickr.com/people/%s/", who));
}

const char *record_display_name(const char *realname, const char *username,
				const char *nsid)
{
	if (realname && *realname)
		return realname;
	if (username && *username)
		return username;
	return nsid ? nsid : "";
}

/* display_name, avatar_url, profile_url from a person-like object */
static void add_person_links(json_t *out, const json_t *src, const char *nsid_key,
			     const char *username_key)
{
	const char *nsid = jstr(src, nsid_key);
	const char *alias = jstr(src, "path_alias");
	char *avatar, *profile;

	jset_str(out, "display_name",
		 record_display_name(jcontent(src, "realname"), jcontent(src, username_key), nsid));
	avatar = record_avatar_url(jint_or(src, "iconfarm", 0), jtext(src, "iconserver"), nsid);
	profile = record_profile_url(nsid, alias);
	jset_str(out, "avatar_url", avatar);
	jset_str(out, "profile_url", profile);
	free(avatar);
	free(profile);
}

static void set_time_pair(json_t *out, const char *key, const char *fmt_key, const char *value)
{
	char iso[21];
	char *end;
	long long t;

	jset_str(out, key, value);
	if (!value || !*value)
		return;
	t = strtoll(value, &end, 10);
	if (*end == '\0' && t > 0) {
		record_iso8601(t, iso);
		jset_str(out, fmt_key, iso);
	}
}

static json_t *tags_from_info(const json_t *info, int machine_only)
{
	const json_t *list = json_object_get(jobj(info, "tags"), "tag");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *t = jlist_at(list, i);
		const char *raw = jstr(t, "raw");

		if (!raw)
			raw = jstr(t, "_content");
		if (!raw || (machine_only && !jflag(t, "machine_tag", false)))
			continue;
		json_array_append_new(out, jstring_lossy(raw));
	}
	return out;
}

static json_t *tags_detail(const json_t *info)
{
	const json_t *list = json_object_get(jobj(info, "tags"), "tag");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *t = jlist_at(list, i);
		json_t *d = json_object();

		jset_str(d, "id", jtext(t, "id"));
		jset_str(d, "raw", jstr(t, "raw"));
		jset_str(d, "tag", jstr(t, "_content"));
		jset_str(d, "author", jstr(t, "author"));
		jset_str(d, "author_name", jstr(t, "authorname"));
		jset_bool(d, "machine_tag", jflag(t, "machine_tag", false));
		json_array_append_new(out, d);
	}
	return out;
}

/* Space-separated tags of a listing ("a b c") as an array. */
static json_t *split_words(const char *s)
{
	json_t *out = json_array();
	const char *p = s ? s : "";

	while (out && *p) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n) {
			char *w = strndup(p, n);

			json_array_append_new(out, jstring_lossy(w ? w : ""));
			free(w);
		}
		p += n;
	}
	return out;
}

static json_t *place_from(const json_t *loc, const char *key)
{
	const json_t *p = json_object_get(loc, key);
	json_t *out;

	if (!p)
		return NULL;
	out = json_object();
	jset_str(out, "_content", jcontent(loc, key) ? jcontent(loc, key) : "");
	if (jtext(p, "place_id"))
		jset_str(out, "place_id", jtext(p, "place_id"));
	if (jtext(p, "woeid"))
		jset_str(out, "woeid", jtext(p, "woeid"));
	return out;
}

/* null unless geotagged; numeric latitude/longitude plus place names */
static json_t *location_of(const json_t *info, const json_t *listing)
{
	static const char *const places[] = {
		"neighbourhood", "locality", "county", "region", "country",
	};
	const json_t *loc = jobj(info, "location");
	const json_t *src = loc ? loc : listing;
	double lat = 0, lon = 0;
	json_t *out;
	long long v;

	if (!jreal(src, "latitude", &lat) || !jreal(src, "longitude", &lon) ||
	    (lat == 0.0 && lon == 0.0))
		return json_null();
	out = json_object();
	jset_real(out, "latitude", lat);
	jset_real(out, "longitude", lon);
	if (jint(src, "accuracy", &v))
		jset_int(out, "accuracy", v);
	if (jint(src, "context", &v))
		jset_int(out, "context", v);
	if (jtext(src, "place_id"))
		jset_str(out, "place_id", jtext(src, "place_id"));
	if (jtext(src, "woeid"))
		jset_str(out, "woeid", jtext(src, "woeid"));
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		json_t *p = place_from(loc, places[i]);

		if (p)
			jset_new(out, places[i], p);
	}
	if (jobj(info, "geoperms")) {
		json_t *gp = json_object();

		jset_bool(gp, "public", jflag(jobj(info, "geoperms"), "ispublic", false));
		jset_bool(gp, "contact", jflag(jobj(info, "geoperms"), "iscontact", false));
		jset_bool(gp, "friend", jflag(jobj(info, "geoperms"), "isfriend", false));
		jset_bool(gp, "family", jflag(jobj(info, "geoperms"), "isfamily", false));
		jset_new(out, "permissions", gp);
	}
	return out;
}

static json_t *visibility_of(const json_t *info, const json_t *listing)
{
	const json_t *v = jobj(info, "visibility") ? jobj(info, "visibility") : listing;
	int pub = jflag(v, "ispublic", false);
	int fr = jflag(v, "isfriend", false);
	int fa = jflag(v, "isfamily", false);
	json_t *out = json_object();
	const char *label = pub ? "public" : (fr && fa) ? "friends & family" :
			    fr ? "friends" : fa ? "family" : "private";

	jset_str(out, "label", label);
	jset_bool(out, "public", pub);
	jset_bool(out, "friends", fr);
	jset_bool(out, "family", fa);
	return out;
}

static const char *const license_names[][2] = {
	{ "All Rights Reserved", NULL },
	{ "Attribution-NonCommercial-ShareAlike License", "https://creativecommons.org/licenses/by-nc-sa/2.0/" },
	{ "Attribution-NonCommercial License", "https://creativecommons.org/licenses/by-nc/2.0/" },
	{ "Attribution-NonCommercial-NoDerivs License", "https://creativecommons.org/licenses/by-nc-nd/2.0/" },
	{ "Attribution License", "https://creativecommons.org/licenses/by/2.0/" },
	{ "Attribution-ShareAlike License", "https://creativecommons.org/licenses/by-sa/2.0/" },
	{ "Attribution-NoDerivs License", "https://creativecommons.org/licenses/by-nd/2.0/" },
	{ "No known copyright restrictions", "https://www.flickr.com/commons/usage/" },
	{ "United States Government Work", "http://www.usa.gov/copyright.shtml" },
	{ "Public Domain Dedication (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/" },
	{ "Public Domain Mark", "https://creativecommons.org/publicdomain/mark/1.0/" },
};

static json_t *license_of(const json_t *info, const json_t *listing)
{
	long long id;
	json_t *out;

	if (!jint(info, "license", &id) && !jint(listing, "license", &id))
		return json_null();
	out = json_object();
	jset_int(out, "id", id);
	if (id >= 0 && (size_t)id < sizeof(license_names) / sizeof(license_names[0])) {
		jset_str(out, "name", license_names[id][0]);
		jset_str(out, "url", license_names[id][1]);
	}
	return out;
}

static json_t *owner_of(const json_t *info, const json_t *listing)
{
	const json_t *o = jobj(info, "owner");
	json_t *out = json_object();

	if (o) {
		jset_str(out, "nsid", jstr(o, "nsid"));
		jset_str(out, "username", jstr(o, "username"));
		jset_str(out, "realname", jstr(o, "realname"));
		jset_str(out, "path_alias", jstr(o, "path_alias"));
		jset_str(out, "location", jstr(o, "location"));
		add_person_links(out, o, "nsid", "username");
		return out;
	}
	/* listing only: owner, ownername, iconserver/iconfarm, pathalias */
	jset_str(out, "nsid", jstr(listing, "owner"));
	jset_str(out, "username", jstr(listing, "ownername"));
	jset_str(out, "path_alias", jstr(listing, "pathalias"));
	{
		char *avatar = record_avatar_url(jint_or(listing, "iconfarm", 0),
						 jtext(listing, "iconserver"), jstr(listing, "owner"));
		char *profile = record_profile_url(jstr(listing, "owner"), jstr(listing, "pathalias"));

		jset_str(out, "display_name", record_display_name(NULL, jstr(listing, "ownername"),
								  jstr(listing, "owner")));
		jset_str(out, "avatar_url", avatar);
		jset_str(out, "profile_url", profile);
		free(avatar);
		free(profile);
	}
	return out;
}

/* The x/y/w/h box of a note or person tag, where given. */
static void copy_box(json_t *dst, const json_t *src)
{
	static const char *const box[] = { "x", "y", "w", "h" };

	for (size_t k = 0; k < 4; k++) {
		long long v;

		if (jint(src, box[k], &v))
			jset_int(dst, box[k], v);
	}
}

static json_t *notes_of(const json_t *info)
{
	const json_t *list = json_object_get(jobj(info, "notes"), "note");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *n = jlist_at(list, i);
		json_t *d = json_object();

		jset_str(d, "id", jtext(n, "id"));
		jset_str(d, "author", jstr(n, "author"));
		jset_str(d, "author_name", jstr(n, "authorname"));
		copy_box(d, n);
		jset_str(d, "text", jstr(n, "_content"));
		json_array_append_new(out, d);
	}
	return out;
}

static json_t *people_of(const json_t *people_resp)
{
	const json_t *list = json_object_get(jobj(people_resp, "people"), "person");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *p = jlist_at(list, i);
		json_t *d = json_object();

		jset_str(d, "nsid", jstr(p, "nsid"));
		jset_str(d, "username", jstr(p, "username"));
		jset_str(d, "realname", jstr(p, "realname"));
		jset_str(d, "path_alias", jstr(p, "path_alias"));
		jset_str(d, "added_by", jstr(p, "added_by"));
		jset_bool(d, "is_deleted", jflag(p, "is_deleted", false));
		add_person_links(d, p, "nsid", "username");
		copy_box(d, p);
		json_array_append_new(out, d);
	}
	return out;
}

static json_t *urls_of(const json_t *info, const json_t *listing)
{
	const json_t *list = json_object_get(jobj(info, "urls"), "url");
	json_t *out = json_object();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *u = jlist_at(list, i);

		if (jstr(u, "type") && jstr(u, "_content"))
			jset_str(out, jstr(u, "type"), jstr(u, "_content"));
	}
	if (!json_object_get(out, "photopage")) {
		const char *who = jstr(listing, "pathalias") ? jstr(listing, "pathalias")
							     : jstr(listing, "owner");
		struct buf b = BUF_INIT;

		if (who && jstr(listing, "id") &&
		    buf_printf(&b, "https://www.flickr.com/photos/%s/%s/", who, jstr(listing, "id")) == 0)
			jset_str(out, "photopage", b.data);
		buf_release(&b);
	}
	return out;
}

static const char *first_str(const json_t *a, const char *ka, const json_t *b, const char *kb)
{
	const char *v = jcontent(a, ka);

	return v ? v : jcontent(b, kb);
}

static void add_dates(json_t *m, const json_t *info, const json_t *listing)
{
	const json_t *dates = jobj(info, "dates");
	const char *posted = jtext(dates, "posted");
	char posted_copy[32] = "";
	long long v;

	if (!posted)
		posted = jtext(listing, "dateupload");
	if (posted)
		snprintf(posted_copy, sizeof(posted_copy), "%s", posted);
	set_time_pair(m, "date_uploaded", "date_uploaded_formatted",
		      posted_copy[0] ? posted_copy : NULL);
	jset_str(m, "date_taken", first_str(dates, "taken", listing, "datetaken"));
	if (jint(dates, "takengranularity", &v) || jint(listing, "datetakengranularity", &v))
		jset_int(m, "date_taken_granularity", v);
	jset_bool(m, "date_taken_unknown", jflag(dates, "takenunknown", false) ||
					   jflag(listing, "datetakenunknown", false));
	{
		const char *lu = jtext(dates, "lastupdate");
		char lu_copy[32] = "";

		if (!lu)
			lu = jtext(listing, "lastupdate");
		if (lu)
			snprintf(lu_copy, sizeof(lu_copy), "%s", lu);
		set_time_pair(m, "last_update", "last_update_formatted", lu_copy[0] ? lu_copy : NULL);
	}
}

static void add_counts(json_t *m, const struct record_input *in)
{
	long long v;

	if (jint(in->info, "views", &v) || jint(in->listing, "views", &v))
		jset_int(m, "views", v);
	else
		jset_int(m, "views", 0);
	if (jint(jobj(in->info, "comments"), "_content", &v) ||
	    jint(in->listing, "count_comments", &v))
		jset_int(m, "count_comments", v);
	if (in->count_faves >= 0)
		jset_int(m, "count_faves", in->count_faves);
}

static void add_video(json_t *m, const json_t *info)
{
	static const char *const keys[] = { "duration", "width", "height" };
	const json_t *v = jobj(info, "video");
	json_t *out;
	long long n;

	if (!v)
		return;
	out = json_object();
	for (size_t i = 0; i < 3; i++)
		if (jint(v, keys[i], &n))
			jset_int(out, keys[i], n);
	jset_bool(out, "ready", jflag(v, "ready", true));
	jset_new(m, "video", out);
}

json_t *record_metadata(const struct record_input *in)
{
	const json_t *info = in->info, *listing = in->listing;
	json_t *m = json_object();
	char iso[21];
	long long v;

	if (!m)
		return NULL;
	/* the listing's id names the item's directory; getInfo's is only a fallback */
	jset_str(m, "id", jstr(listing, "id") ? jstr(listing, "id") : jstr(info, "id"));
	jset_str(m, "title", first_str(info, "title", listing, "title") ?
			     first_str(info, "title", listing, "title") : "");
	jset_str(m, "description", first_str(info, "description", listing, "description") ?
				   first_str(info, "description", listing, "description") : "");
	add_dates(m, info, listing);
	jset_new(m, "tags", info ? tags_from_info(info, 0) : split_words(jstr(listing, "tags")));
	add_counts(m, in);
	jset_new(m, "location", location_of(info, listing));
	jset_new(m, "albums", in->albums ? json_deep_copy(in->albums) : json_array());
	jset_str(m, "media", jstr(info, "media") ? jstr(info, "media") :
			     (jstr(listing, "media") ? jstr(listing, "media") : "photo"));
	/* additions beyond the original tool's keys */
	jset_new(m, "tags_normalized", split_words(jstr(listing, "tags")));
	jset_new(m, "machine_tags", info ? tags_from_info(info, 1)
					 : split_words(jstr(listing, "machine_tags")));
	if (info)
		jset_new(m, "tags_detail", tags_detail(info));
	jset_new(m, "owner", owner_of(info, listing));
	jset_new(m, "visibility", visibility_of(info, listing));
	jset_new(m, "license", license_of(info, listing));
	if (jint(info, "safety_level", &v))
		jset_int(m, "safety_level", v);
	if (jint(info, "rotation", &v))
		jset_int(m, "rotation", v);
	if (jstr(info, "originalformat") || jstr(listing, "originalformat"))
		jset_str(m, "original_format", jstr(info, "originalformat") ?
					       jstr(info, "originalformat") : jstr(listing, "originalformat"));
	jset_new(m, "notes", notes_of(info));
	jset_new(m, "people", people_of(in->people));
	jset_new(m, "urls", urls_of(info, listing));
	add_video(m, info);
	if (in->kind == STORE_FAV)
		record_set_date_faved(m, listing);
	record_iso8601(in->archived_at, iso);
	jset_str(m, "archived_at", iso);
	return m;
}

void record_set_date_faved(json_t *meta, const json_t *listing)
{
	set_time_pair(meta, "date_faved", "date_faved_formatted", jtext(listing, "date_faved"));
}

json_t *record_comments(const json_t *resp)
{
	const json_t *list = json_object_get(jobj(resp, "comments"), "comment");
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(list); i++) {
		const json_t *c = jlist_at(list, i);
		json_t *d = json_object();

		jset_str(d, "id", jtext(c, "id"));
		jset_str(d, "author", jstr(c, "author"));
		jset_str(d, "author_name", jstr(c, "authorname"));
		jset_str(d, "realname", jstr(c, "realname"));
		jset_str(d, "path_alias", jstr(c, "path_alias"));
		jset_bool(d, "author_is_deleted", jflag(c, "author_is_deleted", false));
		set_time_pair(d, "date_created", "date_created_formatted", jtext(c, "datecreate"));
		jset_str(d, "permalink", jstr(c, "permalink"));
		jset_str(d, "text", jstr(c, "_content") ? jstr(c, "_content") : "");
		jset_str(d, "iconserver", jtext(c, "iconserver"));
		jset_int(d, "iconfarm", jint_or(c, "iconfarm", 0));
		add_person_links(d, c, "author", "authorname");
		json_array_append_new(out, d);
	}
	return out;
}

json_t *record_fave(const json_t *p)
{
	json_t *d = json_object();

	if (!d)
		return NULL;
	jset_str(d, "nsid", jstr(p, "nsid"));
	jset_str(d, "username", jstr(p, "username"));
	jset_str(d, "realname", jstr(p, "realname"));
	jset_str(d, "path_alias", jstr(p, "path_alias"));
	set_time_pair(d, "favedate", "favedate_formatted", jtext(p, "favedate"));
	jset_str(d, "iconserver", jtext(p, "iconserver"));
	jset_int(d, "iconfarm", jint_or(p, "iconfarm", 0));
	add_person_links(d, p, "nsid", "username");
	return d;
}

json_t *record_index_entry(const json_t *m, enum store_kind kind)
{
	static const char *const keys[] = {
		"id", "title", "date_uploaded", "date_uploaded_formatted", "date_taken",
		"tags", "media", "views", "albums", "count_comments", "count_faves",
		"date_faved", "date_faved_formatted", "upstream",
	};
	json_t *e = json_object();
	struct buf path = BUF_INIT;

	for (size_t i = 0; e && i < sizeof(keys) / sizeof(keys[0]); i++)
		jcopy(e, keys[i], m, keys[i]);
	if (kind == STORE_FAV) {
		const json_t *o = jobj(m, "owner");
		json_t *owner = json_object();

		jcopy(owner, "nsid", o, "nsid");
		jcopy(owner, "username", o, "username");
		jcopy(owner, "display_name", o, "display_name");
		jset_new(e, "owner", owner);
	}
	jset_str(e, "visibility", jstr(jobj(m, "visibility"), "label"));
	if (store_valid_id(jstr(m, "id")) &&
	    buf_printf(&path, "%s/%s", store_kind_dir(kind), jstr(m, "id")) == 0)
		jset_str(e, "path", path.data);
	buf_release(&path);
	return e;
}

json_t *record_user_from(const json_t *r)
{
	const char *nsid = jstr(r, "author") ? jstr(r, "author") : jstr(r, "nsid");
	json_t *u = json_object();

	if (!u || !nsid)
		return u;
	jset_str(u, "nsid", nsid);
	jset_str(u, "username", jstr(r, "author_name") ? jstr(r, "author_name") : jstr(r, "username"));
	jset_str(u, "realname", jstr(r, "realname"));
	jset_str(u, "path_alias", jstr(r, "path_alias"));
	jcopy(u, "display_name", r, "display_name");
	jcopy(u, "avatar_url", r, "avatar_url");
	jcopy(u, "profile_url", r, "profile_url");
	jcopy(u, "iconserver", r, "iconserver");
	jcopy(u, "iconfarm", r, "iconfarm");
	if (json_object_get(r, "author_is_deleted"))
		jcopy(u, "is_deleted", r, "author_is_deleted");
	return u;
}
