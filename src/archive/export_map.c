/*
 * export_map.c: the export's photo records made into the archive's: the
 * export's keys are turned into a listing of the API's shape and given to
 * record_metadata(), so an imported item has exactly the keys a synced one
 * has, then what only the export says is set beside them.
 */
#include "export_map.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account_index.h"
#include "buf.h"
#include "export_media.h"
#include "record.h"
#include "store.h"

int export_is_photo_record(const json_t *doc)
{
	const char *id = jtext(doc, "id");

	return json_is_object(doc) && id && store_valid_id(id) &&
	       (json_object_get(doc, "photopage") || json_object_get(doc, "original") ||
		json_object_get(doc, "date_imported"));
}

/* The extension of a URL's path ("mp4" of ".../v.mp4?s=1"), in ext (empty when none). */
static void url_ext(const char *url, char *ext, size_t len)
{
	size_t n = strcspn(url, "?#");
	const char *dot = NULL;

	for (size_t i = 0; i < n; i++)
		if (url[i] == '.')
			dot = url + i;
		else if (url[i] == '/')
			dot = NULL;
	ext[0] = '\0';
	if (dot && (size_t)(url + n - dot - 1) < len) {
		for (size_t i = 0; dot + 1 + i < url + n; i++)
			ext[i] = (char)tolower((unsigned char)dot[1 + i]);
		ext[url + n - dot - 1] = '\0';
	}
}

int export_photo_is_video(const json_t *photo)
{
	const char *media = jstr(photo, "media") ? jstr(photo, "media") : jstr(photo, "media_type");
	const char *original = jstr(photo, "original");
	char ext[8];

	if (media)
		return !strcmp(media, "video");
	if (!original)
		return 0;
	url_ext(original, ext, sizeof(ext));
	return export_media_is_video(ext) || strstr(original, "/video/") ||
	       strstr(original, "video_download");
}

int64_t export_parse_time(const char *s)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%d-%d-%d %d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || tm.tm_year < 1900 ||
	    tm.tm_mon < 1)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* "49696401" (micro-degrees, the export's form) or "49.696401" */
static int geo_degrees(const json_t *geo, const char *key, double *ret)
{
	const char *s = jtext(geo, key);
	char *end;
	double v;

	if (!s || !*s)
		return 0;
	v = strtod(s, &end);
	if (*end)
		return 0;
	*ret = strchr(s, '.') ? v : v / 1e6;
	return 1;
}

/* geo: an object (2018-19) or an array of them (since ~2021, [] if none) */
static void listing_geo(json_t *l, const json_t *geo)
{
	double lat, lon;
	long long acc;

	if (json_is_array(geo))
		geo = json_array_get(geo, 0);
	if (!json_is_object(geo) || !geo_degrees(geo, "latitude", &lat) ||
	    !geo_degrees(geo, "longitude", &lon))
		return;
	jset_real(l, "latitude", lat);
	jset_real(l, "longitude", lon);
	if (jint(geo, "accuracy", &acc))
		jset_int(l, "accuracy", acc);
}

/* "public", "private", "friend & family" (friends-only and family-only both read so) */
static void listing_privacy(json_t *l, const char *privacy)
{
	int pub = privacy && !strcmp(privacy, "public");
	int fr = privacy && strstr(privacy, "friend");
	int fa = privacy && strstr(privacy, "famil");

	jset_int(l, "ispublic", pub);
	jset_int(l, "isfriend", !pub && fr);
	jset_int(l, "isfamily", !pub && fa);
}

/* Flickr's normalised form of a tag: lower case, letters and digits only. */
static int normalise_tag(const char *raw, struct buf *out)
{
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++)
		if ((*p >= 0x80 || isalnum(*p)) &&
		    buf_putc(out, (char)(*p < 0x80 ? tolower(*p) : *p)) < 0)
			return FA_ENOMEM;
	return 0;
}

/* The listing's "tags" and "machine_tags" from the export's tags; FA_ENOMEM or 0. */
static int listing_tags(json_t *l, const json_t *tags)
{
	struct buf plain = BUF_INIT, machine = BUF_INIT, norm = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < jlist_size(tags) && r == 0; i++) {
		const char *raw = jstr(jlist_at(tags, i), "tag");

		if (!raw || !*raw)
			continue;
		if (strchr(raw, ':') && strchr(raw, '=') && !strchr(raw, ' ')) {
			r = buf_printf(&machine, "%s%s", machine.len ? " " : "", raw);
			continue;
		}
		buf_reset(&norm);
		r = normalise_tag(raw, &norm);
		if (r == 0 && norm.len)
			r = buf_printf(&plain, "%s%s", plain.len ? " " : "", norm.data);
	}
	if (r == 0) {
		jset_str(l, "tags", buf_cstr(&plain));
		jset_str(l, "machine_tags", buf_cstr(&machine));
	}
	buf_release(&plain);
	buf_release(&machine);
	buf_release(&norm);
	return r < 0 ? FA_ENOMEM : 0;
}

/* An export record as people.getPhotos would list it, for record_metadata(). */
static json_t *listing_of(const struct export_map_input *in)
{
	const json_t *p = in->photo;
	json_t *l = json_object();
	int64_t uploaded = export_parse_time(jstr(p, "date_imported"));
	const char *taken = jstr(p, "date_taken");
	char num[32];

	if (!l)
		return NULL;
	jset_str(l, "id", jtext(p, "id"));
	jset_str(l, "title", jstr(p, "name") ? jstr(p, "name") : "");
	jset_str(l, "description", jstr(p, "description") ? jstr(p, "description") : "");
	if (uploaded >= 0) {
		snprintf(num, sizeof(num), "%lld", (long long)uploaded);
		jset_str(l, "dateupload", num);
	}
	if (taken && export_parse_time(taken) >= 0)
		jset_str(l, "datetaken", taken);
	else
		jset_int(l, "datetakenunknown", 1);
	jcopy(l, "views", p, "count_views");
	jcopy(l, "count_comments", p, "count_comments");
	jset_str(l, "media", in->media);
	listing_geo(l, json_object_get(p, "geo"));
	listing_privacy(l, jstr(p, "privacy"));
	if (listing_tags(l, json_object_get(p, "tags")) < 0) {
		json_decref(l);
		return NULL;
	}
	jset_str(l, "owner", jstr(in->profile, "nsid"));
	jset_str(l, "ownername", jstr(in->profile, "screen_name"));
	jset_str(l, "pathalias", jstr(in->profile, "path_alias"));
	return l;
}

/* What the export cannot say, fetched by the next API sync (photo.h "missing"). */
static json_t *missing_parts(long long count_faves, int no_original)
{
	json_t *m = json_object();
	char faves[128];

	snprintf(faves, sizeof(faves), "the export holds only the count (%lld), not who faved",
		 count_faves);
	jset_str(m, "info", "imported from Flickr's export: names, visibility, licence and "
			    "the date's granularity come from the API");
	jset_str(m, "comments", "imported from Flickr's export: commenters by NSID only");
	jset_str(m, "favorites", faves);
	if (no_original)
		jset_str(m, "original", "Flickr's export held the video's poster frame, not the "
					"video: a later import or sync brings it");
	return m;
}

/* The photo's groups as sync keeps them in metadata.json ([{id, name}]: the pools it is in). */
static json_t *item_groups(const json_t *groups)
{
	json_t *out = json_array();

	for (size_t i = 0; out && i < jlist_size(groups); i++) {
		const json_t *g = jlist_at(groups, i);
		const char *nsid = json_is_object(g) ? jtext(g, "id") : NULL;

		if (account_valid_nsid(nsid) &&
		    json_array_append_new(out, json_pack("{s:s, s:s?}", "id", nsid, "name",
							 jtext(g, "name"))) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *export_map_metadata(const struct export_map_input *in)
{
	json_t *listing = listing_of(in), *m = NULL, *synced = json_object();
	struct record_input ri = { STORE_MY, listing, NULL, in->albums, NULL, -1, in->now };
	const char *license = jstr(in->photo, "license");
	long long v;
	char iso[21];

	if (!listing || !synced)
		goto cleanup;
	ri.count_faves = jint(in->photo, "count_faves", &v) ? v : 0;
	m = record_metadata(&ri);
	if (!m)
		goto cleanup;
	if (license) { /* a name only: the API's id comes with the next sync */
		json_t *lic = json_object();

		jset_new(lic, "id", json_null());
		jset_str(lic, "name", license);
		jset_new(lic, "url", json_null());
		jset_new(m, "license", lic);
	}
	if (jint(in->photo, "rotation", &v))
		jset_int(m, "rotation", v);
	if (jstr(in->photo, "photopage"))
		jset_str(jobj(m, "urls"), "photopage", jstr(in->photo, "photopage"));
	jset_str(m, "source", EXPORT_SOURCE);
	record_iso8601(in->now, iso);
	jset_str(m, "imported_at", iso);
	jset_bool(m, "original_archived", in->media_file != NULL);
	jset_new(m, "groups", item_groups(json_object_get(in->photo, "groups")));
	jset_new(synced, "missing", missing_parts(ri.count_faves, !in->media_file));
	jset_new(m, "synced", synced);
	synced = NULL;
	{
		/* the export's own words, for what has no key of ours */
		static const char *const kept[] = { "privacy", "safety", "comment_permissions",
						    "tagging_permissions", "original", "groups" };
		json_t *ex = json_object();

		for (size_t i = 0; ex && i < sizeof(kept) / sizeof(kept[0]); i++)
			jcopy(ex, kept[i], in->photo, kept[i]);
		if (in->media_file)
			jset_str(ex, "file", in->media_file);
		jset_new(m, "export", ex);
	}
cleanup:
	json_decref(listing);
	json_decref(synced);
	return m;
}

json_t *export_map_comments(const struct export_map_input *in)
{
	const json_t *list = json_object_get(in->photo, "comments");
	json_t *resp = json_pack("{s:{s:[]}}", "comments", "comment"), *out;
	json_t *arr = json_object_get(jobj(resp, "comments"), "comment");

	for (size_t i = 0; arr && i < jlist_size(list); i++) {
		const json_t *c = jlist_at(list, i);
		const char *nsid = jstr(c, "user");
		const json_t *u = nsid ? json_object_get(in->users, nsid) : NULL;
		json_t *d = json_object();
		const char *date = jtext(c, "date");
		int64_t t = export_parse_time(date);
		char num[32];

		jset_str(d, "id", jtext(c, "id"));
		jset_str(d, "author", nsid);
		/* unknown names stay the NSID: the next API sync fills them */
		jset_str(d, "authorname", jstr(u, "username") ? jstr(u, "username") : nsid);
		jset_str(d, "realname", jstr(u, "realname"));
		jset_str(d, "path_alias", jstr(u, "path_alias"));
		if (t >= 0) {
			snprintf(num, sizeof(num), "%lld", (long long)t);
			jset_str(d, "datecreate", num);
		} else if (date) {
			jset_str(d, "datecreate", date); /* already unix seconds */
		}
		jset_str(d, "permalink", jstr(c, "url"));
		jset_str(d, "_content", jstr(c, "comment") ? jstr(c, "comment") : "");
		json_array_append_new(arr, d);
	}
	out = resp ? record_comments(resp) : NULL;
	json_decref(resp);
	return out;
}

/* "ExifIFD:DateTimeOriginal" -> {full, label, value, raw_value}, made exif.json's entries */
json_t *export_map_exif(const struct export_map_input *in)
{
	const json_t *exif = json_object_get(in->photo, "exif");
	json_t *list = json_array(), *out = json_object();
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)exif, key, v) {
		const char *colon = strchr(key, ':');
		const char *raw = jtext(v, "raw_value") ? jtext(v, "raw_value") : jtext(v, "value");
		json_t *d = json_object();
		char space[64];

		snprintf(space, sizeof(space), "%.*s", colon ? (int)(colon - key) : 0, key);
		jset_str(d, "tagspace", space);
		jset_str(d, "tag", colon ? colon + 1 : key);
		jset_str(d, "label", jstr(v, "label") ? jstr(v, "label") : (colon ? colon + 1 : key));
		jset_str(d, "raw", raw ? raw : "");
		if (jtext(v, "value") && raw && strcmp(jtext(v, "value"), raw))
			jset_str(d, "clean", jtext(v, "value"));
		json_array_append_new(list, d);
	}
	jset_str(out, "source", EXPORT_SOURCE);
	jset_new(out, "exif", list);
	return out;
}
