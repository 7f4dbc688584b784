/*
 * test_export.c: Flickr's export: media told by their bytes and their pixel
 * size (export_media), the photo id in a media name, a photo_<id>.json mapped
 * onto the archive's records (export_map), and ZIPs read member by member,
 * a truncated one naming where it breaks (export_read).
 */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "clock.h"

#include "export_map.h"
#include "export_media.h"
#include "export_read.h"
#include "export_scan.h"

/* ---- media -------------------------------------------------------------- */

static void test_dims_png_gif(void **state)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x06\x40\0\0\x04\xb0"
					   "\x08\x02";
	static const unsigned char gif[] = "GIF89a\xe0\x01\x68\x01\xf7";
	long w = 0, h = 0;

	(void)state;
	assert_int_equal(export_media_dims(png, sizeof(png) - 1, &w, &h), 1);
	assert_int_equal(w, 1600);
	assert_int_equal(h, 1200);
	assert_int_equal(export_media_dims(gif, sizeof(gif) - 1, &w, &h), 1);
	assert_int_equal(w, 480);
	assert_int_equal(h, 360);
	assert_string_equal(export_media_ext(png, sizeof(png) - 1), "png");
	assert_null(export_media_ext((const unsigned char *)"{\"id\":", 6));
}

static void test_dims_jpeg_after_exif(void **state)
{
	/* SOI, an APP1 of 300 bytes, a DQT, then SOF0 saying 2048 wide, 1536 high */
	unsigned char b[400] = { 0xff, 0xd8, 0xff, 0xe1, 0x01, 0x2c };
	size_t i = 4 + 300;
	long w = 0, h = 0;

	(void)state;
	b[i++] = 0xff; b[i++] = 0xdb; b[i++] = 0; b[i++] = 4; b[i++] = 0; b[i++] = 0;
	b[i++] = 0xff; b[i++] = 0xc0; b[i++] = 0; b[i++] = 17; b[i++] = 8;
	b[i++] = 0x06; b[i++] = 0x00; b[i++] = 0x08; b[i++] = 0x00;
	assert_int_equal(export_media_dims(b, i + 10, &w, &h), 1);
	assert_int_equal(w, 2048);
	assert_int_equal(h, 1536);
	/* cut before the frame header: no size, so not a whole image */
	assert_int_equal(export_media_dims(b, 200, &w, &h), 0);
	assert_string_equal(export_media_ext(b, 16), "jpg");
	assert_false(export_media_is_video("jpg"));
	assert_true(export_media_is_video("mov"));
}

static int known(void *ud, const char *id)
{
	for (const char *const *k = ud; *k; k++)
		if (!strcmp(*k, id))
			return 1;
	return 0;
}

struct id_case {
	const char *name;
	const char *want; /* NULL: none */
};

static void test_media_id_table(void **state)
{
	static const char *const ids[] = { "131099312", "43536291795", "2634391576", "40762799330",
					   "5627000000", "123", NULL };
	static const struct id_case cases[] = {
		{ "fresh-crop_131099312_o.jpg", "131099312" },
		{ "20180830_kindjesphotoshoot---001_43536291795_o.jpg", "43536291795" },
		{ "2634391576_6ab6f1017f_o.jpg", "2634391576" },
		/* the slug holds an older photo's id: the last known run wins */
		{ "copy-of-5627000000_40762799330_o.jpg", "40762799330" },
		{ "toms-first-bike-ride_123.mp4", "123" },
		{ "_999_o.jpg", NULL },
		{ "no-digits_o.jpg", NULL },
		{ NULL, NULL },
	};
	char out[40];

	(void)state;
	for (const struct id_case *c = cases; c->name; c++) {
		int found = export_media_id(c->name, known, (void *)ids, out, sizeof(out));

		assert_int_equal(found, c->want != NULL);
		if (c->want)
			assert_string_equal(out, c->want);
	}
}

/* ---- photo_<id>.json ----------------------------------------------------- */

static json_t *map_meta(const char *photo_json, const char *media)
{
	json_t *photo = ut_json(photo_json);
	json_t *profile = ut_json("{\"nsid\":\"1@N01\",\"screen_name\":\"maggie\","
				  "\"path_alias\":\"mh\"}");
	struct export_map_input in = { photo, profile, NULL, NULL, media, "original.jpg", 100 };
	json_t *m = export_map_metadata(&in);

	json_decref(photo);
	json_decref(profile);
	return m;
}

static void test_metadata_geo_both_forms(void **state)
{
	static const char *const forms[] = {
		"{\"id\":\"7\",\"original\":\"x\",\"geo\":{\"latitude\":\"49696401\","
		"\"longitude\":\"-123159753\",\"accuracy\":\"16\"}}",
		"{\"id\":\"7\",\"original\":\"x\",\"geo\":[{\"latitude\":\"49696401\","
		"\"longitude\":\"-123159753\",\"accuracy\":\"16\"}]}",
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(forms); i++) {
		json_t *m = map_meta(forms[i], "photo");
		double lat = 0, lon = 0;

		assert_true(jreal(jobj(m, "location"), "latitude", &lat));
		assert_true(jreal(jobj(m, "location"), "longitude", &lon));
		assert_true(lat > 49.6964009 && lat < 49.6964011);
		assert_true(lon < -123.1597529 && lon > -123.1597531);
		assert_int_equal(jint_or(jobj(m, "location"), "accuracy", 0), 16);
		json_decref(m);
	}
	{
		json_t *m = map_meta("{\"id\":\"7\",\"original\":\"x\",\"geo\":[]}", "photo");

		assert_true(json_is_null(json_object_get(m, "location")));
		json_decref(m);
	}
}

static void test_metadata_keys(void **state)
{
	json_t *m = map_meta(
		"{\"id\":\"2634391576\",\"name\":\"Killarney Lake\",\"description\":\"<b>x</b>\","
		"\"count_views\":\"53\",\"count_faves\":\"4\",\"count_comments\":\"0\","
		"\"date_taken\":\"0000-00-00 00:00:00\",\"date_imported\":\"2008-07-03 09:48:30\","
		"\"photopage\":\"https://www.flickr.com/photos/boris/2634391576/\","
		"\"license\":\"CC BY-NC-SA 4.0\",\"privacy\":\"friend & family\",\"rotation\":90,"
		"\"tags\":[{\"tag\":\"ShoZu\"},{\"tag\":\"Lake District\"},{\"tag\":\"geo:lat=1\"}],"
		"\"exif\":[],\"comments\":[]}", "video");

	(void)state;
	assert_string_equal(jstr(m, "id"), "2634391576");
	assert_string_equal(jstr(m, "title"), "Killarney Lake");
	assert_string_equal(jstr(m, "date_uploaded"), "1215078510");
	assert_true(jflag(m, "date_taken_unknown", false));
	assert_int_equal(jint_or(m, "views", 0), 53);
	assert_int_equal(jint_or(m, "count_faves", 0), 4);
	assert_int_equal(jint_or(m, "rotation", 0), 90);
	assert_string_equal(jstr(m, "media"), "video");
	assert_string_equal(jstr(jobj(m, "visibility"), "label"), "friends & family");
	assert_string_equal(jstr(jobj(m, "license"), "name"), "CC BY-NC-SA 4.0");
	assert_string_equal(jstr(m, "source"), "flickr-export");
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "tags"), 1)),
			    "lakedistrict");
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "machine_tags"),
							     0)), "geo:lat=1");
	assert_string_equal(jstr(jobj(m, "owner"), "nsid"), "1@N01");
	assert_non_null(json_object_get(jobj(jobj(m, "synced"), "missing"), "favorites"));
	assert_string_equal(jstr(jobj(m, "export"), "privacy"), "friend & family");
	json_decref(m);
	assert_int_equal(export_parse_time("1970-01-02 00:00:00"), 86400);
	assert_int_equal(export_parse_time("0000-00-00 00:00:00"), -1);
	assert_int_equal(export_parse_time(NULL), -1);
}

static void test_comments_names_from_users(void **state)
{
	json_t *photo = ut_json("{\"id\":\"7\",\"comments\":[{\"id\":\"c1\","
				"\"date\":\"2009-04-16 15:44:34\",\"user\":\"61728349@N02\","
				"\"comment\":\"What a great shot\",\"url\":\"u1\"},"
				"{\"id\":\"c2\",\"date\":\"1239896674\",\"user\":\"9@N01\","
				"\"comment\":\"hi\",\"url\":\"u2\"}]}");
	json_t *users = ut_json("{\"61728349@N02\":{\"username\":\"tom_hughes\","
				"\"realname\":\"Tom Hughes\"}}");
	struct export_map_input in = { photo, NULL, NULL, users, "photo", "original.jpg", 0 };
	json_t *c = export_map_comments(&in);
	const json_t *a = json_array_get(c, 0), *b = json_array_get(c, 1);

	(void)state;
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(jstr(a, "author"), "61728349@N02");
	assert_string_equal(jstr(a, "author_name"), "tom_hughes");
	assert_string_equal(jstr(a, "realname"), "Tom Hughes");
	assert_string_equal(jstr(a, "date_created"), "1239896674");
	assert_string_equal(jstr(a, "text"), "What a great shot");
	/* an unknown commenter keeps the NSID as the name until the next sync */
	assert_string_equal(jstr(b, "author_name"), "9@N01");
	assert_string_equal(jstr(b, "date_created"), "1239896674");
	assert_true(export_is_photo_record(photo) == 0); /* no photo keys */
	json_decref(c);
	json_decref(photo);
	json_decref(users);
}

/* ---- ZIPs ----------------------------------------------------------------- */

static void write_zip(const char *path, const char *const *names, size_t size)
{
	struct archive *a = archive_write_new();
	char *data = malloc(size);

	assert_non_null(a);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 7919 % 251);
	archive_write_set_format_zip(a);
	archive_write_set_format_option(a, "zip", "compression", "store");
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (const char *const *n = names; *n; n++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, *n);
		archive_entry_set_size(e, (la_int64_t)size);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, data, size), (la_ssize_t)size);
		archive_entry_free(e);
	}
	archive_write_free(a);
	free(data);
}

struct seen {
	int members;
	size_t bytes;
	char last[64];
	int sha_wrong;     /* members whose SHA-256 is not write_zip()'s */
	size_t data_size;  /* write_zip()'s size */
	int whole_every;   /* read every nth member whole, only the head of the others */
	int stop_after;    /* ask to stop after so many members */
	int by_block;      /* read with export_stream_read_block() */
	int bytes_wrong;   /* members whose bytes given (hashed here) are not write_zip()'s */
};

static void expected_sha256(size_t size, unsigned char out[32])
{
	char *data = malloc(size);

	assert_non_null(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (char)(i * 7919 % 251);
	assert_int_equal(EVP_Digest(data, size, out, NULL, EVP_sha256(), NULL), 1);
	free(data);
}

/* The member's next bytes, copied or not. */
static int next_bytes(const struct seen *seen, struct export_stream *s, const void **data,
		      size_t *n, struct err *e)
{
	static char buf[4096];

	*data = buf;
	return seen->by_block ? export_stream_read_block(s, data, n, e)
			      : export_stream_read(s, buf, sizeof(buf), n, e);
}

static int count_member(void *ud, const struct export_member *m, struct export_stream *s,
			struct err *e)
{
	struct seen *seen = ud;
	unsigned char sha[32], want[32], got[32];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const void *data;
	size_t n, total = m->head_len;
	int r;

	assert_non_null(md);
	assert_int_equal(EVP_DigestInit_ex(md, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(md, m->head, m->head_len), 1);
	if (seen->whole_every && seen->members++ % seen->whole_every) {
		EVP_MD_CTX_free(md);
		return 0; /* the head only: the rest skipped */
	}
	while ((r = next_bytes(seen, s, &data, &n, e)) == 0 && n) {
		assert_int_equal(EVP_DigestUpdate(md, data, n), 1);
		total += n;
	}
	assert_int_equal(EVP_DigestFinal_ex(md, got, NULL), 1);
	EVP_MD_CTX_free(md);
	if (r < 0)
		return r;
	if (!seen->whole_every)
		seen->members++;
	seen->bytes += total;
	snprintf(seen->last, sizeof(seen->last), "%s", m->name);
	if (seen->data_size) {
		expected_sha256(seen->data_size, want);
		seen->sha_wrong += export_stream_sha256(s, sha) < 0 || memcmp(sha, want, 32);
		seen->bytes_wrong += memcmp(got, want, 32) != 0;
	}
	if (seen->stop_after && seen->members == seen->stop_after)
		clock_request_stop();
	return 0;
}

/* Whole, then cut short: the same members, bytes and damage read now or ahead, copied or not. */
static void zip_whole_and_truncated(const char *dir, enum export_read_mode mode, int by_block)
{
	static const char *const names[] = { "a_1_o.jpg", "dir/b_2_o.jpg", "c_3_o.jpg", NULL };
	/* more than the blocks read ahead (4 x 1 MB) in each member */
	enum { SIZE = 5 << 20 };
	char *zip = ut_join(dir, "x.zip"), *cut = ut_join(dir, "cut.zip");
	struct seen seen = { .data_size = SIZE, .by_block = by_block };
	json_t *damaged = json_array();
	struct err e = { 0 };
	size_t len;
	char *data;

	write_zip(zip, names, SIZE);
	assert_int_equal(export_read(zip, mode, count_member, &seen, damaged, &e), 0);
	assert_int_equal(seen.members, 3);
	assert_int_equal(seen.bytes, 3 * (size_t)SIZE);
	assert_int_equal(seen.sha_wrong, 0);
	assert_int_equal(seen.bytes_wrong, 0);
	assert_string_equal(seen.last, "c_3_o.jpg");
	assert_int_equal(json_array_size(damaged), 0);
	/* cut in the middle of the second member: the first is whole, the second named */
	data = ut_read_file(zip, &len);
	ut_write_file(cut, data, SIZE + SIZE / 2);
	seen = (struct seen){ .by_block = by_block };
	assert_int_equal(export_read(cut, mode, count_member, &seen, damaged, &e), 0);
	assert_int_equal(seen.members, 1);
	assert_string_equal(seen.last, "a_1_o.jpg");
	assert_int_equal(json_array_size(damaged), 1);
	assert_string_equal(jstr(json_array_get(damaged, 0), "member"), "b_2_o.jpg");
	assert_non_null(strstr(jstr(json_array_get(damaged, 0), "problem"),
			       "cannot be read past it"));
	/* neither a folder nor a ZIP */
	ut_write_str(cut, "not a zip");
	assert_int_equal(export_read(cut, mode, count_member, &seen, damaged, &e), FA_EINVAL);
	free(data);
	free(zip);
	free(cut);
	json_decref(damaged);
}

static void test_zip_whole_and_truncated(void **state)
{
	zip_whole_and_truncated(*state, EXPORT_READ_AS_ASKED, 0);
}

static void test_zip_whole_and_truncated_ahead(void **state)
{
	zip_whole_and_truncated(*state, EXPORT_READ_AHEAD, 0);
}

static void test_zip_read_by_block_both_modes(void **state)
{
	zip_whole_and_truncated(*state, EXPORT_READ_AS_ASKED, 1);
	zip_whole_and_truncated(*state, EXPORT_READ_AHEAD, 1);
}

/* A bad CRC in the second member: named; the first and third read whole, both ways. */
static void test_zip_bad_crc_names_one_member(void **state)
{
	static const char *const names[] = { "a_1_o.jpg", "b_2_o.jpg", "c_3_o.jpg", NULL };
	enum { SIZE = 3 << 20 };
	static const enum export_read_mode modes[] = { EXPORT_READ_AS_ASKED, EXPORT_READ_AHEAD };
	char *zip = ut_join(*state, "x.zip");
	size_t len;
	char *data;

	write_zip(zip, names, SIZE);
	data = ut_read_file(zip, &len);
	assert_true(data && len > 2 * SIZE);
	/* a byte inside the second member's data (its local header is ~40 bytes) */
	if (data)
		data[SIZE + 200 + SIZE / 2] ^= 0x55;
	ut_write_file(zip, data, len);
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		struct seen seen = { .data_size = SIZE };
		json_t *damaged = json_array();
		struct err e = { 0 };

		assert_int_equal(export_read(zip, modes[i], count_member, &seen, damaged, &e), 0);
		assert_int_equal(seen.members, 2);
		assert_int_equal(seen.sha_wrong, 0);
		assert_string_equal(seen.last, "c_3_o.jpg");
		assert_int_equal(json_array_size(damaged), 1);
		assert_string_equal(jstr(json_array_get(damaged, 0), "member"), "b_2_o.jpg");
		assert_non_null(strstr(jstr(json_array_get(damaged, 0), "problem"), "CRC"));
		json_decref(damaged);
	}
	free(data);
	free(zip);
}

/* Members the caller reads only the head of are skipped; the others come whole and right. */
static void test_zip_ahead_skips_what_is_not_read(void **state)
{
	static const char *const names[] = { "a_1_o.jpg", "b_2_o.jpg", "c_3_o.jpg", "d_4_o.jpg",
					     "e_5_o.jpg", "f_6_o.jpg", "g_7_o.jpg", NULL };
	enum { SIZE = (5 << 20) / 2 };
	char *zip = ut_join(*state, "x.zip");
	struct seen seen = { .data_size = SIZE, .whole_every = 3 };
	json_t *damaged = json_array();
	struct err e = { 0 };

	write_zip(zip, names, SIZE);
	assert_int_equal(export_read(zip, EXPORT_READ_AHEAD, count_member, &seen, damaged, &e), 0);
	assert_int_equal(seen.members, 7);
	/* 1st, 4th, 7th whole */
	assert_int_equal(seen.bytes, 3 * (size_t)SIZE);
	assert_string_equal(seen.last, "g_7_o.jpg");
	assert_int_equal(seen.sha_wrong, 0);
	assert_int_equal(json_array_size(damaged), 0);
	json_decref(damaged);
	free(zip);
}

/* An unpacked export: the same files, bytes and digests read now or ahead; links not followed. */
static void test_folder_both_modes(void **state)
{
	enum { SIZE = 5 << 20 };
	static const enum export_read_mode modes[] = { EXPORT_READ_AS_ASKED, EXPORT_READ_AHEAD };
	char *dir = ut_join(*state, "export"), *sub = ut_join(dir, "part 2"),
	     *a = ut_join(dir, "a_1_o.jpg"), *b = ut_join(sub, "b_2_o.jpg"),
	     *link = ut_join(dir, "link_3_o.jpg"), *data = malloc(SIZE);

	assert_non_null(data);
	for (size_t i = 0; data && i < SIZE; i++)
		data[i] = (char)(i * 7919 % 251);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	ut_write_file(a, data, SIZE);
	ut_write_file(b, data, SIZE);
	assert_int_equal(symlink(a, link), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		struct seen seen = { .data_size = SIZE, .by_block = (int)i };
		json_t *damaged = json_array();
		struct err e = { 0 };

		assert_int_equal(export_read(dir, modes[i], count_member, &seen, damaged, &e), 0);
		assert_int_equal(seen.members, 2);
		assert_int_equal(seen.bytes, 2 * (size_t)SIZE);
		assert_int_equal(seen.sha_wrong, 0);
		assert_int_equal(seen.bytes_wrong, 0);
		assert_int_equal(json_array_size(damaged), 0);
		json_decref(damaged);
	}
	free(data);
	free(dir);
	free(sub);
	free(a);
	free(b);
	free(link);
}

/* Last (the stop flag cannot be cleared): a stop ends the reading, the thread with it. */
static void test_zip_ahead_stops(void **state)
{
	static const char *const names[] = { "a_1_o.jpg", "b_2_o.jpg", "c_3_o.jpg", NULL };
	char *zip = ut_join(*state, "x.zip");
	struct seen seen = { .stop_after = 1 };
	json_t *damaged = json_array();
	struct err e = { 0 };

	write_zip(zip, names, 3 << 20);
	assert_int_equal(export_read(zip, EXPORT_READ_AHEAD, count_member, &seen, damaged, &e),
			 FA_EINTR);
	assert_int_equal(seen.members, 1);
	assert_int_equal(json_array_size(damaged), 0);
	json_decref(damaged);
	free(zip);
}

/* ---- whole or cut short (export_scan.h) ---- */

static const unsigned char jpeg_small[] = {
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
	0xff, 0xc0, 0x00, 0x11, 8, 0, 2, 0, 3, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1,
	0xff, 0xda, 0x00, 0x0c, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0,
	0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0xff, 0xff, 0xd9,
};
static const unsigned char png_small[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
	0x44, 0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00,
	0x00, 0xb8, 0x1f, 0x39, 0xc6, 0x00, 0x00, 0x00, 0x0e, 0x49, 0x44, 0x41, 0x54, 0x78,
	0x9c, 0x63, 0x60, 0x64, 0x62, 0x66, 0x00, 0x62, 0x00, 0x00, 0x34, 0x00, 0x0d, 0x73,
	0x23, 0x87, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
	0x82,
};
static const unsigned char gif_small[] = {
	'G', 'I', 'F', '8', '9', 'a', 3, 0, 2, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
	0x21, 0xf9, 4, 0, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 3, 0, 2, 0, 0, 2, 2, 0x4c, 1, 0,
	0x3b,
};
/* ftyp, mdat, moov: the moov last, as cameras write it */
static const unsigned char mp4_small[] = {
	0, 0, 0, 16, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0,
	0, 0, 0, 12, 'm', 'd', 'a', 't', 1, 2, 3, 4,
	0, 0, 0, 16, 'm', 'o', 'o', 'v', 0, 0, 0, 8, 'f', 'r', 'e', 'e',
};

static int scan_in_steps(const char *ext, const unsigned char *b, size_t n, size_t step,
			 char *why, size_t why_len)
{
	struct media_scan sc;

	media_scan_init(&sc, ext);
	for (size_t i = 0; i < n; i += step)
		media_scan_feed(&sc, b + i, n - i < step ? n - i : step);
	return media_scan_end(&sc, why, why_len);
}

static void test_scan_whole_and_cut_short(void **state)
{
	static const struct {
		const char *ext;
		const unsigned char *b;
		size_t n;
	} files[] = {
		{ "jpg", jpeg_small, sizeof(jpeg_small) }, { "png", png_small, sizeof(png_small) },
		{ "gif", gif_small, sizeof(gif_small) }, { "mp4", mp4_small, sizeof(mp4_small) },
	};
	char why[160];
	unsigned char bad[sizeof(png_small)];

	(void)state;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		/* whole, however the stream is cut into chunks */
		for (size_t step = 1; step <= files[f].n; step += step < 4 ? 1 : 7)
			assert_int_equal(scan_in_steps(files[f].ext, files[f].b, files[f].n, step, why,
						       sizeof(why)), 1);
		/* every shorter prefix is cut short, its header whole or not */
		for (size_t len = 0; len < files[f].n; len++) {
			why[0] = '\0';
			assert_int_equal(scan_in_steps(files[f].ext, files[f].b, len, 5, why,
						       sizeof(why)), 0);
			assert_true(why[0]);
		}
	}
	/* a PNG byte changed inside a chunk: its CRC says so */
	memcpy(bad, png_small, sizeof(bad));
	bad[45] ^= 0x40;
	assert_int_equal(scan_in_steps("png", bad, sizeof(bad), 8, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "CRC"));
	/* a JPEG segment without its marker */
	memcpy(bad, jpeg_small, sizeof(jpeg_small));
	bad[20] = 0x00;
	assert_int_equal(scan_in_steps("jpg", bad, sizeof(jpeg_small), 3, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "not a whole file"));
	/* what is not checked says so */
	assert_int_equal(scan_in_steps("webm", mp4_small, sizeof(mp4_small), 4, why,
				       sizeof(why)), -1);
	assert_int_equal(scan_in_steps(NULL, mp4_small, sizeof(mp4_small), 4, why, sizeof(why)),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dims_png_gif),
		cmocka_unit_test(test_scan_whole_and_cut_short),
		cmocka_unit_test(test_dims_jpeg_after_exif),
		cmocka_unit_test(test_media_id_table),
		cmocka_unit_test(test_metadata_geo_both_forms),
		cmocka_unit_test(test_metadata_keys),
		cmocka_unit_test(test_comments_names_from_users),
		cmocka_unit_test_setup_teardown(test_zip_whole_and_truncated_ahead, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_zip_bad_crc_names_one_member, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_zip_ahead_skips_what_is_not_read,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_zip_whole_and_truncated, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_zip_read_by_block_both_modes, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_folder_both_modes, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_zip_ahead_stops, ut_setup_tmpdir,
						ut_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
