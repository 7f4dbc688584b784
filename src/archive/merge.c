/* merge.c: Flickr's current records merged with the archived ones, losing nothing. */
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "record.h"

static const char *const comment_edits[] = { "text", NULL };
static const char *const no_edits[] = { NULL };

const struct merge_spec MERGE_COMMENTS = { "id", "date_created", 0, comment_edits };
const struct merge_spec MERGE_FAVES = { "nsid", "favedate", 1, no_edits };

/*
 * Fields of metadata.json that change without anything being lost: counters,
 * bookkeeping, and fields derived from others (tags_normalized from tags, an
 * "x_formatted" from x).  Every other field keeps its earlier values in history.
 */
static const char *const untracked_fields[] = {
	"views", "count_comments", "count_faves", "last_update", "listed", "synced",
	"archived_at", "original_archived", "history", "upstream", "tags_normalized",
	"tags_detail", "date_taken_granularity", "date_taken_unknown",
};

static int is_tracked(const char *key)
{
	size_t len = strlen(key), suffix = strlen("_formatted");

	if (len > suffix && !strcmp(key + len - suffix, "_formatted"))
		return 0;
	for (size_t i = 0; i < sizeof(untracked_fields) / sizeof(untracked_fields[0]); i++)
		if (!strcmp(key, untracked_fields[i]))
			return 0;
	return 1;
}

static int set_time(json_t *obj, const char *key, int64_t t)
{
	char iso[21], fkey[64];

	record_iso8601(t, iso);
	snprintf(fkey, sizeof(fkey), "%s_formatted", key);
	if (jset_int(obj, key, t) < 0 || jset_str(obj, fkey, iso) < 0)
		return FA_ENOMEM;
	return 0;
}

static int is_blank(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

static int is_edited(const struct merge_spec *spec, const char *field)
{
	for (const char *const *f = spec->edited; *f; f++)
		if (!strcmp(*f, field))
			return 1;
	return 0;
}

/* One entry in both lists: fresh values win, blanks are filled from old, edits kept. */
static json_t *merge_entry(const json_t *old, const json_t *fresh, const struct merge_spec *spec,
			   int64_t now)
{
	json_t *out = json_deep_copy(fresh);
	const char *key;
	json_t *ov;

	if (!out)
		return NULL;
	json_object_del(out, "removed");
	json_object_del(out, "last_seen");
	json_object_del(out, "last_seen_formatted");
	if (json_is_array(json_object_get(old, "history")))
		json_object_set_new(out, "history", json_deep_copy(json_object_get(old, "history")));
	json_object_foreach((json_t *)old, key, ov) {
		json_t *fv = json_object_get(out, key);

		if (!strcmp(key, "removed") || !strncmp(key, "last_seen", 9) ||
		    !strcmp(key, "history"))
			continue;
		if (is_blank(fv) && !is_blank(ov)) {
			json_object_set(out, key, ov);
		} else if (is_edited(spec, key) && fv && !json_equal(fv, ov)) {
			if (merge_add_history(out, key, ov, now) < 0) {
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}

static json_t *removed_entry(const json_t *old, int64_t last_seen)
{
	json_t *out = json_deep_copy(old);

	if (!out || jflag(old, "removed", false))
		return out;
	if (jset_bool(out, "removed", true) < 0 ||
	    (last_seen > 0 && set_time(out, "last_seen", last_seen) < 0)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

struct ordered {
	json_t *v;
	long long date;
	size_t seq;
	int newest_first;
};

static int compare_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->date != y->date) {
		int older = x->date < y->date ? -1 : 1;

		return x->newest_first ? -older : older;
	}
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Flickr's order kept; removed entries slotted back in by date. */
static json_t *sorted_by_date(json_t *list, const struct merge_spec *spec)
{
	size_t n = json_array_size(list);
	struct ordered *v = calloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();

	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].v = json_array_get(list, i);
		v[i].date = jint_or(v[i].v, spec->date_key, 0);
		v[i].seq = i;
		v[i].newest_first = spec->newest_first;
	}
	qsort(v, n, sizeof(*v), compare_ordered);
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i].v);
	free(v);
	return out;
}

/* id -> entry (borrowed) for the entries of list that have an id. */
static json_t *index_by_id(const json_t *list, const char *key)
{
	json_t *index = json_object();

	for (size_t i = 0; index && i < json_array_size(list); i++) {
		json_t *x = json_array_get(list, i);
		const char *id = jstr(x, key);

		if (id && *id && !json_object_get(index, id))
			json_object_set(index, id, x);
	}
	return index;
}

/* Whether an id-less old entry is still among the fresh ones (compared whole). */
static int has_equal(const json_t *list, const json_t *x)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (json_equal(json_array_get(list, i), x))
			return 1;
	return 0;
}

json_t *merge_list(const json_t *old, const json_t *fresh, const struct merge_spec *spec,
		   int64_t last_seen, int64_t now)
{
	json_t *all = json_array(), *out = NULL;
	json_t *old_ids = index_by_id(old, spec->id_key), *fresh_ids = index_by_id(fresh, spec->id_key);
	size_t n_fresh = json_array_size(fresh);

	if (!all || !old_ids || !fresh_ids)
		goto cleanup;
	for (size_t i = 0; i < n_fresh; i++) {
		const json_t *f = json_array_get(fresh, i);
		const char *id = jstr(f, spec->id_key);
		const json_t *o = id ? json_object_get(old_ids, id) : NULL;
		json_t *m = o ? merge_entry(o, f, spec, now) : json_deep_copy(f);

		if (!m || json_array_append_new(all, m) < 0)
			goto cleanup;
	}
	for (size_t i = 0; i < json_array_size(old); i++) {
		const json_t *o = json_array_get(old, i);
		const char *id = jstr(o, spec->id_key);
		json_t *m;

		if (!json_is_object(o) || (id && *id && json_object_get(fresh_ids, id)) ||
		    ((!id || !*id) && has_equal(fresh, o)))
			continue;
		m = removed_entry(o, last_seen);
		if (!m || json_array_append_new(all, m) < 0)
			goto cleanup;
	}
	/* nothing removed: keep Flickr's order exactly */
	out = json_array_size(all) == n_fresh ? json_incref(all) : sorted_by_date(all, spec);
cleanup:
	json_decref(all);
	json_decref(old_ids);
	json_decref(fresh_ids);
	return out;
}

size_t merge_count_present(const json_t *list)
{
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(list); i++)
		n += !jflag(json_array_get(list, i), "removed", false);
	return n;
}

int merge_add_history(json_t *meta, const char *field, const json_t *value, int64_t now)
{
	json_t *history = json_object_get(meta, "history");
	json_t *h = json_object();

	if (!json_is_array(history)) {
		history = json_array();
		if (jset_new(meta, "history", history) < 0)
			history = NULL;
	}
	if (!h || !history || jset_str(h, "field", field) < 0 ||
	    json_object_set(h, "value", (json_t *)value) < 0 || set_time(h, "replaced_at", now) < 0 ||
	    json_array_append(history, h) < 0) {
		json_decref(h);
		return FA_ENOMEM;
	}
	json_decref(h);
	return 0;
}

static int in_list(const char *const *list, const char *key)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(list[i], key))
			return 1;
	return 0;
}

int merge_record(json_t *fresh, const json_t *old, const char *const *tracked, int64_t now)
{
	const json_t *history = json_object_get(old, "history");
	const json_t *upstream = json_object_get(old, "upstream");
	const char *key;
	json_t *ov;

	if (!json_is_object(old))
		return 0;
	if (json_is_array(history) && jset_new(fresh, "history", json_deep_copy(history)) < 0)
		return FA_ENOMEM;
	json_object_foreach((json_t *)old, key, ov) {
		const json_t *is = json_object_get(fresh, key);

		if (is && (tracked ? in_list(tracked, key) : is_tracked(key)) &&
		    !json_equal(ov, is) && merge_add_history(fresh, key, ov, now) < 0)
			return FA_ENOMEM;
	}
	if (json_is_object(upstream) && merge_add_history(fresh, "upstream", upstream, now) < 0)
		return FA_ENOMEM;
	/* what Flickr stopped sending is kept, never dropped */
	json_object_foreach((json_t *)old, key, ov) {
		if (strcmp(key, "upstream") && !json_object_get(fresh, key) &&
		    json_object_set(fresh, key, ov) < 0)
			return FA_ENOMEM;
	}
	return 0;
}

int merge_metadata(json_t *fresh, const json_t *old, int64_t now)
{
	/* first archived stays first archived; "synced" says when it was last fetched */
	if (json_is_string(json_object_get(old, "archived_at")) &&
	    json_object_set(fresh, "archived_at", json_object_get(old, "archived_at")) < 0)
		return FA_ENOMEM;
	return merge_record(fresh, old, NULL, now);
}

int merge_mark_upstream(json_t *meta, const char *status, const char *detail,
			int64_t last_seen, int64_t now)
{
	json_t *u = json_object();

	if (!u || jset_str(u, "status", status) < 0 ||
	    (last_seen > 0 && set_time(u, "last_seen", last_seen) < 0) ||
	    set_time(u, "detected_at", now) < 0 || (detail && jset_str(u, "detail", detail) < 0)) {
		json_decref(u);
		return FA_ENOMEM;
	}
	return jset_new(meta, "upstream", u);
}
