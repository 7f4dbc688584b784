/* xmp: the XMP sidecar made from metadata.json (photo managers read it). */
#include "unit.h"

#include "xmp.h"

/* The sidecar of meta (JSON text), as a string to free. */
static char *sidecar_of(json_t *meta)
{
	struct buf out = BUF_INIT;

	assert_int_equal(xmp_build(meta, &out), 0);
	json_decref(meta);
	return buf_detach(&out);
}

static void assert_has(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("missing %s in:\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted))
		fail_msg("unexpected %s in:\n%s", unwanted, text);
}

/* Nothing XML 1.0 refuses: no control byte but LF, and every '<' and '&' part of markup. */
static void assert_xml_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 && *p != '\n')
			fail_msg("control byte 0x%02x at %td", *p, (const char *)p - s);
		if (*p == '&')
			assert_true(!strncmp((const char *)p, "&amp;", 5) ||
				    !strncmp((const char *)p, "&lt;", 4) ||
				    !strncmp((const char *)p, "&gt;", 4) ||
				    !strncmp((const char *)p, "&quot;", 6));
	}
}

static const struct {
	const char *html;
	const char *text;
} html_cases[] = {
	{ "plain", "plain" },
	{ "  Visiting <b>Babcia</b> &amp; co\n", "Visiting Babcia & co" },
	{ "<a href=\"https://x.org/a?b=1&amp;c=2\" rel=\"nofollow\">Krak&oacute;w</a>!",
	  "Krak&oacute;w (https://x.org/a?b=1&c=2)!" },
	{ "see <a href='https://x.org/'>https://x.org/</a>", "see https://x.org/" },
	{ "<A HREF=https://x.org/>here</A>", "here (https://x.org/)" },
	{ "<a href=\"https://x.org/\"></a>", "https://x.org/" },
	{ "one<br>two<br />three", "one\ntwo\nthree" },
	{ "a < b && c > d", "a < b && c > d" },
	{ "caf&#233; &#xE9; &#0; &bogus; &", "caf\xc3\xa9 \xc3\xa9 \xef\xbf\xbd &bogus; &" },
	{ "<i>unclosed", "unclosed" },
	{ "", "" },
};

static void test_descriptions_become_text_with_link_targets(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(html_cases); i++) {
		struct buf out = BUF_INIT;

		assert_int_equal(xmp_html_text(html_cases[i].html, &out), 0);
		if (strcmp(buf_cstr(&out), html_cases[i].text))
			fail_msg("case %zu: got '%s', want '%s'", i, buf_cstr(&out),
				 html_cases[i].text);
		buf_release(&out);
	}
}

static void test_a_full_item(void **state)
{
	char *x = sidecar_of(ut_json(
		"{\"id\":\"16167739799\",\"title\":\"Grand-m\\u00e8re\","
		"\"description\":\"Visiting <b>Babcia</b> &amp; co\","
		"\"date_taken\":\"2008-07-01 13:04:18\",\"date_taken_granularity\":0,"
		"\"tags\":[\"ShoZu\",\"lake\"],\"albums\":[{\"id\":\"7\",\"title\":\"Ella\"}],"
		"\"location\":{\"latitude\":49.696401,\"longitude\":-123.159753},"
		"\"owner\":{\"username\":\"mh\",\"realname\":\"Margaret Hughes\"},"
		"\"license\":{\"id\":4,\"name\":\"Attribution License\","
		"\"url\":\"https://creativecommons.org/licenses/by/2.0/\"},"
		"\"urls\":{\"photopage\":\"https://www.flickr.com/photos/mh/16167739799/\"},"
		"\"people\":[{\"username\":\"tom_h\",\"display_name\":\"Tom Hughes\"}]}"));

	(void)state;
	assert_true(!strncmp(x, "<?xpacket begin=", 16));
	assert_has(x, "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">");
	assert_has(x, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Grand-m\xc3\xa8re</rdf:li>");
	assert_has(x, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">Visiting Babcia "
		      "&amp; co</rdf:li>");
	assert_has(x, "<tiff:ImageDescription><rdf:Alt><rdf:li xml:lang=\"x-default\">Visiting");
	assert_has(x, "<dc:subject><rdf:Bag><rdf:li>ShoZu</rdf:li><rdf:li>lake</rdf:li>"
		      "</rdf:Bag></dc:subject>");
	assert_has(x, "<lr:hierarchicalSubject><rdf:Bag><rdf:li>ShoZu</rdf:li><rdf:li>lake</rdf:li>"
		      "<rdf:li>Albums|Ella</rdf:li></rdf:Bag>");
	assert_has(x, "<digiKam:TagsList><rdf:Seq><rdf:li>ShoZu</rdf:li><rdf:li>lake</rdf:li>"
		      "<rdf:li>Albums/Ella</rdf:li></rdf:Seq>");
	assert_has(x, "<exif:DateTimeOriginal>2008-07-01T13:04:18</exif:DateTimeOriginal>");
	assert_has(x, "<xmp:CreateDate>2008-07-01T13:04:18</xmp:CreateDate>");
	assert_has(x, "<photoshop:DateCreated>2008-07-01T13:04:18</photoshop:DateCreated>");
	/* the real export's photo of /work/shared/xmp.md */
	assert_has(x, "<exif:GPSLatitude>49,41.78406N</exif:GPSLatitude>");
	assert_has(x, "<exif:GPSLongitude>123,9.58518W</exif:GPSLongitude>");
	assert_has(x, "<exif:GPSVersionID>2.2.0.0</exif:GPSVersionID>");
	assert_has(x, "<dc:creator><rdf:Seq><rdf:li>Margaret Hughes</rdf:li></rdf:Seq>");
	assert_has(x, "<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang=\"x-default\">Attribution "
		      "License</rdf:li>");
	assert_has(x, "<xmpRights:WebStatement>https://creativecommons.org/licenses/by/2.0/<");
	assert_has(x, "<xmpRights:Marked>True</xmpRights:Marked>");
	assert_has(x, "<cc:license>https://creativecommons.org/licenses/by/2.0/</cc:license>");
	assert_has(x, "<dc:source>https://www.flickr.com/photos/mh/16167739799/</dc:source>");
	assert_has(x, "<dc:identifier>16167739799</dc:identifier>");
	assert_has(x, "<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Tom Hughes</rdf:li></rdf:Bag>");
	/* darktable skips title and description when its own namespace is declared */
	assert_lacks(x, "darktable");
	assert_has(x, "</x:xmpmeta>\n<?xpacket end=\"w\"?>\n");
	assert_xml_text(x);
	free(x);
}

static void test_an_empty_record_has_no_empty_properties(void **state)
{
	char *x = sidecar_of(ut_json("{\"id\":\"1\",\"title\":\"\",\"description\":\"\","
				     "\"tags\":[],\"albums\":[],\"location\":null,"
				     "\"license\":{\"id\":7,\"name\":\"No known copyright "
				     "restrictions\",\"url\":null},\"people\":[]}"));

	(void)state;
	assert_lacks(x, "dc:title>");
	assert_lacks(x, "dc:description>");
	assert_lacks(x, "dc:subject>");
	assert_lacks(x, "TagsList>");
	assert_lacks(x, "GPS");
	assert_lacks(x, "DateTimeOriginal");
	assert_lacks(x, "WebStatement");
	assert_lacks(x, "cc:license>");
	assert_has(x, "<xmpRights:Marked>False</xmpRights:Marked>");
	assert_has(x, "<dc:identifier>1</dc:identifier>");
	free(x);
}

static const struct {
	const char *taken;
	int granularity;
	int unknown;
	const char *want; /* NULL: no date written */
} date_cases[] = {
	{ "2011-12-25 08:30:00", 0, 0, "2011-12-25T08:30:00" },
	{ "2021-02-08 07:55:00", 4, 0, "2021-02" },
	{ "1972-01-01 00:00:00", 6, 0, "1972" },
	{ "1950-01-01 00:00:00", 8, 0, "1950" },
	{ "2019-08-09 13:13:13", 0, 1, NULL },
	{ "0000-00-00 00:00:00", 0, 0, NULL },
	{ "2019-13-09 13:13:13", 0, 0, NULL },
	{ "2019-08-09", 0, 0, "2019-08-09" },
	{ "2019-08-09 25:00:00", 0, 0, "2019-08-09" },
	{ "yesterday", 0, 0, NULL },
};

static void test_date_taken_as_precise_as_flickr_knows_it(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(date_cases); i++) {
		json_t *meta = json_pack("{s:s, s:i, s:b}", "date_taken", date_cases[i].taken,
					 "date_taken_granularity", date_cases[i].granularity,
					 "date_taken_unknown", date_cases[i].unknown);
		char *x = sidecar_of(meta), want[128];

		if (!date_cases[i].want) {
			assert_lacks(x, "DateTimeOriginal");
			assert_lacks(x, "CreateDate");
			assert_lacks(x, "DateCreated");
		} else {
			snprintf(want, sizeof(want), "<exif:DateTimeOriginal>%s<", date_cases[i].want);
			assert_has(x, want);
			snprintf(want, sizeof(want), "<xmp:CreateDate>%s<", date_cases[i].want);
			assert_has(x, want);
			snprintf(want, sizeof(want), "<photoshop:DateCreated>%s<", date_cases[i].want);
			assert_has(x, want);
		}
		assert_lacks(x, "Z<"); /* no invented time zone */
		free(x);
	}
}

static const struct {
	double lat, lon;
	const char *want_lat, *want_lon;
} gps_cases[] = {
	{ 50.061389, 19.937222, "50,3.68334N", "19,56.23332E" },
	{ -33.856784, 151.215297, "33,51.40704S", "151,12.91782E" },
	{ 0.0, -0.5, "0,0.00000N", "0,30.00000W" },
	{ 51.9999999999, 179.99999999, "52,0.00000N", "180,0.00000E" },
};

static void test_gps_in_the_form_darktable_parses(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(gps_cases); i++) {
		json_t *meta = json_pack("{s:{s:f, s:f}}", "location", "latitude", gps_cases[i].lat,
					 "longitude", gps_cases[i].lon);
		char *x = sidecar_of(meta), want[128];

		snprintf(want, sizeof(want), "<exif:GPSLatitude>%s<", gps_cases[i].want_lat);
		assert_has(x, want);
		snprintf(want, sizeof(want), "<exif:GPSLongitude>%s<", gps_cases[i].want_lon);
		assert_has(x, want);
		free(x);
	}
	/* out of range: no place rather than a wrong one */
	{
		char *x = sidecar_of(ut_json("{\"location\":{\"latitude\":91,\"longitude\":0}}"));

		assert_lacks(x, "GPS");
		free(x);
	}
}

static void test_hostile_text_stays_valid_xml(void **state)
{
	json_t *meta = json_object();
	json_t *tags = json_array();
	char *x;

	(void)state;
	/* what the fuzz and hostile tests show a server can send, and bytes Jansson
	 * would refuse (a record made by hand, or damaged) */
	json_object_set_new(meta, "title", json_string_nocheck("a]]>b<c&d\x01\x1b[31m\"e\xff\xc0\xaf"));
	json_object_set_new(meta, "description",
			    json_string_nocheck("line1\r\nline2\rline3\x7f\xc2\x85<!-- x --><script>"
						"&#1;&#xD800;&#x110000;"));
	json_array_append_new(tags, json_string("AC/DC"));
	json_array_append_new(tags, json_string("a|b"));
	json_array_append_new(tags, json_string("tab\there\nnl"));
	json_array_append_new(tags, json_string("\x02"));
	json_object_set_new(meta, "tags", tags);
	json_object_set_new(meta, "albums", ut_json("[{\"id\":\"9\",\"title\":\"x/y|z\"},"
						     "{\"id\":\"10\",\"title\":\"\"}]"));
	json_object_set_new(meta, "id", json_string("1"));
	x = sidecar_of(meta);
	assert_xml_text(x);
	assert_has(x, "<rdf:li xml:lang=\"x-default\">a]]&gt;b&lt;c&amp;d[31m&quot;e"
		      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd</rdf:li>");
	assert_has(x, "line1\nline2\nline3\xef\xbf\xbd\xef\xbf\xbd</rdf:li>");
	/* a hierarchy separator inside a name would split it: a look-alike stands in */
	assert_has(x, "<dc:subject><rdf:Bag><rdf:li>AC/DC</rdf:li><rdf:li>a|b</rdf:li>"
		      "<rdf:li>tab here nl</rdf:li></rdf:Bag>");
	assert_has(x, "<rdf:li>AC/DC</rdf:li><rdf:li>a\xc2\xa6" "b</rdf:li>");
	assert_has(x, "<rdf:li>AC\xe2\x88\x95" "DC</rdf:li><rdf:li>a|b</rdf:li>");
	assert_has(x, "<rdf:li>Albums|x/y\xc2\xa6z</rdf:li><rdf:li>Albums|10</rdf:li>");
	assert_has(x, "<rdf:li>Albums/x\xe2\x88\x95y|z</rdf:li><rdf:li>Albums/10</rdf:li>");
	free(x);
}

static void test_the_same_metadata_makes_the_same_bytes(void **state)
{
	const char *meta = "{\"id\":\"5\",\"title\":\"t\",\"tags\":[\"a\"]}";
	char *a = sidecar_of(ut_json(meta)), *b = sidecar_of(ut_json(meta));

	(void)state;
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_the_file(void **state)
{
	char *dir = ut_mkdtemp(), *path = ut_join(dir, "original.jpg.xmp");
	struct buf content = BUF_INIT, name = BUF_INIT;

	(void)state;
	assert_int_equal(xmp_sidecar_name("original.jpg", &name), 0);
	assert_string_equal(name.data, "original.jpg.xmp");
	assert_int_equal(xmp_sidecar_name("../x", &name), FA_EINVAL);
	assert_int_equal(xmp_sidecar_name("", &name), FA_EINVAL);
	assert_true(xmp_is_sidecar("original.mov.xmp"));
	assert_false(xmp_is_sidecar(".xmp"));
	assert_false(xmp_is_sidecar("metadata.json"));
	assert_int_equal(buf_puts(&content, "<x/>\n"), 0);
	assert_true(xmp_differs(path, &content)); /* absent */
	ut_write_str(path, "<x/>\n");
	assert_false(xmp_differs(path, &content));
	ut_write_str(path, "<y/>\n");
	assert_true(xmp_differs(path, &content));
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_true(xmp_differs(path, &content)); /* a link is never ours */
	buf_release(&content);
	buf_release(&name);
	ut_rm_rf(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptions_become_text_with_link_targets),
		cmocka_unit_test(test_a_full_item),
		cmocka_unit_test(test_an_empty_record_has_no_empty_properties),
		cmocka_unit_test(test_date_taken_as_precise_as_flickr_knows_it),
		cmocka_unit_test(test_gps_in_the_form_darktable_parses),
		cmocka_unit_test(test_hostile_text_stays_valid_xml),
		cmocka_unit_test(test_the_same_metadata_makes_the_same_bytes),
		cmocka_unit_test(test_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
