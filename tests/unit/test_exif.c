/*
 * test_exif.c: exif.json from Flickr's getExif and from the archived file
 * (a JPEG with an EXIF APP1 segment built here byte by byte).
 */
#include "unit.h"

#include "exif.h"

/* ---- from Flickr -------------------------------------------------------- */

static void test_from_flickr_sample(void **state)
{
	json_t *resp = ut_load_sample("flickr.photos.getExif.json");
	json_t *doc = exif_from_flickr(resp);
	const json_t *list, *first, *xres;

	(void)state;
	assert_non_null(doc);
	assert_string_equal(jstr(doc, "source"), "flickr.photos.getExif");
	assert_string_equal(jstr(doc, "camera"), "");
	list = json_object_get(doc, "exif");
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 12);
	first = json_array_get(list, 0);
	assert_string_equal(jstr(first, "tagspace"), "JFIF");
	assert_string_equal(jstr(first, "tag"), "JFIFVersion");
	assert_string_equal(jstr(first, "label"), "JFIFVersion");
	assert_string_equal(jstr(first, "raw"), "1.01");   /* raw: {"_content": "1.01"} */
	assert_null(json_object_get(first, "clean"));      /* only when Flickr gave one */
	xres = json_array_get(list, 2);
	assert_string_equal(jstr(xres, "tag"), "XResolution");
	assert_string_equal(jstr(xres, "raw"), "72");
	assert_string_equal(jstr(xres, "clean"), "72 dpi");
	assert_string_equal(jstr(json_array_get(list, 11), "raw"), "D65");
	json_decref(doc);
	json_decref(resp);
}

static void test_from_flickr_shapes(void **state)
{
	json_t *resp = ut_json(
		"{\"photo\":{\"camera\":\"Canon EOS 5D\",\"exif\":{\"tagspace\":\"ExifIFD\","
		"\"tagspaceid\":0,\"tag\":\"ISO\",\"label\":\"ISO Speed\",\"raw\":{\"_content\":100}}}}");
	json_t *doc = exif_from_flickr(resp);
	const json_t *list = json_object_get(doc, "exif");

	(void)state;
	assert_string_equal(jstr(doc, "camera"), "Canon EOS 5D");
	assert_int_equal(json_array_size(list), 1);            /* a lone object */
	assert_string_equal(jstr(json_array_get(list, 0), "raw"), "100"); /* a number */
	json_decref(doc);
	json_decref(resp);

	resp = ut_json("{\"stat\":\"ok\"}");
	doc = exif_from_flickr(resp);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "exif")), 0);
	json_decref(doc);
	json_decref(resp);
}

/* ---- from a file -------------------------------------------------------- */

struct bytes {
	unsigned char d[1024];
	size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put8(struct bytes *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	put(b, &c, 1);
}

static void put16be(struct bytes *b, unsigned v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32be(struct bytes *b, unsigned long v)
{
	put16be(b, (unsigned)(v >> 16));
	put16be(b, (unsigned)(v & 0xffff));
}

/*
 * SOI, APP1 "Exif\0\0" + big-endian TIFF with IFD0 = { Make, Model } (ASCII,
 * values stored after the IFD), EOI.
 */
static void build_exif_jpeg(struct bytes *out, const char *make, const char *model)
{
	struct bytes tiff = { { 0 }, 0 };
	size_t make_len = strlen(make) + 1, model_len = strlen(model) + 1;
	unsigned long data = 8 + 2 + 2 * 12 + 4; /* after the header and the IFD */

	assert_true(make_len > 4 && model_len > 4); /* stored by offset, not inline */
	put(&tiff, "MM", 2);
	put16be(&tiff, 42);
	put32be(&tiff, 8);               /* IFD0 offset */
	put16be(&tiff, 2);               /* entry count */
	put16be(&tiff, 0x010f);          /* Make */
	put16be(&tiff, 2);               /* ASCII */
	put32be(&tiff, make_len);
	put32be(&tiff, data);
	put16be(&tiff, 0x0110);          /* Model */
	put16be(&tiff, 2);
	put32be(&tiff, model_len);
	put32be(&tiff, data + make_len);
	put32be(&tiff, 0);               /* no next IFD */
	put(&tiff, make, make_len);
	put(&tiff, model, model_len);

	out->n = 0;
	put8(out, 0xff);
	put8(out, 0xd8);                 /* SOI */
	put8(out, 0xff);
	put8(out, 0xe1);                 /* APP1 */
	put16be(out, (unsigned)(2 + 6 + tiff.n));
	put(out, "Exif\0\0", 6);
	put(out, tiff.d, tiff.n);
	put8(out, 0xff);
	put8(out, 0xd9);                 /* EOI */
}

static const json_t *find_tag(const json_t *list, const char *tag)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *x = json_array_get(list, i);

		if (jstr(x, "tag") && !strcmp(jstr(x, "tag"), tag))
			return x;
	}
	return NULL;
}

struct camera_case {
	const char *make;
	const char *model;
	const char *camera;
};

static const struct camera_case camera_cases[] = {
	{ "Canon", "PowerShot S95", "Canon PowerShot S95" },
	{ "Canon", "Canon EOS 5D", "Canon EOS 5D" },       /* the model already names it */
	{ "NIKON CORPORATION", "NIKON D700", "NIKON CORPORATION NIKON D700" },
	{ NULL, NULL, NULL },
};

static void test_from_file_make_and_model(void **state)
{
	const char *dir = *state;

	for (const struct camera_case *c = camera_cases; c->make; c++) {
		char *path = ut_join(dir, "original.jpg");
		struct bytes jpeg;
		struct err e = { 0 };
		json_t *doc = NULL;
		const json_t *list, *make, *model;

		build_exif_jpeg(&jpeg, c->make, c->model);
		ut_write_file(path, jpeg.d, jpeg.n);
		assert_int_equal(exif_from_file(path, "original.jpg", &doc, &e), 0);
		assert_non_null(doc);
		assert_string_equal(jstr(doc, "source"), "original-file");
		assert_string_equal(jstr(doc, "file"), "original.jpg");
		assert_string_equal(jstr(doc, "camera"), c->camera);
		list = json_object_get(doc, "exif");
		make = find_tag(list, "Make");
		model = find_tag(list, "Model");
		assert_non_null(make);
		assert_non_null(model);
		assert_string_equal(jstr(make, "tagspace"), "IFD0");
		assert_string_equal(jstr(make, "raw"), c->make);
		assert_non_null(jstr(make, "label"));
		assert_string_equal(jstr(model, "tagspace"), "IFD0");
		assert_string_equal(jstr(model, "raw"), c->model);
		json_decref(doc);
		free(path);
	}
}

static void test_from_file_without_exif(void **state)
{
	const char *dir = *state;
	/* SOI, APP0 JFIF, EOI: a valid JPEG start with no EXIF */
	static const unsigned char jfif[] = {
		0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01,
		0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9,
	};
	static const struct {
		const char *name;
		const void *data;
		size_t len;
	} files[] = {
		{ "plain.jpg", jfif, sizeof(jfif) },
		{ "text.txt", "no exif here\n", 13 },
		{ "empty.jpg", "", 0 },
	};

	for (size_t i = 0; i < N_ELEMS(files); i++) {
		char *path = ut_join(dir, files[i].name);
		struct err e = { 0 };
		json_t *doc = NULL;

		ut_write_file(path, files[i].data, files[i].len);
		print_message("%s\n", files[i].name);
		assert_int_equal(exif_from_file(path, files[i].name, &doc, &e), FA_ENOTFOUND);
		assert_null(doc);
		assert_int_equal(e.code, FA_ENOTFOUND);
		free(path);
	}
}

#define TMPDIR_TEST(f) cmocka_unit_test_setup_teardown(f, ut_setup_tmpdir, ut_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_flickr_sample),
		cmocka_unit_test(test_from_flickr_shapes),
		TMPDIR_TEST(test_from_file_make_and_model),
		TMPDIR_TEST(test_from_file_without_exif),
	};

	return cmocka_run_group_tests_name("exif", tests, NULL, NULL);
}
