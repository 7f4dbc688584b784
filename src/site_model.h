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
 */
#ifndef FA_SITE_MODEL_H
#define FA_SITE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "store.h"

/* A list of indexes into the model's items (or people). */
struct site_refs {
	size_t *v;
	size_t n, cap;
};

struct site_item {
	enum store_kind kind;
	char id[33];              /* digits only (store_valid_id) */
	char *title;              /* never NULL ("" when untitled) */
	char *tags;               /* space-separated, for the search index; never NULL */
	int64_t posted;           /* date uploaded, unix seconds (0: unknown) */
	int64_t faved;            /* favorites: when the account faved it */
	char *taken;              /* "YYYY-MM-DD HH:MM:SS" or NULL */
	int is_video;
	int gone;                 /* deleted upstream (or unfavorited) */
	char *media_file;         /* "original.jpg" in the item's folder, or NULL */
	char *poster_file;        /* "poster.jpg" for a video, or NULL */
	long owner;               /* favorites: index of the owner in people, or -1 */
	size_t seq;               /* position in its list (photostream or favorites) */
	/* images for the site (site_thumbs.c) */
	int thumb_ok;
	int thumb_w, thumb_h;
	int medium_ok;
	int medium_w, medium_h;
	int src_w, src_h;         /* 0 when unknown */
};

struct site_comment_ref {
	size_t item;
	int64_t date;
	int removed;
	char *html;               /* the comment, sanitised */
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
	struct site_refs owns;    /* favorites they took */
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

struct site_model {
	char *root;
	char *owner_name;         /* the account's name, or NULL */
	struct site_item *items;
	size_t n_items, cap_items;
	struct site_refs stream;      /* own photos, newest first */
	struct site_refs by_taken;    /* own photos, most recently taken first */
	struct site_refs favorites;   /* favorites, most recently faved first */
	struct site_album *albums;
	size_t n_albums;
	struct site_person *people;
	size_t n_people, cap_people;
	json_t *item_by_key;      /* "<kind>/<id>" -> index */
	json_t *person_by_nsid;   /* nsid -> index */
	json_t *users;            /* users_cache.json (borrowed by people lookups) */
};

/* 1 when nsid has Flickr's shape: digits, "@N", two digits ("12345678@N00"). */
int site_valid_nsid(const char *nsid);

/* Reads the index files, users_cache.json and the albums; orders the items. */
int site_model_load(struct site_model *m, const char *root, struct err *e);
void site_model_release(struct site_model *m);

/* The index of the item of kind with id, or -1. */
long site_model_find_item(const struct site_model *m, enum store_kind kind, const char *id);

/*
 * The person with nsid, added (from users_cache.json, else from rec: a
 * comment, fave or owner record) when not known yet; -1 when the NSID is not
 * of Flickr's shape.  FA_ENOMEM as -2.
 */
long site_model_person(struct site_model *m, const char *nsid, const json_t *rec);

/* Updates an item from its metadata.json (title, tags, dates, upstream mark). */
int site_model_refine_item(struct site_model *m, size_t idx, const json_t *meta);

/*
 * Makes room for one more element in *v, an array of n elements of size bytes
 * with room for *cap: grows it (doubling) when n == *cap.  0 or FA_ENOMEM.
 */
int site_grow(void *v, size_t n, size_t *cap, size_t size);

int site_refs_add(struct site_refs *r, size_t v);
void site_refs_release(struct site_refs *r);

/* The item folder: "<kind dir>/<id>" relative to the root. */
int site_item_dir(const struct site_item *it, struct buf *out);
/* "photo" for own photos, "fave" for favorites: the item's part of site paths. */
const char *site_kind_slug(enum store_kind kind);

#endif
