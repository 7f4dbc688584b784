/*
 * export_ahead.c: an export's members read, checked and hashed on threads
 * of their own, a few blocks ahead of the caller (export_ahead.h).
 *
 * Two threads: one reads (a ZIP's through libarchive, which checks each
 * member's CRC), one hashes, so that with the caller three stages share the cores.  The blocks
 * form a ring: the reader fills the slot after the last filled one, the
 * hasher takes the filled slots in turn, the caller reads the first hashed
 * one and frees it.  A slot is written by one stage only while that stage
 * owns it; who owns which (first, hashed, filled) changes under the lock.
 */
#include "export_ahead.h"

#include <locale.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AHEAD_BLOCK (1 << 20)
#define AHEAD_SLOTS 16 /* a few members ahead: the caller makes an item meanwhile */

enum slot_kind {
	SLOT_MEMBER,  /* a member begins: name, size */
	SLOT_DATA,    /* len of its bytes */
	SLOT_DONE,    /* its end, read whole: sha256 */
	SLOT_FAILED,  /* it could not be read whole: code, fatal, why */
	SLOT_END,     /* the source's */
};

struct slot {
	enum slot_kind kind;
	unsigned char *data;
	size_t len;
	char *name;
	int64_t size;
	unsigned char sha256[32];
	int code, fatal;
	char why[FA_ERR_MSG_MAX];
};

struct export_ahead {
	struct export_source src;
	EVP_MD_CTX *md;            /* the hasher's */
	pthread_t reader, hasher;
	int reading;               /* the reader started */
	pthread_mutex_t lock;
	pthread_cond_t changed;    /* a slot filled, hashed or freed, a skip or a stop asked */
	struct slot slots[AHEAD_SLOTS];
	unsigned first, hashed, filled; /* lock: hashed <= filled */
	long skip;                 /* lock: the caller is done with members 1..skip */
	int stop;                  /* lock */
	long member;               /* the thread's member, counted from 1 */
	/* the caller's side */
	long current;              /* the caller's member */
	size_t offset;             /* read of slots[first] */
	char *name;                /* the caller's member's name */
};

/* ---- the reader ---- */

/*
 * The next slot to fill, once one is free; NULL when asked to stop or (for a
 * member's data) when the caller is done with the member.
 */
static struct slot *claim(struct export_ahead *a, int for_data)
{
	struct slot *s = NULL;

	pthread_mutex_lock(&a->lock);
	while (!a->stop && a->filled == AHEAD_SLOTS && !(for_data && a->skip >= a->member))
		pthread_cond_wait(&a->changed, &a->lock);
	if (!a->stop && !(for_data && a->skip >= a->member))
		s = &a->slots[(a->first + a->filled) % AHEAD_SLOTS];
	pthread_mutex_unlock(&a->lock);
	return s;
}

static void publish(struct export_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->filled++;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
}

static void fail(struct export_ahead *a, struct slot *s, int code, int fatal, const char *why)
{
	s->kind = SLOT_FAILED;
	s->code = code;
	s->fatal = fatal;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "cannot be read");
	publish(a);
}

/* Posts a member's start; -1 when it cannot go on. */
static int post_member(struct export_ahead *a, const char *name, int64_t size)
{
	struct slot *s = claim(a, 0);

	if (!s)
		return -1;
	free(s->name);
	s->name = strdup(name);
	if (!s->name) {
		fail(a, s, FA_ENOMEM, 1, "out of memory");
		return -1;
	}
	s->kind = SLOT_MEMBER;
	s->size = size;
	a->member++;
	publish(a);
	return 0;
}

/* Posts the member's bytes, then its end; -1 when nothing after it can be read. */
static int post_data(struct export_ahead *a)
{
	for (;;) {
		struct slot *s = claim(a, 1);
		struct err e = { 0 };
		int r, fatal = 0;
		size_t n;

		/* the caller skips the rest, or a stop: the next claim() says which */
		if (!s)
			return 0;
		r = a->src.read(a->src.ud, s->data, AHEAD_BLOCK, &n, &fatal, &e);
		if (r < 0) {
			fail(a, s, r, fatal, e.msg);
			return fatal ? -1 : 0;
		}
		s->kind = n ? SLOT_DATA : SLOT_DONE;
		s->len = n;
		publish(a);
		if (n == 0)
			return 0;
	}
}

static void *read_source(void *ud)
{
	struct export_ahead *a = ud;
	/* libarchive gives names in the thread's locale: UTF-8, as export_read() asks */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;
	enum export_ahead_at at;
	const char *name;
	int64_t size;
	struct slot *s;

	while ((at = a->src.next(a->src.ud, &name, &size)) == AHEAD_MEMBER)
		if (post_member(a, name, size) < 0 || post_data(a) < 0)
			break;
	if (at == AHEAD_END && (s = claim(a, 0))) {
		s->kind = SLOT_END;
		publish(a);
	} else if (at == AHEAD_BROKEN && (s = claim(a, 0))) {
		fail(a, s, FA_EIO, 1, "cannot be read past here");
	}
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	return NULL;
}

/* ---- the hasher ---- */

/* Hashes a slot's bytes, or ends the member's digest; 0, or -1 when it failed. */
static int hash_slot(struct export_ahead *a, struct slot *s)
{
	switch (s->kind) {
	case SLOT_MEMBER:
		return EVP_DigestInit_ex(a->md, EVP_sha256(), NULL) == 1 ? 0 : -1;
	case SLOT_DATA:
		return EVP_DigestUpdate(a->md, s->data, s->len) == 1 ? 0 : -1;
	case SLOT_DONE:
		return EVP_DigestFinal_ex(a->md, s->sha256, NULL) == 1 ? 0 : -1;
	default:
		return 0;
	}
}

static void *hash(void *ud)
{
	struct export_ahead *a = ud;
	int last = 0;

	while (!last) {
		struct slot *s = NULL;

		pthread_mutex_lock(&a->lock);
		while (!a->stop && a->hashed == a->filled)
			pthread_cond_wait(&a->changed, &a->lock);
		if (!a->stop)
			s = &a->slots[(a->first + a->hashed) % AHEAD_SLOTS];
		pthread_mutex_unlock(&a->lock);
		if (!s)
			break;
		if (hash_slot(a, s) < 0) {
			s->kind = SLOT_FAILED;
			s->code = FA_ENOMEM;
			s->fatal = 1;
			snprintf(s->why, sizeof(s->why), "SHA-256 failed");
		}
		/* nothing is read after these */
		last = s->kind == SLOT_END || (s->kind == SLOT_FAILED && s->fatal);
		pthread_mutex_lock(&a->lock);
		a->hashed++;
		pthread_cond_broadcast(&a->changed);
		pthread_mutex_unlock(&a->lock);
	}
	return NULL;
}

/* ---- the caller ---- */

static struct slot *take(struct export_ahead *a)
{
	struct slot *s;

	pthread_mutex_lock(&a->lock);
	while (a->hashed == 0)
		pthread_cond_wait(&a->changed, &a->lock);
	s = &a->slots[a->first];
	pthread_mutex_unlock(&a->lock);
	return s;
}

static void release(struct export_ahead *a)
{
	pthread_mutex_lock(&a->lock);
	a->first = (a->first + 1) % AHEAD_SLOTS;
	a->hashed--;
	a->filled--;
	a->offset = 0;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
}

enum export_ahead_at export_ahead_next(struct export_ahead *a, const char **name,
				       int64_t *size)
{
	pthread_mutex_lock(&a->lock);
	a->skip = a->current;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	for (;;) {
		struct slot *s = take(a);

		/* the ends stay: asked again, they answer the same */
		if (s->kind == SLOT_END)
			return AHEAD_END;
		if (s->kind == SLOT_FAILED && s->fatal)
			return AHEAD_BROKEN;
		if (s->kind == SLOT_MEMBER) {
			free(a->name);
			a->name = s->name;
			s->name = NULL;
			*name = a->name;
			*size = s->size;
			a->current++;
			release(a);
			return AHEAD_MEMBER;
		}
		release(a); /* the rest of the member before */
	}
}

int export_ahead_read_block(struct export_ahead *a, const void **data, size_t max,
			    size_t *ret_n, unsigned char sha256[32], int *ret_fatal, struct err *e)
{
	struct slot *s = take(a);
	size_t n;

	*ret_n = 0;
	while (s->kind == SLOT_DATA && a->offset == s->len) {
		release(a);
		s = take(a);
	}
	switch (s->kind) {
	case SLOT_DATA:
		n = s->len - a->offset < max ? s->len - a->offset : max;
		*data = s->data + a->offset;
		a->offset += n;
		*ret_n = n;
		return 0;
	case SLOT_DONE:
		memcpy(sha256, s->sha256, 32);
		return 0;
	case SLOT_FAILED:
		*ret_fatal = s->fatal;
		return err_set(e, s->code, "%s", s->why);
	default:
		return 0; /* not in a member: nothing to read */
	}
}

int export_ahead_read(struct export_ahead *a, void *buf, size_t len, size_t *ret_n,
		      unsigned char sha256[32], int *ret_fatal, struct err *e)
{
	const void *data;
	int r = export_ahead_read_block(a, &data, len, ret_n, sha256, ret_fatal, e);

	if (r == 0 && *ret_n)
		memcpy(buf, data, *ret_n);
	return r;
}

int export_ahead_start(const struct export_source *src, struct export_ahead **ret,
		       struct err *e)
{
	struct export_ahead *a = calloc(1, sizeof(*a));
	int r = 0;

	*ret = NULL;
	if (!a)
		return err_set(e, FA_ENOMEM, "out of memory");
	a->src = *src;
	a->md = EVP_MD_CTX_new();
	r = a->md ? 0 : FA_ENOMEM;
	for (int i = 0; r == 0 && i < AHEAD_SLOTS; i++)
		if (!(a->slots[i].data = malloc(AHEAD_BLOCK)))
			r = FA_ENOMEM;
	if (r < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->changed, NULL);
	if (pthread_create(&a->hasher, NULL, hash, a) != 0) {
		pthread_cond_destroy(&a->changed);
		pthread_mutex_destroy(&a->lock);
		r = err_set(e, FA_ENOMEM, "cannot start a thread");
		goto cleanup;
	}
	a->reading = pthread_create(&a->reader, NULL, read_source, a) == 0;
	if (!a->reading) {
		export_ahead_stop(a);
		return err_set(e, FA_ENOMEM, "cannot start a thread");
	}
	*ret = a;
	return 0;
cleanup:
	for (int i = 0; i < AHEAD_SLOTS; i++)
		free(a->slots[i].data);
	EVP_MD_CTX_free(a->md);
	free(a);
	return r;
}

void export_ahead_stop(struct export_ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = 1;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	if (a->reading)
		pthread_join(a->reader, NULL);
	pthread_join(a->hasher, NULL);
	pthread_cond_destroy(&a->changed);
	pthread_mutex_destroy(&a->lock);
	for (int i = 0; i < AHEAD_SLOTS; i++) {
		free(a->slots[i].data);
		free(a->slots[i].name);
	}
	EVP_MD_CTX_free(a->md);
	free(a->name);
	free(a);
}
