/*
 * xmp.h: the XMP sidecar beside each archived original, so that photo
 * managers (Immich, digiKam, darktable, PhotoPrism) show the archive's
 * titles, descriptions, tags, albums, dates and places with the files.
 *
 * "original.<ext>.xmp", the name Immich, darktable and digiKam read: one
 * rdf:Description under x:xmpmeta, UTF-8, every property a child element
 * (what each reader wants: see /work/shared/xmp.md).  The sidecar is derived
 * from the item's metadata.json, the truth; it holds nothing else (no clock,
 * no path), so the same metadata always makes the same bytes and a file is
 * rewritten only when they differ.  The original file is never touched.
 */
#ifndef FA_XMP_H
#define FA_XMP_H

#include "buf.h"
#include "error.h"
#include "json.h"

#define XMP_SUFFIX ".xmp"
/* A sidecar bigger than this is not ours (a description is at most a few KB). */
#define XMP_MAX_BYTES (4u * 1024 * 1024)

/*
 * Appends the sidecar of the item whose metadata.json is meta: title;
 * description (Flickr's HTML made text) as dc:description and
 * tiff:ImageDescription; tags in dc:subject, lr:hierarchicalSubject and
 * digiKam:TagsList, with the albums as "Albums|<title>" ("Albums/<title>" in
 * TagsList); date taken (as precise as Flickr knows it, no time zone, left
 * out when Flickr says it is unknown) in exif:DateTimeOriginal,
 * xmp:CreateDate and photoshop:DateCreated; GPS as "DDD,MM.mmmmmK"; license,
 * creator, photo page and id, people tagged.  Text that XML cannot carry
 * (control characters, invalid UTF-8) is dropped or replaced with U+FFFD.
 */
int xmp_build(const json_t *meta, struct buf *out);

/*
 * Appends the text of a Flickr description (HTML): tags dropped, a link's
 * target kept after its text ("text (URL)"), <br> a line break, entities
 * decoded; surrounding white space trimmed.  Text that only looks like a
 * tag ("a < b") is kept.
 */
int xmp_html_text(const char *html, struct buf *out);

/* "<media>.xmp" into out (replacing it); FA_EINVAL for a name with '/' or empty. */
int xmp_sidecar_name(const char *media, struct buf *out);

/* True when name is a sidecar's ("….xmp"). */
int xmp_is_sidecar(const char *name);

/*
 * 1 when the file at path does not hold exactly content (absent, different,
 * or not a regular file), 0 when it does.
 */
int xmp_differs(const char *path, const struct buf *content);

#endif
