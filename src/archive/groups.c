/*
 * groups.c: groups_index.json, the account's groups and which of its own
 * items each pool holds.
 */
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "photo_update.h"

#define GROUPS_PER_PAGE 400
#define POOL_PER_PAGE 500

static const char *const group_tracked[] = { "name", "description", "privacy", NULL };
static const struct account_list_spec groups_file = {
	"groups_index.json", "groups", "nsid", group_tracked, "not_a_member",
};

/* An NSID of Flickr's shape ("12345678@N01"): it names the group in paths of the site. */
static json_t *group_entry(const json_t *g)
{
	json_t *a = json_object();
	int r = a ? 0 : FA_ENOMEM;

	r |= jset_str(a, "nsid", jstr(g, "nsid"));
	r |= jset_str(a, "name", jcontent(g, "name") ? jcontent(g, "name") : "");
	r |= jset_int(a, "members", jint_or(g, "members", 0));
	r |= jset_int(a, "pool_count", jint_or(g, "pool_count", 0));
	r |= jset_int(a, "privacy", jint_or(jobj(g, "privacy"), "_content",
					    jint_or(g, "privacy", 0)));
	r |= jset_bool(a, "admin", jint_or(g, "admin", 0) != 0);
	r |= jset_str(a, "iconserver", jtext(g, "iconserver"));
	r |= jset_int(a, "iconfarm", jint_or(g, "iconfarm", 0));
	if (r) {
		json_decref(a);
		return NULL;
	}
	return a;
}

struct group_list {
	json_t *list;
};

static int collect_group(void *ud, json_t *g, const struct flickr_page *pg)
{
	struct group_list *gl = ud;
	json_t *entry;

	(void)pg;
	if (!account_valid_nsid(jstr(g, "nsid")) || account_find(gl->list, "nsid", jstr(g, "nsid")))
		return 0;
	entry = group_entry(g);
	return entry && json_array_append_new(gl->list, entry) == 0 ? 0 : FA_ENOMEM;
}

/* The description comes from groups.getInfo, asked once per group (or with --refresh). */
static int describe_group(struct account_run *ar, json_t *group, const json_t *old,
			  struct err *e)
{
	const char *args[] = { "group_id", jstr(group, "nsid"), NULL };
	json_t *resp = NULL;
	int r;

	if (old && jstr(old, "description") && !ar->refresh)
		return jset_str(group, "description", jstr(old, "description")) < 0
			? err_set(e, FA_ENOMEM, "out of memory") : 0;
	r = account_call(ar, "flickr.groups.getInfo", args, &resp, e);
	if (r == 0 && jset_str(group, "description",
			       jcontent(jobj(resp, "group"), "description")
				       ? jcontent(jobj(resp, "group"), "description") : "") < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	json_decref(resp);
	return r < 0 ? r : 0;
}

struct pool_list {
	json_t *ids;
};

static int collect_pool_photo(void *ud, json_t *p, const struct flickr_page *pg)
{
	struct pool_list *pl = ud;
	const char *id = jstr(p, "id");

	(void)pg;
	for (size_t i = 0; i < json_array_size(pl->ids); i++)
		if (!strcmp(json_string_value(json_array_get(pl->ids, i)), id ? id : ""))
			return 0;
	if (!store_valid_id(id))
		return 0;
	return json_array_append_new(pl->ids, json_string(id)) < 0 ? FA_ENOMEM : 0;
}

/*
 * The last run's pool ids of a group whose counts have not moved, or NULL.
 * pool_count counts every member's items: an item of ours added while
 * another member's left would go unseen until the count moves again, or
 * --refresh.
 */
static const json_t *unchanged_pool(const json_t *old, const json_t *group)
{
	const json_t *ids = json_object_get(old, "photo_ids");

	if (!json_is_array(ids) || !jflag(old, "photo_ids_complete", false))
		return NULL;
	if (!json_equal(json_object_get(old, "pool_count"), json_object_get(group, "pool_count")))
		return NULL;
	return ids;
}

/*
 * The ids recorded in the pool before (by Flickr's export, or an earlier
 * sync) that this listing did not return stay, unless Flickr says the photo
 * left: as for an album, a whole listing is the membership, but only of
 * photos Flickr still lists (one it no longer lists, gone upstream or known
 * from the export alone, keeps the pools it was in, as it keeps its files).
 */
static int keep_recorded(const struct account_sync *as, json_t *ids, const json_t *old,
			 int whole)
{
	const json_t *was = json_object_get(old, "photo_ids");
	json_t *listed = json_object(); /* a set of ids: a pool may hold tens of thousands */
	int r = listed ? 0 : FA_ENOMEM;

	for (size_t i = 0; r == 0 && i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));

		if (id && json_object_set_new(listed, id, json_true()) < 0)
			r = FA_ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < json_array_size(was); i++) {
		const char *id = json_string_value(json_array_get(was, i));

		if (!id || !store_valid_id(id) || json_object_get(listed, id) ||
		    (whole && as->listed_items && store_ids_contains(as->listed_items, id)))
			continue;
		if (json_object_set_new(listed, id, json_true()) < 0 ||
		    json_array_append_new(ids, json_string(id)) < 0)
			r = FA_ENOMEM;
	}
	json_decref(listed);
	return r;
}

static int list_pool(struct account_sync *as, json_t *group, const json_t *old, struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "group_id", jstr(group, "nsid"), "user_id", ar->nsid,
			       "extras", "media", NULL };
	struct pool_list pl = { json_array() };
	struct flickr_page last = { 0, 0, 0 };
	const json_t *known = ar->refresh ? NULL : unchanged_pool(old, group);
	char listing[200];
	long got;
	int r = 0;

	if (!pl.ids)
		return err_set(e, FA_ENOMEM, "out of memory");
	if (known) {
		json_decref(pl.ids);
		pl.ids = json_deep_copy(known);
		last.total = (long)json_array_size(pl.ids);
	} else {
		r = account_paginate(ar, "flickr.groups.pools.getPhotos", args, "photos", "photo",
				     POOL_PER_PAGE, collect_pool_photo, &pl, &last, e);
	}
	if (r != 0 || !pl.ids) {
		json_decref(pl.ids);
		if (r == 1 && json_object_get(old, "photo_ids"))
			jset_new(group, "photo_ids", json_deep_copy(json_object_get(old, "photo_ids")));
		return r < 0 ? r : (pl.ids ? 0 : err_set(e, FA_ENOMEM, "out of memory"));
	}
	got = (long)json_array_size(pl.ids);
	if (!known && keep_recorded(as, pl.ids, old, got >= last.total) < 0) {
		json_decref(pl.ids);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	jset_bool(group, "photo_ids_complete", got >= last.total);
	jset_new(group, "photo_ids", pl.ids);
	snprintf(listing, sizeof(listing), "pool of group %s", jstr(group, "nsid"));
	return account_note(ar, listing, last.total, got, e);
}

/* item_groups[id] gets {id, name} of each group whose pool holds it. */
static int note_items(struct account_sync *as, const json_t *group)
{
	const json_t *ids = json_object_get(group, "photo_ids");

	for (size_t i = 0; i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		json_t *list = json_object_get(as->item_groups, id);

		if (!list) {
			list = json_array();
			if (json_object_set_new(as->item_groups, id, list) < 0)
				return FA_ENOMEM;
		}
		if (json_array_append_new(list, json_pack("{s:s, s:s?}", "id", jstr(group, "nsid"),
							  "name", jstr(group, "name"))) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

/* Items the last run found in a pool and this one in none: their groups become []. */
static int left_pools(struct account_sync *as, const json_t *old_list)
{
	for (size_t i = 0; i < json_array_size(old_list); i++) {
		const json_t *ids = json_object_get(json_array_get(old_list, i), "photo_ids");

		for (size_t k = 0; k < json_array_size(ids); k++) {
			const char *id = json_string_value(json_array_get(ids, k));

			if (id && !json_object_get(as->item_groups, id) &&
			    json_object_set_new(as->item_groups, id, json_array()) < 0)
				return FA_ENOMEM;
		}
	}
	return 0;
}

int groups_apply_to_items(const struct account_sync *as, const struct photo_ctx *ctx,
			  long *ret_changed, struct err *e)
{
	const char *id;
	json_t *groups;
	int r = 0;

	*ret_changed = 0;
	if (!as->groups_listed)
		return 0;
	json_object_foreach(as->item_groups, id, groups) {
		struct err one = { 0 };

		if (!store_valid_id(id))
			continue;
		r = photo_set_meta_field(ctx, STORE_MY, id, "groups", groups, &one);
		if (r == 1)
			(*ret_changed)++;
		if (r < 0 && err_is_fatal(r)) {
			*e = one;
			return r;
		}
		/* a damaged item is reported by the catalog's check; it gets its groups later */
		r = 0;
	}
	return r;
}

int groups_sync(struct account_sync *as, struct err *e)
{
	struct account_run *ar = &as->run;
	const char *args[] = { "user_id", ar->nsid, "extras", "privacy", NULL };
	struct group_list gl = { json_array() };
	struct flickr_page last = { 0, 0, 0 };
	json_t *old = NULL;
	const json_t *old_list;
	int r;

	if (!gl.list)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = account_paginate(ar, "flickr.people.getGroups", args, "groups", "group",
			     GROUPS_PER_PAGE, collect_group, &gl, &last, e);
	if (r != 0)
		goto cleanup;
	as->groups = (long)json_array_size(gl.list);
	as->groups_listed = 1;
	r = account_note(ar, "groups", last.total, as->groups, e);
	old = account_load(ar, "groups_index.json");
	old_list = json_object_get(old, "groups");
	if (r == 0 && account_adopt_export(json_object_get(old, "groups"), gl.list, "nsid") < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < json_array_size(gl.list); i++) {
		json_t *g = json_array_get(gl.list, i);
		const json_t *was = account_find(old_list, "nsid", jstr(g, "nsid"));

		r = describe_group(ar, g, was, e);
		if (r == 0)
			r = list_pool(as, g, was, e);
		if (r == 0 && note_items(as, g) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
	}
	if (r == 0 && left_pools(as, old_list) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = account_save_list(ar, &groups_file, gl.list, old, as->groups >= last.total, e);
cleanup:
	json_decref(gl.list);
	json_decref(old);
	return r < 0 ? r : 0;
}
