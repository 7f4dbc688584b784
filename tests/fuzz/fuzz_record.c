/*
 * fuzz_record.c: a response as the records the archive writes from it
 * (metadata.json, comments.json, favorites.json, the index entries,
 * users_cache.json, exif.json).  The input plays every role at once: a
 * getInfo "photo", a listing item (photos.photo[0], or the document itself),
 * a comments/faves/people response.  Every record must serialise strictly.
 */
#include "exif.h"
#include "fuzz.h"
#include "record.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	return 0;
}

static const json_t *listing_of(const json_t *doc)
{
	const json_t *items = json_object_get(jobj(doc, "photos"), "photo");

	return jlist_size(items) ? jlist_at(items, 0) : doc;
}

static void check_metadata(const json_t *doc, const json_t *info, enum store_kind kind)
{
	const json_t *albums = json_object_get(doc, "albums");
	struct record_input in = {
		.kind = kind,
		.listing = listing_of(doc),
		.info = info,
		.albums = json_is_array(albums) ? albums : NULL,
		.people = doc,
		.count_faves = jint_or(doc, "count_faves", -1),
		.archived_at = 1700000000,
	};
	json_t *m = record_metadata(&in);

	FUZZ_CHECK(m != NULL);
	fuzz_check_output(record_index_entry(m, kind));
	fuzz_check_output(m);
}

static void check_people_records(const json_t *doc)
{
	json_t *comments = record_comments(doc);
	const json_t *persons = json_object_get(jobj(doc, "photo"), "person");

	FUZZ_CHECK(comments != NULL);
	for (size_t i = 0; i < json_array_size(comments); i++)
		fuzz_check_output(record_user_from(json_array_get(comments, i)));
	fuzz_check_output(comments);
	for (size_t i = 0; i < jlist_size(persons) && i < 64; i++) {
		json_t *fave = record_fave(jlist_at(persons, i));

		FUZZ_CHECK(fave != NULL);
		fuzz_check_output(record_user_from(fave));
		fuzz_check_output(fave);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = fuzz_parse(data, size);
	enum store_kind kind = size % 2 ? STORE_FAV : STORE_MY;

	if (!doc)
		return 0;
	check_metadata(doc, jobj(doc, "photo"), kind);
	check_metadata(doc, NULL, kind);
	check_people_records(doc);
	fuzz_check_output(exif_from_flickr(doc));
	json_decref(doc);
	return 0;
}
