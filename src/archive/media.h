/*
 * media.h: which file to download for a photo or video, and what to call it.
 *
 * Every URL comes from an API response (url_* extras, getSizes `source`,
 * getStreamInfo streams); nothing here builds a media URL.  Extensions come
 * from what the server sent (Content-Type, Content-Disposition, URL, magic
 * bytes) and only from an allow-list.
 */
#ifndef FA_MEDIA_H
#define FA_MEDIA_H

#include <stddef.h>

#include "json.h"

struct media_source {
	char *url;
	char *label;  /* Flickr's size label: "Original", "Large 2048", "Video Original", "700" */
	long width;   /* 0 when unknown */
	long height;
	int is_original;
};

void media_source_release(struct media_source *m);

/* Best photo file from listing extras: url_o, else the largest url_*.
 * Returns 1 when one was found, 0 when the listing has no url_* at all. */
int media_pick_from_listing(const json_t *photo, struct media_source *ret);
/* Best media=="photo" entry of a getSizes response: Original, else the largest. */
int media_pick_from_sizes(const json_t *sizes_resp, struct media_source *ret);
/* The sizes the listing offers, in getSizes' shape, for sizes.json (new reference). */
json_t *media_sizes_from_listing(const json_t *photo);

/*
 * Video files worth trying, best first: Video Original, then the other
 * getSizes video entries and getStreamInfo streams (either may be NULL) by
 * quality; the Flash "Video Player" is never a candidate.  Caller frees
 * with media_sources_free().
 */
int media_video_candidates(const json_t *sizes_resp, const json_t *streams_resp,
			   struct media_source **ret, size_t *ret_n);
void media_sources_free(struct media_source *v, size_t n);

/*
 * The photo sizes of a getSizes response worth trying when the first choice
 * is refused: Original first, then largest first.  Caller frees with
 * media_sources_free().
 */
int media_photo_candidates(const json_t *sizes_resp, struct media_source **ret, size_t *ret_n);

/*
 * The extension to store a download under, from (in order) the
 * Content-Type, the Content-Disposition file name, the URL's file name, the
 * file's magic bytes, then `hint` (e.g. originalformat).  NULL when nothing
 * allowed is known.
 */
const char *media_ext_for(const char *content_type, const char *filename, const char *url,
			  const unsigned char *head, size_t head_len, const char *hint);
/* True when the response is an HTML page rather than media. */
int media_is_html(const char *content_type, const unsigned char *head, size_t head_len);
/*
 * True when the response is a page or an API answer (HTML, text, JSON, XML)
 * rather than media: a file name from the URL must not make it an "original".
 */
int media_is_page(const char *content_type, const unsigned char *head, size_t head_len);

#endif
