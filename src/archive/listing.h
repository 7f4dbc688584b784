/*
 * listing.h: the photostream or the favorites, spooled to a file and proved
 * complete against Flickr's total.
 *
 * Each unique item is written once, as one line of JSON.  When the unique ids
 * fall short of the total, the listing is asked for again in date windows
 * (listings with a date window are reported reliable where the whole one is
 * not: markdoliner/flickrmirrorer#21), a short window split in two until its
 * halves account for it, within a budget of calls.  What no window yields is
 * kept as gaps: the date ranges and how many items each lacks.
 */
#ifndef FA_LISTING_H
#define FA_LISTING_H

#include <stdint.h>

#include "flickr.h"
#include "ledger.h"
#include "store.h"

/* What is listed, and how it is windowed by date. */
struct listing_source {
	const char *method;
	const char *min_key;      /* the window's arguments: "min_upload_date" ... */
	const char *max_key;
	const char *date_key;     /* the item's field that the window bounds: "dateupload" */
	const char *what;         /* "photos and videos", for the messages */
};

/* The photostream (flickr.people.getPhotos) and the favorites (flickr.favorites.getList). */
extern const struct listing_source LISTING_PHOTOSTREAM, LISTING_FAVORITES;

struct listing {
	/* set by the caller */
	struct flickr_client *fc;
	const struct listing_source *src;
	const char *const *args;  /* key, value, ..., NULL; without paging or window */
	int64_t now;
	struct store_ids *ids;    /* gets every unique valid id (unsorted); borrowed */
	/* results */
	long total;               /* what Flickr counts: the whole listing's total, or the
				   * widest window's when that is more */
	long recovered;           /* items only the date windows gave */
	long invalid;             /* items listed without a valid id (spooled: they fail) */
	long windows;             /* date windows listed */
	json_t *gaps;             /* [{from, to, from_unix, to_unix, expected, got}] */
	int by_date;              /* short: listed again by date windows, after the */
	long first_got;           /* ...whole listing gave first_got */
	long first_total;         /* ...of the first_total it counted */
	char by_date_failed[FA_ERR_MSG_MAX]; /* why listing by date failed (what the
					      * whole listing gave stands), or "" */
	/* private */
	struct fs_tmp *tmp;
	struct id_set seen;
	long calls_left;
	int64_t newest;           /* the latest date_key seen */
	long shown_page;          /* the page the progress line last named */
};

/*
 * Lists into the file at path (replaced whole); 0, or an error in e.  Prints
 * nothing but the progress line: the results above say what happened.
 */
int listing_spool(struct listing *l, const char *path, struct err *e);

/* Items listed: the unique valid ids (the size of *ids), and those without a valid id. */
long listing_got(const struct listing *l);

void listing_release(struct listing *l);

#endif
