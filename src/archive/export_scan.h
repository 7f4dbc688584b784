/*
 * export_scan.h: whether a media file of the export is whole, checked
 * while it streams by (no second read): the issue asks that an original
 * "decodes" before it takes an archived file's place, and a file cut short
 * after a whole header declares the right pixel size all the same.
 */
#ifndef FA_EXPORT_SCAN_H
#define FA_EXPORT_SCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * A JPEG's segments and entropy-coded data up to its EOI marker, a PNG's
 * chunks with their CRCs up to IEND, a GIF's blocks up to its trailer, an
 * MP4/MOV's top-level boxes covering the file exactly (with a moov among
 * them), an AVI's RIFF size.  Other formats are not checked.  A file cut
 * short, even after a whole header, is not whole.
 */
enum media_scan_kind { SCAN_NONE, SCAN_JPEG, SCAN_PNG, SCAN_GIF, SCAN_BOXES, SCAN_RIFF };

struct media_scan {
	enum media_scan_kind kind;
	int state;
	int done;                  /* the end of the structure was reached */
	const char *bad;           /* what is wrong, or NULL */
	uint64_t pos, skip, end;   /* bytes read; to skip; RIFF: the size it declares */
	size_t have, need;         /* hdr collects need bytes before the next step */
	unsigned char hdr[16];
	uint32_t crc;              /* PNG: the chunk's CRC so far */
	int crc_on, seen_moov;
	unsigned char code;        /* JPEG: the marker being read */
};

/* For a file whose extension (export_media_ext()) is ext. */
void media_scan_init(struct media_scan *sc, const char *ext);
void media_scan_feed(struct media_scan *sc, const unsigned char *b, size_t n);
/*
 * At the end of the file: 1 whole, 0 not (why, of why_len bytes, says
 * what is wrong), -1 a format that is not checked.
 */
int media_scan_end(const struct media_scan *sc, char *why, size_t why_len);

#endif
