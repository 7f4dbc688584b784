/*
 * test_media.c: choosing the file to download (listing extras, getSizes,
 * video candidates) and naming it (media_ext_for, media_is_html, media_is_page).
 */
#include "unit.h"

#include "media.h"

/* ---- photos from listing extras ----------------------------------------- */

static void test_listing_prefers_url_o(void **state)
{
	json_t *doc = ut_load_sample("flickr.people.getPhotos.json");
	const json_t *photo = jlist_at(json_object_get(jobj(doc, "photos"), "photo"), 0);
	struct media_source m = { 0 };

	(void)state;
	assert_int_equal(media_pick_from_listing(photo, &m), 1);
	assert_string_equal(m.url, "http://farm3.staticflickr.com/2822/10115956703_e40de5bf26_o.jpg");
	assert_string_equal(m.label, "Original");
	assert_int_equal(m.width, 2560);  /* "width_o":"2560" (a string) */
	assert_int_equal(m.height, 1600);
	assert_true(m.is_original);
	media_source_release(&m);
	json_decref(doc);
}

struct listing_case {
	const char *name;
	const char *photo;
	int found;
	const char *url;
	long width, height;
};

static const struct listing_case listing_cases[] = {
	{ "largest by area, mixed string/number dims",
	  "{\"url_sq\":\"SQ\",\"width_sq\":75,\"height_sq\":75,"
	  "\"url_c\":\"C\",\"width_c\":\"800\",\"height_c\":500,"
	  "\"url_l\":\"L\",\"width_l\":\"1024\",\"height_l\":\"640\","
	  "\"url_m\":\"M\",\"width_m\":500,\"height_m\":\"313\"}",
	  1, "L", 1024, 640 },
	{ "area beats the size table's order",
	  "{\"url_k\":\"K\",\"width_k\":\"100\",\"height_k\":100,"
	  "\"url_m\":\"M\",\"width_m\":500,\"height_m\":\"313\"}",
	  1, "M", 500, 313 },
	{ "empty url_o is ignored",
	  "{\"url_o\":\"\",\"url_z\":\"Z\",\"width_z\":\"640\",\"height_z\":\"480\"}",
	  1, "Z", 640, 480 },
	{ "url_o wins even when smaller",
	  "{\"url_o\":\"O\",\"width_o\":10,\"height_o\":10,"
	  "\"url_k\":\"K\",\"width_k\":2048,\"height_k\":1365}",
	  1, "O", 10, 10 },
	{ "url_o without dimensions",
	  "{\"url_o\":\"O\",\"url_sq\":\"SQ\",\"width_sq\":75,\"height_sq\":75}",
	  1, "O", 0, 0 },
	{ "no url_* at all", "{\"id\":\"1\",\"title\":\"x\",\"width_o\":800}", 0, NULL, 0, 0 },
	{ "only empty urls", "{\"url_sq\":\"\",\"url_o\":\"\"}", 0, NULL, 0, 0 },
	{ "url of the wrong type", "{\"url_o\":5,\"url_l\":null}", 0, NULL, 0, 0 },
	{ NULL, NULL, 0, NULL, 0, 0 },
};

static void test_listing_table(void **state)
{
	(void)state;
	for (const struct listing_case *c = listing_cases; c->name; c++) {
		json_t *photo = ut_json(c->photo);
		struct media_source m = { 0 };

		print_message("%s\n", c->name);
		assert_int_equal(media_pick_from_listing(photo, &m), c->found);
		if (c->found) {
			assert_string_equal(m.url, c->url);
			assert_int_equal(m.width, c->width);
			assert_int_equal(m.height, c->height);
			assert_int_equal(m.is_original, !strcmp(c->url, "O"));
		}
		media_source_release(&m);
		json_decref(photo);
	}
	{
		struct media_source m = { 0 };

		assert_int_equal(media_pick_from_listing(NULL, &m), 0);
	}
}

static void test_sizes_from_listing(void **state)
{
	json_t *doc = ut_load_sample("flickr.people.getPhotos.json");
	const json_t *photo = jlist_at(json_object_get(jobj(doc, "photos"), "photo"), 0);
	json_t *sizes = media_sizes_from_listing(photo);
	const json_t *first, *last;

	(void)state;
	assert_non_null(sizes);
	/* url_sq q t s n m z c l h k o */
	assert_int_equal(json_array_size(sizes), 12);
	first = json_array_get(sizes, 0);
	last = json_array_get(sizes, json_array_size(sizes) - 1);
	assert_string_equal(jstr(first, "label"), "Square");
	assert_true(json_integer_value(json_object_get(first, "width")) == 75);
	assert_string_equal(jstr(first, "media"), "photo");
	assert_string_equal(jstr(last, "label"), "Original");
	assert_true(json_is_integer(json_object_get(last, "width"))); /* "2560" -> 2560 */
	assert_true(json_integer_value(json_object_get(last, "height")) == 1600);
	assert_string_equal(jstr(last, "source"),
			    "http://farm3.staticflickr.com/2822/10115956703_e40de5bf26_o.jpg");
	json_decref(sizes);
	json_decref(doc);
}

/* ---- photos from getSizes ----------------------------------------------- */

static void test_sizes_prefers_original(void **state)
{
	json_t *doc = ut_load_sample("flickr.photos.getSizes.json");
	struct media_source m = { 0 };

	(void)state;
	assert_int_equal(media_pick_from_sizes(doc, &m), 1);
	assert_string_equal(m.label, "Original");
	assert_string_equal(m.url, "http://farm3.staticflickr.com/2822/10115956703_e40de5bf26_o.jpg");
	assert_int_equal(m.width, 2560);
	assert_int_equal(m.height, 1600);
	assert_true(m.is_original);
	media_source_release(&m);
	json_decref(doc);
}

static void test_sizes_of_a_video_pick_the_photo_frame(void **state)
{
	json_t *doc = ut_load_sample("flickr.photos.getSizes.video-owner-2016.json");
	struct media_source m = { 0 };

	(void)state;
	/* the video entries (even the 1282x720 HD MP4) are not photos */
	assert_int_equal(media_pick_from_sizes(doc, &m), 1);
	assert_string_equal(m.label, "Original");
	assert_string_equal(m.url, "https://farm2.staticflickr.com/1462/25743649964_a0f8e31b68_o.jpg");
	media_source_release(&m);
	json_decref(doc);
}

struct sizes_case {
	const char *name;
	const char *resp;
	int found;
	const char *label;
};

static const struct sizes_case sizes_cases[] = {
	{ "largest photo without an Original",
	  "{\"sizes\":{\"size\":["
	  "{\"label\":\"Large\",\"width\":\"1024\",\"height\":640,\"source\":\"L\",\"media\":\"photo\"},"
	  "{\"label\":\"Large 2048\",\"width\":2048,\"height\":\"1280\",\"source\":\"K\",\"media\":\"photo\"},"
	  "{\"label\":\"Medium\",\"width\":500,\"height\":313,\"source\":\"M\",\"media\":\"photo\"},"
	  "{\"label\":\"Site MP4\",\"width\":4000,\"height\":3000,\"source\":\"V\",\"media\":\"video\"}]}}",
	  1, "Large 2048" },
	{ "a lone size object",
	  "{\"sizes\":{\"size\":{\"label\":\"Medium\",\"width\":500,\"height\":313,"
	  "\"source\":\"M\",\"media\":\"photo\"}}}",
	  1, "Medium" },
	{ "entries without source are skipped",
	  "{\"sizes\":{\"size\":[{\"label\":\"Original\",\"media\":\"photo\"},"
	  "{\"label\":\"Small\",\"width\":240,\"height\":150,\"source\":\"S\",\"media\":\"photo\"}]}}",
	  1, "Small" },
	{ "an empty source is no file",
	  "{\"sizes\":{\"size\":[{\"label\":\"Original\",\"source\":\"\",\"media\":\"photo\"},"
	  "{\"label\":\"Video Original\",\"source\":\"\"}]}}",
	  0, NULL },
	{ "only videos", "{\"sizes\":{\"size\":[{\"label\":\"Video Original\",\"width\":1280,"
	  "\"height\":720,\"source\":\"VO\",\"media\":\"video\"}]}}", 0, NULL },
	{ "empty list", "{\"sizes\":{\"size\":[]}}", 0, NULL },
	{ "no sizes", "{\"stat\":\"ok\"}", 0, NULL },
	{ NULL, NULL, 0, NULL },
};

static void test_sizes_table(void **state)
{
	(void)state;
	for (const struct sizes_case *c = sizes_cases; c->name; c++) {
		json_t *resp = ut_json(c->resp);
		struct media_source m = { 0 };

		print_message("%s\n", c->name);
		assert_int_equal(media_pick_from_sizes(resp, &m), c->found);
		if (c->found)
			assert_string_equal(m.label, c->label);
		media_source_release(&m);
		json_decref(resp);
	}
	{
		struct media_source m = { 0 };

		assert_int_equal(media_pick_from_sizes(NULL, &m), 0);
	}
}

/* ---- photo candidates (when the first choice is refused) ----------------- */

static void test_photo_candidates_original_then_largest(void **state)
{
	json_t *doc = ut_load_sample("flickr.photos.getSizes.json");
	struct media_source *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(media_photo_candidates(doc, &v, &n), 0);
	assert_true(n > 2);
	assert_string_equal(v[0].label, "Original");
	assert_true(v[0].is_original);
	for (size_t i = 1; i < n; i++) {
		assert_false(v[i].is_original);
		/* largest first: never a bigger size after a smaller one */
		if (i > 1 && v[i].width > 0 && v[i - 1].width > 0)
			assert_true((long long)v[i].width * v[i].height <=
				    (long long)v[i - 1].width * v[i - 1].height);
	}
	media_sources_free(v, n);
	json_decref(doc);
}

static void test_photo_candidates_skip_video_entries(void **state)
{
	json_t *doc = ut_load_sample("flickr.photos.getSizes.video-owner-2016.json");
	struct media_source *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(media_photo_candidates(doc, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(v[i].url, "/play/"));
	media_sources_free(v, n);
	assert_int_equal(media_photo_candidates(NULL, &v, &n), 0);
	assert_int_equal(n, 0);
	json_decref(doc);
}

/* ---- video candidates --------------------------------------------------- */

static void check_candidates(const json_t *sizes, const json_t *streams,
			     const char *const *urls, size_t n_urls)
{
	struct media_source *v = NULL;
	size_t n = 99;

	assert_int_equal(media_video_candidates(sizes, streams, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		print_message("  %zu: %s (%s)\n", i, v[i].url, v[i].label);
	assert_int_equal(n, n_urls);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].url, urls[i]);
	media_sources_free(v, n);
}

static void test_video_candidates_owner_2016(void **state)
{
	json_t *doc = ut_load_sample("flickr.photos.getSizes.video-owner-2016.json");
	static const char *const expect[] = {
		"https://www.flickr.com/photos/philgyford/25743649964/play/orig/a0f8e31b68/",
		"https://www.flickr.com/photos/philgyford/25743649964/play/hd/a8bd5ddf59/",
		"https://www.flickr.com/photos/philgyford/25743649964/play/site/a8bd5ddf59/",
		"https://www.flickr.com/photos/philgyford/25743649964/play/mobile/a8bd5ddf59/",
	};
	struct media_source *v = NULL;
	size_t n = 0;

	(void)state;
	check_candidates(doc, NULL, expect, N_ELEMS(expect));
	assert_int_equal(media_video_candidates(doc, NULL, &v, &n), 0);
	assert_string_equal(v[0].label, "Video Original");
	assert_true(v[0].is_original);
	assert_false(v[1].is_original);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(v[i].url, ".swf")); /* the Flash player never */
	media_sources_free(v, n);
	json_decref(doc);
}

static void test_video_candidates_with_streams(void **state)
{
	json_t *sizes = ut_json(
		"{\"sizes\":{\"size\":["
		"{\"label\":\"Medium\",\"width\":500,\"height\":281,\"source\":\"P\",\"media\":\"photo\"},"
		"{\"label\":\"Video Player\",\"width\":640,\"height\":360,\"source\":\"https://x/player\",\"media\":\"video\"},"
		"{\"label\":\"700\",\"width\":\"\",\"height\":\"\",\"source\":\"U700\",\"media\":\"video\"},"
		"{\"label\":\"Video Original\",\"width\":1280,\"height\":720,\"source\":\"VO\",\"media\":\"video\"}]}}");
	json_t *streams = ut_json(
		"{\"streams\":{\"stream\":["
		"{\"type\":\"iphone_wifi\",\"_content\":\"UI\"},"
		"{\"type\":\"700\",\"_content\":\"U700\"},"
		"{\"type\":\"1080p\",\"_content\":\"U1080\"},"
		"{\"type\":\"orig\",\"_content\":\"UO\"}]}}");
	static const char *const expect[] = { "VO", "UO", "U1080", "U700", "UI" };

	(void)state;
	/* duplicates (U700) appear once; photo entries and the player never */
	check_candidates(sizes, streams, expect, N_ELEMS(expect));
	json_decref(sizes);
	json_decref(streams);
}

static void test_video_candidates_streams_only(void **state)
{
	json_t *streams = ut_json(
		"{\"streams\":{\"stream\":["
		"{\"type\":300,\"_content\":\"U300\"},"
		"{\"type\":\"iphone_wifi\",\"_content\":\"UI\"},"
		"{\"type\":\"700\",\"_content\":\"https://live.staticflickr.com/video/1/s/700.mp4?s=a\"},"
		"{\"type\":\"100\",\"_content\":\"\"}]}}");
	static const char *const expect[] = {
		"https://live.staticflickr.com/video/1/s/700.mp4?s=a", "U300", "UI",
	};

	(void)state;
	/* a numeric type ranks like its text ("300" before iphone_wifi); an empty URL
	 * is dropped */
	check_candidates(NULL, streams, expect, N_ELEMS(expect));
	json_decref(streams);
}

static void test_video_candidates_lone_stream_object(void **state)
{
	json_t *streams = ut_json("{\"streams\":{\"stream\":{\"type\":\"700\",\"_content\":\"U\"}}}");
	static const char *const expect[] = { "U" };

	(void)state;
	check_candidates(NULL, streams, expect, N_ELEMS(expect));
	json_decref(streams);
}

static void test_video_candidates_exclude_flash(void **state)
{
	json_t *sizes = ut_json(
		"{\"sizes\":{\"size\":["
		"{\"label\":\"Video Player\",\"source\":\"https://www.flickr.com/apps/video/stewart.swf?v=1\",\"media\":\"video\"},"
		"{\"label\":\"video player\",\"source\":\"https://x/y\",\"media\":\"video\"},"
		"{\"label\":\"Site MP4\",\"source\":\"https://x/player.SWF?a=1\",\"media\":\"video\"},"
		"{\"label\":\"Mobile MP4\",\"source\":\"https://x/play/mobile/s/\",\"media\":\"video\"}]}}");
	static const char *const expect[] = { "https://x/play/mobile/s/" };

	(void)state;
	check_candidates(sizes, NULL, expect, N_ELEMS(expect));
	json_decref(sizes);
}

static void test_video_candidates_none(void **state)
{
	json_t *photo_sizes = ut_load_sample("flickr.photos.getSizes.json");

	(void)state;
	check_candidates(NULL, NULL, NULL, 0);
	check_candidates(photo_sizes, NULL, NULL, 0);
	json_decref(photo_sizes);
}

/* ---- extensions --------------------------------------------------------- */

static const unsigned char jpeg_head[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F' };
static const unsigned char png_head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const unsigned char gif_head[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0 };
static const unsigned char mp4_head[] = { 0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'm', 'p', '4', '2' };
static const unsigned char mov_head[] = { 0, 0, 0, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' ' };
static const unsigned char text_head[] = { 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o' };

struct ext_case {
	const char *name;
	const char *content_type;
	const char *filename;
	const char *url;
	const unsigned char *head;
	size_t head_len;
	const char *hint;
	const char *expect;
};

#define HEAD(h) h, sizeof(h)

static const struct ext_case ext_cases[] = {
	{ "content type", "image/jpeg", NULL, NULL, NULL, 0, NULL, "jpg" },
	{ "content type with params", "image/png; charset=binary", NULL, NULL, NULL, 0, NULL, "png" },
	{ "content type case", "Video/MP4", NULL, NULL, NULL, 0, NULL, "mp4" },
	{ "quicktime", "video/quicktime", NULL, NULL, NULL, 0, NULL, "mov" },
	{ "content type beats the rest", "video/mp4", "x.mov", "http://h/a.avi", HEAD(png_head), "jpg", "mp4" },
	{ "disposition file name", "application/octet-stream", "26348530105.mov",
	  "https://www.flickr.com/photos/u/1/play/orig/s/", HEAD(mp4_head), NULL, "mov" },
	{ "disposition beats url", NULL, "a.png", "http://h/b.jpg", NULL, 0, NULL, "png" },
	{ "disposition name is canonicalised", NULL, "IMG_1.JPEG", NULL, NULL, 0, NULL, "jpg" },
	{ "url with query string", NULL, NULL,
	  "https://live.staticflickr.com/video/52713899383/51dfffef79/1080p.mp4?s=eyJpIjo.x", NULL, 0,
	  NULL, "mp4" },
	{ "photo url", "", NULL, "http://farm3.staticflickr.com/2822/10115956703_e40de5bf26_o.jpg",
	  NULL, 0, NULL, "jpg" },
	{ "host dots are not an extension", NULL, NULL, "https://www.flickr.com", HEAD(gif_head), NULL, "gif" },
	{ "magic jpeg", NULL, NULL, "https://www.flickr.com/photos/u/1/play/orig/s/", HEAD(jpeg_head), NULL, "jpg" },
	{ "magic png", "application/octet-stream", NULL, NULL, HEAD(png_head), NULL, "png" },
	{ "magic gif", NULL, NULL, NULL, HEAD(gif_head), NULL, "gif" },
	{ "magic mp4", NULL, NULL, NULL, HEAD(mp4_head), NULL, "mp4" },
	{ "magic mov", NULL, NULL, NULL, HEAD(mov_head), NULL, "mov" },
	{ "short head is not magic", NULL, NULL, NULL, mp4_head, 8, "jpeg", "jpg" },
	{ "hint last", NULL, NULL, NULL, HEAD(text_head), "jpeg", "jpg" },
	{ "hint canonicalised", NULL, NULL, NULL, NULL, 0, "TIFF", "tif" },
	{ "disallowed everywhere", "text/html", "evil.php", "http://h/x.exe", HEAD(text_head), "sh", NULL },
	{ "disallowed name skipped", NULL, "evil.php", "http://h/ok.png?x=1", NULL, 0, NULL, "png" },
	{ "disallowed url skipped", NULL, NULL, "http://h/x.exe", HEAD(gif_head), NULL, "gif" },
	{ "path traversal in a name", NULL, "../../x.jpg/../evil.sh", NULL, NULL, 0, NULL, NULL },
	{ "nothing known", NULL, NULL, NULL, NULL, 0, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL },
};

static void test_ext_for_table(void **state)
{
	(void)state;
	for (const struct ext_case *c = ext_cases; c->name; c++) {
		const char *got = media_ext_for(c->content_type, c->filename, c->url, c->head,
						c->head_len, c->hint);

		print_message("%s -> %s\n", c->name, got ? got : "(null)");
		if (c->expect)
			assert_string_equal(got, c->expect);
		else
			assert_null(got);
	}
}

struct html_case {
	const char *content_type;
	const char *head;
	int html;
};

static const struct html_case html_cases[] = {
	{ "text/html; charset=utf-8", "", 1 },
	{ "TEXT/HTML", "\xff\xd8\xff", 1 },
	{ "application/xhtml+xml", "", 1 },
	{ NULL, "<!DOCTYPE html><html>", 1 },
	{ NULL, "  \r\n\t<html lang=en>", 1 },
	{ "image/jpeg", "<!doctype html>", 1 },   /* the body wins over the header */
	{ "application/octet-stream", "<HTML>", 1 },
	{ "image/jpeg", "\xff\xd8\xff\xe0", 0 },
	{ "video/mp4", "", 0 },
	{ NULL, "<?xml version=\"1.0\"?>", 0 },
	{ NULL, "<htm", 0 },                      /* too short to tell */
	{ NULL, "    ", 0 },
	{ NULL, "", 0 },
	{ "text/plain", "hello", 0 },
	{ NULL, NULL, -1 },
};

typedef int (*page_test_fn)(const char *, const unsigned char *, size_t);

static void check_cases(const struct html_case *cases, page_test_fn is_page)
{
	for (const struct html_case *c = cases; c->html >= 0; c++) {
		print_message("'%s' '%s'\n", c->content_type ? c->content_type : "(null)", c->head);
		assert_int_equal(is_page(c->content_type, (const unsigned char *)c->head,
					 strlen(c->head)) != 0, c->html);
	}
	assert_false(is_page(NULL, NULL, 0));
}

static void test_is_html_table(void **state)
{
	(void)state;
	check_cases(html_cases, media_is_html);
}

static const struct html_case page_cases[] = {
	{ "text/html; charset=utf-8", "", 1 },
	{ NULL, "<!DOCTYPE html><html>", 1 },
	{ "application/json; charset=utf-8", "{\"stat\":\"fail\"", 1 },
	{ "text/plain", "hello", 1 },
	{ "Application/XML", "<?xml", 1 },
	{ "application/problem+json", "{}", 1 },
	{ "application/javascript", "jsonFlickrApi(", 1 },
	{ "image/png", "\x89PNG", 0 },
	{ "video/quicktime", "", 0 },
	{ "application/octet-stream", "\xff\xd8\xff", 0 },
	{ NULL, "\xff\xd8\xff", 0 },
	{ NULL, NULL, -1 },
};

static void test_is_page_table(void **state)
{
	(void)state;
	check_cases(page_cases, media_is_page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing_prefers_url_o),
		cmocka_unit_test(test_listing_table),
		cmocka_unit_test(test_sizes_from_listing),
		cmocka_unit_test(test_sizes_prefers_original),
		cmocka_unit_test(test_sizes_of_a_video_pick_the_photo_frame),
		cmocka_unit_test(test_sizes_table),
		cmocka_unit_test(test_video_candidates_owner_2016),
		cmocka_unit_test(test_video_candidates_with_streams),
		cmocka_unit_test(test_video_candidates_streams_only),
		cmocka_unit_test(test_video_candidates_lone_stream_object),
		cmocka_unit_test(test_video_candidates_exclude_flash),
		cmocka_unit_test(test_video_candidates_none),
		cmocka_unit_test(test_photo_candidates_original_then_largest),
		cmocka_unit_test(test_photo_candidates_skip_video_entries),
		cmocka_unit_test(test_ext_for_table),
		cmocka_unit_test(test_is_html_table),
		cmocka_unit_test(test_is_page_table),
	};

	return cmocka_run_group_tests_name("media", tests, NULL, NULL);
}
