/*
 * photo_internal.h: what photo.c (archiving one item), photo_media.c (its
 * media file) and photo_update.c (the updates that need no API call) share.
 * No other module includes it (tests/unit/test_photo_update.c does, for the
 * "listed" snapshot).
 */
#ifndef FA_PHOTO_INTERNAL_H
#define FA_PHOTO_INTERNAL_H

#include "buf.h"
#include "damage.h"
#include "json.h"
#include "photo.h"

#define JOB_WRITTEN_MAX 32

/* One item being archived (photo_archive()) or its faves refreshed. */
struct job {
	struct photo_ctx *ctx;
	struct photo_result *res;
	enum store_kind kind;
	const char *id;
	const char *secret;
	const json_t *listing;
	struct buf dir;
	struct buf path;
	json_t *info_doc;   /* photos.getInfo response */
	json_t *sizes_doc;  /* photos.getSizes response, when called */
	json_t *sizes_out;  /* sizes.json being built */
	struct buf media_name;
	struct buf superseded; /* the file name a new original replaces */
	int media_is_original;
	int media_fetched;  /* a media file was downloaded this time */
	int people_refused; /* the optional people call failed: keep what was known */
	long long count_faves;
	json_t *old_meta;   /* what an earlier run archived, or NULL */
	json_t *old_sizes;  /* its sizes.json, or NULL */
	json_t *synced;     /* metadata.json "synced": when each part was last fetched */
	struct buf stale_media; /* a media file about to be replaced: damaged, or unverified */
	struct damage bad_json; /* records found not to be valid JSON (no manifest said so) */
	const char *written[JOB_WRITTEN_MAX + 1]; /* files written or removed (for the manifest) */
	char *written_own[JOB_WRITTEN_MAX];
	size_t n_written;
};

/* dir/file in j->path: valid until the next call. */
const char *job_path(struct job *j, const char *file);

/* Damaged: by the item's manifest (ctx->damaged), or found not to be valid JSON. */
int job_is_damaged(const struct job *j, const char *name);

/* Records that the job wrote (or removed) name: its manifest line follows. */
void job_note_written(struct job *j, const char *name);

/* Writes doc (taken, also on failure) as the item's file; a damaged one is kept aside first. */
int job_write_json(struct job *j, const char *file, json_t *doc, struct err *e);

/* A call about the item: its photo_id, and its secret when with_secret. */
int job_call(struct job *j, const char *method, int with_secret, json_t **ret, struct err *e);

/* flickr.photos.getSizes into j->sizes_doc, once. */
int job_fetch_sizes(struct job *j, struct err *e);

/* metadata.json "synced"."missing": a part Flickr refused this time, fetched again next run. */
int job_note_missing(struct job *j, const char *part, const char *why);

/* Whether an earlier run left part missing (then its count does not excuse a fetch). */
int job_was_missing(const struct job *j, const char *part);

/*
 * photo_media.c: the item's media file (and a video's poster), into
 * j->media_name and j->sizes_out: kept when in place, else downloaded,
 * originals first; a superseded original is kept as replaced-*, a damaged
 * or unverified file set aside as damaged-*.
 */
int job_archive_media(struct job *j, struct err *e);

/* A media file's XMP sidecar (see xmp.h) as the item's metadata makes it. */
struct sidecar {
	struct buf name;
	struct buf path;
	struct buf xmp;
	int due; /* the file there differs (or is damaged): to be written */
};

#define SIDECAR_INIT { BUF_INIT, BUF_INIT, BUF_INIT, 0 }

/* Builds the sidecar of dir/media from meta; due when the file there differs. */
int sidecar_prepare(struct sidecar *sc, const char *dir, const char *media, const json_t *meta,
		    struct err *e);
int sidecar_write(struct sidecar *sc, struct err *e);
void sidecar_release(struct sidecar *sc);

/* Whether sizes.json's video_attempts holds an earlier version's try at the original. */
int photo_tried_original(const json_t *video_attempts);

/* metadata.json's last_update is the listing's lastupdate. */
int photo_same_update(const json_t *meta, const json_t *listing);

/*
 * metadata.json "listed": the listing fields that tell whether an item
 * changed, as the listing gave them when the item was fetched; a count that
 * fewer comments or faves than it says came with is left out, so that the
 * next run fetches them again (photo_update.c compares with it).
 */
json_t *photo_listed_snapshot(const json_t *listing, const struct photo_result *res);

#endif
