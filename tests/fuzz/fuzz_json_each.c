/*
 * fuzz_json_each.c: the streaming readers json_each_in_array,
 * json_each_in_object and json_member_in_object, on the input written to a
 * temporary file.  Invariants: only objects and arrays reach the callbacks,
 * and they serialise strictly; when the input is strict JSON (once its strings
 * are repaired, and without duplicate keys), the readers see what Jansson sees
 * in the whole document: the same elements, members and value, in order.
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	fuzz_tmp_files("walked.json", "unused.json");
	return 0;
}

/* What the callbacks were handed: the values, and the members' names. */
struct seen {
	json_t *values;
	json_t *names;
};

static void seen_reset(struct seen *sn)
{
	FUZZ_CHECK(json_array_clear(sn->values) == 0 && json_array_clear(sn->names) == 0);
}

/* Keeps and checks one value handed to a callback (name: a member's, or NULL). */
static void touch(struct seen *sn, const char *name, json_t *value)
{
	FUZZ_CHECK(json_is_object(value) || json_is_array(value));
	FUZZ_CHECK(json_array_append(sn->values, value) == 0);
	/* a name is parsed as any string is: valid UTF-8 */
	if (name)
		FUZZ_CHECK(json_array_append_new(sn->names, json_string(name)) == 0);
	fuzz_check_output(json_incref(value));
}

static int on_element(void *ud, json_t *elem)
{
	touch(ud, NULL, elem);
	return 0;
}

static int on_member(void *ud, const char *name, json_t *value)
{
	touch(ud, name, value);
	return 0;
}

/* The input as Jansson reads it whole after the repairs, with no duplicate key; else NULL. */
static json_t *strict_doc(const uint8_t *data, size_t size)
{
	struct buf fixed = BUF_INIT;
	json_error_t je;
	json_t *doc;

	FUZZ_CHECK(json_repair_strings((const char *)data, size, &fixed) >= 0);
	doc = json_loadb(buf_cstr(&fixed), fixed.len, JSON_REJECT_DUPLICATES, &je);
	buf_release(&fixed);
	return doc;
}

/* The objects and arrays of list (an array, or an object's values), in order, are sn's. */
static void check_seen(const json_t *list, const struct seen *sn)
{
	size_t at = 0;
	const char *name;
	json_t *v;
	size_t i;

	if (json_is_array(list))
		json_array_foreach(list, i, v) {
			if (!json_is_object(v) && !json_is_array(v))
				continue;
			FUZZ_CHECK(json_equal(v, json_array_get(sn->values, at++)));
		}
	if (json_is_object(list))
		json_object_foreach((json_t *)list, name, v) {
			const char *got = json_string_value(json_array_get(sn->names, at));

			if (!json_is_object(v) && !json_is_array(v))
				continue;
			FUZZ_CHECK(got && !strcmp(name, got));
			FUZZ_CHECK(json_equal(v, json_array_get(sn->values, at++)));
		}
	FUZZ_CHECK(at == json_array_size(sn->values));
}

/* json_member_in_object() on "version": any type, checked against the whole document. */
static void check_member(const json_t *strict)
{
	json_t *value = NULL, *box = json_array();
	const json_t *want = json_object_get(strict, "version");
	int r = json_member_in_object(fuzz_tmp.a, "version", &value, NULL);

	FUZZ_CHECK(r == 0 || r == FA_EPARSE || r == FA_ENOTFOUND);
	if (json_is_object(strict))
		FUZZ_CHECK(want ? r == 0 && json_equal(value, want) : r == FA_ENOTFOUND);
	/* a scalar serialises inside an array */
	FUZZ_CHECK(box && json_array_append_new(box, value ? value : json_null()) == 0);
	fuzz_check_output(box);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen sn = { json_array(), json_array() };
	json_t *strict = strict_doc(data, size);
	FILE *f = fopen(fuzz_tmp.a, "wb");
	int r;

	FUZZ_CHECK(sn.values && sn.names && f);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size);
	FUZZ_CHECK(fclose(f) == 0);

	r = json_each_in_array(fuzz_tmp.a, on_element, &sn, NULL);
	FUZZ_CHECK(r == 0 || r == FA_EPARSE);
	if (json_is_array(strict)) {
		FUZZ_CHECK(r == 0);
		check_seen(strict, &sn);
	}

	seen_reset(&sn);
	r = json_each_in_object(fuzz_tmp.a, "thumbs", on_member, &sn, NULL);
	FUZZ_CHECK(r == 0 || r == FA_EPARSE);
	if (json_is_object(strict)) {
		const json_t *thumbs = json_object_get(strict, "thumbs");

		FUZZ_CHECK(r == 0);
		check_seen(json_is_object(thumbs) ? thumbs : NULL, &sn);
	}

	check_member(strict);
	json_decref(strict);
	json_decref(sn.values);
	json_decref(sn.names);
	return 0;
}
