/*
 * export_media.h: what a media file of the export is, told from its bytes
 * (never from its name), and its pixel size from its header, to check an
 * original against the size Flickr reported before it takes an archived
 * file's place.
 */
#ifndef FA_EXPORT_MEDIA_H
#define FA_EXPORT_MEDIA_H

#include <stddef.h>

/* The bytes of a file kept for reading its pixel size (a JPEG's EXIF comes first). */
#define EXPORT_MEDIA_HEADER_MAX (256 * 1024)

/* The archive's extension for a media file with these first bytes, or NULL. */
const char *export_media_ext(const unsigned char *head, size_t len);
/* True for a video container's extension. */
int export_media_is_video(const char *ext);

/*
 * The pixel size a JPEG (its frame header), PNG (IHDR) or GIF (its logical
 * screen) declares, from its first len bytes.  1 when found, 0 when not.
 */
int export_media_dims(const unsigned char *b, size_t len, long *ret_w, long *ret_h);

/* The same for a file on disk; 0 when it cannot be read or says nothing. */
int export_media_file_dims(const char *path, long *ret_w, long *ret_h);

/*
 * The photo id an export media name carries ("<slug>_<id>_o.jpg",
 * "<id>_<secret>_o.jpg", a video's "<slug>_<id>.mp4"): the last run of
 * digits for which known(ud, digits) is true, copied into out (size
 * out_len).  1 when found, 0 when not.
 */
int export_media_id(const char *name, int (*known)(void *ud, const char *id), void *ud,
		    char *out, size_t out_len);

#endif
