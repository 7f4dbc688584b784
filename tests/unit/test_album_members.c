/* album_members: each photo's albums from album-by-album listings. */
#include "unit.h"

#include "album_members.h"

static void assert_json(json_t *got, const char *want_text)
{
	json_t *want = ut_json(want_text);
	char *s = got ? json_dumps(got, JSON_COMPACT) : NULL;

	if (!got || !json_equal(got, want))
		fail_msg("got %s, want %s", s ? s : "NULL", want_text);
	free(s);
	json_decref(want);
	json_decref(got);
}

static const char *const photos[] = { "30", "4", "30", "1000", "4", "4" };

static void test_photos_get_their_albums_in_album_order(void **state)
{
	json_t *albums = ut_json("[{\"id\":\"721\",\"title\":\"Ella\",\"photo_ids\":[]},"
				 "{\"id\":\"722\",\"title\":\"Caf\\u00e9\"},"
				 "{\"id\":\"723\",\"title\":\"\"}]");
	struct album_members m = ALBUM_MEMBERS_INIT;
	/* album 2 lists 30 and 4 (twice), album 0 lists 4, album 1 lists 30 and 1000 */
	const size_t album_of[] = { 2, 2, 1, 1, 0, 2 };
	json_t *got;

	(void)state;
	for (size_t i = 0; i < sizeof(photos) / sizeof(photos[0]); i++)
		assert_int_equal(album_members_add(&m, photos[i], album_of[i]), 0);
	album_members_sort(&m);
	got = album_members_of(&m, "4", albums);
	assert_json(got, "[{\"id\":\"721\",\"title\":\"Ella\"},"
			 "{\"id\":\"723\",\"title\":\"\"}]");
	got = album_members_of(&m, "30", albums);
	assert_json(got, "[{\"id\":\"722\",\"title\":\"Caf\\u00e9\"},"
			 "{\"id\":\"723\",\"title\":\"\"}]");
	got = album_members_of(&m, "1000", albums);
	assert_json(got, "[{\"id\":\"722\",\"title\":\"Caf\\u00e9\"}]");
	assert_null(album_members_of(&m, "3", albums));
	assert_null(album_members_of(&m, "100", albums));
	assert_null(album_members_of(&m, NULL, albums));
	album_members_release(&m);
	assert_null(album_members_of(&m, "4", albums));
	json_decref(albums);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_photos_get_their_albums_in_album_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
