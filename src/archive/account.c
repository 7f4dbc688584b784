/*
 * account.c: profile.json, collections.json and contacts.json, and the
 * order in which the account's files are brought up to date.
 */
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "galleries.h"
#include "groups.h"
#include "merge.h"
#include "record.h"

#define CONTACTS_PER_PAGE 1000

int account_sync_init(struct account_sync *as)
{
	as->people = json_object();
	as->item_groups = json_object();
	as->gallery_listing = json_array();
	as->gallery_kept = json_array();
	if (account_run_init(&as->run) < 0 || !as->people || !as->item_groups ||
	    !as->gallery_listing || !as->gallery_kept)
		return FA_ENOMEM;
	return 0;
}

void account_sync_release(struct account_sync *as)
{
	account_run_release(&as->run);
	json_decref(as->people);
	json_decref(as->item_groups);
	json_decref(as->gallery_listing);
	json_decref(as->gallery_kept);
	as->people = as->item_groups = as->gallery_listing = as->gallery_kept = NULL;
}

/* The users_cache.json record of a person-like object (getInfo's person, a contact). */
static int add_person(struct account_sync *as, const json_t *p, const char *nsid)
{
	json_t *u = json_object();
	const char *username = jcontent(p, "username") ? jcontent(p, "username")
						       : jstr(p, "username");
	const char *realname = jcontent(p, "realname") ? jcontent(p, "realname")
						       : jstr(p, "realname");
	char *avatar = record_avatar_url(jint_or(p, "iconfarm", 0), jtext(p, "iconserver"), nsid);
	char *profile = record_profile_url(nsid, jstr(p, "path_alias"));
	int r = 0;

	if (!u || !avatar || !profile)
		r = FA_ENOMEM;
	if (r == 0 && (jset_str(u, "nsid", nsid) < 0 || jset_str(u, "username", username) < 0 ||
		       jset_str(u, "realname", realname) < 0 ||
		       jset_str(u, "path_alias", jstr(p, "path_alias")) < 0 ||
		       jset_str(u, "display_name",
				record_display_name(realname, username, nsid)) < 0 ||
		       jset_str(u, "avatar_url", avatar) < 0 ||
		       jset_str(u, "profile_url", profile) < 0 ||
		       jset_str(u, "iconserver", jtext(p, "iconserver")) < 0 ||
		       jset_int(u, "iconfarm", jint_or(p, "iconfarm", 0)) < 0))
		r = FA_ENOMEM;
	if (r == 0 && json_object_set(as->people, nsid, u) < 0)
		r = FA_ENOMEM;
	json_decref(u);
	free(avatar);
	free(profile);
	return r;
}

/* ---- profile.json ---- */

static const char *const profile_tracked[] = {
	"username", "realname", "path_alias", "location", "description", "first_name",
	"last_name", "occupation", "hometown", "city", "country", "website",
	"profile_description", "ispro", NULL,
};

static int profile_from_info(json_t *prof, const json_t *person)
{
	const json_t *photos = jobj(person, "photos");
	static const char *const content[] = { "username", "realname", "location",
					       "description", "photosurl", "profileurl", NULL };
	int r = 0;

	r |= jset_str(prof, "nsid", jstr(person, "nsid") ? jstr(person, "nsid")
							 : jstr(person, "id"));
	for (size_t i = 0; content[i]; i++)
		if (jcontent(person, content[i]))
			r |= jset_str(prof, content[i], jcontent(person, content[i]));
	r |= jset_str(prof, "path_alias", jstr(person, "path_alias"));
	r |= jset_str(prof, "iconserver", jtext(person, "iconserver"));
	r |= jset_int(prof, "iconfarm", jint_or(person, "iconfarm", 0));
	r |= jset_bool(prof, "ispro", jint_or(person, "ispro", 0) != 0);
	if (jobj(person, "timezone"))
		r |= jset_new(prof, "timezone", json_deep_copy(jobj(person, "timezone")));
	if (jobj(photos, "count"))
		r |= jset_int(prof, "count_photos", jint_or(jobj(photos, "count"), "_content", 0));
	if (jobj(photos, "views"))
		r |= jset_int(prof, "views", jint_or(jobj(photos, "views"), "_content", 0));
	if (jcontent(photos, "firstdatetaken"))
		r |= jset_str(prof, "first_date_taken", jcontent(photos, "firstdatetaken"));
	if (jcontent(photos, "firstdate"))
		r |= account_set_time(prof, "first_date_uploaded", jcontent(photos, "firstdate"));
	return r ? FA_ENOMEM : 0;
}

static int profile_from_profile(json_t *prof, const json_t *p)
{
	static const char *const keys[] = { "first_name", "last_name", "occupation", "hometown",
					    "city", "country", "website", "profile_description",
					    "showcase_set", "showcase_set_title", NULL };
	static const char *const social[] = { "facebook", "twitter", "tumblr", "instagram",
					      "pinterest", NULL };
	json_t *links = json_object();
	int r = links ? 0 : FA_ENOMEM;

	for (size_t i = 0; r == 0 && keys[i]; i++)
		if (jtext(p, keys[i]))
			r = jset_str(prof, keys[i], jtext(p, keys[i]));
	for (size_t i = 0; r == 0 && social[i]; i++)
		if (jtext(p, social[i]) && *jtext(p, social[i]))
			r = jset_str(links, social[i], jtext(p, social[i]));
	if (r == 0 && jtext(p, "join_date"))
		r = account_set_time(prof, "join_date", jtext(p, "join_date"));
	if (r == 0 && json_object_size(links))
		return jset_new(prof, "elsewhere", links);
	json_decref(links);
	return r;
}

static int sync_profile(struct account_sync *as, struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "user_id", ar->nsid, NULL };
	json_t *info = NULL, *prof = NULL, *fresh = json_object(), *old = NULL;
	const json_t *box;
	int r;

	if (!fresh)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = account_call(ar, "flickr.people.getInfo", args, &info, e);
	if (r != 0)
		goto cleanup;
	r = account_call(ar, "flickr.profile.getProfile", args, &prof, e);
	if (r < 0)
		goto cleanup;
	old = account_load(ar, "profile.json");
	/* the answer's wrapper is "profile" in Flickr's documentation; unverified in JSON */
	box = jobj(prof, "profile") ? jobj(prof, "profile") : jobj(prof, "person");
	r = profile_from_info(fresh, jobj(info, "person"));
	if (r == 0 && box)
		r = profile_from_profile(fresh, box);
	if (r == 0 && old)
		r = account_export_seen(old);
	if (r == 0)
		r = merge_record(fresh, old, profile_tracked, ar->now);
	if (r == 0 && jstr(fresh, "nsid"))
		r = add_person(as, fresh, jstr(fresh, "nsid"));
	if (r == FA_ENOMEM)
		r = err_set(e, r, "out of memory");
	if (r == 0)
		r = account_save(ar, "profile.json", fresh, old, e);
cleanup:
	json_decref(info);
	json_decref(prof);
	json_decref(fresh);
	json_decref(old);
	return r < 0 ? r : 0;
}

/* ---- collections.json ---- */

static const char *const collection_tracked[] = { "title", "description", "albums", NULL };

/* A node of the tree and its children, in Flickr's order. */
static json_t *collection_node(const json_t *c, long *count, int depth)
{
	json_t *node = json_object(), *albums = json_array(), *kids = json_array();
	const json_t *sets = json_object_get(c, "set");
	const json_t *subs = json_object_get(c, "collection");

	if (!node || !albums || !kids)
		goto fail;
	(*count)++;
	jset_str(node, "id", jstr(c, "id"));
	jset_str(node, "title", jtext(c, "title") ? jtext(c, "title") : jcontent(c, "title"));
	jset_str(node, "description", jtext(c, "description") ? jtext(c, "description")
							      : jcontent(c, "description"));
	jset_str(node, "iconlarge", jstr(c, "iconlarge"));
	jset_str(node, "iconsmall", jstr(c, "iconsmall"));
	for (size_t i = 0; i < jlist_size(sets); i++) {
		const json_t *s = jlist_at(sets, i);

		if (!store_valid_id(jstr(s, "id")))
			continue;
		if (json_array_append_new(albums, json_pack("{s:s, s:s?}", "id", jstr(s, "id"),
							    "title", jtext(s, "title"))) < 0)
			goto fail;
	}
	/* Flickr nests collections at most a few levels deep; a deeper answer is hostile */
	for (size_t i = 0; depth < 16 && i < jlist_size(subs); i++) {
		json_t *kid = collection_node(jlist_at(subs, i), count, depth + 1);

		if (!kid || json_array_append_new(kids, kid) < 0)
			goto fail;
	}
	jset_new(node, "albums", albums);
	jset_new(node, "collections", kids);
	return node;
fail:
	json_decref(node);
	json_decref(albums);
	json_decref(kids);
	return NULL;
}

/* Every node of a tree (array of nodes), depth first, into flat (borrowed refs). */
static int flatten(const json_t *tree, json_t *flat)
{
	for (size_t i = 0; i < json_array_size(tree); i++) {
		json_t *node = json_array_get(tree, i);

		if (json_array_append(flat, node) < 0 ||
		    flatten(json_object_get(node, "collections"), flat) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* Each node keeps its past; nodes Flickr dropped stay at the root, marked deleted. */
static int merge_tree(json_t *doc, const json_t *old_doc, int64_t now)
{
	json_t *tree = json_object_get(doc, "collections");
	json_t *flat = json_array(), *old_flat = json_array(), *gone = json_array();
	int r = flat && old_flat && gone ? 0 : FA_ENOMEM;

	if (r == 0)
		r = flatten(tree, flat);
	if (r == 0)
		r = flatten(json_object_get(old_doc, "collections"), old_flat);
	for (size_t i = 0; r == 0 && i < json_array_size(flat); i++) {
		json_t *node = json_array_get(flat, i);
		json_t *was = account_find(old_flat, "id", jstr(node, "id"));
		json_t *before = was ? json_deep_copy(was) : NULL;

		/* the children are compared as nodes of their own */
		if (before)
			json_object_del(before, "collections");
		r = merge_record(node, before, collection_tracked, now);
		json_decref(before);
	}
	for (size_t i = 0; r == 0 && i < json_array_size(old_flat); i++) {
		json_t *was = json_array_get(old_flat, i);

		if (!jstr(was, "id") || account_find(flat, "id", jstr(was, "id")))
			continue;
		r = json_array_append_new(gone, json_deep_copy(was)) < 0 ? FA_ENOMEM : 0;
	}
	for (size_t i = 0; r == 0 && i < json_array_size(gone); i++) {
		json_t *node = json_array_get(gone, i);

		/* its children are nodes of their own: here, or gone too */
		json_object_set_new(node, "collections", json_array());
		if (!json_object_get(node, "upstream"))
			r = merge_mark_upstream(node, "deleted", NULL, 0, now);
		if (r == 0 && json_array_append(tree, node) < 0)
			r = FA_ENOMEM;
	}
	json_decref(flat);
	json_decref(old_flat);
	json_decref(gone);
	return r;
}

static int sync_collections(struct account_sync *as, struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "user_id", ar->nsid, NULL };
	json_t *resp = NULL, *doc = NULL, *tree = json_array(), *old = NULL;
	const json_t *roots;
	int r = account_call(ar, "flickr.collections.getTree", args, &resp, e);

	if (r != 0 || !tree)
		goto cleanup;
	roots = json_object_get(jobj(resp, "collections"), "collection");
	for (size_t i = 0; r == 0 && i < jlist_size(roots); i++) {
		json_t *node = collection_node(jlist_at(roots, i), &as->collections, 0);

		r = node && json_array_append_new(tree, node) == 0 ? 0 : FA_ENOMEM;
	}
	doc = json_pack("{s:O}", "collections", tree);
	old = account_load(ar, "collections.json");
	if (r == 0 && !doc)
		r = FA_ENOMEM;
	if (r == 0)
		r = merge_tree(doc, old, ar->now);
	if (r == FA_ENOMEM)
		r = err_set(e, r, "out of memory");
	if (r == 0)
		r = account_save(ar, "collections.json", doc, old, e);
cleanup:
	json_decref(resp);
	json_decref(doc);
	json_decref(tree);
	json_decref(old);
	return r < 0 ? r : 0;
}

/* ---- contacts.json ---- */

static const char *const contact_tracked[] = { "username", "realname", "path_alias",
					       "location", "friend", "family", NULL };
static const struct account_list_spec contacts_file = {
	"contacts.json", "contacts", "nsid", contact_tracked, "no_longer_a_contact",
};

struct contact_list {
	struct account_sync *as;
	json_t *list;
};

static int collect_contact(void *ud, json_t *c, const struct flickr_page *pg)
{
	struct contact_list *cl = ud;
	const char *nsid = jstr(c, "nsid");
	json_t *entry;

	(void)pg;
	if (!nsid || !*nsid || account_find(cl->list, "nsid", nsid))
		return 0;
	if (add_person(cl->as, c, nsid) < 0)
		return FA_ENOMEM;
	entry = json_deep_copy(json_object_get(cl->as->people, nsid));
	if (!entry || jset_str(entry, "location", jstr(c, "location")) < 0 ||
	    jset_bool(entry, "friend", jint_or(c, "friend", 0) != 0) < 0 ||
	    jset_bool(entry, "family", jint_or(c, "family", 0) != 0) < 0 ||
	    json_array_append_new(cl->list, entry) < 0)
		return FA_ENOMEM;
	return 0;
}

static int sync_contacts(struct account_sync *as, struct err *e)
{
	struct account_run *ar = &as->run;
	struct contact_list cl = { as, json_array() };
	struct flickr_page last = { 0, 0, 0 };
	json_t *old = NULL;
	int r;

	if (!cl.list)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = account_paginate(ar, "flickr.contacts.getList", NULL, "contacts", "contact",
			     CONTACTS_PER_PAGE, collect_contact, &cl, &last, e);
	if (r != 0)
		goto cleanup;
	as->contacts = (long)json_array_size(cl.list);
	r = account_note(ar, "contacts", last.total, as->contacts, e);
	old = account_load(ar, "contacts.json");
	if (r == 0 && account_adopt_export(json_object_get(old, "contacts"), cl.list, "nsid") < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = account_save_list(ar, &contacts_file, cl.list, old,
				      as->contacts >= last.total, e);
cleanup:
	json_decref(cl.list);
	json_decref(old);
	return r < 0 ? r : 0;
}

int account_sync(struct account_sync *as, struct err *e)
{
	int r = sync_profile(as, e);

	if (r == 0)
		r = sync_collections(as, e);
	if (r == 0)
		r = galleries_sync(as, e);
	if (r == 0)
		r = groups_sync(as, e);
	if (r == 0)
		r = sync_contacts(as, e);
	return r;
}

int account_add_people(const struct account_sync *as, json_t *users)
{
	const char *nsid;
	json_t *fresh;

	json_object_foreach(as->people, nsid, fresh) {
		json_t *known = json_object_get(users, nsid);

		/* a known person keeps the record; the icon fields follow Flickr */
		if (json_is_object(known)) {
			if (jcopy(known, "iconserver", fresh, "iconserver") < 0 ||
			    jcopy(known, "iconfarm", fresh, "iconfarm") < 0 ||
			    jcopy(known, "avatar_url", fresh, "avatar_url") < 0)
				return FA_ENOMEM;
		} else if (json_object_set(users, nsid, fresh) < 0) {
			return FA_ENOMEM;
		}
	}
	return 0;
}
