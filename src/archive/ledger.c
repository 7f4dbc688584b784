/* ledger.c: unique ids counted against Flickr's own counts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ledger.h"

static size_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return (size_t)h;
}

static const char **id_slot(const char **slots, size_t cap, const char *id)
{
	size_t i = id_hash(id) & (cap - 1);

	while (slots[i] && strcmp(slots[i], id))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

const char *id_set_find(const struct id_set *s, const char *id)
{
	return s->cap && id ? *id_slot(s->slot, s->cap, id) : NULL;
}

static int id_set_grow(struct id_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	const char **slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return FA_ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i])
			*id_slot(slots, cap, s->slot[i]) = s->slot[i];
	free(s->slot);
	s->slot = slots;
	s->cap = cap;
	return 0;
}

int id_set_add(struct id_set *s, const char *id)
{
	const char **at;

	if (id_set_find(s, id))
		return 0;
	/* kept at most half full, so a probe ends soon */
	if ((s->n + 1) * 2 > s->cap && id_set_grow(s) < 0)
		return FA_ENOMEM;
	at = id_slot(s->slot, s->cap, id);
	*at = id;
	s->n++;
	return 1;
}

void id_set_release(struct id_set *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

const char LEDGER_SAFESEARCH_HINT[] =
	"Flickr's SafeSearch preference can hide moderate or restricted items from this "
	"listing; to list them, set it to \"Off\" at "
	"https://www.flickr.com/account/prefs/safesearch and sync again";

int ledger_init(struct ledger *l)
{
	pthread_mutex_init(&l->lock, NULL);
	l->live = 1;
	l->incomplete = 0;
	l->entries = json_array();
	return l->entries ? 0 : FA_ENOMEM;
}

void ledger_release(struct ledger *l)
{
	if (!l->live)
		return;
	l->live = 0;
	json_decref(l->entries);
	l->entries = NULL;
	pthread_mutex_destroy(&l->lock);
}

int ledger_note(struct ledger *l, const char *listing, long expected, long got,
		const char *hint, json_t *detail)
{
	json_t *entry = json_object();
	int complete = got >= expected, r = 0;

	if (!entry || jset_str(entry, "listing", listing) < 0 ||
	    jset_int(entry, "expected", expected) < 0 || jset_int(entry, "got", got) < 0 ||
	    jset_bool(entry, "complete", complete) < 0 ||
	    (detail && json_object_update(entry, detail) < 0) ||
	    (hint && !complete && jset_str(entry, "hint", hint) < 0))
		r = FA_ENOMEM;
	json_decref(detail);
	pthread_mutex_lock(&l->lock);
	if (r == 0 && json_array_append(l->entries, entry) < 0)
		r = FA_ENOMEM;
	l->incomplete += !complete;
	pthread_mutex_unlock(&l->lock);
	json_decref(entry);
	return r;
}

int ledger_set_got(struct ledger *l, json_t *entry, long got)
{
	int was = jflag(entry, "complete", true), now = got >= jint_or(entry, "expected", 0);
	int r = 0;

	pthread_mutex_lock(&l->lock);
	if (jset_int(entry, "got", got) < 0 || jset_bool(entry, "complete", now) < 0)
		r = FA_ENOMEM;
	l->incomplete += (!now) - (!was);
	pthread_mutex_unlock(&l->lock);
	return r;
}

int ledger_fill_gap(struct ledger *l, const char *listing, long long date)
{
	json_t *entry = ledger_find(l, listing);
	const json_t *gaps = json_object_get(entry, "gaps");

	for (size_t i = 0; date >= 0 && i < json_array_size(gaps); i++) {
		json_t *gap = json_array_get(gaps, i);
		long long got = jint_or(gap, "got", 0);

		if (date < jint_or(gap, "from_unix", 0) || date > jint_or(gap, "to_unix", 0) ||
		    got >= jint_or(gap, "expected", 0))
			continue;
		if (jset_int(gap, "got", got + 1) < 0)
			return FA_ENOMEM;
		return ledger_set_got(l, entry, (long)jint_or(entry, "got", 0) + 1);
	}
	return 0;
}

json_t *ledger_find(struct ledger *l, const char *listing)
{
	json_t *found = NULL;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; !found && i < json_array_size(l->entries); i++) {
		json_t *entry = json_array_get(l->entries, i);

		if (jstr(entry, "listing") && !strcmp(jstr(entry, "listing"), listing))
			found = entry;
	}
	pthread_mutex_unlock(&l->lock);
	return found;
}
