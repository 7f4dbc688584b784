/*
 * test_record.c: Flickr responses -> the archive's records, checked on the
 * real samples (tests/unit/data, from shared/flickr-api/samples).
 */
#include "unit.h"

#include "record.h"

#define JANKO_NSID "78733179@N04"

static json_t *listing_photo(json_t *getphotos, size_t i)
{
	json_t *p = jlist_at(json_object_get(jobj(getphotos, "photos"), "photo"), i);

	assert_non_null(p);
	return p;
}

static void assert_iso_shape(const char *s)
{
	/* YYYY-MM-DDTHH:MM:SSZ */
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

	assert_non_null(s);
	assert_int_equal(strlen(s), 20);
	for (size_t i = 0; i < 20; i++) {
		if (shape[i] == 'd')
			assert_true(s[i] >= '0' && s[i] <= '9');
		else
			assert_int_equal(s[i], shape[i]);
	}
}

/* ---- metadata.json ------------------------------------------------------ */

struct md_fixture {
	json_t *info_doc;
	json_t *photos_doc;
	json_t *albums;
	json_t *m;
};

static int setup_metadata(void **state)
{
	struct md_fixture *f = calloc(1, sizeof(*f));
	struct record_input in = { 0 };

	f->info_doc = ut_load_sample("flickr.photos.getInfo.json");
	f->photos_doc = ut_load_sample("flickr.people.getPhotos.json");
	f->albums = ut_json("[{\"id\":\"72157677634567890\",\"title\":\"California Sunsets\"}]");
	in.kind = STORE_MY;
	in.listing = listing_photo(f->photos_doc, 1); /* the same photo, 8130464513 */
	in.info = jobj(f->info_doc, "photo");
	in.albums = f->albums;
	in.people = NULL;
	in.count_faves = 2;
	in.archived_at = 1609459200;
	f->m = record_metadata(&in);
	*state = f;
	return f->m ? 0 : -1;
}

static int teardown_metadata(void **state)
{
	struct md_fixture *f = *state;

	json_decref(f->m);
	json_decref(f->albums);
	json_decref(f->photos_doc);
	json_decref(f->info_doc);
	free(f);
	return 0;
}

static void test_metadata_original_keys_and_types(void **state)
{
	struct md_fixture *f = *state;
	const json_t *m = f->m;
	static const char *const keys[] = {
		"id", "title", "description", "date_uploaded", "date_uploaded_formatted",
		"date_taken", "tags", "views", "location", "albums", "media",
	};

	for (size_t i = 0; i < N_ELEMS(keys); i++) {
		print_message("key %s\n", keys[i]);
		assert_non_null(json_object_get(m, keys[i]));
	}
	assert_string_equal(jstr(m, "id"), "8130464513");
	assert_string_equal(jstr(m, "title"), "Hana");      /* getInfo wins over the listing */
	assert_string_equal(jstr(m, "description"), "");
	/* "posted":"2013" is real (setDates); it stays a string of unix seconds */
	assert_string_equal(jstr(m, "date_uploaded"), "2013");
	assert_string_equal(jstr(m, "date_uploaded_formatted"), "1970-01-01T00:33:33Z");
	assert_string_equal(jstr(m, "date_taken"), "2012-10-28 11:32:03");
	assert_true(json_is_integer(json_object_get(m, "views"))); /* "views":"3" */
	assert_true(json_integer_value(json_object_get(m, "views")) == 3);
	assert_string_equal(jstr(m, "media"), "photo");
	assert_true(json_equal(json_object_get(m, "albums"), f->albums));
}

static void test_metadata_tags_are_raw_strings(void **state)
{
	struct md_fixture *f = *state;
	const json_t *tags = json_object_get(f->m, "tags");

	assert_true(json_is_array(tags));
	assert_int_equal(json_array_size(tags), 1);
	assert_true(json_is_string(json_array_get(tags, 0)));
	assert_string_equal(json_string_value(json_array_get(tags, 0)), "foo");
}

static void test_metadata_location(void **state)
{
	struct md_fixture *f = *state;
	const json_t *loc = jobj(f->m, "location");

	assert_non_null(loc);
	assert_true(json_is_number(json_object_get(loc, "latitude")));
	assert_true(json_is_number(json_object_get(loc, "longitude")));
	assert_float_equal(json_number_value(json_object_get(loc, "latitude")), 44.375, 1e-9);
	assert_float_equal(json_number_value(json_object_get(loc, "longitude")), 14.78194, 1e-9);
	/* place names keep Flickr's {"_content": ...} shape, like the original tool */
	assert_string_equal(jstr(jobj(loc, "locality"), "_content"), "Ulbo");
	assert_string_equal(jstr(jobj(loc, "country"), "_content"), "Croatia");
	assert_string_equal(jstr(jobj(loc, "region"), "_content"), "Zadarsko-Kninska");
}

static void test_metadata_additions(void **state)
{
	struct md_fixture *f = *state;
	const json_t *m = f->m;
	const json_t *owner = jobj(m, "owner");
	const json_t *notes = json_object_get(m, "notes");

	assert_string_equal(jstr(jobj(m, "visibility"), "label"), "public");
	assert_true(json_is_true(json_object_get(jobj(m, "visibility"), "public")));
	assert_true(jint_or(m, "count_faves", -1) == 2);
	assert_true(jint_or(m, "count_comments", -1) == 0);
	assert_string_equal(jstr(m, "archived_at"), "2021-01-01T00:00:00Z");
	assert_string_equal(jstr(m, "last_update_formatted"), "2013-09-18T14:41:01Z");
	assert_string_equal(jstr(m, "original_format"), "jpg");
	assert_true(jint_or(jobj(m, "license"), "id", -1) == 0);
	assert_string_equal(jstr(jobj(m, "license"), "name"), "All Rights Reserved");
	assert_string_equal(jstr(owner, "nsid"), JANKO_NSID);
	assert_string_equal(jstr(owner, "display_name"), "Janko Marohni\xc4\x87");
	assert_string_equal(jstr(owner, "avatar_url"),
			    "https://farm9.staticflickr.com/8033/buddyicons/" JANKO_NSID ".jpg");
	/* "path_alias":null: the profile falls back to the NSID */
	assert_string_equal(jstr(owner, "profile_url"), "https://www.flickr.com/people/" JANKO_NSID "/");
	assert_int_equal(json_array_size(notes), 1);
	assert_string_equal(jstr(json_array_get(notes, 0), "text"), "foo");
	assert_true(jint_or(json_array_get(notes, 0), "x", -1) == 14);
	assert_string_equal(jstr(jobj(m, "urls"), "photopage"),
			    "http://www.flickr.com/photos/" JANKO_NSID "/8130464513/");
}

static void test_metadata_from_listing_only(void **state)
{
	json_t *doc = ut_load_sample("flickr.people.getPhotos.json");
	struct record_input in = { 0 };
	json_t *m, *tags, *loc;

	(void)state;
	in.kind = STORE_MY;
	in.listing = listing_photo(doc, 0);
	in.count_faves = -1;
	in.archived_at = 0;
	m = record_metadata(&in);
	assert_non_null(m);
	assert_string_equal(jstr(m, "id"), "10115956703");
	assert_string_equal(jstr(m, "title"), "Jon Snow");
	assert_string_equal(jstr(m, "description"), "It's a photo");
	assert_string_equal(jstr(m, "date_uploaded"), "1381061206");
	assert_string_equal(jstr(m, "date_uploaded_formatted"), "2013-10-06T12:06:46Z");
	assert_iso_shape(jstr(m, "date_uploaded_formatted"));
	assert_string_equal(jstr(m, "date_taken"), "2013-10-06 14:06:41");
	tags = json_object_get(m, "tags");
	assert_int_equal(json_array_size(tags), 2); /* "foo vision:night=077" */
	assert_string_equal(json_string_value(json_array_get(tags, 0)), "foo");
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "vision:night=077");
	assert_true(json_is_integer(json_object_get(m, "views")));
	assert_true(json_integer_value(json_object_get(m, "views")) == 0);
	loc = jobj(m, "location");
	assert_non_null(loc);
	assert_float_equal(json_number_value(json_object_get(loc, "latitude")), 45.807258, 1e-9);
	assert_true(json_is_array(json_object_get(m, "albums")));
	assert_int_equal(json_array_size(json_object_get(m, "albums")), 0);
	assert_null(json_object_get(m, "count_faves"));
	assert_string_equal(jstr(jobj(m, "owner"), "display_name"), "@janko-m");
	assert_string_equal(jstr(m, "archived_at"), "1970-01-01T00:00:00Z");
	json_decref(m);
	json_decref(doc);
}

struct location_case {
	const char *name;
	const char *listing;
	const char *info; /* NULL: no getInfo */
	int geotagged;
};

static const struct location_case location_cases[] = {
	{ "listing 0/0 is not geotagged",
	  "{\"id\":\"1\",\"latitude\":0,\"longitude\":0,\"accuracy\":0}", NULL, 0 },
	{ "no geo extras", "{\"id\":\"1\"}", NULL, 0 },
	{ "info without location", "{\"id\":\"1\"}", "{\"id\":\"1\",\"title\":{\"_content\":\"t\"}}", 0 },
	{ "info location 0/0", "{\"id\":\"1\"}",
	  "{\"id\":\"1\",\"location\":{\"latitude\":0,\"longitude\":0}}", 0 },
	{ "latitude as string", "{\"id\":\"1\",\"latitude\":\"37.789899\",\"longitude\":\"-122.4\"}",
	  NULL, 1 },
	{ "on the equator", "{\"id\":\"1\",\"latitude\":0,\"longitude\":12.5}", NULL, 1 },
	{ NULL, NULL, NULL, 0 },
};

static void test_metadata_location_table(void **state)
{
	(void)state;
	for (const struct location_case *c = location_cases; c->name; c++) {
		json_t *listing = ut_json(c->listing);
		json_t *info = c->info ? ut_json(c->info) : NULL;
		struct record_input in = { 0 };
		json_t *m;

		print_message("%s\n", c->name);
		in.kind = STORE_MY;
		in.listing = listing;
		in.info = info;
		in.count_faves = -1;
		m = record_metadata(&in);
		assert_non_null(json_object_get(m, "location")); /* the key is always there */
		if (c->geotagged)
			assert_true(json_is_number(json_object_get(jobj(m, "location"), "latitude")));
		else
			assert_true(json_is_null(json_object_get(m, "location")));
		json_decref(m);
		json_decref(info);
		json_decref(listing);
	}
}

struct vis_case {
	const char *flags;
	const char *label;
};

static const struct vis_case vis_cases[] = {
	{ "\"ispublic\":1,\"isfriend\":0,\"isfamily\":0", "public" },
	{ "\"ispublic\":\"1\",\"isfriend\":\"1\",\"isfamily\":\"1\"", "public" },
	{ "\"ispublic\":0,\"isfriend\":1,\"isfamily\":1", "friends & family" },
	{ "\"ispublic\":\"0\",\"isfriend\":\"1\",\"isfamily\":\"0\"", "friends" },
	{ "\"ispublic\":false,\"isfriend\":false,\"isfamily\":true", "family" },
	{ "\"ispublic\":0,\"isfriend\":0,\"isfamily\":0", "private" },
	{ "\"ispublic\":\"\"", "private" },
	{ NULL, NULL },
};

static void test_metadata_visibility_labels(void **state)
{
	(void)state;
	for (const struct vis_case *c = vis_cases; c->flags; c++) {
		char text[256];
		json_t *info, *listing;
		struct record_input in = { 0 };
		json_t *m;

		/* from getInfo's visibility object, and from listing flags alike */
		snprintf(text, sizeof(text), "{\"id\":\"1\",\"visibility\":{%s}}", c->flags);
		info = ut_json(text);
		snprintf(text, sizeof(text), "{\"id\":\"1\",%s}", c->flags);
		listing = ut_json(text);
		in.kind = STORE_MY;
		in.listing = listing;
		in.info = info;
		in.count_faves = -1;
		m = record_metadata(&in);
		print_message("%s\n", c->flags);
		assert_string_equal(jstr(jobj(m, "visibility"), "label"), c->label);
		json_decref(m);
		in.info = NULL;
		m = record_metadata(&in);
		assert_string_equal(jstr(jobj(m, "visibility"), "label"), c->label);
		json_decref(m);
		json_decref(info);
		json_decref(listing);
	}
}

static void test_metadata_favorite(void **state)
{
	json_t *listing = ut_json(
		"{\"id\":\"13246387263\",\"owner\":\"42961457@N04\",\"title\":\"\","
		"\"ispublic\":1,\"isfriend\":0,\"isfamily\":0,\"license\":0,"
		"\"description\":{\"_content\":\"Civic Center | San Francisco\"},"
		"\"dateupload\":\"1395161051\",\"datetaken\":\"2014-03-18 09:43:39\","
		"\"ownername\":\"Troy Holden\",\"iconserver\":\"3833\",\"iconfarm\":4,"
		"\"views\":\"12405\",\"tags\":\"sanfrancisco civiccenter\",\"date_faved\":\"1402501796\","
		"\"latitude\":0,\"longitude\":0,\"media\":\"photo\",\"pathalias\":\"troyholden\"}");
	struct record_input in = { 0 };
	json_t *m, *entry;

	(void)state;
	in.kind = STORE_FAV;
	in.listing = listing;
	in.count_faves = -1;
	m = record_metadata(&in);
	assert_string_equal(jstr(m, "date_faved"), "1402501796");
	assert_string_equal(jstr(m, "date_faved_formatted"), "2014-06-11T15:49:56Z");
	assert_string_equal(jstr(m, "title"), "");
	assert_string_equal(jstr(m, "description"), "Civic Center | San Francisco");
	assert_true(json_integer_value(json_object_get(m, "views")) == 12405);
	assert_true(json_is_null(json_object_get(m, "location")));
	assert_string_equal(jstr(jobj(m, "owner"), "profile_url"),
			    "https://www.flickr.com/people/troyholden/");
	assert_string_equal(jstr(jobj(m, "owner"), "avatar_url"),
			    "https://farm4.staticflickr.com/3833/buddyicons/42961457@N04.jpg");

	entry = record_index_entry(m, STORE_FAV);
	assert_string_equal(jstr(entry, "path"), "favorited_photos/13246387263");
	assert_string_equal(jstr(entry, "date_faved"), "1402501796");
	assert_string_equal(jstr(jobj(entry, "owner"), "nsid"), "42961457@N04");
	assert_string_equal(jstr(jobj(entry, "owner"), "display_name"), "Troy Holden");
	json_decref(entry);
	json_decref(m);
	json_decref(listing);
}

static void test_index_entry_my_photo(void **state)
{
	struct md_fixture *f = *state;
	json_t *e = record_index_entry(f->m, STORE_MY);

	assert_non_null(e);
	assert_string_equal(jstr(e, "id"), "8130464513");
	assert_string_equal(jstr(e, "title"), "Hana");
	assert_string_equal(jstr(e, "date_uploaded"), "2013");
	assert_string_equal(jstr(e, "date_taken"), "2012-10-28 11:32:03");
	assert_true(json_equal(json_object_get(e, "tags"), json_object_get(f->m, "tags")));
	assert_true(json_integer_value(json_object_get(e, "views")) == 3);
	assert_string_equal(jstr(e, "visibility"), "public");
	assert_string_equal(jstr(e, "path"), "my_photos/8130464513");
	assert_null(json_object_get(e, "owner"));  /* only favorites carry the owner */
	assert_null(json_object_get(e, "location")); /* the index stays small */
	json_decref(e);
}

/* ---- comments.json and favorites.json ----------------------------------- */

static void test_comments_jinx_2014(void **state)
{
	json_t *resp = ut_load_sample("flickr.photos.comments.getList.json");
	json_t *c = record_comments(resp);
	const json_t *x;

	(void)state;
	assert_true(json_is_array(c));
	assert_int_equal(json_array_size(c), 1);
	x = json_array_get(c, 0);
	assert_string_equal(jstr(x, "id"), "124834485-14276359614-72157645729023405");
	assert_string_equal(jstr(x, "author"), "124857539@N03");
	assert_string_equal(jstr(x, "author_name"), "jinxlib");
	assert_string_equal(jstr(x, "display_name"), "Jinx Library");
	assert_string_equal(jstr(x, "date_created"), "1405536548");
	assert_string_equal(jstr(x, "date_created_formatted"), "2014-07-16T18:49:08Z");
	assert_string_equal(jstr(x, "permalink"),
			    "https://www.flickr.com/photos/jinxlib/14276359614/#comment72157645729023405");
	assert_string_equal(jstr(x, "text"), "Edited comment.");
	assert_string_equal(jstr(x, "avatar_url"),
			    "https://farm6.staticflickr.com/5538/buddyicons/124857539@N03.jpg");
	assert_string_equal(jstr(x, "profile_url"), "https://www.flickr.com/people/jinxlib/");
	assert_true(json_is_boolean(json_object_get(x, "author_is_deleted")));
	assert_true(json_is_false(json_object_get(x, "author_is_deleted")));
	json_decref(c);
	json_decref(resp);
}

static void test_comments_2024_strings(void **state)
{
	/* every value a string: "iconfarm":"3", "author_is_deleted":"0", "realname":"" */
	json_t *resp = ut_load_sample("flickr.photos.comments.getList-2024.DERIVED.json");
	json_t *c = record_comments(resp);
	const json_t *x = json_array_get(c, 0);

	(void)state;
	assert_int_equal(json_array_size(c), 1);
	assert_string_equal(jstr(x, "author_name"), "pellethepoet");
	assert_string_equal(jstr(x, "display_name"), "pellethepoet");
	assert_string_equal(jstr(x, "avatar_url"),
			    "https://farm3.staticflickr.com/2683/buddyicons/47201412@N02.jpg");
	assert_true(json_is_false(json_object_get(x, "author_is_deleted")));
	assert_string_equal(jstr(x, "date_created_formatted"), "2018-05-13T14:20:40Z");
	assert_string_equal(jstr(x, "text"),
			    "[https://www.flickr.com/photos/pellethepoet/sets/72157693630234402]");
	json_decref(c);
	json_decref(resp);
}

struct comments_case {
	const char *resp;
	size_t n;
};

static const struct comments_case comments_cases[] = {
	{ "{\"comments\":{\"photo_id\":\"1\"},\"stat\":\"ok\"}", 0 },   /* no "comment" key */
	{ "{\"comments\":{\"photo_id\":\"1\",\"comment\":[]},\"stat\":\"ok\"}", 0 },
	{ "{\"comments\":{\"comment\":{\"id\":\"c1\",\"author\":\"1@N01\",\"_content\":\"x\"}}}", 1 },
	{ "{\"stat\":\"ok\"}", 0 },
	{ NULL, 0 },
};

static void test_comments_shapes(void **state)
{
	(void)state;
	for (const struct comments_case *c = comments_cases; c->resp; c++) {
		json_t *resp = ut_json(c->resp);
		json_t *out = record_comments(resp);

		assert_true(json_is_array(out));
		assert_int_equal(json_array_size(out), c->n);
		json_decref(out);
		json_decref(resp);
	}
	{
		json_t *out = record_comments(NULL);

		assert_true(json_is_array(out));
		assert_int_equal(json_array_size(out), 0);
		json_decref(out);
	}
}

static void test_comment_deleted_author_and_html(void **state)
{
	json_t *resp = ut_json(
		"{\"comments\":{\"comment\":[{\"id\":\"c\",\"author\":\"9@N09\","
		"\"author_is_deleted\":1,\"authorname\":\"gone\",\"iconserver\":\"0\","
		"\"iconfarm\":0,\"datecreate\":\"1609459200\","
		"\"_content\":\"<a href=\\\"x\\\">link</a>\\nline 2\"}]}}");
	json_t *c = record_comments(resp);
	const json_t *x = json_array_get(c, 0);

	(void)state;
	assert_true(json_is_true(json_object_get(x, "author_is_deleted")));
	assert_string_equal(jstr(x, "text"), "<a href=\"x\">link</a>\nline 2");
	assert_string_equal(jstr(x, "avatar_url"), "https://www.flickr.com/images/buddyicon.gif");
	assert_string_equal(jstr(x, "profile_url"), "https://www.flickr.com/people/9@N09/");
	assert_string_equal(jstr(x, "date_created_formatted"), "2021-01-01T00:00:00Z");
	json_decref(c);
	json_decref(resp);
}

static void test_fave_from_getfavorites(void **state)
{
	json_t *resp = ut_load_sample("flickr.photos.getFavorites.json");
	const json_t *person = jlist_at(json_object_get(jobj(resp, "photo"), "person"), 0);
	json_t *f = record_fave(person);

	(void)state;
	assert_non_null(f);
	assert_string_equal(jstr(f, "nsid"), "28087751@N06");
	assert_string_equal(jstr(f, "username"), "Freeze Time Digital");
	assert_string_equal(jstr(f, "realname"), "Jason Ogulnik");
	assert_string_equal(jstr(f, "display_name"), "Jason Ogulnik");
	assert_string_equal(jstr(f, "favedate"), "1401061945");
	assert_string_equal(jstr(f, "favedate_formatted"), "2014-05-25T23:52:25Z");
	assert_string_equal(jstr(f, "avatar_url"),
			    "https://farm6.staticflickr.com/5234/buddyicons/28087751@N06.jpg");
	assert_string_equal(jstr(f, "profile_url"), "https://www.flickr.com/people/28087751@N06/");
	json_decref(f);
	json_decref(resp);
}

static void test_user_from_comment_and_fave(void **state)
{
	json_t *resp = ut_load_sample("flickr.photos.comments.getList.json");
	json_t *comments = record_comments(resp);
	json_t *fave = ut_json("{\"nsid\":\"1@N01\",\"username\":\"u\",\"realname\":\"R\"}");
	json_t *u;

	(void)state;
	u = record_user_from(json_array_get(comments, 0));
	assert_string_equal(jstr(u, "nsid"), "124857539@N03");
	assert_string_equal(jstr(u, "username"), "jinxlib");
	assert_string_equal(jstr(u, "realname"), "Jinx Library");
	assert_string_equal(jstr(u, "profile_url"), "https://www.flickr.com/people/jinxlib/");
	assert_true(json_is_false(json_object_get(u, "is_deleted")));
	json_decref(u);
	u = record_user_from(fave);
	assert_string_equal(jstr(u, "nsid"), "1@N01");
	assert_string_equal(jstr(u, "username"), "u");
	json_decref(u);
	json_decref(fave);
	json_decref(comments);
	json_decref(resp);
}

/* ---- helpers ------------------------------------------------------------ */

struct avatar_case {
	long long farm;
	const char *server;
	const char *nsid;
	const char *url;
};

#define DEFAULT_ICON "https://www.flickr.com/images/buddyicon.gif"

static const struct avatar_case avatar_cases[] = {
	{ 9, "8033", JANKO_NSID, "https://farm9.staticflickr.com/8033/buddyicons/" JANKO_NSID ".jpg" },
	{ 66, "65535", "1@N01", "https://farm66.staticflickr.com/65535/buddyicons/1@N01.jpg" },
	{ 0, "0", "1@N01", DEFAULT_ICON },
	{ 5, "0", "1@N01", DEFAULT_ICON },
	{ 5, NULL, "1@N01", DEFAULT_ICON },
	{ 5, "", "1@N01", DEFAULT_ICON },
	{ 5, "123", NULL, DEFAULT_ICON },
	{ 5, "123", "", DEFAULT_ICON },
	{ 0, NULL, NULL, NULL },
};

static void test_avatar_url_table(void **state)
{
	(void)state;
	for (const struct avatar_case *c = avatar_cases; c->url; c++) {
		char *url = record_avatar_url(c->farm, c->server, c->nsid);

		assert_string_equal(url, c->url);
		free(url);
	}
}

static void test_profile_url_table(void **state)
{
	static const char *const cases[][3] = {
		{ "1@N01", "alias", "https://www.flickr.com/people/alias/" },
		{ "1@N01", NULL, "https://www.flickr.com/people/1@N01/" },
		{ "1@N01", "", "https://www.flickr.com/people/1@N01/" },
		{ NULL, "alias", "https://www.flickr.com/people/alias/" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char *url = record_profile_url(cases[i][0], cases[i][1]);

		assert_string_equal(url, cases[i][2]);
		free(url);
	}
	assert_null(record_profile_url(NULL, NULL));
	assert_null(record_profile_url("", ""));
}

static void test_display_name_table(void **state)
{
	static const char *const cases[][4] = {
		{ "Real Name", "user", "1@N01", "Real Name" },
		{ "", "user", "1@N01", "user" },
		{ NULL, "user", "1@N01", "user" },
		{ NULL, "", "1@N01", "1@N01" },
		{ NULL, NULL, "1@N01", "1@N01" },
		{ NULL, NULL, NULL, "" },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		assert_string_equal(record_display_name(cases[i][0], cases[i][1], cases[i][2]),
				    cases[i][3]);
}

struct iso_case {
	int64_t t;
	const char *out; /* NULL: only the shape is checked */
};

static const struct iso_case iso_cases[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ 1, "1970-01-01T00:00:01Z" },
	{ 1609459200, "2021-01-01T00:00:00Z" },
	{ 1381061206, "2013-10-06T12:06:46Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },       /* leap day */
	{ 253402300799LL, "9999-12-31T23:59:59Z" },  /* the last 4-digit year */
	{ -1, "1970-01-01T00:00:00Z" },              /* negative: clamped */
	{ INT64_MIN, "1970-01-01T00:00:00Z" },
	{ 253402300800LL, NULL },                    /* huge: still 20 characters */
	{ INT64_MAX, NULL },
};

static void test_iso8601_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(iso_cases); i++) {
		const struct iso_case *c = &iso_cases[i];
		char out[32];

		memset(out, 'X', sizeof(out));
		record_iso8601(c->t, out);
		print_message("%lld -> %s\n", (long long)c->t, out);
		assert_iso_shape(out);
		assert_int_equal(out[21], 'X'); /* nothing written past the 21 bytes */
		if (c->out)
			assert_string_equal(out, c->out);
	}
}

#define MD_TEST(f) cmocka_unit_test_setup_teardown(f, setup_metadata, teardown_metadata)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MD_TEST(test_metadata_original_keys_and_types),
		MD_TEST(test_metadata_tags_are_raw_strings),
		MD_TEST(test_metadata_location),
		MD_TEST(test_metadata_additions),
		cmocka_unit_test(test_metadata_from_listing_only),
		cmocka_unit_test(test_metadata_location_table),
		cmocka_unit_test(test_metadata_visibility_labels),
		cmocka_unit_test(test_metadata_favorite),
		MD_TEST(test_index_entry_my_photo),
		cmocka_unit_test(test_comments_jinx_2014),
		cmocka_unit_test(test_comments_2024_strings),
		cmocka_unit_test(test_comments_shapes),
		cmocka_unit_test(test_comment_deleted_author_and_html),
		cmocka_unit_test(test_fave_from_getfavorites),
		cmocka_unit_test(test_user_from_comment_and_fave),
		cmocka_unit_test(test_avatar_url_table),
		cmocka_unit_test(test_profile_url_table),
		cmocka_unit_test(test_display_name_table),
		cmocka_unit_test(test_iso8601_table),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
