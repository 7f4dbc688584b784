/*
 * site_account.h: the account's structure on the site (issue 15), read from
 * profile.json, collections.json, galleries_index.json, groups_index.json
 * and contacts.json (a missing or damaged file shows as nothing):
 *
 *   index.html                 the profile above the photostream
 *   site/collections.html, site/collection/<id>.html   each collection's tree
 *   site/galleries.html, site/gallery/<id>.html        each gallery's photos, linked
 *                              to their pages (a favorite's, else site/gallery-photo/<id>.html)
 *   site/groups.html, site/group/<nsid>.html           each group, its pool's items
 *   site/people.html           the contacts, with the friend and family flags, and the
 *                              followers (contacts.json's "followers", from Flickr's export);
 *                              one without an NSID (a path alias, a bare profile URL) is shown
 *                              by name with its profile link, without a page of its own
 *   site/person/<nsid>.html    "contact", "friend", "family", "follower"
 *
 * Ids and NSIDs are checked before they become part of a path.
 */
#ifndef FA_SITE_ACCOUNT_H
#define FA_SITE_ACCOUNT_H

#include "site_page.h"

/* Reads the five files into s->account (an object: "profile", "collections", ...). */
int site_account_load(struct site *s, struct err *e);
void site_account_release(struct site *s);

/* The profile block of the front page. */
void site_account_profile(struct page *p, struct site *s);
/* The contacts' and the followers' sections of the people page. */
void site_account_contacts(struct page *p, struct site *s);
/* What a person is to the account ("Contact · friend"), on their page. */
void site_account_contact_badge(struct page *p, const struct site *s, const char *nsid);

/* The "In galleries" section of a photo page: the galleries that hold the photo id. */
void site_account_item_galleries(struct page *p, const struct site *s, const char *id);

/* The collection, gallery and group pages. */
int site_account_write(struct site *s, struct err *e);

/* Search entries for the group, gallery and collection pages: [[kind, id, name], ...]. */
json_t *site_account_search_pages(const struct site *s);

#endif
