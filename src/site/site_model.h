/*
 * site_model.h: what the site shows, read from the archive: the items in
 * display order, the albums, and the people, with what each did.
 *
 * The index files give the items and their order (newest first); each
 * item's own records then refine it while its photo page is made
 * (site_model_refine_item()), and the lists are made last from what the
 * model then holds.  Every id and NSID is checked before it becomes part of
 * a path or a URL; an item, album or person that fails is left out.
 * Strings are owned by the model (site_model_release() frees them).
 *
 * Memory grows with the archive (a site of 100,000 photos must stay in tens
 * of megabytes), so the index files are read one entry at a time, an item
 * is a small fixed struct (48 bytes) and what is read back only once
 * (tags, comments) waits in a temporary file, not in memory.
 */
#ifndef FA_SITE_MODEL_H
#define FA_SITE_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "site_spool.h"
#include "store.h"

/* The site's folder in the archive (see site_page.h for what it holds). */
#define SITE_DIR "site"

/* A list of indexes into the model's items (or people). */
struct site_refs {
	uint32_t *v;
	size_t n, cap;
};

/*
 * One photo or video.  A site holds one per archived item, so this is kept
 * to 48 bytes: the strings are in the model's arena (the id and the title
 * together, the file names once each) or its spool (the index's tags), the
 * date faved in the favorites' own array, the numbers as small as they can be.
 */
struct site_item {
	const char *id;           /* digits only (store_valid_id), then the title: site_item_title() */
	int64_t posted;           /* date uploaded, unix seconds (0: unknown) */
	/*
	 * The index file's tags (space-separated), for an item whose metadata.json
	 * cannot be read: loading spools them first, in item order, so they end
	 * here and start where the previous item's end (0 for the first).
	 */
	uint32_t index_tags_end;
	int32_t owner;            /* favorites, gallery photos: index of the owner in people, or -1 */
	uint32_t seq;             /* position in its list (photostream, favorites or gallery photos) */
	/* images for the site (site_thumbs.c) */
	int32_t src_w, src_h;     /* 0 when unknown */
	uint16_t thumb_w, thumb_h;
	uint16_t medium_w, medium_h;
	uint32_t media : 10;      /* the original's file name: site_item_media() */
	uint32_t poster : 10;     /* a video's poster frame: site_item_poster() */
	uint32_t kind : 2;        /* enum store_kind */
	uint32_t is_video : 1;
	uint32_t gone : 1;        /* deleted upstream (or unfavorited) */
	uint32_t thumb_ok : 1;
	uint32_t medium_ok : 1;
};

struct site_comment_ref {
	int64_t date;
	uint64_t html_off;        /* the comment, sanitised, in the model's spool */
	uint32_t item;
	uint32_t html_len : 31;
	uint32_t removed : 1;
};

struct site_person {
	char nsid[40];            /* Flickr's shape (site_valid_nsid) */
	char *name;               /* never NULL */
	char *username;           /* may be NULL */
	char *profile_url;        /* http(s) only, or NULL */
	char *avatar;             /* "avatars/<nsid>.jpg" when that file exists, else NULL */
	struct site_comment_ref *comments;
	size_t n_comments, cap_comments;
	struct site_refs faved;   /* items they faved (own photos) */
	struct site_refs owns;    /* favorites and gallery photos they took */
	struct site_refs tagged;  /* photos they are tagged in */
};

struct site_album {
	char id[33];
	char *title;
	char *description;        /* Flickr's markup, or "" */
	int64_t created;
	struct site_refs items;   /* archived photos, in the album's order */
	long cover;               /* item index of the cover, or -1 */
};

/* Strings that live as long as the model, packed into large blocks. */
struct site_strings {
	struct site_strings_block *blocks;   /* the newest first */
	size_t used, size;                   /* of the newest */
};

struct site_model {
	char *root;
	char *owner_name;         /* the account's name, or NULL */
	struct site_item *items;
	size_t n_items, cap_items;
	struct site_refs stream;      /* own photos, newest first */
	struct site_refs by_taken;    /* own photos, most recently taken first */
	struct site_refs favorites;   /* favorites, most recently faved first */
	/*
	 * photos of the account's galleries that are not favorites, newest first
	 * (a gallery photo that is also a favorite is shown by the favorite's page)
	 */
	struct site_refs gallery;
	struct site_album *albums;
	size_t n_albums, cap_albums;
	struct site_person *people;
	size_t n_people, cap_people;
	struct site_strings strings;
	const char **names;       /* the items' file names ("original.jpg"), each once */
	size_t n_names, cap_names;
	int64_t *faved;           /* when the account faved favorite first_fave + i */
	size_t first_fave;        /* the favorites are the items from here on */
	size_t n_faved, cap_faved;
	struct site_spool spool;      /* in ROOT/site: the index's tags, the comments */
	uint32_t *item_slots;     /* open addressing on (kind, id): item index + 1, 0 free */
	size_t n_item_slots;
	json_t *person_by_nsid;   /* nsid -> index */
	json_t *users;            /* users_cache.json (borrowed by people lookups) */
};

/* 1 when nsid has Flickr's shape: digits, "@N", two digits ("12345678@N00"). */
int site_valid_nsid(const char *nsid);

/*
 * Reads the index files, users_cache.json and the albums; orders the items.
 * The spool is made in ROOT/site, which must exist.  Errors: out of memory,
 * a full disk.
 */
int site_model_load(struct site_model *m, const char *root, struct err *e);
void site_model_release(struct site_model *m);

/* The item's title ("" when untitled): it follows the id. */
static inline const char *site_item_title(const struct site_item *it)
{
	return it->id + strlen(it->id) + 1;
}

/* The original's file name ("original.jpg" in the item's folder), or NULL. */
const char *site_item_media(const struct site_model *m, const struct site_item *it);
/* A video's poster frame ("poster.jpg" in the item's folder), or NULL. */
const char *site_item_poster(const struct site_model *m, const struct site_item *it);
/* When the account faved a favorite (unix seconds, 0: unknown); 0 for an own photo. */
int64_t site_item_faved(const struct site_model *m, const struct site_item *it);

/* The index of the item of kind with id, or -1. */
long site_model_find_item(const struct site_model *m, enum store_kind kind, const char *id);
/*
 * Frees the table site_model_find_item() looks in, once nothing needs it (the
 * thumbnails' state is read): it finds nothing afterwards.
 */
void site_model_drop_lookup(struct site_model *m);

/*
 * The person with nsid, added (from users_cache.json, else from rec: a
 * comment, fave or owner record) when not known yet; -1 when the NSID is not
 * of Flickr's shape.  FA_ENOMEM as -2.
 */
long site_model_person(struct site_model *m, const char *nsid, const json_t *rec);

/* Gives back the room people's lists grew beyond their length (once the photo pages are made). */
void site_model_trim_people(struct site_model *m);

/* Updates an item from its metadata.json (title, dates, upstream mark). */
int site_model_refine_item(struct site_model *m, size_t idx, const json_t *meta);

/*
 * The item's tags, space-separated, appended to out: metadata.json's (meta)
 * when it could be read, else the index file's.
 */
int site_model_item_tags(struct site_model *m, size_t idx, const json_t *meta, struct buf *out,
			 struct err *e);

int site_refs_add(struct site_refs *r, size_t v);
void site_refs_release(struct site_refs *r);

/*
 * "photo" for own photos, "fave" for favorites, "gallery-photo" for gallery
 * photos: the item's part of site paths.
 */
const char *site_kind_slug(enum store_kind kind);

#endif
