/*
 * fuzz_media.c: choosing what to download from listing extras, getSizes and
 * getStreamInfo.  Invariants: a pick has a non-empty URL and a label; video
 * candidates are distinct, never the Flash player, and sorted.
 */
#include "fuzz.h"
#include "media.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	return 0;
}

static void check_pick(int found, struct media_source *m)
{
	FUZZ_CHECK(found == 0 || found == 1);
	if (found) {
		FUZZ_CHECK(m->url && *m->url && m->label);
		media_source_release(m);
	}
}

static void check_videos(const json_t *sizes, const json_t *streams)
{
	struct media_source *c = NULL;
	size_t n = 0;

	FUZZ_CHECK(media_video_candidates(sizes, streams, &c, &n) == 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(c[i].url && *c[i].url && c[i].label);
		FUZZ_CHECK(strcmp(c[i].label, "Video Player") != 0);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(c[k].url, c[i].url) != 0);
	}
	media_sources_free(c, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = fuzz_parse(data, size);
	const json_t *items;
	struct media_source m = { 0 };

	if (!doc)
		return 0;
	items = json_object_get(jobj(doc, "photos"), "photo");
	check_pick(media_pick_from_listing(doc, &m), &m);
	for (size_t i = 0; i < jlist_size(items) && i < 16; i++) {
		check_pick(media_pick_from_listing(jlist_at(items, i), &m), &m);
		fuzz_check_output(media_sizes_from_listing(jlist_at(items, i)));
	}
	fuzz_check_output(media_sizes_from_listing(doc));
	check_pick(media_pick_from_sizes(doc, &m), &m);
	check_videos(doc, NULL);
	check_videos(NULL, doc);
	check_videos(doc, doc);
	json_decref(doc);
	return 0;
}
