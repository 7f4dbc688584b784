/* store.c: archive paths, id validation, manifests and completion flags, temp sweeping. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif
#endif

#include "alloc.h"
#include "filelock.h"
#include "fsutil.h"
#include "manifest.h"
#include "store.h"

static const char *const kind_dirs[STORE_KINDS] = { "my_photos", "favorited_photos",
						    "gallery_photos" };

const char *store_kind_dir(enum store_kind kind)
{
	return kind_dirs[(unsigned)kind < STORE_KINDS ? kind : 0];
}

int store_valid_id(const char *id)
{
	size_t n = 0;

	if (!id)
		return 0;
	for (; id[n]; n++)
		if (id[n] < '0' || id[n] > '9' || n >= 32)
			return 0;
	return n > 0;
}

static void sweep_item_dirs(const char *kind_path)
{
	DIR *d = opendir(kind_path);
	struct dirent *de;
	struct buf p = BUF_INIT;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		/* an item folder that is a link is not swept through (see store_open_item_dir()) */
		if (!store_valid_id(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		buf_reset(&p);
		if (buf_printf(&p, "%s/%s", kind_path, de->d_name) == 0)
			fs_sweep_temps(p.data);
	}
	closedir(d);
	buf_release(&p);
}

int store_open(struct store *s, const char *root, struct err *e)
{
	struct buf p = BUF_INIT;
	int r;

	s->root = strdup(root);
	if (!s->root)
		return err_set(e, FA_ENOMEM, "out of memory");
	r = fs_mkdirs(root, 0755, e);
	for (int k = 0; k < STORE_KINDS && r == 0; k++) {
		buf_reset(&p);
		r = buf_printf(&p, "%s/%s", root, kind_dirs[k]) < 0 ? FA_ENOMEM : 0;
		if (r == 0)
			r = fs_mkdirs(p.data, 0755, e);
		if (r == 0)
			sweep_item_dirs(p.data);
	}
	if (r == 0) {
		buf_reset(&p);
		r = buf_printf(&p, "%s/%s", root, STORE_WORK_DIR) < 0 ? FA_ENOMEM : 0;
		if (r == 0)
			r = fs_mkdirs(p.data, 0755, e);
		if (r == 0)
			fs_sweep_temps(p.data);
	}
	if (r == 0)
		fs_sweep_temps(root);
	if (r == FA_ENOMEM)
		err_set(e, r, "out of memory");
	buf_release(&p);
	return r;
}

/* The lock file in the work dir, neither of them followed when a symlink. */
static int open_lock_file(const char *work_dir, int create, int *ret_fd, struct err *e)
{
	struct buf shown = BUF_INIT;
	int dfd, r;

	*ret_fd = -1;
	dfd = open(work_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && !create)
		return err_set(e, FA_ENOTFOUND, "'%s' has no lock file", work_dir);
	if (dfd < 0)
		return fs_errno_error(e, "open", work_dir, errno);
	r = buf_printf(&shown, "%s/lock", work_dir) < 0 ? err_set(e, FA_ENOMEM, "out of memory")
							 : 0;
	if (r == 0)
		r = filelock_open(dfd, "lock", shown.data, create ? FILELOCK_CREATE : 0, 0644,
				  ret_fd, e);
	if (r == FA_ENOTFOUND)
		err_set(e, r, "'%s' has no lock file", work_dir);
	close(dfd);
	buf_release(&shown);
	return r;
}

int store_lock(const char *root, unsigned how, int *ret_fd, struct err *e)
{
	unsigned op = (how & STORE_LOCK_EXCLUSIVE) ? FILELOCK_EXCLUSIVE : FILELOCK_SHARED;
	int create = (how & STORE_LOCK_CREATE) != 0;
	struct buf dir = BUF_INIT;
	int fd = -1, r;

	*ret_fd = -1;
	r = buf_printf(&dir, "%s/%s", root, STORE_WORK_DIR) < 0
		? err_set(e, FA_ENOMEM, "out of memory") : 0;
	if (r == 0 && create)
		r = fs_mkdirs(dir.data, 0755, e);
	if (r == 0)
		r = open_lock_file(dir.data, create, &fd, e);
	if (r == 0)
		r = filelock_take(fd, op, dir.data, e);
	if (r == FA_EBUSY)
		err_set(e, r, "another flickr-archive is already working on '%s'", root);
	if (r == 0)
		*ret_fd = fd;
	else if (fd >= 0)
		close(fd);
	buf_release(&dir);
	return r;
}

void store_unlock(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void store_release(struct store *s)
{
	free(s->root);
	s->root = NULL;
}

int store_item_path(const struct store *s, enum store_kind kind, const char *id,
		    const char *file, struct buf *out)
{
	if (!store_valid_id(id))
		return FA_EINVAL;
	buf_reset(out);
	if (file)
		return buf_printf(out, "%s/%s/%s/%s", s->root, store_kind_dir(kind), id, file);
	return buf_printf(out, "%s/%s/%s", s->root, store_kind_dir(kind), id);
}

int store_root_path(const struct store *s, const char *file, struct buf *out)
{
	buf_reset(out);
	return buf_printf(out, "%s/%s", s->root, file);
}

int store_item_complete(const struct store *s, enum store_kind kind, const char *id)
{
	struct buf p = BUF_INIT;
	int done = 0;

	if (store_item_path(s, kind, id, STORE_COMPLETE_FLAG, &p) == 0)
		done = fs_exists(p.data);
	buf_release(&p);
	return done;
}

static int write_manifest(const struct store *s, enum store_kind kind, const char *id,
			  const char *const *written, const struct manifest_known *known,
			  struct err *e)
{
	static const char *const not_listed[] = { STORE_COMPLETE_FLAG, STORE_DAMAGED_PREFIX "*",
						  NULL };
	struct buf dir = BUF_INIT, rel = BUF_INIT;
	int fd = -1, r;

	r = store_item_path(s, kind, id, NULL, &dir);
	if (r < 0) {
		r = err_set(e, FA_EINVAL, "invalid photo id");
		goto cleanup;
	}
	if (buf_printf(&rel, "%s/%s", store_kind_dir(kind), id) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* never written through a folder that is a link */
	r = store_open_item_dir(s, kind, id, &fd, e);
	if (r == 0)
		close(fd);
	if (r == 0)
		r = manifest_write_dir_known(dir.data, rel.data, not_listed, written, known, e);
cleanup:
	buf_release(&dir);
	buf_release(&rel);
	return r;
}

int store_write_manifest(const struct store *s, enum store_kind kind, const char *id,
			 const char *const *written, struct err *e)
{
	return write_manifest(s, kind, id, written, NULL, e);
}

int store_has_manifest(const struct store *s, enum store_kind kind, const char *id)
{
	struct buf p = BUF_INIT;
	struct stat st;
	int has = 0;

	if (store_item_path(s, kind, id, MANIFEST_NAME, &p) == 0)
		has = lstat(p.data, &st) == 0;
	buf_release(&p);
	return has;
}

/* ".flickr-archive/rewriting/<kind dir>-<id>" */
static int rewrite_marker_path(const struct store *s, enum store_kind kind, const char *id,
			       struct buf *out)
{
	if (!store_valid_id(id))
		return FA_EINVAL;
	buf_reset(out);
	return buf_printf(out, "%s/%s/%s-%s", s->root, STORE_REWRITING_DIR, store_kind_dir(kind),
			  id) < 0 ? FA_ENOMEM : 0;
}

int store_begin_rewrite(const struct store *s, enum store_kind kind, const char *id,
			const char *const *damaged, struct err *e)
{
	struct buf p = BUF_INIT, names = BUF_INIT;
	char *slash;
	int r = rewrite_marker_path(s, kind, id, &p);

	for (size_t i = 0; r == 0 && damaged && damaged[i]; i++)
		r = buf_printf(&names, "%s\n", damaged[i]) < 0 ? FA_ENOMEM : 0;
	if (r < 0) {
		r = err_set(e, r, r == FA_EINVAL ? "invalid photo id" : "out of memory");
		goto cleanup;
	}
	slash = strrchr(p.data, '/');
	*slash = '\0';
	r = fs_mkdirs(p.data, 0755, e);
	*slash = '/';
	if (r == 0)
		r = fs_write_durable(p.data, names.len ? names.data : "", names.len, 0644, e);
cleanup:
	buf_release(&p);
	buf_release(&names);
	return r;
}

int store_rewrite_pending(const struct store *s, enum store_kind kind, const char *id,
			  struct buf *ret_damaged)
{
	struct buf p = BUF_INIT;
	int pending = 0;

	if (rewrite_marker_path(s, kind, id, &p) == 0 && !ret_damaged) {
		pending = fs_exists(p.data);
	} else if (rewrite_marker_path(s, kind, id, &p) == 0) {
		buf_reset(ret_damaged);
		pending = fs_read_file(p.data, 64 * 1024, ret_damaged, NULL) == 0;
	}
	buf_release(&p);
	return pending;
}

static void end_rewrite(const struct store *s, enum store_kind kind, const char *id)
{
	struct buf p = BUF_INIT;

	if (rewrite_marker_path(s, kind, id, &p) == 0)
		unlink(p.data);
	buf_release(&p);
}

int store_mark_complete(const struct store *s, enum store_kind kind, const char *id,
			const char *const *written, struct err *e)
{
	return store_mark_complete_known(s, kind, id, written, NULL, e);
}

int store_mark_complete_known(const struct store *s, enum store_kind kind, const char *id,
			      const char *const *written, const struct manifest_known *known,
			      struct err *e)
{
	struct buf p = BUF_INIT;
	int r;

	r = store_item_path(s, kind, id, STORE_COMPLETE_FLAG, &p);
	if (r < 0) {
		r = err_set(e, FA_EINVAL, "invalid photo id");
		goto cleanup;
	}
	/* the manifest first: a complete item always has one that is true */
	r = write_manifest(s, kind, id, written, known, e);
	if (r == 0)
		r = fs_write_atomic(p.data, "complete\n", 9, 0644, e);
	if (r == 0)
		end_rewrite(s, kind, id);
cleanup:
	buf_release(&p);
	return r;
}

/* Opens "<kind dir>/<id>" below root_fd without following a link at any step. */
static int open_beneath(int root_fd, const char *rel)
{
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));

	/* an older kernel, or a sandbox that refuses the call: step by step below */
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != E2BIG))
		return (int)fd;
#endif
	{
		const char *slash = strchr(rel, '/');
		struct buf first = BUF_INIT;
		int kind_fd, fd2 = -1, saved;

		if (!slash || buf_append(&first, rel, (size_t)(slash - rel)) < 0) {
			buf_release(&first);
			errno = ENOMEM;
			return -1;
		}
		kind_fd = openat(root_fd, first.data,
				 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		buf_release(&first);
		if (kind_fd < 0)
			return -1;
		fd2 = openat(kind_fd, slash + 1, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(kind_fd);
		errno = saved;
		return fd2;
	}
}

int store_open_item_dir(const struct store *s, enum store_kind kind, const char *id,
			int *ret_fd, struct err *e)
{
	struct buf rel = BUF_INIT;
	int root_fd, fd = -1, r = 0;

	if (!store_valid_id(id))
		return err_set(e, FA_EINVAL, "invalid photo id");
	root_fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return fs_errno_error(e, "open", s->root, errno);
	if (buf_printf(&rel, "%s/%s", store_kind_dir(kind), id) < 0) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	fd = open_beneath(root_fd, rel.data);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == EXDEV))
		r = err_set(e, FA_EINVAL, "'%s/%s' is a symbolic link (or not a folder); not "
			    "followed", s->root, rel.data);
	else if (fd < 0 && errno == ENOENT)
		r = err_set(e, FA_ENOTFOUND, "'%s/%s' does not exist", s->root, rel.data);
	else if (fd < 0)
		r = fs_errno_error(e, "open", rel.data, errno);
	else
		*ret_fd = fd;
cleanup:
	close(root_fd);
	buf_release(&rel);
	return r;
}

static const char *const allowed_exts[][2] = {
	{ "jpg", "jpg" }, { "jpeg", "jpg" }, { "png", "png" }, { "gif", "gif" },
	{ "tif", "tif" }, { "tiff", "tif" }, { "webp", "webp" }, { "heic", "heic" },
	{ "bmp", "bmp" },
	{ "mp4", "mp4" }, { "m4v", "m4v" }, { "mov", "mov" }, { "qt", "mov" },
	{ "avi", "avi" }, { "wmv", "wmv" }, { "3gp", "3gp" }, { "3g2", "3g2" },
	{ "mpg", "mpg" }, { "mpeg", "mpg" }, { "m2ts", "m2ts" }, { "mts", "mts" },
	{ "ogv", "ogv" }, { "ogg", "ogv" }, { "webm", "webm" }, { "mkv", "mkv" },
	{ "flv", "flv" }, { "dv", "dv" },
};

const char *store_allowed_ext(const char *ext)
{
	if (!ext)
		return NULL;
	for (size_t i = 0; i < sizeof(allowed_exts) / sizeof(allowed_exts[0]); i++)
		if (!strcasecmp(ext, allowed_exts[i][0]))
			return allowed_exts[i][1];
	return NULL;
}

int store_find_media(const char *dir, const char *stem, struct buf *ret_name)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t stem_len = strlen(stem);
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		const char *n = de->d_name;

		if (strncmp(n, stem, stem_len) || n[stem_len] != '.')
			continue;
		/* any allowed spelling: archives made by other tools say ".jpeg" too */
		if (store_allowed_ext(n + stem_len + 1))
			found = buf_set(ret_name, n) == 0;
	}
	closedir(d);
	return found;
}

int store_ids_add(struct store_ids *ids, const char *id)
{
	if (ALLOC_GROW(ids->v, ids->n + 1, ids->cap) < 0)
		return FA_ENOMEM;
	ids->v[ids->n] = strdup(id);
	if (!ids->v[ids->n])
		return FA_ENOMEM;
	ids->n++;
	return 0;
}

static int compare_ids_desc(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return -strcmp(x, y);
}

void store_ids_sort(struct store_ids *ids)
{
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(*ids->v), compare_ids_desc);
}

int store_ids_contains(const struct store_ids *ids, const char *id)
{
	return id && ids->n &&
	       bsearch(&id, ids->v, ids->n, sizeof(*ids->v), compare_ids_desc) != NULL;
}

void store_ids_free(struct store_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++)
		free(ids->v[i]);
	free(ids->v);
	ids->v = NULL;
	ids->n = ids->cap = 0;
}

int store_list_ids(const struct store *s, enum store_kind kind, struct store_ids *out)
{
	return store_list_ids_if(s, kind, NULL, NULL, out);
}

int store_list_ids_if(const struct store *s, enum store_kind kind,
		      int (*keep)(void *ud, const char *id), void *ud, struct store_ids *out)
{
	struct buf dir = BUF_INIT;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (store_root_path(s, store_kind_dir(kind), &dir) < 0)
		return FA_ENOMEM;
	d = opendir(dir.data);
	buf_release(&dir);
	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d)))
		if (store_valid_id(de->d_name) && (!keep || keep(ud, de->d_name)))
			r = store_ids_add(out, de->d_name);
	closedir(d);
	store_ids_sort(out);
	return r;
}
