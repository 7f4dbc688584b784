/*
 * export_account.c: the export's profile, galleries, groups, contacts and
 * followers written into profile.json, galleries_index.json,
 * groups_index.json and contacts.json (export_account.h).
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "account_index.h"
#include "export_account.h"
#include "export_map.h"

#define EXPORT_ACCOUNT_DIR "export"
/* a contacts part of 100,000 people is a few MB; anything far larger is not the export's */
#define EXPORT_ACCOUNT_MAX (48 << 20)

/* What the export's account files say, as the index files' entries. */
struct export_lists {
	json_t *galleries, *groups, *contacts, *followers;
};

static json_t *load_file(const char *path)
{
	struct stat st;
	json_t *doc = NULL;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > EXPORT_ACCOUNT_MAX ||
	    json_load_path(path, &doc, NULL) < 0)
		return NULL;
	return doc;
}

/* jset_str() without the JSON null: a key the export lacks stays absent. */
static int set_text(json_t *obj, const char *key, const char *s)
{
	return s ? jset_str(obj, key, s) : 0;
}

/* Appends entry (stolen) unless the list already has the same one. */
static int add_entry(json_t *list, json_t *entry, const char *id_key)
{
	if (!entry)
		return FA_ENOMEM;
	if (account_find_same(list, entry, id_key)) {
		json_decref(entry);
		return 0;
	}
	return json_array_append_new(list, entry) < 0 ? FA_ENOMEM : 0;
}

/* ---- profile ---- */

static json_t *profile_entry(const json_t *p)
{
	static const char *const same[][2] = {
		{ "nsid", "nsid" }, { "path_alias", "path_alias" }, { "username", "screen_name" },
		{ "realname", "real_name" }, { "description", "description" },
		{ "occupation", "occupation" }, { "hometown", "hometown" }, { "city", "city" },
		{ "country", "country" }, { "website", "website_url" },
		{ "profileurl", "profile_url" },
	};
	json_t *out = json_object();
	const char *pro = jstr(p, "pro_user"), *joined = jstr(p, "join_date");
	int64_t t = export_parse_time(joined);
	long long secs;
	char num[32];
	int r = out ? 0 : FA_ENOMEM;

	/* the e-mail address is personal data: it stays in export/account_profile.json only */
	for (size_t i = 0; r == 0 && i < sizeof(same) / sizeof(same[0]); i++)
		if (jtext(p, same[i][1]))
			r = jset_str(out, same[i][0], jtext(p, same[i][1]));
	if (r == 0 && pro)
		r = jset_bool(out, "ispro", !strcmp(pro, "yes") || !strcmp(pro, "true") ||
						   !strcmp(pro, "1"));
	else if (r == 0 && json_is_boolean(json_object_get(p, "pro_user")))
		r = jset_bool(out, "ispro", jflag(p, "pro_user", false));
	/* "YYYY-MM-DD HH:MM:SS" or unix seconds: the reference does not say which */
	if (t < 0 && jint(p, "join_date", &secs) && secs > 0)
		t = secs;
	if (r == 0 && t >= 0) {
		snprintf(num, sizeof(num), "%lld", (long long)t);
		r = account_set_time(out, "join_date", num);
	}
	if (r == 0)
		r = jset_str(out, "source", ACCOUNT_EXPORT_SOURCE);
	if (r < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- galleries, groups ---- */

static int valid_gallery_id(const char *id)
{
	return id && *id && strlen(id) <= 64 && strspn(id, "0123456789-") == strlen(id);
}

static json_t *gallery_entry(const json_t *g)
{
	const json_t *photos = json_object_get(g, "photos");
	json_t *out = json_object(), *ids = json_array();
	long long v;
	int r = out && ids ? 0 : FA_ENOMEM;

	for (size_t i = 0; r == 0 && i < jlist_size(photos); i++) {
		const json_t *x = jlist_at(photos, i);
		/* ids as strings or numbers; an object with an id, to be safe */
		const char *id = json_is_object(x) ? jtext(x, "id")
			       : json_is_string(x) ? json_string_value(x) : NULL;
		char num[32];

		if (json_is_integer(x)) {
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(x));
			id = num;
		}
		if (store_valid_id(id) && strcmp(id, "0"))
			r = json_array_append_new(ids, json_pack("{s:s}", "id", id));
	}
	r |= jset_str(out, "id", jtext(g, "id"));
	r |= set_text(out, "url", jstr(g, "url"));
	r |= jset_str(out, "title", jtext(g, "title") ? jtext(g, "title") : "");
	r |= jset_str(out, "description", jtext(g, "description") ? jtext(g, "description") : "");
	if (jint(g, "photo_count", &v))
		r |= jset_int(out, "count_photos", v);
	if (jint(g, "view_count", &v))
		r |= jset_int(out, "count_views", v);
	r |= jset_new(out, "photos", ids);
	ids = NULL;
	r |= jset_bool(out, "photos_complete", 0); /* ids only: the API's listing completes it */
	r |= jset_str(out, "source", ACCOUNT_EXPORT_SOURCE);
	json_decref(ids);
	if (r) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *group_entry(const json_t *g)
{
	const char *role = jstr(g, "user_role");
	json_t *out = json_object();
	int r = out ? 0 : FA_ENOMEM;

	r |= jset_str(out, "nsid", jtext(g, "id"));
	r |= jset_str(out, "name", jtext(g, "name") ? jtext(g, "name") : "");
	r |= set_text(out, "url", jstr(g, "url"));
	r |= set_text(out, "user_role", role);
	if (role)
		r |= jset_bool(out, "admin", !strcmp(role, "admin"));
	r |= jset_str(out, "source", ACCOUNT_EXPORT_SOURCE);
	if (r) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The ids of from that to lacks, appended to to (arrays of id strings): a union, in order. */
static int union_ids(json_t *to, const json_t *from)
{
	json_t *seen = json_object();
	int r = seen ? 0 : FA_ENOMEM;

	for (size_t i = 0; r == 0 && i < json_array_size(to); i++) {
		const char *id = json_string_value(json_array_get(to, i));

		if (id && json_object_set_new(seen, id, json_true()) < 0)
			r = FA_ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < json_array_size(from); i++) {
		const char *id = json_string_value(json_array_get(from, i));

		if (!id || json_object_get(seen, id))
			continue;
		if (json_object_set_new(seen, id, json_true()) < 0 ||
		    json_array_append_new(to, json_string(id)) < 0)
			r = FA_ENOMEM;
	}
	json_decref(seen);
	return r;
}

int export_account_note_photo(json_t *by_group, const json_t *photo)
{
	const char *pid = jtext(photo, "id");
	const json_t *groups = json_object_get(photo, "groups");

	if (!store_valid_id(pid))
		return 0;
	for (size_t i = 0; i < jlist_size(groups); i++) {
		const json_t *g = jlist_at(groups, i);
		const char *nsid = json_is_object(g) ? jtext(g, "id") : NULL;
		json_t *entry = account_valid_nsid(nsid) ? json_object_get(by_group, nsid) : NULL;

		if (!account_valid_nsid(nsid))
			continue;
		/* the photo's {id, name, url}: the entry of a group groups.json may not list */
		if (!entry && ((entry = group_entry(g)) == NULL ||
			       json_object_set_new(by_group, nsid, entry) < 0 ||
			       jset_new(entry, "photo_ids", json_array()) < 0))
			return FA_ENOMEM;
		if (json_array_append_new(json_object_get(entry, "photo_ids"), json_string(pid)) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* by_group's photo ids into the groups' entries; a group only the photos name is added. */
static int add_group_photos(json_t *groups, const json_t *by_group, long *count)
{
	const char *nsid;
	json_t *g;

	json_object_foreach((json_t *)by_group, nsid, g) {
		json_t *there = account_find(groups, "nsid", nsid), *ids = json_array();
		int r = ids ? union_ids(ids, json_object_get(g, "photo_ids")) : FA_ENOMEM;

		*count += (long)json_array_size(ids);
		if (r == 0 && !there) {
			there = json_deep_copy(g);
			r = there && json_array_append_new(groups, there) == 0 ? 0 : FA_ENOMEM;
		}
		if (r == 0)
			r = union_ids(ids, json_object_get(there, "photo_ids"));
		if (r == 0 && jset_new(there, "photo_ids", ids) < 0)
			r = FA_ENOMEM;
		else if (r < 0)
			json_decref(ids);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_list(const json_t *doc, const char *key, json_t *into, const char *id_key,
		     json_t *(*entry)(const json_t *), int (*valid)(const char *), long *skipped)
{
	const json_t *list = json_object_get(doc, key);

	for (size_t i = 0; i < jlist_size(list); i++) {
		const json_t *x = jlist_at(list, i);

		if (!json_is_object(x) || !valid(jtext(x, "id"))) {
			(*skipped)++;
			continue;
		}
		if (add_entry(into, entry(x), id_key) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* ---- contacts, followers ---- */

/* "https://www.flickr.com/people/<who>/" or ".../photos/<who>/": who is an NSID or a path alias. */
static int person_from_url(json_t *out, const char *url)
{
	const char *at = url ? strstr(url, "/people/") : NULL;
	char who[64];
	size_t n;

	if (!at && url)
		at = strstr(url, "/photos/");
	if (!at)
		return 0;
	at += 8;
	n = strcspn(at, "/?#");
	if (n == 0 || n >= sizeof(who))
		return 0;
	memcpy(who, at, n);
	who[n] = '\0';
	if (account_valid_nsid(who))
		return jset_str(out, "nsid", who);
	if (strspn(who, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n)
		return jset_str(out, "path_alias", who);
	return 0;
}

static json_t *person_entry(const char *name, const char *url, const char *nsid)
{
	json_t *out = json_object();
	int r = out ? 0 : FA_ENOMEM;

	r |= set_text(out, "display_name", name);
	r |= set_text(out, "profile_url", url);
	if (account_valid_nsid(nsid))
		r |= jset_str(out, "nsid", nsid);
	else
		r |= person_from_url(out, url);
	r |= jset_str(out, "source", ACCOUNT_EXPORT_SOURCE);
	if (r || (!jstr(out, "nsid") && !jstr(out, "path_alias") && !url)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static int add_person(json_t *into, const char *name, const char *url, const char *nsid,
		      long *skipped)
{
	json_t *entry = person_entry(name, url, nsid);

	if (!entry) {
		(*skipped)++;
		return 0;
	}
	return add_entry(into, entry, "nsid");
}

/* {"<display name>": "<profile URL>"} as the reference says; a list of objects, defensively */
static int read_people(const json_t *people, json_t *into, long *skipped)
{
	const char *name;
	json_t *v;
	int r = 0;

	json_object_foreach((json_t *)people, name, v) {
		const char *url = json_is_string(v) ? json_string_value(v)
				: jstr(v, "url") ? jstr(v, "url") : jstr(v, "profile_url");

		if ((r = add_person(into, name, url, jstr(v, "nsid"), skipped)) < 0)
			return r;
	}
	for (size_t i = 0; json_is_array(people) && i < json_array_size(people); i++) {
		const json_t *p = json_array_get(people, i);

		r = add_person(into, jstr(p, "name") ? jstr(p, "name") : jstr(p, "display_name"),
			       jstr(p, "url") ? jstr(p, "url") : jstr(p, "profile_url"),
			       jstr(p, "nsid"), skipped);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One kept file of export/, told by its content. */
static int read_account_file(const char *name, const json_t *doc, struct export_lists *l,
			     long *skipped)
{
	const json_t *contacts = json_object_get(doc, "contacts");
	const json_t *followers = json_object_get(doc, "followers");

	if (json_is_array(json_object_get(doc, "galleries")))
		return read_list(doc, "galleries", l->galleries, "id", gallery_entry,
				 valid_gallery_id, skipped);
	if (json_is_array(json_object_get(doc, "groups")))
		return read_list(doc, "groups", l->groups, "nsid", group_entry, account_valid_nsid,
				 skipped);
	/* followers_partNNN.json: "the same" shape as the contacts, its key unconfirmed */
	if (followers)
		return read_people(followers, l->followers, skipped);
	if (contacts && !strncmp(name, "followers", 9))
		return read_people(contacts, l->followers, skipped);
	if (contacts && (json_is_object(contacts) || json_is_array(contacts)))
		return read_people(contacts, l->contacts, skipped);
	return 0;
}

static int read_export_dir(const struct store *s, struct export_lists *l, long *skipped,
			   struct err *e)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	struct dirent *de;
	DIR *d = NULL;
	int r = store_root_path(s, EXPORT_ACCOUNT_DIR, &dir) < 0 ? FA_ENOMEM : 0;

	if (r == 0)
		d = opendir(dir.data);
	while (d && r == 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		json_t *doc;

		if (n < 6 || de->d_name[0] == '.' || strcmp(de->d_name + n - 5, ".json") ||
		    !strcmp(de->d_name, "import_report.json"))
			continue;
		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", dir.data, de->d_name) < 0) {
			r = FA_ENOMEM;
			break;
		}
		doc = load_file(path.data);
		if (json_is_object(doc))
			r = read_account_file(de->d_name, doc, l, skipped);
		json_decref(doc);
	}
	if (d)
		closedir(d);
	buf_release(&dir);
	buf_release(&path);
	return r < 0 ? err_set(e, r, "out of memory") : 0;
}

/* ---- into the index files ---- */

/* The keys of from that to lacks; to marked as the export's too. */
static int fill_missing(json_t *to, const json_t *from)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)from, key, v)
		if (strcmp(key, "source") && !json_object_get(to, key) &&
		    json_object_set(to, key, v) < 0)
			return FA_ENOMEM;
	if (jstr(to, "source") && !strcmp(jstr(to, "source"), ACCOUNT_EXPORT_SOURCE))
		return 0;
	return jset_bool(to, "also_in_export", 1) < 0 ? FA_ENOMEM : 0;
}

/*
 * A group's "photo_ids" are a union: the ids sync found in its pool stay, the
 * export's are added.
 */
static int merge_entries(json_t *list, const json_t *entries, const char *id_key)
{
	for (size_t i = 0; i < json_array_size(entries); i++) {
		json_t *x = json_array_get(entries, i), *there = account_find_same(list, x, id_key);
		json_t *ids = json_object_get(there, "photo_ids");

		if (there && json_is_array(ids) && union_ids(ids, json_object_get(x, "photo_ids")) < 0)
			return FA_ENOMEM;
		if (there ? fill_missing(there, x) < 0 : json_array_append(list, x) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* ROOT/file's {key: [...]} with the export's entries merged in; its other keys kept. */
static int save_list(const struct account_run *ar, const char *file, const char *key,
		     const json_t *entries, const char *id_key, struct err *e)
{
	json_t *old, *doc, *list;
	int r;

	if (!json_array_size(entries))
		return 0;
	old = account_load(ar, file);
	doc = json_is_object(old) ? json_deep_copy(old) : json_object();
	list = json_deep_copy(json_is_array(json_object_get(doc, key)) ? json_object_get(doc, key)
									 : NULL);
	if (!list)
		list = json_array();
	r = doc && list ? merge_entries(list, entries, id_key) : FA_ENOMEM;
	if (r == 0)
		r = json_object_set(doc, key, list) < 0 ? FA_ENOMEM : 0;
	r = r < 0 ? err_set(e, r, "out of memory") : account_save(ar, file, doc, old, e);
	json_decref(list);
	json_decref(doc);
	json_decref(old);
	return r;
}

/* profile.json: the export's, or the one there completed (when it is the same account). */
static int save_profile(const struct account_run *ar, struct export_account_counts *c,
			struct err *e)
{
	json_t *exp = account_load(ar, EXPORT_ACCOUNT_DIR "/account_profile.json");
	json_t *fresh = json_is_object(exp) ? profile_entry(exp) : NULL;
	json_t *old = account_load(ar, "profile.json"), *doc = NULL;
	const char *was = jstr(old, "nsid");
	int r = 0;

	if (!exp)
		goto cleanup;
	if (!fresh) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* another account's export does not touch this one's profile */
	if (json_is_object(old) && was && jstr(fresh, "nsid") && strcmp(was, jstr(fresh, "nsid"))) {
		c->skipped++;
		goto cleanup;
	}
	doc = json_is_object(old) ? json_deep_copy(old) : json_incref(fresh);
	if (!doc || (json_is_object(old) && fill_missing(doc, fresh) < 0))
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = account_save(ar, "profile.json", doc, old, e);
	c->profile = r == 0;
cleanup:
	json_decref(exp);
	json_decref(fresh);
	json_decref(old);
	json_decref(doc);
	return r;
}

int export_account_apply(const struct store *s, int64_t now, const json_t *by_group,
			 struct export_account_counts *c, struct err *e)
{
	struct account_run ar = { .store = s, .now = now };
	struct export_lists l = { json_array(), json_array(), json_array(), json_array() };
	int r = l.galleries && l.groups && l.contacts && l.followers
		? 0 : err_set(e, FA_ENOMEM, "out of memory");

	memset(c, 0, sizeof(*c));
	if (r == 0)
		r = read_export_dir(s, &l, &c->skipped, e);
	if (r == 0 && add_group_photos(l.groups, by_group, &c->group_photos) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	c->galleries = (long)json_array_size(l.galleries);
	c->groups = (long)json_array_size(l.groups);
	c->contacts = (long)json_array_size(l.contacts);
	c->followers = (long)json_array_size(l.followers);
	if (r == 0)
		r = save_profile(&ar, c, e);
	if (r == 0)
		r = save_list(&ar, "galleries_index.json", "galleries", l.galleries, "id", e);
	if (r == 0)
		r = save_list(&ar, "groups_index.json", "groups", l.groups, "nsid", e);
	if (r == 0)
		r = save_list(&ar, "contacts.json", "contacts", l.contacts, "nsid", e);
	if (r == 0)
		r = save_list(&ar, "contacts.json", "followers", l.followers, "nsid", e);
	json_decref(l.galleries);
	json_decref(l.groups);
	json_decref(l.contacts);
	json_decref(l.followers);
	return r;
}
