/*
 * export_scan.c: a media file's structure walked as it streams by, to tell
 * a whole file from one cut short (export_scan.h).  Each step collects a
 * few header bytes into sc->hdr, then says how many bytes to skip and what
 * to collect next; a JPEG's entropy-coded data is searched for its next
 * marker with memchr, so the walk costs little next to the SHA-256.
 */
#include "export_scan.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum {
	J_SOI, J_FF, J_CODE, J_LEN, J_ENT, J_ENT_FF,
	P_SIG, P_HEAD, P_CRC,
	G_HEAD, G_BLOCK, G_LABEL, G_DESC, G_LZW, G_SUB,
	B_HEAD, B_LARGE,
	R_HEAD, R_BODY,
};

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_make(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ b[i]) & 0xff] ^ (crc >> 8);
	return crc;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void next(struct media_scan *sc, int state, size_t need)
{
	sc->state = state;
	sc->need = need;
	sc->have = 0;
}

void media_scan_init(struct media_scan *sc, const char *ext)
{
	memset(sc, 0, sizeof(*sc));
	if (!ext)
		return;
	if (!strcmp(ext, "jpg")) {
		sc->kind = SCAN_JPEG;
		next(sc, J_SOI, 2);
	} else if (!strcmp(ext, "png")) {
		pthread_once(&crc_once, crc_make);
		sc->kind = SCAN_PNG;
		next(sc, P_SIG, 8);
	} else if (!strcmp(ext, "gif")) {
		sc->kind = SCAN_GIF;
		next(sc, G_HEAD, 13);
	} else if (!strcmp(ext, "mp4") || !strcmp(ext, "mov") || !strcmp(ext, "m4v") ||
		   !strcmp(ext, "3gp") || !strcmp(ext, "3g2")) {
		sc->kind = SCAN_BOXES;
		next(sc, B_HEAD, 8);
	} else if (!strcmp(ext, "avi")) {
		sc->kind = SCAN_RIFF;
		next(sc, R_HEAD, 12);
	}
}

/* A JPEG marker's code read: what follows it. */
static void jpeg_marker(struct media_scan *sc, unsigned char c)
{
	if (c == 0xd9)
		sc->done = 1;
	else if (c == 0xd8 || c == 0x01 || (c >= 0xd0 && c <= 0xd7))
		next(sc, J_FF, 1);
	else if (c == 0x00)
		sc->bad = "a JPEG marker is damaged";
	else {
		sc->code = c;
		next(sc, J_LEN, 2);
	}
}

static void jpeg_step(struct media_scan *sc)
{
	unsigned char c = sc->hdr[0];
	unsigned len;

	switch (sc->state) {
	case J_SOI:
		if (c != 0xff || sc->hdr[1] != 0xd8)
			sc->bad = "it does not begin as a JPEG";
		next(sc, J_FF, 1);
		break;
	case J_FF:
		if (c != 0xff)
			sc->bad = "a JPEG segment is damaged (no marker where one belongs)";
		next(sc, J_CODE, 1);
		break;
	case J_CODE:
		if (c == 0xff)
			next(sc, J_CODE, 1); /* fill bytes */
		else
			jpeg_marker(sc, c);
		break;
	case J_LEN:
		len = (unsigned)c << 8 | sc->hdr[1];
		if (len < 2)
			sc->bad = "a JPEG segment is damaged (its length)";
		sc->skip = len - 2u;
		next(sc, sc->code == 0xda ? J_ENT : J_FF, sc->code == 0xda ? 0 : 1);
		break;
	case J_ENT_FF:
		if (c == 0x00 || (c >= 0xd0 && c <= 0xd7))
			next(sc, J_ENT, 0); /* a stuffed 0xff, a restart marker */
		else if (c == 0xff)
			next(sc, J_ENT_FF, 1);
		else
			jpeg_marker(sc, c);
		break;
	}
}

static void png_step(struct media_scan *sc)
{
	uint32_t len;

	switch (sc->state) {
	case P_SIG:
		if (memcmp(sc->hdr, "\x89PNG\r\n\x1a\n", 8))
			sc->bad = "it does not begin as a PNG";
		next(sc, P_HEAD, 8);
		break;
	case P_HEAD:
		len = be32(sc->hdr);
		if (len > 0x7fffffffu) {
			sc->bad = "a PNG chunk is damaged (its length)";
			break;
		}
		sc->code = !memcmp(sc->hdr + 4, "IEND", 4);
		sc->crc = crc_update(0xffffffffu, sc->hdr + 4, 4);
		sc->crc_on = 1;
		sc->skip = len;
		next(sc, P_CRC, 4);
		break;
	case P_CRC:
		sc->crc_on = 0;
		if (be32(sc->hdr) != (sc->crc ^ 0xffffffffu))
			sc->bad = "a PNG chunk fails its CRC (damaged)";
		else if (sc->code)
			sc->done = 1;
		next(sc, P_HEAD, 8);
		break;
	}
}

/* A GIF colour table follows when bit 7 of flags is set: 3 * 2^(size+1) bytes. */
static uint64_t gif_table(unsigned char flags)
{
	return flags & 0x80 ? 3u << ((flags & 7) + 1) : 0;
}

static void gif_step(struct media_scan *sc)
{
	unsigned char c = sc->hdr[0];

	switch (sc->state) {
	case G_HEAD:
		if (memcmp(sc->hdr, "GIF87a", 6) && memcmp(sc->hdr, "GIF89a", 6))
			sc->bad = "it does not begin as a GIF";
		sc->skip = gif_table(sc->hdr[10]);
		next(sc, G_BLOCK, 1);
		break;
	case G_BLOCK:
		if (c == 0x3b)
			sc->done = 1;
		else if (c == 0x21)
			next(sc, G_LABEL, 1);
		else if (c == 0x2c)
			next(sc, G_DESC, 9);
		else
			sc->bad = "a GIF block is damaged";
		break;
	case G_LABEL:
	case G_LZW:
		next(sc, G_SUB, 1);
		break;
	case G_DESC:
		sc->skip = gif_table(sc->hdr[8]);
		next(sc, G_LZW, 1);
		break;
	case G_SUB:
		sc->skip = c;
		next(sc, c ? G_SUB : G_BLOCK, 1);
		break;
	}
}

static void boxes_step(struct media_scan *sc)
{
	uint64_t size;

	if (sc->state == B_HEAD) {
		size = be32(sc->hdr);
		sc->seen_moov |= !memcmp(sc->hdr + 4, "moov", 4);
		if (size == 1) {
			next(sc, B_LARGE, 8);
			return;
		}
		if (size == 0) {
			sc->done = 1; /* the last box runs to the end of the file */
			return;
		}
		if (size < 8)
			sc->bad = "a box of the video is damaged (its size)";
		sc->skip = size - 8;
	} else {
		size = (uint64_t)be32(sc->hdr) << 32 | be32(sc->hdr + 4);
		if (size < 16)
			sc->bad = "a box of the video is damaged (its size)";
		sc->skip = size - 16;
	}
	next(sc, B_HEAD, 8);
}

static void riff_step(struct media_scan *sc)
{
	if (memcmp(sc->hdr, "RIFF", 4))
		sc->bad = "it does not begin as RIFF";
	sc->end = 8 + ((uint64_t)sc->hdr[4] | (uint64_t)sc->hdr[5] << 8 |
		       (uint64_t)sc->hdr[6] << 16 | (uint64_t)sc->hdr[7] << 24);
	next(sc, R_BODY, 0);
}

static void step(struct media_scan *sc)
{
	switch (sc->kind) {
	case SCAN_JPEG: jpeg_step(sc); break;
	case SCAN_PNG: png_step(sc); break;
	case SCAN_GIF: gif_step(sc); break;
	case SCAN_BOXES: boxes_step(sc); break;
	case SCAN_RIFF: riff_step(sc); break;
	case SCAN_NONE: break;
	}
}

void media_scan_feed(struct media_scan *sc, const unsigned char *b, size_t n)
{
	sc->pos += n;
	while (n && !sc->done && !sc->bad && sc->kind != SCAN_NONE) {
		size_t take;

		if (sc->skip) {
			take = sc->skip < n ? (size_t)sc->skip : n;
			if (sc->crc_on)
				sc->crc = crc_update(sc->crc, b, take);
		} else if (sc->kind == SCAN_RIFF && sc->state == R_BODY) {
			return;
		} else if (sc->kind == SCAN_JPEG && sc->state == J_ENT) {
			const unsigned char *ff = memchr(b, 0xff, n);

			take = ff ? (size_t)(ff - b) + 1 : n;
			if (ff)
				next(sc, J_ENT_FF, 1);
		} else {
			take = sc->need - sc->have < n ? sc->need - sc->have : n;
			memcpy(sc->hdr + sc->have, b, take);
			sc->have += take;
		}
		b += take;
		n -= take;
		if (sc->skip) {
			sc->skip -= take;
		} else if (sc->need && sc->have == sc->need) {
			sc->have = 0;
			step(sc);
		}
	}
}

int media_scan_end(const struct media_scan *sc, char *why, size_t why_len)
{
	static const char *const cut[] = {
		[SCAN_JPEG] = "the JPEG ends before its end marker (EOI)",
		[SCAN_PNG] = "the PNG ends before its IEND chunk",
		[SCAN_GIF] = "the GIF ends before its trailer",
		[SCAN_BOXES] = "the video ends inside a box",
		[SCAN_RIFF] = "the video ends before the size its RIFF header declares",
	};
	int whole;

	if (sc->kind == SCAN_NONE)
		return -1;
	if (sc->bad) {
		snprintf(why, why_len, "not a whole file: %s", sc->bad);
		return 0;
	}
	switch (sc->kind) {
	case SCAN_BOXES:
		whole = sc->done || (sc->state == B_HEAD && !sc->have && !sc->skip && sc->pos);
		if (whole && !sc->seen_moov) {
			snprintf(why, why_len, "not a whole file: the video has no moov box");
			return 0;
		}
		break;
	case SCAN_RIFF:
		whole = sc->state == R_BODY && sc->pos >= sc->end;
		break;
	default:
		whole = sc->done;
		break;
	}
	if (!whole)
		snprintf(why, why_len, "cut short: %s", cut[sc->kind]);
	return whole;
}
