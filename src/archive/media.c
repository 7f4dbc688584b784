/* media.c: picking the best file Flickr offers and naming it truthfully. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "media.h"
#include "store.h"

/* listing extras, smallest first; the suffix of url_X and its size label */
static const struct {
	const char *suffix;
	const char *label;
} listing_sizes[] = {
	{ "sq", "Square" }, { "t", "Thumbnail" }, { "q", "Large Square" },
	{ "s", "Small" }, { "n", "Small 320" }, { "w", "Small 400" },
	{ "m", "Medium" }, { "z", "Medium 640" }, { "c", "Medium 800" },
	{ "l", "Large" }, { "h", "Large 1600" }, { "k", "Large 2048" },
	{ "3k", "X-Large 3K" }, { "4k", "X-Large 4K" }, { "f", "X-Large 4K" },
	{ "5k", "X-Large 5K" }, { "6k", "X-Large 6K" }, { "o", "Original" },
};

#define N_LISTING_SIZES (sizeof(listing_sizes) / sizeof(listing_sizes[0]))

void media_source_release(struct media_source *m)
{
	free(m->url);
	free(m->label);
	memset(m, 0, sizeof(*m));
}

void media_sources_free(struct media_source *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		media_source_release(&v[i]);
	free(v);
}

static int set_source(struct media_source *m, const char *url, const char *label,
		      long w, long h, int original)
{
	m->url = strdup(url);
	m->label = strdup(label);
	m->width = w;
	m->height = h;
	m->is_original = original;
	if (!m->url || !m->label) {
		media_source_release(m);
		return -1;
	}
	return 0;
}

/* w * h, 0 when either is unknown; saturates, as the sizes come from the server */
static long long pixels_of(long w, long h)
{
	if (w <= 0 || h <= 0)
		return 0;
	if ((long long)w > LLONG_MAX / h)
		return LLONG_MAX;
	return (long long)w * h;
}

static long long area_of(long w, long h, size_t rank)
{
	/* unknown dimensions fall back to the table's order */
	if (w > 0 && h > 0)
		return pixels_of(w, h);
	return (long long)rank;
}

int media_pick_from_listing(const json_t *photo, struct media_source *ret)
{
	char key[16];
	long long best_area = -1;
	size_t best = N_LISTING_SIZES;

	for (size_t i = 0; i < N_LISTING_SIZES; i++) {
		const char *url;
		long long w = 0, h = 0, area;

		snprintf(key, sizeof(key), "url_%s", listing_sizes[i].suffix);
		url = jstr(photo, key);
		if (!url || !*url)
			continue;
		if (!strcmp(listing_sizes[i].suffix, "o")) {
			best = i;
			break;
		}
		snprintf(key, sizeof(key), "width_%s", listing_sizes[i].suffix);
		jint(photo, key, &w);
		snprintf(key, sizeof(key), "height_%s", listing_sizes[i].suffix);
		jint(photo, key, &h);
		area = area_of((long)w, (long)h, i);
		if (area >= best_area) {
			best_area = area;
			best = i;
		}
	}
	if (best == N_LISTING_SIZES)
		return 0;
	{
		const char *s = listing_sizes[best].suffix;
		long long w = 0, h = 0;

		snprintf(key, sizeof(key), "width_%s", s);
		jint(photo, key, &w);
		snprintf(key, sizeof(key), "height_%s", s);
		jint(photo, key, &h);
		snprintf(key, sizeof(key), "url_%s", s);
		if (set_source(ret, jstr(photo, key), listing_sizes[best].label, (long)w,
			       (long)h, !strcmp(s, "o")) < 0)
			return -1;
	}
	return 1;
}

json_t *media_sizes_from_listing(const json_t *photo)
{
	json_t *out = json_array();
	char key[16];

	for (size_t i = 0; out && i < N_LISTING_SIZES; i++) {
		const char *s = listing_sizes[i].suffix;
		json_t *entry;
		long long v;

		snprintf(key, sizeof(key), "url_%s", s);
		if (!jstr(photo, key))
			continue;
		entry = json_object();
		jset_str(entry, "label", listing_sizes[i].label);
		snprintf(key, sizeof(key), "width_%s", s);
		if (jint(photo, key, &v))
			jset_int(entry, "width", v);
		snprintf(key, sizeof(key), "height_%s", s);
		if (jint(photo, key, &v))
			jset_int(entry, "height", v);
		snprintf(key, sizeof(key), "url_%s", s);
		jset_str(entry, "source", jstr(photo, key));
		jset_str(entry, "media", "photo");
		json_array_append_new(out, entry);
	}
	return out;
}

int media_pick_from_sizes(const json_t *sizes_resp, struct media_source *ret)
{
	const json_t *list = json_object_get(jobj(sizes_resp, "sizes"), "size");
	const json_t *best = NULL;
	long long best_area = -1;

	for (size_t i = 0; i < jlist_size(list); i++) {
		const json_t *s = jlist_at(list, i);
		const char *media = jstr(s, "media");
		const char *label = jstr(s, "label");
		const char *source = jstr(s, "source");
		long long w = 0, h = 0, area;

		/* an empty source is no file, as an empty url_* of a listing */
		if (!source || !*source || !label || (media && strcmp(media, "photo")))
			continue;
		if (!strcmp(label, "Original")) {
			best = s;
			break;
		}
		jint(s, "width", &w);
		jint(s, "height", &h);
		area = area_of((long)w, (long)h, i);
		if (area >= best_area) {
			best_area = area;
			best = s;
		}
	}
	if (!best)
		return 0;
	if (set_source(ret, jstr(best, "source"), jstr(best, "label"),
		       (long)jint_or(best, "width", 0), (long)jint_or(best, "height", 0),
		       !strcmp(jstr(best, "label"), "Original")) < 0)
		return -1;
	return 1;
}

/* Best first.  Labels from getSizes and stream types from getStreamInfo. */
static const char *const video_rank[] = {
	"Video Original", "orig", "4k", "2160p", "1440p", "1080p", "HD MP4", "720p",
	"appletv", "Site MP4", "540p", "360p", "288p", "700", "300",
	"Mobile MP4", "iphone_wifi", "100",
};

static int rank_of(const char *label)
{
	for (size_t i = 0; i < sizeof(video_rank) / sizeof(video_rank[0]); i++)
		if (!strcasecmp(label, video_rank[i]))
			return (int)i;
	return (int)(sizeof(video_rank) / sizeof(video_rank[0]));
}

static int is_player(const char *label, const char *url)
{
	size_t n = strcspn(url, "?#");

	return !strcasecmp(label, "Video Player") ||
	       (n >= 4 && !strncasecmp(url + n - 4, ".swf", 4));
}

struct candidate_list {
	struct media_source *v;
	size_t n;
	size_t cap;
};

static int add_candidate(struct candidate_list *l, const char *url, const char *label,
			 long w, long h)
{
	if (!url || !*url || !label || is_player(label, url))
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].url, url))
			return 0;
	if (ALLOC_GROW(l->v, l->n + 1, l->cap) < 0)
		return -1;
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	if (set_source(&l->v[l->n], url, label, w, h,
		       !strcasecmp(label, "Video Original") || !strcasecmp(label, "orig") ||
		       !strcmp(label, "Original")) < 0)
		return -1;
	l->n++;
	return 0;
}

static int compare_candidates(const void *a, const void *b)
{
	const struct media_source *x = a, *y = b;
	int rx = rank_of(x->label), ry = rank_of(y->label);
	long long ax = pixels_of(x->width, x->height), ay = pixels_of(y->width, y->height);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return ax > ay ? -1 : ax < ay;
}

/* The getSizes entries of one media ("photo": also those that do not say). */
static int add_sizes(struct candidate_list *l, const json_t *sizes, const char *want)
{
	int r = 0;

	for (size_t i = 0; i < jlist_size(sizes) && r == 0; i++) {
		const json_t *s = jlist_at(sizes, i);
		const char *media = jstr(s, "media");

		if (media ? !strcmp(media, want) : !strcmp(want, "photo"))
			r = add_candidate(l, jstr(s, "source"), jstr(s, "label"),
					  (long)jint_or(s, "width", 0), (long)jint_or(s, "height", 0));
	}
	return r;
}

/* The list sorted best first into *ret, or freed after an error r (then -1). */
static int hand_over(struct candidate_list *l, int r, int (*best_first)(const void *, const void *),
		     struct media_source **ret, size_t *ret_n)
{
	if (r < 0) {
		media_sources_free(l->v, l->n);
		return -1;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), best_first);
	*ret = l->v;
	*ret_n = l->n;
	return 0;
}

int media_video_candidates(const json_t *sizes_resp, const json_t *streams_resp,
			   struct media_source **ret, size_t *ret_n)
{
	const json_t *sizes = json_object_get(jobj(sizes_resp, "sizes"), "size");
	const json_t *streams = json_object_get(jobj(streams_resp, "streams"), "stream");
	struct candidate_list l = { NULL, 0, 0 };
	int r = 0;

	r = add_sizes(&l, sizes, "video");
	for (size_t i = 0; i < jlist_size(streams) && r == 0; i++) {
		const json_t *s = jlist_at(streams, i);
		const char *type = jtext(s, "type");
		char label[64];

		snprintf(label, sizeof(label), "%s", type ? type : "stream");
		r = add_candidate(&l, jstr(s, "_content"), label, 0, 0);
	}
	return hand_over(&l, r, compare_candidates, ret, ret_n);
}

/* The original first, then by pixels, largest first; unknown sizes last. */
static int compare_photo_candidates(const void *a, const void *b)
{
	const struct media_source *x = a, *y = b;
	long long ax = pixels_of(x->width, x->height), ay = pixels_of(y->width, y->height);

	if (x->is_original != y->is_original)
		return x->is_original ? -1 : 1;
	return ax > ay ? -1 : ax < ay;
}

int media_photo_candidates(const json_t *sizes_resp, struct media_source **ret, size_t *ret_n)
{
	const json_t *sizes = json_object_get(jobj(sizes_resp, "sizes"), "size");
	struct candidate_list l = { NULL, 0, 0 };
	int r = add_sizes(&l, sizes, "photo");

	return hand_over(&l, r, compare_photo_candidates, ret, ret_n);
}

static const struct {
	const char *type;
	const char *ext;
} mime_exts[] = {
	{ "image/jpeg", "jpg" }, { "image/jpg", "jpg" }, { "image/pjpeg", "jpg" },
	{ "image/png", "png" }, { "image/gif", "gif" }, { "image/webp", "webp" },
	{ "image/heic", "heic" }, { "image/tiff", "tif" }, { "image/bmp", "bmp" },
	{ "video/mp4", "mp4" }, { "video/quicktime", "mov" }, { "video/x-msvideo", "avi" },
	{ "video/avi", "avi" }, { "video/mpeg", "mpg" }, { "video/webm", "webm" },
	{ "video/3gpp", "3gp" }, { "video/3gpp2", "3g2" }, { "video/x-m4v", "m4v" },
	{ "video/x-ms-wmv", "wmv" }, { "video/x-flv", "flv" }, { "video/mp2t", "mts" },
	{ "video/x-matroska", "mkv" }, { "video/ogg", "ogv" }, { "video/x-dv", "dv" },
};

static const char *ext_from_mime(const char *ct)
{
	size_t n;

	if (!ct)
		return NULL;
	n = strcspn(ct, "; \t");
	for (size_t i = 0; i < sizeof(mime_exts) / sizeof(mime_exts[0]); i++)
		if (strlen(mime_exts[i].type) == n && !strncasecmp(ct, mime_exts[i].type, n))
			return mime_exts[i].ext;
	return NULL;
}

/* Extension of the last path segment of a name or URL (query ignored). */
static const char *ext_from_name(const char *name)
{
	char seg[256];
	size_t n;
	const char *slash, *dot;

	if (!name || !*name)
		return NULL;
	n = strcspn(name, "?#");
	if (n >= sizeof(seg))
		return NULL;
	memcpy(seg, name, n);
	seg[n] = '\0';
	while (n > 0 && seg[n - 1] == '/')
		seg[--n] = '\0';
	slash = strrchr(seg, '/');
	dot = strrchr(slash ? slash : seg, '.');
	return dot ? store_allowed_ext(dot + 1) : NULL;
}

static const char *ext_from_magic(const unsigned char *h, size_t n)
{
	if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
		return "jpg";
	if (n >= 8 && !memcmp(h, "\x89PNG\r\n\x1a\n", 8))
		return "png";
	if (n >= 6 && (!memcmp(h, "GIF87a", 6) || !memcmp(h, "GIF89a", 6)))
		return "gif";
	if (n >= 12 && !memcmp(h + 4, "ftyp", 4))
		return !memcmp(h + 8, "qt  ", 4) ? "mov" : "mp4";
	if (n >= 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "AVI ", 4))
		return "avi";
	if (n >= 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WEBP", 4))
		return "webp";
	if (n >= 4 && !memcmp(h, "\x1a\x45\xdf\xa3", 4))
		return "mkv";
	return NULL;
}

const char *media_ext_for(const char *content_type, const char *filename, const char *url,
			  const unsigned char *head, size_t head_len, const char *hint)
{
	const char *ext = ext_from_mime(content_type);

	if (!ext)
		ext = ext_from_name(filename);
	if (!ext)
		ext = ext_from_name(url);
	if (!ext)
		ext = ext_from_magic(head, head_len);
	if (!ext)
		ext = store_allowed_ext(hint);
	return ext;
}

int media_is_html(const char *content_type, const unsigned char *head, size_t head_len)
{
	size_t i = 0;

	if (content_type && (!strncasecmp(content_type, "text/html", 9) ||
			     !strncasecmp(content_type, "application/xhtml", 17)))
		return 1;
	while (i < head_len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
				head[i] == '\t'))
		i++;
	return head_len - i >= 5 && head[i] == '<' &&
	       (!strncasecmp((const char *)head + i, "<!doc", 5) ||
		!strncasecmp((const char *)head + i, "<html", 5));
}

int media_is_page(const char *content_type, const unsigned char *head, size_t head_len)
{
	/* what a web or API server sends, never a photo or a video */
	static const char *const page_types[] = {
		"text/", "application/json", "application/javascript", "application/xml",
		"application/problem+",
	};

	if (media_is_html(content_type, head, head_len))
		return 1;
	for (size_t i = 0; content_type && i < sizeof(page_types) / sizeof(page_types[0]); i++)
		if (!strncasecmp(content_type, page_types[i], strlen(page_types[i])))
			return 1;
	return 0;
}
