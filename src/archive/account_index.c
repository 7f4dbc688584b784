/*
 * account_index.c: refusals as warnings, never-lose merging and
 * write-when-changed for the account's index files.
 */
#include <stdlib.h>
#include <string.h>

#include "account_index.h"
#include "merge.h"
#include "record.h"

const char *const account_index_files[] = {
	"profile.json", "collections.json", "galleries_index.json", "groups_index.json",
	"contacts.json", NULL,
};

int account_run_init(struct account_run *ar)
{
	ar->warnings = json_array();
	return ar->warnings ? 0 : FA_ENOMEM;
}

void account_run_release(struct account_run *ar)
{
	json_decref(ar->warnings);
	ar->warnings = NULL;
}

/* 1 when r is a refusal of method (noted in ar->warnings, for sync to say); r otherwise. */
static int refusal(struct account_run *ar, const char *method, int r, struct err *one,
		   struct err *e)
{
	char line[FA_ERR_MSG_MAX + 64];

	if (r == 0)
		return 0;
	/* a key without read access gets 99 (FA_EAUTH): this method only, not the sync */
	if (err_is_fatal(r) && !(r == FA_EAUTH && one->api_code == 99)) {
		if (e)
			*e = *one;
		return r;
	}
	if (r == FA_EAUTH)
		snprintf(line, sizeof(line), "%s: the key or token may not use it (Flickr error 99)",
			 method);
	else
		snprintf(line, sizeof(line), "%s", one->msg[0] ? one->msg : method);
	if (json_array_append_new(ar->warnings, json_string(line)) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	return 1;
}

int account_call(struct account_run *ar, const char *method, const char *const *args,
		 json_t **ret, struct err *e)
{
	struct err one = { 0 };
	int r = flickr_call(ar->fc, method, args, ret, &one);

	if (r < 0)
		*ret = NULL;
	return refusal(ar, method, r, &one, e);
}

int account_paginate(struct account_run *ar, const char *method, const char *const *args,
		     const char *container, const char *item_key, int per_page,
		     flickr_item_fn fn, void *ud, struct flickr_page *ret_last, struct err *e)
{
	struct err one = { 0 };
	int r = flickr_paginate(ar->fc, method, args, container, item_key, per_page, fn, ud,
				ret_last, &one);

	/* an error of ours (out of memory) is not a refusal */
	if (r == FA_ENOMEM || r == FA_EIO || r == FA_ENOSPC) {
		if (e)
			*e = one;
		return r;
	}
	return refusal(ar, method, r, &one, e);
}

json_t *account_load(const struct account_run *ar, const char *name)
{
	struct buf path = BUF_INIT;
	json_t *doc = NULL;

	if (store_root_path(ar->store, name, &path) == 0 &&
	    json_load_path(path.data, &doc, NULL) < 0)
		doc = NULL;
	buf_release(&path);
	return doc;
}

int account_save(const struct account_run *ar, const char *name, const json_t *doc,
		 const json_t *old, struct err *e)
{
	struct buf path = BUF_INIT;
	int r = 0;

	if (old && json_equal(doc, old))
		return 0;
	if (store_root_path(ar->store, name, &path) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	if (r == 0)
		r = json_write_atomic(path.data, doc, e);
	buf_release(&path);
	return r;
}

json_t *account_find(const json_t *list, const char *key, const char *id)
{
	for (size_t i = 0; id && i < json_array_size(list); i++) {
		json_t *x = json_array_get(list, i);

		if (jstr(x, key) && !strcmp(jstr(x, key), id))
			return x;
	}
	return NULL;
}

int account_merge_list(json_t *fresh, const json_t *old, const char *id_key,
		       const char *const *tracked, const char *gone_status, int complete,
		       int64_t now)
{
	size_t n_fresh = json_array_size(fresh);

	for (size_t i = 0; i < n_fresh; i++) {
		json_t *f = json_array_get(fresh, i);

		if (merge_record(f, account_find(old, id_key, jstr(f, id_key)),
					 tracked, now) < 0)
			return FA_ENOMEM;
	}
	for (size_t i = 0; i < json_array_size(old); i++) {
		const json_t *o = json_array_get(old, i);
		json_t *kept;

		if (!json_is_object(o) || (jstr(o, id_key) &&
					   account_find(fresh, id_key, jstr(o, id_key))))
			continue;
		kept = json_deep_copy(o);
		if (!kept)
			return FA_ENOMEM;
		/* one without the key (an export's contact known by its URL) cannot be told gone */
		if (complete && jstr(kept, id_key) && !json_object_get(kept, "upstream") &&
		    merge_mark_upstream(kept, gone_status, NULL, 0, now) < 0) {
			json_decref(kept);
			return FA_ENOMEM;
		}
		if (json_array_append_new(fresh, kept) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

int account_save_list(const struct account_run *ar, const struct account_list_spec *spec,
		      json_t *list, const json_t *old, int complete, struct err *e)
{
	json_t *doc;
	int r;

	if (account_merge_list(list, json_object_get(old, spec->key), spec->id_key, spec->tracked,
			       spec->gone_status, complete, ar->now) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	/* the file's other keys stay (contacts.json's "followers", from the export) */
	doc = json_is_object(old) ? json_deep_copy(old) : json_object();
	if (!doc || json_object_set(doc, spec->key, list) < 0) {
		json_decref(doc);
		return err_set(e, FA_ENOMEM, "out of memory");
	}
	r = account_save(ar, spec->file, doc, old, e);
	json_decref(doc);
	return r;
}

int account_valid_nsid(const char *s)
{
	size_t digits = s ? strspn(s, "0123456789") : 0;

	return digits > 0 && digits < 24 && !strncmp(s + digits, "@N", 2) &&
	       s[digits + 2] && strspn(s + digits + 2, "0123456789") == strlen(s + digits + 2) &&
	       strlen(s) < 40;
}

static int same_text(const json_t *a, const json_t *b, const char *key)
{
	const char *x = jstr(a, key), *y = jstr(b, key);

	return x && y && *x && !strcmp(x, y);
}

/* "<owner's number>-<gallery id>" and "<gallery id>": the export's form is unconfirmed */
static int id_suffix(const char *whole, const char *part)
{
	size_t n = strlen(whole), k = strlen(part);

	return k && n > k && whole[n - k - 1] == '-' && !strcmp(whole + n - k, part);
}

int account_same_entry(const json_t *a, const json_t *b, const char *id_key)
{
	const char *x = jstr(a, id_key), *y = jstr(b, id_key);

	if (x && y)
		return !strcmp(x, y) || id_suffix(x, y) || id_suffix(y, x);
	/* a contact of the export: a name and a profile URL, no NSID */
	return same_text(a, b, "profile_url") || same_text(a, b, "path_alias") ||
	       (jstr(a, "path_alias") && y && !strcmp(jstr(a, "path_alias"), y)) ||
	       (jstr(b, "path_alias") && x && !strcmp(jstr(b, "path_alias"), x));
}

json_t *account_find_same(const json_t *list, const json_t *entry, const char *id_key)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (account_same_entry(json_array_get(list, i), entry, id_key))
			return json_array_get(list, i);
	return NULL;
}

int account_export_seen(json_t *entry)
{
	const char *src = jstr(entry, "source");

	if (!src || strcmp(src, ACCOUNT_EXPORT_SOURCE))
		return 0;
	json_object_del(entry, "source");
	return jset_bool(entry, "also_in_export", 1) < 0 ? FA_ENOMEM : 0;
}

int account_adopt_export(json_t *old_list, const json_t *fresh, const char *id_key)
{
	for (size_t i = 0; i < json_array_size(old_list); i++) {
		json_t *o = json_array_get(old_list, i);
		const json_t *f;

		if (!jstr(o, "source") || strcmp(jstr(o, "source"), ACCOUNT_EXPORT_SOURCE) ||
		    !(f = account_find_same(fresh, o, id_key)))
			continue;
		if (jset_str(o, id_key, jstr(f, id_key)) < 0 || account_export_seen(o) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

int account_set_time(json_t *obj, const char *key, const char *value)
{
	char fkey[64], iso[21];
	char *end;
	long long t;

	if (!value || !*value)
		return 0;
	if (jset_str(obj, key, value) < 0)
		return FA_ENOMEM;
	t = strtoll(value, &end, 10);
	if (*end || t <= 0)
		return 0;
	record_iso8601(t, iso);
	snprintf(fkey, sizeof(fkey), "%s_formatted", key);
	return jset_str(obj, fkey, iso);
}

int account_note(struct account_run *ar, const char *listing, long total, long got,
		 struct err *e)
{
	if (ledger_note(ar->ledger, listing, total > got ? total : got, got, NULL, NULL) < 0)
		return err_set(e, FA_ENOMEM, "out of memory");
	return 0;
}
