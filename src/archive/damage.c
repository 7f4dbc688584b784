/* damage.c: a folder's files against its manifest; damaged copies kept aside. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damage.h"
#include "fsutil.h"
#include "manifest.h"

void damage_release(struct damage *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	free(d->names);
	d->v = NULL;
	d->names = NULL;
	d->n = 0;
}

int damage_has(const struct damage *d, const char *name)
{
	for (size_t i = 0; d && name && i < d->n; i++)
		if (!strcmp(d->v[i].name, name))
			return 1;
	return 0;
}

const char *damage_kind_text(enum damage_kind kind)
{
	switch (kind) {
	case DAMAGE_MISSING:
		return "missing";
	case DAMAGE_NOT_REGULAR:
		return "not a regular file";
	case DAMAGE_CHANGED:
		break;
	}
	return "changed since it was archived";
}

int damage_add(struct damage *d, const char *name, enum damage_kind kind)
{
	struct damage_file *nv = realloc(d->v, (d->n + 1) * sizeof(*nv));
	const char **nn;

	if (!nv)
		return FA_ENOMEM;
	d->v = nv;
	nn = realloc(d->names, (d->n + 2) * sizeof(*nn));
	if (!nn)
		return FA_ENOMEM;
	d->names = nn;
	d->v[d->n].name = strdup(name);
	if (!d->v[d->n].name)
		return FA_ENOMEM;
	d->v[d->n].kind = kind;
	d->names[d->n] = d->v[d->n].name;
	d->n++;
	d->names[d->n] = NULL;
	return 0;
}

/* Whether the file's bytes still have the recorded digest (1), not (0), or an error. */
static int same_digest(int dir_fd, const char *name, const unsigned char *want,
		       struct err *e)
{
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct err why = { 0 };
	int fd, r;

	r = manifest_open(dir_fd, name, &fd, &why);
	if (r == FA_ENOTFOUND || r == FA_EINVAL)
		return 0;
	if (r < 0)
		return err_set(e, r, "cannot open '%s': %s", name, why.msg);
	r = manifest_hash_fd(fd, digest, NULL, e);
	close(fd);
	if (r < 0)
		return err_wrap(e, r, "cannot read '%s'", name);
	return !memcmp(digest, want, MANIFEST_DIGEST_LEN);
}

/* Whether name is one of the lines of text (a pending rewrite's repair set). */
static int among_lines(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

struct check {
	int dir_fd;
	struct stat man_st;
	int pending;             /* a rewrite was begun and not ended */
	struct buf repairing;    /* its repair set */
	const char **accepted;   /* changed files that are the tool's own writes */
	size_t n_accepted;
};

static int accept_change(struct check *c, const char *name)
{
	const char **nv = realloc(c->accepted, (c->n_accepted + 2) * sizeof(*nv));

	if (!nv)
		return FA_ENOMEM;
	c->accepted = nv;
	c->accepted[c->n_accepted++] = name;
	c->accepted[c->n_accepted] = NULL;
	return 0;
}

static int check_file(struct check *c, const struct manifest_entry *ent, const char *name,
		      struct damage *d, struct err *e)
{
	int ours = c->pending && !among_lines(c->repairing.data, name);
	struct stat st;
	int r;

	if (fstatat(c->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return err_set(e, FA_EIO, "cannot read '%s': %s", name, strerror(errno));
		return ours ? accept_change(c, name) : damage_add(d, name, DAMAGE_MISSING);
	}
	if (!S_ISREG(st.st_mode))
		return damage_add(d, name, DAMAGE_NOT_REGULAR);
	if (!manifest_changed_since(&st, &c->man_st))
		return 0;
	if (ours)
		return accept_change(c, name);
	r = same_digest(c->dir_fd, name, ent->digest, e);
	if (r < 0)
		return r;
	return r ? 0 : damage_add(d, name, DAMAGE_CHANGED);
}

static int read_manifest(struct check *c, struct manifest *m, struct err *e)
{
	int fd, r;

	r = manifest_open(c->dir_fd, MANIFEST_NAME, &fd, NULL);
	if (r < 0)
		return 0; /* none (or not a file): nothing was recorded */
	r = fstat(fd, &c->man_st) < 0 ? FA_EIO : manifest_read_fd(fd, m, NULL, NULL, e);
	close(fd);
	return r < 0 ? r : 1;
}

/* Checks the entries of m naming "<prefix><name>" directly in c's folder. */
static int check_listed(struct check *c, const struct manifest *m, const char *prefix,
			struct damage *d, struct err *e)
{
	size_t n = strlen(prefix);
	int r = 0;

	for (size_t i = 0; i < m->n && r == 0; i++) {
		const char *name = m->v[i].path + n;

		if (strncmp(m->v[i].path, prefix, n) || strchr(name, '/'))
			continue; /* not one of this folder's files: verify says so */
		r = check_file(c, &m->v[i], name, d, e);
	}
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	return r;
}

/* Hands d over to ret on success (r >= 0); 0 or r. */
static int hand_over(int r, struct damage *d, struct damage *ret)
{
	if (r < 0)
		return r;
	*ret = *d;
	*d = (struct damage)DAMAGE_INIT;
	return 0;
}

/* The check of damage_check_item(); settle: record a killed run's own writes. */
static int check_item(const struct store *s, enum store_kind kind, const char *id, int settle,
		      struct damage *ret, struct err *e)
{
	static const char *const none[] = { NULL };
	struct check c = { .dir_fd = -1, .repairing = BUF_INIT };
	struct manifest m = MANIFEST_INIT;
	struct buf prefix = BUF_INIT;
	struct damage d = DAMAGE_INIT;
	int r;

	r = store_open_item_dir(s, kind, id, &c.dir_fd, e);
	if (r < 0)
		return r;
	r = read_manifest(&c, &m, e);
	if (r <= 0)
		goto cleanup;
	c.pending = store_rewrite_pending(s, kind, id, &c.repairing);
	r = buf_printf(&prefix, "%s/%s/", store_kind_dir(kind), id) < 0
	    ? err_set(e, FA_ENOMEM, "out of memory") : 0;
	if (r == 0)
		r = check_listed(&c, &m, prefix.data, &d, e);
	/* the killed run's own writes are recorded now (the damage is not), its marker goes */
	if (r == 0 && c.pending && settle)
		r = store_mark_complete(s, kind, id, c.accepted ? c.accepted : none, e);
cleanup:
	r = hand_over(r, &d, ret);
	damage_release(&d);
	manifest_release(&m);
	buf_release(&prefix);
	buf_release(&c.repairing);
	free(c.accepted);
	close(c.dir_fd);
	return r;
}

int damage_check_item(const struct store *s, enum store_kind kind, const char *id,
		      struct damage *ret, struct err *e)
{
	return check_item(s, kind, id, 1, ret, e);
}

int damage_find_item(const struct store *s, enum store_kind kind, const char *id,
		     struct damage *ret, struct err *e)
{
	return check_item(s, kind, id, 0, ret, e);
}

int damage_check_dir(const char *dir, const char *prefix, struct damage *ret, struct err *e)
{
	struct check c = { .dir_fd = -1, .repairing = BUF_INIT };
	struct manifest m = MANIFEST_INIT;
	struct damage d = DAMAGE_INIT;
	int r = 0;

	c.dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c.dir_fd < 0) {
		if (errno != ENOENT)
			r = fs_errno_error(e, "open", dir, errno);
		goto cleanup; /* none yet: nothing was recorded */
	}
	r = read_manifest(&c, &m, e);
	if (r > 0)
		r = check_listed(&c, &m, prefix, &d, e);
cleanup:
	r = hand_over(r, &d, ret);
	damage_release(&d);
	manifest_release(&m);
	if (c.dir_fd >= 0)
		close(c.dir_fd);
	return r;
}

int damage_keep_file(const char *path, long long now, struct buf *ret_kept, struct err *e)
{
	struct buf dir = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int r;

	if (!slash)
		return damage_keep_copy(".", path, now, ret_kept, e);
	r = buf_append(&dir, path, (size_t)(slash - path)) < 0
	    ? err_set(e, FA_ENOMEM, "out of memory")
	    : damage_keep_copy(dir.data, slash + 1, now, ret_kept, e);
	buf_release(&dir);
	return r;
}

int damage_keep_copy(const char *dir, const char *name, long long now, struct buf *ret_kept,
		     struct err *e)
{
	struct buf from = BUF_INIT, to = BUF_INIT;
	int r = 0;

	buf_reset(ret_kept);
	if (buf_printf(&from, "%s/%s", dir, name) < 0 ||
	    buf_printf(ret_kept, STORE_DAMAGED_PREFIX "%lld-%s", now, name) < 0 ||
	    buf_printf(&to, "%s/%s", dir, ret_kept->data) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* flags 0: a symbolic link is linked as itself, never followed */
	if (linkat(AT_FDCWD, from.data, AT_FDCWD, to.data, 0) < 0 && errno != ENOENT &&
	    errno != EEXIST)
		r = fs_errno_error(e, "keep", from.data, errno);
	else
		fs_fsync_dir(dir);
cleanup:
	buf_release(&from);
	buf_release(&to);
	return r;
}
