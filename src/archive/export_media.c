/*
 * export_media.c: media files of the export, told by their bytes; their
 * pixel size from the header each format begins with.
 */
#include "export_media.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media.h"

static const char *const video_exts[] = {
	"mp4", "m4v", "mov", "avi", "wmv", "3gp", "3g2", "mpg", "m2ts", "mts", "ogv", "webm",
	"mkv", "flv", "dv",
};

const char *export_media_ext(const unsigned char *head, size_t len)
{
	return media_ext_for(NULL, NULL, NULL, head, len, NULL);
}

int export_media_is_video(const char *ext)
{
	for (size_t i = 0; ext && i < sizeof(video_exts) / sizeof(video_exts[0]); i++)
		if (!strcmp(ext, video_exts[i]))
			return 1;
	return 0;
}

static long be16(const unsigned char *p)
{
	return (long)p[0] << 8 | p[1];
}

/* A JPEG's size is in its first SOFn segment, after any APPn (EXIF can be 64 KB). */
static int jpeg_dims(const unsigned char *b, size_t n, long *w, long *h)
{
	size_t i = 2;

	while (i + 4 <= n) {
		unsigned m;
		long seg;

		if (b[i] != 0xff)
			return 0;
		m = b[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			i += 2;
			continue;
		}
		seg = be16(b + i + 2);
		if (seg < 2)
			return 0;
		/* SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc) */
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			if (i + 9 > n)
				return 0;
			*h = be16(b + i + 5);
			*w = be16(b + i + 7);
			return *w > 0 && *h > 0;
		}
		if (m == 0xda || m == 0xd9)
			return 0;
		i += 2 + (size_t)seg;
	}
	return 0;
}

int export_media_dims(const unsigned char *b, size_t n, long *ret_w, long *ret_h)
{
	long w = 0, h = 0;

	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
		if (!jpeg_dims(b, n, &w, &h))
			return 0;
	} else if (n >= 24 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8) && !memcmp(b + 12, "IHDR", 4)) {
		w = (long)((unsigned long)b[16] << 24 | (unsigned long)b[17] << 16 |
			   (unsigned long)b[18] << 8 | b[19]);
		h = (long)((unsigned long)b[20] << 24 | (unsigned long)b[21] << 16 |
			   (unsigned long)b[22] << 8 | b[23]);
	} else if (n >= 10 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6))) {
		w = (long)b[6] | (long)b[7] << 8;
		h = (long)b[8] | (long)b[9] << 8;
	} else {
		return 0;
	}
	if (w <= 0 || h <= 0)
		return 0;
	*ret_w = w;
	*ret_h = h;
	return 1;
}

int export_media_file_dims(const char *path, long *ret_w, long *ret_h)
{
	unsigned char *b = malloc(EXPORT_MEDIA_HEADER_MAX);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	size_t n = 0;
	int found = 0;

	if (b && fd >= 0) {
		ssize_t got;

		while (n < EXPORT_MEDIA_HEADER_MAX &&
		       (got = read(fd, b + n, EXPORT_MEDIA_HEADER_MAX - n)) > 0)
			n += (size_t)got;
		found = export_media_dims(b, n, ret_w, ret_h);
	}
	if (fd >= 0)
		close(fd);
	free(b);
	return found;
}

int export_media_id(const char *name, int (*known)(void *ud, const char *id), void *ud,
		    char *out, size_t out_len)
{
	int found = 0;

	for (const char *p = name; *p;) {
		const char *start = p;
		char id[33];
		size_t len;

		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		while (isdigit((unsigned char)*p))
			p++;
		len = (size_t)(p - start);
		if (len >= sizeof(id) || len >= out_len)
			continue;
		memcpy(id, start, len);
		id[len] = '\0';
		if (known(ud, id)) {
			memcpy(out, id, len + 1);
			found = 1; /* the last run that names a known photo wins */
		}
	}
	return found;
}
