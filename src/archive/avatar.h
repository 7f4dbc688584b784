/*
 * avatar.h: every person's buddy icon, kept in the archive, because its URL
 * dies with the account.
 *
 * ROOT/avatars/<nsid>.jpg for each user of users_cache.json (commenters,
 * favers, tagged people, photo owners, the account itself).  No API response
 * carries an icon's URL: it is built from iconfarm/iconserver/nsid by
 * Flickr's rule (record_avatar_url()), and FLICKR_STATIC_URL may stand in
 * for the host.  These are static-file downloads,
 * never API calls.  What was fetched is recorded in the person's record:
 *
 *   "avatar": "avatars/<nsid>.jpg"  the archived icon (only when there is one)
 *   "avatar_iconserver": "1234"     the iconserver that icon was fetched for
 *   "avatar_default": true          Flickr shows its default icon for them
 *                                   (iconserver 0): nothing is fetched
 *
 * An icon is fetched again only when the person's iconserver changes, its
 * file went missing, or its bytes no longer match the avatars' manifest
 * (avatars/manifest-sha256.txt, which lists only what a download installed:
 * damage is never recorded as the truth); a damaged icon is kept aside as
 * avatars/damaged-<t>-<nsid>.jpg when the fresh one replaces it.  An archived icon is never deleted: someone whose
 * account closed keeps the last one.  A failed download is reported and
 * tried again on the next run; it never fails the sync (after a few
 * failures in a row that blame the host, the rest waits for the next run
 * too).  Icons are fetched on --jobs threads, one at a time until one
 * download shows the host works (so a host that cannot be resolved or
 * reached costs three tries), with at most 2 retries each.  An NSID or
 * iconserver not of Flickr's shape is skipped before it can touch a path
 * or a URL.
 */
#ifndef FA_AVATAR_H
#define FA_AVATAR_H

#include "json.h"
#include "photo.h"
#include "store.h"

/*
 * Downloads finished in a row that failed for want of the host (after their
 * retries): the rest waits for the next run, for a blocked or down static host
 * must not cost minutes of backoff per person.
 */
#define AVATAR_HOST_FAILURES_MAX 3
/* A buddy icon is a small JPEG; anything bigger is not one. */
#define AVATAR_MAX_BYTES (1024 * 1024)
/* "<nsid>.jpg" with its NUL: an NSID of Flickr's shape is far shorter. */
#define AVATAR_NAME_MAX 64

struct avatar_ctx {
	struct photo_ctx *pctx;   /* the HTTP client and the download retry policy */
	const struct store *store;
	const char *static_url;   /* stands in for the icons' host (FLICKR_STATIC_URL), or NULL */
	long jobs;                /* downloads at once */
	const struct notice_sink *notice; /* the --verbose trace (notice.h), or NULL */
};

struct avatar_result {
	long people;       /* users with a valid NSID and iconserver */
	long archived;     /* ...of whom an icon is archived (after this run) */
	long fetched;      /* icons downloaded this run */
	long default_icon; /* people Flickr shows its default icon for */
	long invalid;      /* users skipped: NSID or iconserver not of Flickr's shape */
	long postponed;    /* not tried: AVATAR_HOST_FAILURES_MAX failed in a row */
	long repaired;     /* damaged icons replaced by a fresh download */
	json_t *failed;    /* [{nsid, error}], tried again next run; NULL until a run */
	json_t *repaired_kept; /* [{icon, kept}]: damaged icons replaced, each copy kept */
	int dir_not_followed; /* avatars/ is not a folder (a link?): nothing was done */
};

void avatar_result_release(struct avatar_result *res);

/* 1 when nsid has Flickr's shape ("12345678@N00": digits, "@N", digits). */
int avatar_valid_nsid(const char *nsid);

/*
 * The icon a users_cache.json record names: 1 with ret_server (digits) and
 * ret_farm set, 0 for Flickr's default icon (iconserver 0, or nothing known),
 * FA_EPARSE when iconserver/iconfarm are not numbers of Flickr's range.  Read
 * from "iconserver"/"iconfarm", else from the "avatar_url" the record holds
 * (owners and tagged people keep only that).
 */
int avatar_icon_of(const json_t *user, const char *nsid, char ret_server[16],
		   long long *ret_farm);

/*
 * Brings every user's icon up to date and records it in users (NSID ->
 * record, as catalog_users_hook passes it).  Fails only for what makes
 * going on pointless (disk full, interrupted, out of memory); a download
 * that fails is added to res->failed.  Prints nothing: res says what
 * happened, even after a failure.  res is reset first.
 */
int avatar_sync(const struct avatar_ctx *ctx, json_t *users, struct avatar_result *res,
		struct err *e);

#endif
