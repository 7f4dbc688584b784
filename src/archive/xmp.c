/*
 * xmp.c: an item's metadata.json made into the XMP sidecar that photo
 * managers read (see xmp.h; which property for which field, and why, is in
 * /work/shared/xmp.md).  Every text is hostile input: it is escaped, and
 * what XML 1.0 cannot carry is dropped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "utf8.h"
#include "xmp.h"

/* ---- text -------------------------------------------------------------- */

enum {
	TEXT_LINE = 0,      /* tabs and line breaks become spaces (titles, tags, names) */
	TEXT_MULTILINE = 1, /* line breaks kept as LF (descriptions) */
};

/* What XML 1.0 allows in text, less the other control characters (DEL, C1). */
static int xml_allowed(long cp)
{
	return cp == '\t' || cp == '\n' || (cp >= 0x20 && cp < 0x7f) ||
	       (cp > 0x9f && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

/*
 * Appends s escaped for XML element content.  sep, when not 0, is a
 * keyword hierarchy's separator: inside a name it would split it, so it is
 * written as the look-alike sep_as instead.
 */
static int put_escaped(struct buf *out, const char *s, int mode, char sep, const char *sep_as)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	int r = 0;

	while (left && r == 0) {
		size_t n;
		long cp = utf8_decode(p, left, &n);

		if (cp == '\r')
			cp = n < left && p[1] == '\n' ? -2 : '\n'; /* CRLF: the LF follows */
		if (mode == TEXT_LINE && (cp == '\t' || cp == '\n'))
			cp = ' ';
		if (cp == -2 || (cp >= 0 && !xml_allowed(cp)))
			; /* dropped */
		else if (cp < 0)
			r = utf8_put(out, UTF8_REPLACEMENT);
		else if (cp == '&')
			r = buf_puts(out, "&amp;");
		else if (cp == '<')
			r = buf_puts(out, "&lt;");
		else if (cp == '>')
			r = buf_puts(out, "&gt;");
		else if (cp == '"')
			r = buf_puts(out, "&quot;");
		else if (sep && cp == sep)
			r = buf_puts(out, sep_as);
		else if (cp < 0x80)
			r = buf_putc(out, (char)cp); /* what it became: CR and tabs are not kept */
		else
			r = buf_append(out, p, n);
		p += n;
		left -= n;
	}
	return r < 0 ? FA_ENOMEM : 0;
}

/* ---- HTML made text ------------------------------------------------------ */

/* The entity at s ("&amp;", "&#233;", "&#xE9;") into out; its length, or 0 when none. */
static size_t put_entity(const char *s, struct buf *out)
{
	long cp;
	size_t len = utf8_charref(s, strnlen(s, UTF8_CHARREF_MAX), &cp);

	if (!len || cp < 0)
		return 0;
	return utf8_put(out, (unsigned long)cp) < 0 ? 0 : len;
}

/* The end ('>') of the tag at p, or NULL when p only looks like one ("a < b"). */
static const char *tag_end(const char *p)
{
	char c = p[1];

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '/' || c == '!')
		return strchr(p, '>');
	return NULL;
}

/* Whether the tag from p to end is named name (<name ...>, <name/>, </name> when closing). */
static int tag_is(const char *p, const char *end, const char *name, int closing)
{
	size_t n = strlen(name);

	p++;
	if (closing != (*p == '/'))
		return 0;
	p += closing;
	return (size_t)(end - p) >= n && !strncasecmp(p, name, n) &&
	       strchr(" \t\r\n/>", p[n]) != NULL;
}

/* The href of the tag from p to end, entities decoded, into out (empty when none). */
static int tag_href(const char *p, const char *end, struct buf *out)
{
	const char *v = NULL, *v_end;

	buf_reset(out);
	for (const char *q = p + 2; q + 4 < end && !v; q++)
		if (strchr(" \t\r\n", q[-1]) && !strncasecmp(q, "href", 4)) {
			const char *eq = q + 4 + strspn(q + 4, " \t\r\n");

			if (*eq == '=')
				v = eq + 1 + strspn(eq + 1, " \t\r\n");
		}
	if (!v || v >= end)
		return 0;
	if (*v == '"' || *v == '\'') {
		v_end = memchr(v + 1, *v, (size_t)(end - v - 1));
		v++;
		if (!v_end)
			v_end = end;
	} else {
		v_end = v + strcspn(v, " \t\r\n>");
	}
	while (v < v_end) {
		size_t n = *v == '&' ? put_entity(v, out) : 0;

		if (n == 0 && buf_putc(out, *v) < 0)
			return FA_ENOMEM;
		v += n ? n : 1;
	}
	return 0;
}

/* Trims white space around what was appended to out since start. */
static void trim_from(struct buf *out, size_t start)
{
	size_t lead = start;

	if (out->len <= start)
		return; /* nothing appended (data may still be NULL) */
	while (out->len > start && strchr(" \t\r\n", out->data[out->len - 1]))
		out->data[--out->len] = '\0';
	while (lead < out->len && strchr(" \t\r\n", out->data[lead]))
		lead++;
	memmove(out->data + start, out->data + lead, out->len - lead + 1);
	out->len -= lead - start;
}

/* After a link's text: " (target)" unless the text is the target already. */
static int close_link(struct buf *out, size_t text_start, const struct buf *href)
{
	size_t n = out->len - text_start;

	if (!href->len || (n == href->len && !memcmp(out->data + text_start, href->data, n)))
		return 0;
	if (n == 0)
		return buf_append(out, href->data, href->len);
	return buf_printf(out, " (%s)", href->data);
}

int xmp_html_text(const char *html, struct buf *out)
{
	struct buf href = BUF_INIT;
	size_t start = out->len, link_start = 0;
	const char *p = html ? html : "";
	int r = 0;

	while (*p && r == 0) {
		const char *gt = *p == '<' ? tag_end(p) : NULL;
		size_t n = *p == '&' ? put_entity(p, out) : 0;

		if (n) {
			p += n;
			continue;
		}
		if (!gt) {
			r = buf_putc(out, *p++);
			continue;
		}
		if (tag_is(p, gt, "br", 0)) {
			r = buf_putc(out, '\n');
		} else if (tag_is(p, gt, "a", 0)) {
			r = tag_href(p, gt, &href);
			link_start = out->len;
		} else if (tag_is(p, gt, "a", 1) && href.len) {
			r = close_link(out, link_start, &href);
			buf_reset(&href);
		}
		p = gt + 1;
	}
	if (r == 0)
		trim_from(out, start);
	buf_release(&href);
	return r < 0 ? FA_ENOMEM : 0;
}

/* ---- properties ---------------------------------------------------------- */

/* The sidecar being written: after the first error (r), nothing more is. */
struct doc {
	struct buf *out;
	struct buf scratch;
	int r;
};

/* s escaped into d->scratch; 1 when something is left to write. */
static int escape(struct doc *d, const char *s, int mode, char sep, const char *sep_as)
{
	buf_reset(&d->scratch);
	if (d->r == 0 && s)
		d->r = put_escaped(&d->scratch, s, mode, sep, sep_as);
	return d->r == 0 && d->scratch.len > 0;
}

/* Appends the strings up to the first NULL (at most 5). */
static void put(struct doc *d, const char *a, const char *b, const char *c, const char *f,
		const char *g)
{
	const char *parts[] = { a, b, c, f, g };

	for (size_t i = 0; i < 5 && parts[i] && d->r == 0; i++)
		if (buf_puts(d->out, parts[i]) < 0)
			d->r = FA_ENOMEM;
}

/* <name>text</name> */
static void prop_simple(struct doc *d, const char *name, const char *text)
{
	if (!escape(d, text, TEXT_LINE, 0, NULL))
		return;
	put(d, "   <", name, ">", d->scratch.data, NULL);
	put(d, "</", name, ">\n", NULL, NULL);
}

/* A language alternative (rdf:Alt), as titles and descriptions are. */
static void prop_alt(struct doc *d, const char *name, const char *text, int mode)
{
	if (!escape(d, text, mode, 0, NULL))
		return;
	put(d, "   <", name, "><rdf:Alt><rdf:li xml:lang=\"x-default\">", d->scratch.data, NULL);
	put(d, "</rdf:li></rdf:Alt></", name, ">\n", NULL, NULL);
}

/* Opens an rdf:Bag or rdf:Seq; a list is written only when it has an item. */
struct list {
	const char *name;
	const char *kind;
	int open;
};

static void list_item(struct doc *d, struct list *l, const char *prefix, const char *text,
		      char sep, const char *sep_as)
{
	if (!escape(d, text, TEXT_LINE, sep, sep_as))
		return;
	if (!l->open)
		put(d, "   <", l->name, "><rdf:", l->kind, ">");
	l->open = 1;
	put(d, "<rdf:li>", prefix, d->scratch.data, "</rdf:li>", NULL);
}

static void list_close(struct doc *d, struct list *l)
{
	if (l->open)
		put(d, "</rdf:", l->kind, "></", l->name, ">\n");
}

/*
 * The tags as typed, and the albums under "Albums", in one keyword list.
 * sep: the list's hierarchy separator (0: flat, albums left out), which a
 * name cannot hold (written as a look-alike).
 */
static void prop_keywords(struct doc *d, const json_t *meta, const char *name,
			  const char *kind, char sep)
{
	static const char *const look_alike[] = { "\xe2\x88\x95", "\xc2\xa6" }; /* ∕ ¦ */
	const char *sep_as = sep == '/' ? look_alike[0] : look_alike[1];
	const json_t *tags = json_object_get(meta, "tags");
	const json_t *albums = json_object_get(meta, "albums");
	struct list l = { name, kind, 0 };
	char prefix[16];

	for (size_t i = 0; i < json_array_size(tags); i++)
		list_item(d, &l, "", json_string_value(json_array_get(tags, i)), sep, sep_as);
	snprintf(prefix, sizeof(prefix), "Albums%c", sep);
	for (size_t i = 0; sep && i < json_array_size(albums); i++) {
		const json_t *a = json_array_get(albums, i);
		const char *title = jstr(a, "title");

		list_item(d, &l, prefix, title && *title ? title : jstr(a, "id"), sep, sep_as);
	}
	list_close(d, &l);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int field(const char *s, size_t at)
{
	return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

/*
 * Flickr's "YYYY-MM-DD hh:mm:ss" as XMP's "YYYY-MM-DDThh:mm:ss", cut to what
 * Flickr knows (granularity 4: the month, 6 and 8 (circa): the year), with
 * no time zone (Flickr's has none); 0 when there is no date to give (Flickr
 * says it is unknown, or it is not a date).
 */
static int date_taken(const json_t *meta, char out[20])
{
	const char *s = jstr(meta, "date_taken");
	long long granularity = jint_or(meta, "date_taken_granularity", 0);
	size_t keep = 19;

	if (!s || jflag(meta, "date_taken_unknown", false) || strlen(s) < 10 ||
	    !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) || s[7] != '-' ||
	    !all_digits(s + 8, 2) || !strncmp(s, "0000", 4) || field(s, 5) < 1 ||
	    field(s, 5) > 12 || field(s, 8) > 31)
		return 0;
	if (granularity == 4)
		keep = 7;
	else if (granularity == 6 || granularity == 8)
		keep = 4;
	else if (field(s, 8) < 1)
		return 0;
	else if (strlen(s) < 19 || (s[10] != ' ' && s[10] != 'T') || !all_digits(s + 11, 2) ||
		 s[13] != ':' || !all_digits(s + 14, 2) || s[16] != ':' || !all_digits(s + 17, 2) ||
		 field(s, 11) > 23 || field(s, 14) > 59 || field(s, 17) > 60)
		keep = 10; /* the day is sure, the time is not */
	memcpy(out, s, keep);
	out[keep] = '\0';
	if (keep > 10)
		out[10] = 'T';
	return 1;
}

/* A coordinate as "DDD,MM.mmmmmK", the form darktable parses (decimal degrees fail). */
static void gps_coord(double v, char pos, char neg, char out[32])
{
	/* in 1/100000 of a minute, rounded once, so 59.999999' carries into a degree */
	long long units = llround(fabs(v) * 60.0 * 100000.0);

	snprintf(out, 32, "%lld,%lld.%05lld%c", units / 6000000, units % 6000000 / 100000,
		 units % 100000, v < 0 ? neg : pos);
}

static void prop_gps(struct doc *d, const json_t *meta)
{
	const json_t *loc = jobj(meta, "location");
	double lat, lon;
	char a[32], b[32];

	if (!jreal(loc, "latitude", &lat) || !jreal(loc, "longitude", &lon) || !isfinite(lat) ||
	    !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180)
		return;
	gps_coord(lat, 'N', 'S', a);
	gps_coord(lon, 'E', 'W', b);
	prop_simple(d, "exif:GPSVersionID", "2.2.0.0");
	prop_simple(d, "exif:GPSLatitude", a);
	prop_simple(d, "exif:GPSLongitude", b);
}

/* A person's name as Flickr shows it. */
static const char *person_name(const json_t *p)
{
	static const char *const keys[] = { "display_name", "realname", "username" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (jstr(p, keys[i]) && *jstr(p, keys[i]))
			return jstr(p, keys[i]);
	return NULL;
}

static void prop_license(struct doc *d, const json_t *meta)
{
	const json_t *lic = jobj(meta, "license");
	const char *url = jstr(lic, "url");
	long long id = jint_or(lic, "id", -1);
	/* 7: no known copyright restrictions, 9: CC0, 10: Public Domain Mark */
	int marked = id != 7 && id != 9 && id != 10;

	if (!lic || !jstr(lic, "name"))
		return;
	prop_alt(d, "xmpRights:UsageTerms", jstr(lic, "name"), TEXT_LINE);
	prop_simple(d, "xmpRights:WebStatement", url);
	prop_simple(d, "xmpRights:Marked", marked ? "True" : "False");
	if (url && strstr(url, "creativecommons.org/"))
		prop_simple(d, "cc:license", url);
}

static void prop_people(struct doc *d, const json_t *meta)
{
	const json_t *people = json_object_get(meta, "people");
	struct list l = { "Iptc4xmpExt:PersonInImage", "Bag", 0 };

	for (size_t i = 0; i < json_array_size(people); i++)
		list_item(d, &l, "", person_name(json_array_get(people, i)), 0, NULL);
	list_close(d, &l);
}

static void prop_description(struct doc *d, const json_t *meta)
{
	struct buf text = BUF_INIT;

	if (xmp_html_text(jstr(meta, "description"), &text) < 0) {
		d->r = FA_ENOMEM;
	} else {
		/* Immich prefers ImageDescription: a camera's "OLYMPUS DIGITAL CAMERA" must lose */
		prop_alt(d, "dc:description", text.data, TEXT_MULTILINE);
		prop_alt(d, "tiff:ImageDescription", text.data, TEXT_MULTILINE);
	}
	buf_release(&text);
}

static const char header[] =
	"<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
	"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
	" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
	"  <rdf:Description rdf:about=\"\"\n"
	"    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	"    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
	"    xmlns:exif=\"http://ns.adobe.com/exif/1.0/\"\n"
	"    xmlns:tiff=\"http://ns.adobe.com/tiff/1.0/\"\n"
	"    xmlns:photoshop=\"http://ns.adobe.com/photoshop/1.0/\"\n"
	"    xmlns:lr=\"http://ns.adobe.com/lightroom/1.0/\"\n"
	"    xmlns:digiKam=\"http://www.digikam.org/ns/1.0/\"\n"
	"    xmlns:xmpRights=\"http://ns.adobe.com/xap/1.0/rights/\"\n"
	"    xmlns:cc=\"http://creativecommons.org/ns#\"\n"
	"    xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\">\n";

static const char footer[] =
	"  </rdf:Description>\n"
	" </rdf:RDF>\n"
	"</x:xmpmeta>\n"
	"<?xpacket end=\"w\"?>\n";

int xmp_build(const json_t *meta, struct buf *out)
{
	struct doc d = { out, BUF_INIT, 0 };
	struct list creator = { "dc:creator", "Seq", 0 };
	char date[20];

	if (buf_puts(out, header) < 0)
		return FA_ENOMEM;
	prop_alt(&d, "dc:title", jstr(meta, "title"), TEXT_LINE);
	prop_description(&d, meta);
	prop_keywords(&d, meta, "dc:subject", "Bag", 0);
	prop_keywords(&d, meta, "lr:hierarchicalSubject", "Bag", '|');
	prop_keywords(&d, meta, "digiKam:TagsList", "Seq", '/');
	if (date_taken(meta, date)) {
		/* digiKam trusts a date only when two of them agree; PhotoPrism reads the last */
		prop_simple(&d, "exif:DateTimeOriginal", date);
		prop_simple(&d, "xmp:CreateDate", date);
		prop_simple(&d, "photoshop:DateCreated", date);
	}
	prop_gps(&d, meta);
	list_item(&d, &creator, "", person_name(jobj(meta, "owner")), 0, NULL);
	list_close(&d, &creator);
	prop_license(&d, meta);
	prop_simple(&d, "dc:source", jstr(jobj(meta, "urls"), "photopage"));
	prop_simple(&d, "dc:identifier", jstr(meta, "id"));
	prop_people(&d, meta);
	if (d.r == 0 && buf_puts(out, footer) < 0)
		d.r = FA_ENOMEM;
	buf_release(&d.scratch);
	return d.r;
}

/* ---- the file ------------------------------------------------------------ */

int xmp_sidecar_name(const char *media, struct buf *out)
{
	if (!media || !*media || strchr(media, '/'))
		return FA_EINVAL;
	buf_reset(out);
	return buf_printf(out, "%s" XMP_SUFFIX, media) < 0 ? FA_ENOMEM : 0;
}

int xmp_is_sidecar(const char *name)
{
	size_t n = strlen(name), s = strlen(XMP_SUFFIX);

	return n > s && !strcmp(name + n - s, XMP_SUFFIX);
}

int xmp_differs(const char *path, const struct buf *content)
{
	struct buf have = BUF_INIT;
	struct stat st;
	int differs;

	/* a FIFO or a link in its place is not ours: replaced, never read or followed */
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != content->len)
		return 1;
	differs = fs_read_file(path, content->len, &have, NULL) < 0 || have.len != content->len ||
		  memcmp(have.data, content->data, content->len) != 0;
	buf_release(&have);
	return differs;
}
