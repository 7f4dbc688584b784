/*
 * index.c: the search database (see index.h): opening, checking and
 * rebuilding archive.db, incremental updates, and searches with the place
 * of each match.  What goes into an entry is index_doc.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "alloc.h"
#include "clock.h"
#include "fsutil.h"
#include "index.h"
#include "index_doc.h"

/* PRAGMA application_id of our databases: "FArc" */
#define INDEX_APP_ID 1178694243

/* bm25 weights, in column order: a word in the title or a tag says most */
#define INDEX_WEIGHTS "10.0, 3.0, 6.0, 1.5, 2.0, 2.0, 3.0, 3.0"

/* How much of a field a match shows around its first matched word, in bytes */
#define WINDOW_BEFORE 40
#define WINDOW_AFTER 80

static const char *const field_names[INDEX_N_FIELDS] = {
	"title", "description", "tags", "comments", "people", "notes", "albums", "place",
};

const char *index_field_name(enum index_field f)
{
	return (unsigned)f < INDEX_N_FIELDS ? field_names[f] : "?";
}

/* ---- the database -------------------------------------------------------- */

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static const char schema_sql[] =
	"PRAGMA application_id = " STRINGIFY(INDEX_APP_ID) ";"
	"PRAGMA user_version = " STRINGIFY(INDEX_SCHEMA_VERSION) ";"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
	"INSERT INTO meta VALUES ('generation', 0);"
	/* indexed_gen: the update that last read the item (meta.generation then) */
	"CREATE TABLE items ("
	" rowid INTEGER PRIMARY KEY, section TEXT NOT NULL, id TEXT NOT NULL,"
	" title TEXT NOT NULL, date_taken TEXT, date_posted TEXT, owner TEXT, status TEXT,"
	" stamp TEXT NOT NULL, indexed_gen INTEGER NOT NULL, UNIQUE (section, id));"
	"CREATE VIRTUAL TABLE search USING fts5(title, description, tags, comments, people,"
	" notes, albums, place, roles UNINDEXED,"
	" tokenize = 'unicode61 remove_diacritics 2');";

struct index {
	sqlite3 *db;
	enum index_mode mode;
	struct store store;  /* the root only: its path is all index.c needs */
	char *path;          /* ROOT/archive.db */
	struct fs_tmp tmp;   /* the new file of a rebuild in progress */
	int building;        /* db is tmp: renamed over path when the update succeeds */
	int damaged;         /* SQLite said the file is not a (sound) database */
	char why[128];       /* why the index is built from scratch; "" when it is not */
};

/* Turns the connection's last error into an FA_E* code and a message. */
static int db_fail(struct index *ix, struct err *e, const char *what)
{
	int rc = ix->db ? sqlite3_errcode(ix->db) : SQLITE_NOMEM;
	int code = rc == SQLITE_FULL ? FA_ENOSPC : rc == SQLITE_NOMEM ? FA_ENOMEM : FA_EIO;
	const char *msg = ix->db ? sqlite3_errmsg(ix->db) : "out of memory";

	/* our SQL is fixed: an SQL error means the file is not what we made */
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || rc == SQLITE_ERROR ||
	    rc == SQLITE_SCHEMA || rc == SQLITE_MISMATCH || rc == SQLITE_FORMAT) {
		ix->damaged = 1;
		snprintf(ix->why, sizeof(ix->why), "damaged: %s", msg);
	}
	return err_set(e, code, "'%s': %s: %s", ix->mode == INDEX_MEMORY ? "(in memory)" : ix->path,
		       what, msg);
}

static int db_exec(struct index *ix, const char *sql, struct err *e)
{
	if (sqlite3_exec(ix->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(ix, e, "cannot write the search index");
	return 0;
}

static int db_prepare(struct index *ix, const char *sql, sqlite3_stmt **ret, struct err *e)
{
	if (sqlite3_prepare_v2(ix->db, sql, -1, ret, NULL) != SQLITE_OK)
		return db_fail(ix, e, "cannot read the search index");
	return 0;
}

static void db_close(struct index *ix)
{
	sqlite3_close(ix->db);
	ix->db = NULL;
}

static int db_open(struct index *ix, const char *path, int flags, struct err *e)
{
	db_close(ix);
	if (sqlite3_open_v2(path, &ix->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int r = db_fail(ix, e, "cannot open");

		db_close(ix);
		return r;
	}
	sqlite3_busy_timeout(ix->db, 10000);
	return 0;
}

/* The integer value of a PRAGMA, or a negative FA_E* code. */
static int pragma_int(struct index *ix, const char *name, long long *ret, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char sql[64];
	int r;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	r = db_prepare(ix, sql, &st, e);
	if (r == 0 && sqlite3_step(st) == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else if (r == 0)
		r = db_fail(ix, e, "cannot read the search index");
	sqlite3_finalize(st);
	return r;
}

/* 0 when the open database is an index of this schema version; else fills ix->why. */
static int check_ours(struct index *ix)
{
	long long app = 0, version = 0;
	struct err e = { 0 };

	if (pragma_int(ix, "application_id", &app, &e) < 0 ||
	    pragma_int(ix, "user_version", &version, &e) < 0) {
		if (!ix->why[0])
			snprintf(ix->why, sizeof(ix->why), "unreadable: %.100s", e.msg);
		return FA_EIO;
	}
	if (app != INDEX_APP_ID) {
		snprintf(ix->why, sizeof(ix->why), "not a flickr-archive index");
		return FA_EINVAL;
	}
	if (version != INDEX_SCHEMA_VERSION) {
		snprintf(ix->why, sizeof(ix->why), "schema version %lld, now %d", version,
			 INDEX_SCHEMA_VERSION);
		return FA_EINVAL;
	}
	return 0;
}

/* Starts a new index in a temporary file beside archive.db (see index_update()). */
static int start_rebuild(struct index *ix, struct err *e)
{
	int r;

	db_close(ix);
	ix->damaged = 0;
	r = fs_tmp_open(&ix->tmp, ix->path, 0644, e);
	if (r == 0)
		r = db_open(ix, ix->tmp.tmp_path, SQLITE_OPEN_READWRITE, e);
	ix->building = r == 0;
	/* a crash loses the temporary file, which the next sync sweeps away */
	if (r == 0)
		r = db_exec(ix, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;", e);
	if (r == 0)
		r = db_exec(ix, schema_sql, e);
	return r;
}

static void abort_rebuild(struct index *ix)
{
	if (!ix->building)
		return;
	db_close(ix);
	fs_tmp_abort(&ix->tmp);
	ix->building = 0;
}

/* Puts the finished temporary file in place of archive.db, and opens that. */
static int finish_rebuild(struct index *ix, struct err *e)
{
	static const char *const leftovers[] = { "-journal", "-wal", "-shm" };
	struct buf p = BUF_INIT;
	int r = 0;

	db_close(ix);
	/* a hot journal of the old file would be "rolled back" into the new one */
	for (size_t i = 0; i < sizeof(leftovers) / sizeof(leftovers[0]) && r == 0; i++) {
		buf_reset(&p);
		if (buf_printf(&p, "%s%s", ix->path, leftovers[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else if (unlink(p.data) < 0 && errno != ENOENT)
			r = fs_errno_error(e, "remove", p.data, errno);
	}
	if (r == 0)
		r = fs_tmp_commit(&ix->tmp, ix->path, e);
	fs_tmp_abort(&ix->tmp);
	ix->building = 0;
	if (r == 0)
		r = db_open(ix, ix->path, SQLITE_OPEN_READWRITE, e);
	buf_release(&p);
	return r;
}

int index_open(const char *root, enum index_mode mode, struct index **ret, struct err *e)
{
	struct index *ix = calloc(1, sizeof(*ix));
	struct buf path = BUF_INIT;
	int r;

	if (!ix || buf_printf(&path, "%s/%s", root, INDEX_DB_NAME) < 0 ||
	    !(ix->store.root = strdup(root))) {
		r = err_set(e, FA_ENOMEM, "out of memory");
		goto cleanup;
	}
	ix->mode = mode;
	ix->tmp = (struct fs_tmp)FS_TMP_INIT;
	ix->path = buf_detach(&path);
	if (mode == INDEX_MEMORY) {
		snprintf(ix->why, sizeof(ix->why), "in memory");
		r = db_open(ix, ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, e);
		if (r == 0)
			r = db_exec(ix, schema_sql, e);
		goto cleanup;
	}
	if (!fs_exists(ix->path)) {
		snprintf(ix->why, sizeof(ix->why), "created");
		r = mode == INDEX_READ
			? err_set(e, FA_ENOTFOUND, "no search index '%s' yet", ix->path)
			: start_rebuild(ix, e);
		goto cleanup;
	}
	r = db_open(ix, ix->path, mode == INDEX_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
		    e);
	if (r == 0 && check_ours(ix) < 0)
		r = mode == INDEX_READ
			? err_set(e, FA_ENOTFOUND, "cannot use '%s': %s", ix->path, ix->why)
			: start_rebuild(ix, e);
cleanup:
	buf_release(&path);
	if (r < 0) {
		index_close(ix);
		return r;
	}
	*ret = ix;
	return 0;
}

void index_close(struct index *ix)
{
	if (!ix)
		return;
	abort_rebuild(ix);
	db_close(ix);
	free(ix->store.root);
	free(ix->path);
	free(ix);
}

/* ---- updating ---------------------------------------------------------------- */

/* The row of an item already indexed (rowid 0: none). */
struct known {
	sqlite3_int64 rowid;
	int stamp_same;
};

/*
 * Rows are looked up one item at a time and gone folders found by a pass
 * over the rows afterwards: an index of 100,000 items is never held in memory.
 */
struct writer {
	struct index *ix;
	sqlite3_stmt *row_of, *rows, *add_item, *set_item, *drop_item, *drop_text, *add_text;
	long long gen;
	struct buf dir;
	struct buf stamp;
	struct index_stats stats;
};

/* The item's row, and whether its stamp is w->stamp. */
static int find_known(struct writer *w, enum store_kind kind, const char *id,
		      struct known *k, struct err *e)
{
	int rc;

	k->rowid = 0;
	k->stamp_same = 0;
	sqlite3_bind_text(w->row_of, 1, store_kind_dir(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(w->row_of, 2, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(w->row_of);
	if (rc == SQLITE_ROW) {
		const char *stamp = (const char *)sqlite3_column_text(w->row_of, 1);

		k->rowid = sqlite3_column_int64(w->row_of, 0);
		k->stamp_same = stamp && strcmp(stamp, buf_cstr(&w->stamp)) == 0;
	}
	sqlite3_reset(w->row_of);
	sqlite3_clear_bindings(w->row_of);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(w->ix, e, "cannot read the search index");
	return 0;
}

static struct timespec mtime_of(const struct stat *st)
{
#ifdef __APPLE__
	return st->st_mtimespec;
#else
	return st->st_mtim;
#endif
}

/*
 * Sets w->dir to the item's folder and w->stamp to "inode.size.mtime;" of
 * each of its files ("-;" for one that is missing).  Returns 1, or 0 when the
 * item has no metadata.json.
 */
static int item_stamp(struct writer *w, enum store_kind kind, const char *id)
{
	struct buf path = BUF_INIT;
	int r = 1;

	struct stat dir_st;

	buf_reset(&w->stamp);
	if (store_item_path(&w->ix->store, kind, id, NULL, &w->dir) < 0)
		return FA_ENOMEM;
	/* a folder that is a link is not read through (sync says so): no item to find */
	if (lstat(w->dir.data, &dir_st) == 0 && !S_ISDIR(dir_st.st_mode))
		return 0;
	for (size_t i = 0; i < 3 && r > 0; i++) {
		struct stat st;
		int present;

		buf_reset(&path);
		if (buf_printf(&path, "%s/%s", w->dir.data, index_doc_files[i]) < 0) {
			r = FA_ENOMEM;
			break;
		}
		present = stat(path.data, &st) == 0 && S_ISREG(st.st_mode);
		if (!present && i == 0)
			r = 0;
		else if (!present)
			r = buf_puts(&w->stamp, "-;") < 0 ? FA_ENOMEM : 1;
		else if (buf_printf(&w->stamp, "%llu.%lld.%lld.%09ld;", (unsigned long long)st.st_ino,
				    (long long)st.st_size, (long long)mtime_of(&st).tv_sec,
				    (long)mtime_of(&st).tv_nsec) < 0)
			r = FA_ENOMEM;
	}
	buf_release(&path);
	return r;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int step_done(struct writer *w, sqlite3_stmt *st, struct err *e)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : db_fail(w->ix, e, "cannot write the search index");
}

/* Writes the item's row and its text (rowid 0: a new item). */
static int write_item(struct writer *w, enum store_kind kind, const char *id,
		      sqlite3_int64 rowid, const struct index_doc *d, struct err *e)
{
	sqlite3_stmt *st = rowid ? w->set_item : w->add_item;
	int r;

	bind_text(st, 1, store_kind_dir(kind));
	bind_text(st, 2, id);
	bind_text(st, 3, buf_cstr(&d->title));
	bind_text(st, 4, d->date_taken);
	bind_text(st, 5, d->date_posted);
	bind_text(st, 6, d->owner);
	bind_text(st, 7, d->status);
	bind_text(st, 8, buf_cstr(&w->stamp));
	sqlite3_bind_int64(st, 9, w->gen);
	if (rowid)
		sqlite3_bind_int64(st, 10, rowid);
	r = step_done(w, st, e);
	if (r == 0 && !rowid)
		rowid = sqlite3_last_insert_rowid(w->ix->db);
	if (r == 0) {
		sqlite3_bind_int64(w->drop_text, 1, rowid);
		r = step_done(w, w->drop_text, e);
	}
	if (r < 0)
		return r;
	sqlite3_bind_int64(w->add_text, 1, rowid);
	for (int f = 0; f < INDEX_N_FIELDS; f++)
		bind_text(w->add_text, 2 + f, buf_cstr(&d->col[f]));
	bind_text(w->add_text, 2 + INDEX_N_FIELDS, buf_cstr(&d->roles));
	return step_done(w, w->add_text, e);
}

/* Reads the item and writes its entry; an item that cannot be read keeps its old one. */
static int index_item(struct writer *w, enum store_kind kind, const char *id,
		      sqlite3_int64 rowid, struct err *e)
{
	struct index_doc d = { 0 };
	struct err why = { 0 };
	int r;

	r = index_doc_load(&d, w->dir.data, &why);
	if (d.damaged[0] && !w->stats.damaged++)
		snprintf(w->stats.damaged_path, sizeof(w->stats.damaged_path), "%s/%s/%s",
			 store_kind_dir(kind), id, d.damaged);
	if (r == FA_ENOMEM)
		r = err_set(e, r, "out of memory");
	else if (r < 0) {
		w->stats.unreadable++;
		r = 0;
	} else {
		r = write_item(w, kind, id, rowid, &d, e);
		w->stats.indexed += r == 0;
	}
	index_doc_release(&d);
	return r;
}

static int drop_item(struct writer *w, sqlite3_int64 rowid, struct err *e)
{
	int r;

	sqlite3_bind_int64(w->drop_item, 1, rowid);
	r = step_done(w, w->drop_item, e);
	if (r == 0) {
		sqlite3_bind_int64(w->drop_text, 1, rowid);
		r = step_done(w, w->drop_text, e);
	}
	w->stats.removed += r == 0;
	return r;
}

/* Drops the section's rows whose folder is not in `on_disk` or is in `without_doc`. */
static int drop_gone(struct writer *w, enum store_kind kind, const struct store_ids *on_disk,
		     const struct store_ids *without_doc, struct err *e)
{
	sqlite3_int64 *gone = NULL;
	size_t n = 0, cap = 0;
	int rc = SQLITE_DONE, r = 0;

	/* rowids first, deletions after: the rows are not changed under the reading statement */
	sqlite3_bind_text(w->rows, 1, store_kind_dir(kind), -1, SQLITE_STATIC);
	while (r == 0 && (rc = sqlite3_step(w->rows)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(w->rows, 1);

		if (store_ids_contains(on_disk, id) && !store_ids_contains(without_doc, id))
			continue;
		if (ALLOC_GROW(gone, n + 1, cap) < 0) {
			r = err_set(e, FA_ENOMEM, "out of memory");
			break;
		}
		gone[n++] = sqlite3_column_int64(w->rows, 0);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(w->ix, e, "cannot read the search index");
	sqlite3_reset(w->rows);
	for (size_t i = 0; i < n && r == 0; i++)
		r = drop_item(w, gone[i], e);
	free(gone);
	return r;
}

/* Indexes the item in w->dir if its files changed since its row was written. */
static int update_item(struct writer *w, enum store_kind kind, const char *id, struct err *e)
{
	struct known k;
	int r = find_known(w, kind, id, &k, e);

	if (r == 0 && !k.stamp_same)
		r = index_item(w, kind, id, k.rowid, e);
	return r;
}

/*
 * 1 when a gallery photo is also an archived favorite: the favorite is the
 * one found (a photo is one hit), FA_ENOMEM, else 0.
 */
static int shown_as_favorite(struct writer *w, enum store_kind kind, const char *id)
{
	struct buf path = BUF_INIT;
	int r = 0;

	if (kind != STORE_GALLERY)
		return 0;
	if (store_item_path(&w->ix->store, STORE_FAV, id, "metadata.json", &path) < 0)
		r = FA_ENOMEM;
	else
		r = access(path.data, F_OK) == 0;
	buf_release(&path);
	return r;
}

static int update_kind(struct writer *w, enum store_kind kind, struct err *e)
{
	struct store_ids ids = STORE_IDS_INIT, without_doc = STORE_IDS_INIT;
	int r = 0;

	if (store_list_ids(&w->ix->store, kind, &ids) < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	for (size_t i = 0; i < ids.n && r == 0; i++) {
		int has;

		if (clock_stop_requested()) {
			r = err_set(e, FA_EINTR, "interrupted");
			break;
		}
		has = shown_as_favorite(w, kind, ids.v[i]);
		if (has > 0) { /* its row, if any, goes */
			if (store_ids_add(&without_doc, ids.v[i]) < 0)
				r = err_set(e, FA_ENOMEM, "out of memory");
			continue;
		}
		if (has == 0)
			has = item_stamp(w, kind, ids.v[i]);
		if (has < 0)
			r = err_set(e, has, "out of memory");
		else if (has > 0)
			r = update_item(w, kind, ids.v[i], e);
		else if (store_ids_add(&without_doc, ids.v[i]) < 0)
			r = err_set(e, FA_ENOMEM, "out of memory");
		else /* no metadata.json (yet): not an item to find */
			w->stats.unreadable++;
	}
	/* folders gone from disk: the index follows the archive */
	if (r == 0)
		r = drop_gone(w, kind, &ids, &without_doc, e);
	store_ids_free(&without_doc);
	store_ids_free(&ids);
	return r;
}

static int prepare_writer(struct writer *w, struct err *e)
{
	struct index *ix = w->ix;
	sqlite3_stmt *gen = NULL;
	const struct {
		const char *sql;
		sqlite3_stmt **st;
	} stmts[] = {
		{ "SELECT rowid, stamp FROM items WHERE section = ?1 AND id = ?2", &w->row_of },
		{ "SELECT rowid, id FROM items WHERE section = ?1", &w->rows },
		{ "INSERT INTO items (section, id, title, date_taken, date_posted, owner, status,"
		  " stamp, indexed_gen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &w->add_item },
		{ "UPDATE items SET section = ?1, id = ?2, title = ?3, date_taken = ?4,"
		  " date_posted = ?5, owner = ?6, status = ?7, stamp = ?8, indexed_gen = ?9"
		  " WHERE rowid = ?10", &w->set_item },
		{ "DELETE FROM items WHERE rowid = ?1", &w->drop_item },
		{ "DELETE FROM search WHERE rowid = ?1", &w->drop_text },
		{ "INSERT INTO search (rowid, title, description, tags, comments, people, notes,"
		  " albums, place, roles) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
		  &w->add_text },
	};
	int r = 0;

	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]) && r == 0; i++)
		r = db_prepare(ix, stmts[i].sql, stmts[i].st, e);
	if (r == 0)
		r = db_prepare(ix, "SELECT value FROM meta WHERE key = 'generation'", &gen, e);
	if (r == 0 && sqlite3_step(gen) == SQLITE_ROW)
		w->gen = sqlite3_column_int64(gen, 0) + 1;
	else if (r == 0)
		r = db_fail(ix, e, "cannot write the search index");
	sqlite3_finalize(gen);
	return r;
}

static void finalize_writer(struct writer *w)
{
	sqlite3_finalize(w->row_of);
	sqlite3_finalize(w->rows);
	sqlite3_finalize(w->add_item);
	sqlite3_finalize(w->set_item);
	sqlite3_finalize(w->drop_item);
	sqlite3_finalize(w->drop_text);
	sqlite3_finalize(w->add_text);
	buf_release(&w->dir);
	buf_release(&w->stamp);
}

static int count_items(struct index *ix, long *ret, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int r = db_prepare(ix, "SELECT count(*) FROM items", &st, e);

	if (r == 0 && sqlite3_step(st) == SQLITE_ROW)
		*ret = (long)sqlite3_column_int64(st, 0);
	else if (r == 0)
		r = db_fail(ix, e, "cannot read the search index");
	sqlite3_finalize(st);
	return r;
}

/* One update in one transaction. */
static int update_once(struct index *ix, struct index_stats *ret_stats, struct err *e)
{
	struct writer w = { .ix = ix };
	int r;

	r = db_exec(ix, "BEGIN IMMEDIATE", e);
	if (r < 0)
		return r;
	r = prepare_writer(&w, e);
	if (r == 0)
		r = update_kind(&w, STORE_MY, e);
	if (r == 0)
		r = update_kind(&w, STORE_FAV, e);
	if (r == 0)
		r = update_kind(&w, STORE_GALLERY, e);
	if (r == 0)
		r = count_items(ix, &w.stats.items, e);
	/* an update that changed nothing leaves the file as it was */
	if (r == 0 && (w.stats.indexed || w.stats.removed))
		r = db_exec(ix, "UPDATE meta SET value = value + 1 WHERE key = 'generation'", e);
	finalize_writer(&w);
	if (r == 0)
		r = db_exec(ix, "COMMIT", e);
	if (r < 0 && !sqlite3_get_autocommit(ix->db))
		sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
	if (r == 0)
		*ret_stats = w.stats;
	return r;
}

/* Commits a rebuild that succeeded, drops one that failed; fills the stats. */
static int end_update(struct index *ix, int r, struct index_stats *st,
		      struct index_stats *ret_stats, struct err *e)
{
	if (r == 0 && ix->building)
		r = finish_rebuild(ix, e);
	if (r < 0)
		abort_rebuild(ix);
	st->rebuilt = ix->why[0] != 0;
	snprintf(st->why, sizeof(st->why), "%s", ix->why);
	ix->why[0] = '\0';
	if (r == 0 && ret_stats)
		*ret_stats = *st;
	return r;
}

int index_update(struct index *ix, struct index_stats *ret_stats, struct err *e)
{
	struct index_stats st = { 0 };
	int r;

	if (ix->mode == INDEX_READ || !ix->db)
		return err_set(e, FA_EINVAL, "'%s': the search index is open read-only", ix->path);
	r = update_once(ix, &st, e);
	if (r < 0 && ix->damaged && !ix->building && ix->mode == INDEX_WRITE) {
		/* derived data: start again from the archive's files */
		err_clear(e);
		r = start_rebuild(ix, e);
		if (r == 0)
			r = update_once(ix, &st, e);
	}
	return end_update(ix, r, &st, ret_stats, e);
}

int index_rebuild(struct index *ix, struct index_stats *ret_stats, struct err *e)
{
	struct index_stats st = { 0 };
	int r;

	if (ix->mode != INDEX_WRITE)
		return err_set(e, FA_EINVAL, "'%s': the search index is open read-only", ix->path);
	if (!ix->why[0])
		snprintf(ix->why, sizeof(ix->why), "asked for");
	r = start_rebuild(ix, e);
	if (r == 0)
		r = update_once(ix, &st, e);
	return end_update(ix, r, &st, ret_stats, e);
}

int index_damaged(const struct index *ix)
{
	return ix->damaged;
}

int index_refresh(const char *root, struct index_stats *ret_stats, struct err *e)
{
	struct index *ix = NULL;
	int r;

	r = index_open(root, INDEX_WRITE, &ix, e);
	if (r == 0)
		r = index_update(ix, ret_stats, e);
	index_close(ix);
	return r;
}

/* ---- searching ----------------------------------------------------------- */

#define ELLIPSIS "\xe2\x80\xa6"

struct searcher {
	struct index *ix;
	sqlite3_stmt *best;    /* rowids, best first */
	sqlite3_stmt *detail;  /* one item with its fields highlighted */
	const char *fts_query;
	struct buf text[INDEX_N_FIELDS];
	struct buf by[INDEX_N_FIELDS];
	struct index_where where[INDEX_N_FIELDS];
};

/* The first line of s with a match in it, its number, and how many more lines have one. */
static const char *first_marked_line(const char *s, size_t *ret_number, size_t *ret_len,
				     long *ret_more)
{
	const char *found = NULL, *p = s;
	size_t number = 0;

	*ret_more = 0;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (memchr(p, INDEX_MARK_OPEN, len) && found) {
			(*ret_more)++;
		} else if (memchr(p, INDEX_MARK_OPEN, len)) {
			found = p;
			*ret_number = number;
			*ret_len = len;
		}
		if (!nl)
			return found;
		p = nl + 1;
		number++;
	}
}

/* Line number n of s (empty when there is none). */
static const char *nth_line(const char *s, size_t n, size_t *ret_len)
{
	const char *nl;

	for (; n > 0 && s; n--) {
		nl = strchr(s, '\n');
		s = nl ? nl + 1 : NULL;
	}
	if (!s)
		s = "";
	nl = strchr(s, '\n');
	*ret_len = nl ? (size_t)(nl - s) : strlen(s);
	return s;
}

static int is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* Appends the part of line around its first match, cut at words, "…" where cut. */
static int append_window(struct buf *out, const char *line, size_t len)
{
	const char *open = memchr(line, INDEX_MARK_OPEN, len);
	size_t first = open ? (size_t)(open - line) : 0;
	const char *close = memchr(line + first, INDEX_MARK_CLOSE, len - first);
	size_t last = close ? (size_t)(close - line) + 1 : first;
	size_t start = first > WINDOW_BEFORE ? first - WINDOW_BEFORE : 0;
	size_t end = len - last > WINDOW_AFTER ? last + WINDOW_AFTER : len;
	int inside = 0, r = 0;

	if (start > 0) {
		const char *space = memchr(line + start, ' ', first - start);

		start = space ? (size_t)(space - line) + 1 : start;
		while (start < first && is_continuation(line[start]))
			start++;
	}
	if (end < len) {
		size_t at = end;

		while (at > last && line[at] != ' ')
			at--;
		end = at > last ? at : end;
		while (end > last && is_continuation(line[end]))
			end--;
	}
	if (start > 0)
		r = buf_puts(out, ELLIPSIS);
	/* marks alternate, even when a match began on the line before */
	for (size_t i = start; i < end && r == 0; i++) {
		int mark = line[i] == INDEX_MARK_OPEN || line[i] == INDEX_MARK_CLOSE;

		if (mark && inside == (line[i] == INDEX_MARK_OPEN))
			continue;
		if (mark)
			inside = line[i] == INDEX_MARK_OPEN;
		r = buf_putc(out, line[i]);
	}
	if (r == 0 && inside)
		r = buf_putc(out, INDEX_MARK_CLOSE);
	if (r == 0 && end < len)
		r = buf_puts(out, ELLIPSIS);
	return r < 0 ? FA_ENOMEM : 0;
}

/* A comment line "Author: text": the author without marks, then the text's window. */
static int comment_where(struct searcher *s, enum index_field f, const char *line, size_t len)
{
	const char *sep = memchr(line, ':', len);
	struct buf name = BUF_INIT, text = BUF_INIT;
	int inside = 0, r = 0;

	if (!sep || (size_t)(sep - line) + 1 >= len || sep[1] != ' ')
		sep = NULL;
	for (const char *p = line; sep && p < sep && r == 0; p++) {
		if (*p == INDEX_MARK_OPEN || *p == INDEX_MARK_CLOSE)
			inside = *p == INDEX_MARK_OPEN;
		else
			r = buf_putc(&name, *p);
	}
	while (name.len && name.data[name.len - 1] == ' ')
		name.data[--name.len] = '\0';
	if (r == 0 && sep)
		r = index_unsegment_cjk(buf_cstr(&name), &s->by[f]);
	/* a match that runs over the ": " goes on in the text */
	if (r == 0 && inside)
		r = buf_putc(&text, INDEX_MARK_OPEN);
	if (r == 0)
		r = sep ? buf_append(&text, sep + 2, len - (size_t)(sep + 2 - line))
			: buf_append(&text, line, len);
	buf_reset(&name);
	if (r == 0)
		r = append_window(&name, buf_cstr(&text), text.len);
	if (r == 0)
		r = index_unsegment_cjk(buf_cstr(&name), &s->text[f]);
	buf_release(&name);
	buf_release(&text);
	return r < 0 ? FA_ENOMEM : 0;
}

/* Where field f matched, from its highlighted text hl (NULL: it did not). */
static int field_where(struct searcher *s, enum index_field f, const char *hl,
		       const char *roles, struct index_where *w)
{
	struct buf window = BUF_INIT;
	size_t number = 0, len = 0, roles_len;
	const char *line, *role;
	int r;

	line = hl ? first_marked_line(hl, &number, &len, &w->more) : NULL;
	if (!line)
		return 0;
	buf_reset(&s->text[f]);
	buf_reset(&s->by[f]);
	w->field = f;
	if (f == INDEX_COMMENTS) {
		r = comment_where(s, f, line, len);
	} else {
		r = append_window(&window, line, len);
		if (r == 0)
			r = index_unsegment_cjk(buf_cstr(&window), &s->text[f]);
		role = f == INDEX_PEOPLE ? nth_line(roles ? roles : "", number, &roles_len) : NULL;
		if (r == 0 && role)
			r = buf_append(&s->by[f], role, roles_len) < 0 ? FA_ENOMEM : 0;
	}
	buf_release(&window);
	w->text = buf_cstr(&s->text[f]);
	w->by = s->by[f].len ? buf_cstr(&s->by[f]) : NULL;
	return r < 0 ? FA_ENOMEM : 1;
}

static int is_date(const char *s)
{
	return s && strlen(s) >= 10 && s[4] == '-' && s[7] == '-' && strncmp(s, "0000", 4);
}

/* YYYY-MM-DD of the date taken, else of the date posted; "" when neither is known. */
static void hit_date(const char *taken, const char *posted, char out[11])
{
	const char *src = is_date(taken) ? taken : is_date(posted) ? posted : NULL;

	out[0] = '\0';
	if (src) {
		memcpy(out, src, 10);
		out[10] = '\0';
	}
}

static const char *column_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Reads one hit's item and fields, and hands it to fn. */
static int report_hit(struct searcher *s, sqlite3_int64 rowid, double score,
		      index_hit_fn fn, void *ud, struct err *e)
{
	struct index_hit hit = { 0 };
	char date[11];
	int rc, r = 0;

	sqlite3_bind_text(s->detail, 1, s->fts_query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->detail, 2, rowid);
	rc = sqlite3_step(s->detail);
	if (rc != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? 0 : db_fail(s->ix, e, "cannot search");
		goto cleanup;
	}
	hit.kind = STORE_MY;
	for (int k = 0; k < STORE_KINDS; k++)
		if (!strcmp(column_text(s->detail, 0), store_kind_dir((enum store_kind)k)))
			hit.kind = (enum store_kind)k;
	hit.id = column_text(s->detail, 1);
	hit.title = column_text(s->detail, 2);
	hit.date_taken = column_text(s->detail, 3);
	hit.date_posted = column_text(s->detail, 4);
	hit.owner = column_text(s->detail, 5);
	hit.status = column_text(s->detail, 6);
	hit_date(hit.date_taken, hit.date_posted, date);
	hit.date = date;
	hit.rank = score;
	hit.where = s->where;
	for (int f = 0; f < INDEX_N_FIELDS && r >= 0; f++) {
		r = field_where(s, (enum index_field)f, column_text(s->detail, 8 + f),
				column_text(s->detail, 7), &s->where[hit.n_where]);
		hit.n_where += r > 0;
	}
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else
		r = fn(ud, &hit);
cleanup:
	sqlite3_reset(s->detail);
	return r;
}

static int prepare_searcher(struct searcher *s, struct err *e)
{
	struct buf sql = BUF_INIT;
	int r;

	r = db_prepare(s->ix, "SELECT rowid, bm25(search, " INDEX_WEIGHTS ") AS score"
		       " FROM search WHERE search MATCH ?1 ORDER BY score, rowid LIMIT ?2",
		       &s->best, e);
	if (r < 0)
		return r;
	r = buf_puts(&sql, "SELECT items.section, items.id, items.title, items.date_taken,"
		     " items.date_posted, items.owner, items.status, search.roles");
	for (int f = 0; f < INDEX_N_FIELDS && r == 0; f++)
		r = buf_printf(&sql, ", highlight(search, %d, char(1), char(2))", f);
	if (r == 0)
		r = buf_puts(&sql, " FROM search JOIN items ON items.rowid = search.rowid"
			     " WHERE search MATCH ?1 AND search.rowid = ?2");
	if (r < 0)
		r = err_set(e, FA_ENOMEM, "out of memory");
	else
		r = db_prepare(s->ix, sql.data, &s->detail, e);
	buf_release(&sql);
	return r;
}

int index_search(struct index *ix, const char *query, long limit, index_hit_fn fn,
		 void *ud, struct err *e)
{
	struct searcher s = { .ix = ix };
	struct buf fts = BUF_INIT;
	int rc = SQLITE_DONE, r;

	r = index_fts_query(query, &fts);
	if (r == FA_EINVAL)
		r = err_set(e, r, "nothing to search for: give a word with a letter or digit");
	else if (r < 0)
		r = err_set(e, r, "out of memory");
	if (r == 0 && !ix->db)
		r = err_set(e, FA_EINVAL, "the search index is not open");
	if (r == 0)
		r = prepare_searcher(&s, e);
	if (r < 0)
		goto cleanup;
	s.fts_query = buf_cstr(&fts);
	sqlite3_bind_text(s.best, 1, s.fts_query, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s.best, 2, limit > 0 ? limit : -1);
	while (r == 0 && (rc = sqlite3_step(s.best)) == SQLITE_ROW)
		r = report_hit(&s, sqlite3_column_int64(s.best, 0),
			       sqlite3_column_double(s.best, 1), fn, ud, e);
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(ix, e, "cannot search");
cleanup:
	sqlite3_finalize(s.best);
	sqlite3_finalize(s.detail);
	for (int f = 0; f < INDEX_N_FIELDS; f++) {
		buf_release(&s.text[f]);
		buf_release(&s.by[f]);
	}
	buf_release(&fts);
	return r;
}
