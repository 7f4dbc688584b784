/*
 * exif.h: exif.json, from the archived original or from Flickr.
 *
 * Both sources give the same shape, Flickr's getExif list flattened:
 *   {"source": "original-file" | "flickr.photos.getExif", "camera": "...",
 *    "exif": [{"tagspace", "tag", "label", "raw", "clean"?}]}
 * Reading the EXIF of the original we just archived (Flickr keeps originals
 * intact, and its getExif reads the same file) saves an API call per photo:
 * JPEG through libexif, PNG from its eXIf chunk; GIF and video containers
 * carry no EXIF (their metadata stays in the archived file).
 */
#ifndef FA_EXIF_H
#define FA_EXIF_H

#include "error.h"
#include "json.h"

/* FA_ENOTFOUND when the file carries no EXIF. */
int exif_from_file(const char *path, const char *file_name, json_t **ret, struct err *e);
/* From a flickr.photos.getExif response (new reference). */
json_t *exif_from_flickr(const json_t *resp);

#endif
