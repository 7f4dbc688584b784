/*
 * test_avatar.c: which NSIDs may name a file, which icon a users_cache.json
 * record names, and what a run with nothing to download records.  Downloads
 * are tested end to end (tests/e2e/test_avatars.py).
 */
#include "unit.h"

#include "avatar.h"
#include "record.h"

static void test_valid_nsid(void **state)
{
	static const char *const good[] = {
		"12345678@N00", "48600090482@N01", "1@N1", "12345678901234567890@N0000",
	};
	static const char *const bad[] = {
		"", "../x", "a/b", "x", "12345678@N00/../y", "12345678@n00", "@N00", "12345678@N",
		"12345678N00", "12345678@@N00", "123456789012345678901@N00", "12345678@N00000",
		"12345678@N00.jpg", " 12345678@N00", "12345678@N00 ", "12345678@N00\n", ".",
		"..", "-1@N00", "+1@N00", "12345678@N-1",
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(good); i++)
		assert_true(avatar_valid_nsid(good[i]));
	for (size_t i = 0; i < N_ELEMS(bad); i++)
		if (avatar_valid_nsid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(avatar_valid_nsid(NULL));
}

static void test_icon_of(void **state)
{
	static const struct {
		const char *record;
		const char *nsid;
		int want;           /* 1 icon, 0 default, FA_EPARSE */
		const char *server; /* for 1 */
		long long farm;
	} cases[] = {
		{ "{\"iconserver\":\"7372\",\"iconfarm\":8}", "48600090482@N01", 1, "7372", 8 },
		{ "{\"iconserver\":7372,\"iconfarm\":\"8\"}", "48600090482@N01", 1, "7372", 8 },
		{ "{\"iconserver\":\"65535\"}", "1@N00", 1, "65535", 0 },
		{ "{\"iconserver\":\"0\",\"iconfarm\":0}", "1@N00", 0, NULL, 0 },
		{ "{\"iconserver\":\"000\"}", "1@N00", 0, NULL, 0 },
		{ "{\"iconserver\":\"\"}", "1@N00", 0, NULL, 0 },
		{ "{}", "1@N00", 0, NULL, 0 },
		{ "{\"iconserver\":null,\"avatar_url\":null}", "1@N00", 0, NULL, 0 },
		{ "{\"iconserver\":\"1/../x\"}", "1@N00", FA_EPARSE, NULL, 0 },
		{ "{\"iconserver\":\"-7\"}", "1@N00", FA_EPARSE, NULL, 0 },
		{ "{\"iconserver\":\"12345678901\"}", "1@N00", FA_EPARSE, NULL, 0 },
		{ "{\"iconserver\":\"7\",\"iconfarm\":-1}", "1@N00", FA_EPARSE, NULL, 0 },
		{ "{\"iconserver\":\"7\",\"iconfarm\":10000}", "1@N00", FA_EPARSE, NULL, 0 },
		{ "{\"iconserver\":[7]}", "1@N00", 0, NULL, 0 },
		/* owners and tagged people keep only the URL record_avatar_url() built */
		{ "{\"avatar_url\":\"https://farm5.staticflickr.com/4521/buddyicons/61728349@N02.jpg\"}",
		  "61728349@N02", 1, "4521", 5 },
		{ "{\"iconserver\":null,\"avatar_url\":"
		  "\"https://farm5.staticflickr.com/4521/buddyicons/61728349@N02.jpg\"}",
		  "61728349@N02", 1, "4521", 5 },
		{ "{\"avatar_url\":\"https://farm5.staticflickr.com/4521/buddyicons/61728349@N02.jpg\"}",
		  "61728349@N0", 0, NULL, 0 },
		{ "{\"avatar_url\":\"https://farm5.staticflickr.com/4521/buddyicons/61728349@N02.jpgx\"}",
		  "61728349@N02", 0, NULL, 0 },
		{ "{\"avatar_url\":\"https://www.flickr.com/images/buddyicon.gif\"}", "1@N00", 0, NULL,
		  0 },
		{ "{\"avatar_url\":\"https://farm5.evil.example/4521/buddyicons/1@N00.jpg\"}", "1@N00",
		  0, NULL, 0 },
		{ "{\"avatar_url\":\"https://farm-5.staticflickr.com/4521/buddyicons/1@N00.jpg\"}",
		  "1@N00", FA_EPARSE, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		json_t *rec = ut_json(cases[i].record);
		char server[16] = "";
		long long farm = -1;
		int got = avatar_icon_of(rec, cases[i].nsid, server, &farm);

		if (got != cases[i].want)
			fail_msg("%s: %d, not %d", cases[i].record, got, cases[i].want);
		if (got == 1) {
			assert_string_equal(server, cases[i].server);
			assert_int_equal(farm, cases[i].farm);
		}
		json_decref(rec);
	}
}

/* The URL an icon is fetched from: record_avatar_url() reads what avatar_icon_of() gives. */
static void test_icon_url_round_trip(void **state)
{
	json_t *rec = ut_json("{\"iconserver\":\"3310\",\"iconfarm\":4}");
	char server[16];
	long long farm;
	char *url;

	(void)state;
	assert_int_equal(avatar_icon_of(rec, "12846301@N03", server, &farm), 1);
	url = record_avatar_url(farm, server, "12846301@N03");
	assert_string_equal(url, "https://farm4.staticflickr.com/3310/buddyicons/12846301@N03.jpg");
	json_decref(rec);
	rec = json_pack("{ss}", "avatar_url", url);
	assert_int_equal(avatar_icon_of(rec, "12846301@N03", server, &farm), 1);
	assert_string_equal(server, "3310");
	assert_int_equal(farm, 4);
	json_decref(rec);
	free(url);
}

/* A run where every icon is current or the default downloads nothing and touches no network. */
static void test_nothing_to_fetch(void **state)
{
	const char *root = *state;
	struct store store = { (char *)root };
	struct avatar_ctx ctx = { NULL, &store, NULL, 1, NULL }; /* no HTTP client: none may be used */
	struct avatar_result res = { 0 };
	char *dir = ut_join(root, STORE_AVATARS_DIR);
	char *icon = ut_join(dir, "48600090482@N01.jpg");
	json_t *users = ut_json(
		"{\"48600090482@N01\":{\"iconserver\":\"7372\",\"iconfarm\":8,"
		"\"avatar\":\"avatars/48600090482@N01.jpg\",\"avatar_iconserver\":\"7372\"},"
		"\"35571982@N05\":{\"iconserver\":\"0\",\"iconfarm\":0},"
		"\"51150032@N04\":{\"iconserver\":\"0\",\"avatar\":\"avatars/51150032@N04.jpg\","
		"\"avatar_iconserver\":\"12\"},"
		"\"../x\":{\"iconserver\":\"7\"},"
		"\"1@N00\":{\"iconserver\":\"../7\"},"
		"\"2@N00\":[]}");
	char *leftover = ut_join(dir, ".1@N00.jpg.tmp-AbC123");

	assert_int_equal(mkdir(dir, 0755), 0);
	ut_write_str(icon, "\xff\xd8\xff icon");
	ut_write_str(leftover, "half");
	assert_int_equal(avatar_sync(&ctx, users, &res, NULL), 0);
	assert_int_equal(res.people, 3);
	assert_int_equal(res.archived, 2); /* the closed account keeps its icon */
	assert_int_equal(res.fetched, 0);
	assert_int_equal(res.default_icon, 2);
	assert_int_equal(res.invalid, 3);
	assert_int_equal(res.postponed, 0);
	assert_int_equal(json_array_size(res.failed), 0);
	assert_true(json_is_false(json_object_get(json_object_get(users, "48600090482@N01"),
						  "avatar_default")));
	assert_true(json_is_true(json_object_get(json_object_get(users, "35571982@N05"),
						 "avatar_default")));
	assert_true(json_is_true(json_object_get(json_object_get(users, "51150032@N04"),
						 "avatar_default")));
	assert_string_equal(jstr(json_object_get(users, "51150032@N04"), "avatar"),
			    "avatars/51150032@N04.jpg");
	assert_null(json_object_get(json_object_get(users, "../x"), "avatar_default"));
	assert_null(json_object_get(json_object_get(users, "1@N00"), "avatar_default"));
	assert_int_equal(access(leftover, F_OK), -1); /* a killed run's temporary is swept */
	assert_int_equal(ut_count_entries(dir), 1);
	avatar_result_release(&res);
	assert_null(res.failed);
	json_decref(users);
	free(leftover);
	free(icon);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_nsid),
		cmocka_unit_test(test_icon_of),
		cmocka_unit_test(test_icon_url_round_trip),
		cmocka_unit_test_setup_teardown(test_nothing_to_fetch, ut_setup_tmpdir,
						ut_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("avatar", tests, NULL, NULL);
}
