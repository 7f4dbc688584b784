/* test_manifest.c: SHA-256 manifests: hashing, BagIt lines, hostile input, writing. */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "unit.h"

#include "buf.h"
#include "catalog.h"
#include "fsutil.h"
#include "manifest.h"
#include "store.h"

static void hex_of(const char *path, char out[MANIFEST_HEX_LEN + 1], uint64_t *ret_size)
{
	unsigned char digest[MANIFEST_DIGEST_LEN];
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(manifest_hash_fd(fd, digest, ret_size, NULL), 0);
	close(fd);
	manifest_hex(digest, out);
}

/* ---- hashing ------------------------------------------------------------- */

static void test_hash_vectors(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "f");
	char hex[MANIFEST_HEX_LEN + 1];
	uint64_t size = 1;
	char *million = malloc(1000000);

	ut_write_str(path, "");
	hex_of(path, hex, &size);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(size, 0);
	ut_write_str(path, "abc");
	hex_of(path, hex, &size);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(size, 3);
	/* FIPS 180-2's million 'a': many chunks of the streaming reader */
	assert_non_null(million);
	memset(million, 'a', 1000000);
	ut_write_file(path, million, 1000000);
	hex_of(path, hex, &size);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	assert_int_equal(size, 1000000);
	free(million);
	free(path);
}

/* ---- paths and lines ------------------------------------------------------ */

struct path_case {
	const char *path;
	int valid;
};

static const struct path_case path_cases[] = {
	{ "my_photos/123/original.jpg", 1 },
	{ "users_cache.json", 1 },
	{ "a b/c d", 1 },
	{ ".hidden", 1 },
	{ "a/...", 1 },
	{ "..a", 1 },
	{ "", 0 },
	{ "/etc/passwd", 0 },
	{ "..", 0 },
	{ ".", 0 },
	{ "../x", 0 },
	{ "a/../../x", 0 },
	{ "a/..", 0 },
	{ "a/./b", 0 },
	{ "./a", 0 },
	{ "a//b", 0 },
	{ "a/", 0 },
	{ "//a", 0 },
	{ NULL, 0 },
};

static void test_path_valid_table(void **state)
{
	(void)state;
	for (const struct path_case *c = path_cases; c->path; c++) {
		print_message("'%s'\n", c->path);
		assert_int_equal(manifest_path_valid(c->path) != 0, c->valid);
	}
	assert_false(manifest_path_valid(NULL));
}

static const char ABC_HEX[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

struct line_case {
	const char *line;
	const char *path; /* NULL: refused */
};

static const struct line_case line_cases[] = {
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad my_photos/1/a.jpg",
	  "my_photos/1/a.jpg" },
	{ "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  a", "a" },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \t a b ", "a b " },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 100%25", "100%" },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a%0Ab%0dc",
	  "a\nb\rc" },
	/* hostile or damaged */
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ../etc/passwd", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad /etc/passwd", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a/../../b", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a/%2E%2E/b", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad %2Fetc", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a%00b", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a%", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a%2", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a%zz", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a/", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad   ", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adx a", NULL },
	{ "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a a", NULL },
	{ "ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a", NULL },
	{ "+a7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a", NULL },
	{ " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a", NULL },
	{ "a", NULL },
	{ "", NULL },
	{ NULL, NULL },
};

static void test_parse_line_table(void **state)
{
	struct buf path = BUF_INIT;

	(void)state;
	for (const struct line_case *c = line_cases; c->line; c++) {
		unsigned char digest[MANIFEST_DIGEST_LEN];
		char hex[MANIFEST_HEX_LEN + 1];
		struct err e = { 0 };
		int r;

		print_message("'%s'\n", c->line);
		r = manifest_parse_line(c->line, strlen(c->line), digest, &path, &e);
		if (!c->path) {
			assert_int_equal(r, FA_EPARSE);
			assert_true(e.msg[0] != '\0');
			continue;
		}
		assert_int_equal(r, 0);
		assert_string_equal(path.data, c->path);
		manifest_hex(digest, hex);
		assert_string_equal(hex, ABC_HEX);
	}
	buf_release(&path);
}

static void test_parse_line_refuses_embedded_nul(void **state)
{
	static const char line[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a\0/../x";
	unsigned char digest[MANIFEST_DIGEST_LEN];
	struct buf path = BUF_INIT;

	(void)state;
	assert_int_equal(manifest_parse_line(line, sizeof(line) - 1, digest, &path, NULL),
			 FA_EPARSE);
	buf_release(&path);
}

static void test_format_line_round_trips(void **state)
{
	static const char *const paths[] = {
		"my_photos/1/original.jpg", "a b", "50%", "line\nbreak", "cr\rhere", "%0A",
		"\xc3\xa9t\xc3\xa9.json", NULL,
	};
	unsigned char digest[MANIFEST_DIGEST_LEN], back[MANIFEST_DIGEST_LEN];
	struct buf line = BUF_INIT, path = BUF_INIT;

	(void)state;
	for (size_t i = 0; i < MANIFEST_DIGEST_LEN; i++)
		digest[i] = (unsigned char)(i * 37);
	for (size_t i = 0; paths[i]; i++) {
		buf_reset(&line);
		assert_int_equal(manifest_format_line(&line, digest, paths[i]), 0);
		/* one line: a newline only at the end, a single space after the digest */
		assert_ptr_equal(strchr(line.data, '\n'), line.data + line.len - 1);
		assert_null(strchr(line.data, '\r'));
		assert_int_equal(line.data[MANIFEST_HEX_LEN], ' ');
		assert_int_equal(manifest_parse_line(line.data, line.len - 1, back, &path, NULL), 0);
		assert_string_equal(path.data, paths[i]);
		assert_memory_equal(back, digest, MANIFEST_DIGEST_LEN);
	}
	buf_reset(&line);
	manifest_format_line(&line, digest, "100%\n");
	assert_string_equal(line.data + MANIFEST_HEX_LEN, " 100%25%0A\n");
	buf_release(&line);
	buf_release(&path);
}

static void test_display_encoding_escapes_every_control_byte(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(manifest_encode_path(&out, "a\x1b[31m\tb\x7f%", MANIFEST_ENC_DISPLAY), 0);
	assert_string_equal(out.data, "a%1B[31m%09b%7F%25");
	buf_reset(&out);
	assert_int_equal(manifest_encode_path(&out, "a\x1b\t", MANIFEST_ENC_BAGIT), 0);
	assert_string_equal(out.data, "a\x1b\t");
	buf_release(&out);
}

/* ---- reading a manifest --------------------------------------------------- */

struct bad_seen {
	long lines[16];
	int n;
};

static void note_bad(void *ud, long line_no, const char *reason)
{
	struct bad_seen *seen = ud;

	assert_non_null(reason);
	if (seen->n < 16)
		seen->lines[seen->n++] = line_no;
}

static void test_read_skips_bad_lines_and_knows_line_ends(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, MANIFEST_NAME);
	struct manifest m = MANIFEST_INIT;
	struct bad_seen seen = { { 0 }, 0 };
	struct buf text = BUF_INIT;
	char longline[MANIFEST_LINE_MAX + 100];
	int fd;

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(buf_printf(&text, "%s b\r\n", ABC_HEX), 0);            /* 1: CRLF */
	assert_int_equal(buf_printf(&text, "%s a\r", ABC_HEX), 0);              /* 2: CR */
	assert_int_equal(buf_printf(&text, "  \t\n"), 0);                       /* 3: blank */
	assert_int_equal(buf_printf(&text, "\n"), 0);                           /* 4: blank */
	assert_int_equal(buf_printf(&text, "%s ../escape\n", ABC_HEX), 0);      /* 5: bad */
	assert_int_equal(buf_printf(&text, "%s %s\n", ABC_HEX, longline), 0);   /* 6: too long */
	assert_int_equal(buf_append(&text, "x\0y\n", 4), 0);                    /* 7: NUL */
	assert_int_equal(buf_printf(&text, "%s c/d", ABC_HEX), 0);              /* 8: no line end */
	ut_write_file(path, text.data, text.len);
	fd = open(path, O_RDONLY);
	assert_int_equal(manifest_read_fd(fd, &m, note_bad, &seen, NULL), 0);
	close(fd);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.v[0].path, "b");
	assert_string_equal(m.v[1].path, "a");
	assert_string_equal(m.v[2].path, "c/d");
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.lines[0], 5);
	assert_int_equal(seen.lines[1], 6);
	assert_int_equal(seen.lines[2], 7);
	manifest_sort(&m);
	assert_string_equal(m.v[0].path, "a");
	assert_non_null(manifest_find(&m, "c/d"));
	assert_null(manifest_find(&m, "c"));
	assert_int_equal(manifest_lower_bound(&m, "b"), 1);
	assert_int_equal(manifest_lower_bound(&m, "z"), 3);
	manifest_release(&m);
	buf_release(&text);
	free(path);
}

/* A CRLF whose LF starts the next read chunk (64 KiB) is still one line end. */
static void test_read_crlf_across_chunks(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, MANIFEST_NAME);
	struct manifest m = MANIFEST_INIT;
	struct bad_seen seen = { { 0 }, 0 };
	struct buf text = BUF_INIT;
	long lines = 0;
	int fd;

	while (text.len + 67 + 70 <= 65535) {
		assert_int_equal(buf_printf(&text, "%s a\n", ABC_HEX), 0);
		lines++;
	}
	assert_int_equal(buf_printf(&text, "%s ", ABC_HEX), 0);
	while (text.len < 65535)
		assert_int_equal(buf_putc(&text, 'b'), 0);
	assert_int_equal(buf_puts(&text, "\r\nbad\n"), 0);
	assert_int_equal(text.data[65535], '\r');
	assert_int_equal(text.data[65536], '\n');
	ut_write_file(path, text.data, text.len);
	fd = open(path, O_RDONLY);
	assert_int_equal(manifest_read_fd(fd, &m, note_bad, &seen, NULL), 0);
	close(fd);
	assert_int_equal(m.n, lines + 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.lines[0], lines + 2);
	manifest_release(&m);
	buf_release(&text);
	free(path);
}

/* ---- opening below a directory ------------------------------------------- */

static void test_open_refuses_links_and_odd_files(void **state)
{
	const char *dir = *state;
	char *sub = ut_join(dir, "sub"), *file = ut_join(sub, "f");
	char *link = ut_join(dir, "link"), *dirlink = ut_join(dir, "dirlink");
	char *fifo = ut_join(dir, "fifo");
	int root = open(dir, O_RDONLY | O_DIRECTORY), fd = -1;
	struct err e = { 0 };

	assert_true(root >= 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	ut_write_str(file, "x");
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(symlink(sub, dirlink), 0);
	assert_int_equal(mkfifo(fifo, 0644), 0);

	assert_int_equal(manifest_open(root, "sub/f", &fd, &e), 0);
	close(fd);
	assert_int_equal(manifest_open(root, "sub/nope", &fd, &e), FA_ENOTFOUND);
	assert_int_equal(manifest_open(root, "nope/f", &fd, &e), FA_ENOTFOUND);
	assert_int_equal(manifest_open(root, "sub/f/g", &fd, &e), FA_ENOTFOUND);
	assert_int_equal(manifest_open(root, "link", &fd, &e), FA_EINVAL);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(manifest_open(root, "dirlink/f", &fd, &e), FA_EINVAL);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_int_equal(manifest_open(root, "fifo", &fd, &e), FA_EINVAL); /* and no hang */
	assert_int_equal(manifest_open(root, "sub", &fd, &e), FA_EINVAL);
	assert_int_equal(manifest_open(root, "../x", &fd, &e), FA_EINVAL);
	assert_int_equal(manifest_open(root, "/etc/passwd", &fd, &e), FA_EINVAL);
	close(root);
	free(sub);
	free(file);
	free(link);
	free(dirlink);
	free(fifo);
}

/* ---- writing an item's manifest ------------------------------------------ */

static void set_mtime(const char *path, time_t when)
{
	struct timeval tv[2] = { { when, 0 }, { when, 0 } };

	assert_int_equal(utimes(path, tv), 0);
}

static void test_write_dir_lists_final_regular_files(void **state)
{
	const char *dir = *state;
	char *a = ut_join(dir, "original.jpg"), *b = ut_join(dir, "metadata.json");
	char *flag = ut_join(dir, "complete.flag"), *tmp = ut_join(dir, ".sizes.json.tmp-Ab12Cd");
	char *hidden = ut_join(dir, ".DS_Store"), *sub = ut_join(dir, "sub");
	char *link = ut_join(dir, "link.jpg"), *man = ut_join(dir, MANIFEST_NAME);
	static const char *const skip[] = { "complete.flag", NULL };
	char hex[MANIFEST_HEX_LEN + 1], *text;
	struct buf want = BUF_INIT;

	ut_write_str(a, "abc");
	ut_write_str(b, "{}");
	ut_write_str(flag, "complete\n");
	ut_write_str(tmp, "half");
	ut_write_str(hidden, "");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(symlink(a, link), 0);
	assert_int_equal(manifest_write_dir(dir, "my_photos/7", skip, NULL, NULL), 0);
	text = ut_read_file(man, NULL);
	hex_of(b, hex, NULL);
	assert_int_equal(buf_printf(&want, "%s my_photos/7/metadata.json\n"
				    "%s my_photos/7/original.jpg\n", hex, ABC_HEX), 0);
	assert_string_equal(text, want.data);
	free(text);
	/* writing again lists the same (the manifest does not list itself) */
	assert_int_equal(manifest_write_dir(dir, "my_photos/7", skip, NULL, NULL), 0);
	text = ut_read_file(man, NULL);
	assert_string_equal(text, want.data);
	free(text);
	buf_release(&want);
	free(a);
	free(b);
	free(flag);
	free(tmp);
	free(hidden);
	free(sub);
	free(link);
	free(man);
}

/* A digest known from writing the file is taken as it is, not read again; not when the size moved. */
static void test_write_dir_takes_a_known_digest(void **state)
{
	const char *dir = *state;
	char *a = ut_join(dir, "original.jpg"), *man = ut_join(dir, MANIFEST_NAME), *text;
	unsigned char marked[MANIFEST_DIGEST_LEN];
	struct manifest_known known = { "original.jpg", 3, marked };
	char hex[MANIFEST_HEX_LEN + 1];

	memset(marked, 0xab, sizeof(marked));
	manifest_hex(marked, hex);
	ut_write_str(a, "abc");
	assert_int_equal(manifest_write_dir_known(dir, "p", NULL, NULL, &known, NULL), 0);
	text = ut_read_file(man, NULL);
	assert_non_null(strstr(text, hex)); /* taken: the file was not hashed */
	assert_null(strstr(text, ABC_HEX));
	free(text);
	known.size = 4;
	assert_int_equal(unlink(man), 0); /* else its recorded digest stays: the file is unchanged */
	assert_int_equal(manifest_write_dir_known(dir, "p", NULL, NULL, &known, NULL), 0);
	text = ut_read_file(man, NULL);
	assert_non_null(strstr(text, ABC_HEX));
	free(text);
	free(a);
	free(man);
}

static void test_write_dir_keeps_digests_of_untouched_files(void **state)
{
	static const char *const written[] = { "metadata.json", NULL };
	static const char *const skip[] = { "damaged-*", NULL };
	const char *dir = *state;
	char *a = ut_join(dir, "original.jpg"), *b = ut_join(dir, "metadata.json");
	char *c = ut_join(dir, "comments.json"), *kept = ut_join(dir, "damaged-1-original.jpg");
	char *man = ut_join(dir, MANIFEST_NAME), *text;
	char hex_b[MANIFEST_HEX_LEN + 1], hex_c[MANIFEST_HEX_LEN + 1];

	ut_write_str(a, "abc");
	ut_write_str(b, "{}");
	ut_write_str(c, "[]");
	hex_of(c, hex_c, NULL);
	set_mtime(a, 1000000000);
	set_mtime(b, 1000000000);
	assert_int_equal(manifest_write_dir(dir, "p", skip, NULL, NULL), 0);
	/* bit rot in the original (mtime put back), a real rewrite of metadata.json,
	 * a list deleted, a damaged copy kept aside */
	ut_write_str(a, "abd");
	set_mtime(a, 1000000000);
	ut_write_str(b, "{\"new\":1}");
	assert_int_equal(unlink(c), 0);
	ut_write_str(kept, "abd");
	assert_int_equal(manifest_write_dir(dir, "p", skip, written, NULL), 0);
	text = ut_read_file(man, NULL);
	hex_of(b, hex_b, NULL);
	assert_non_null(strstr(text, hex_b));         /* rehashed */
	assert_non_null(strstr(text, ABC_HEX));       /* the damage is not blessed */
	assert_non_null(strstr(text, hex_c));         /* nor is the loss */
	assert_null(strstr(text, "damaged-"));
	free(text);
	/* with no list, a file changed since the manifest (its ctime) is hashed */
	sleep(1);
	ut_write_str(a, "abd");
	set_mtime(a, 1000000000);
	assert_int_equal(manifest_write_dir(dir, "p", skip, NULL, NULL), 0);
	text = ut_read_file(man, NULL);
	assert_null(strstr(text, ABC_HEX));
	assert_null(strstr(text, "comments.json"));
	free(text);
	free(a);
	free(b);
	free(c);
	free(kept);
	free(man);
}

/* ---- the store and the catalog ------------------------------------------- */

static void put(const char *root, const char *rel, const char *content)
{
	char *p = ut_join(root, rel);

	ut_write_str(p, content);
	free(p);
}

static void test_mark_complete_writes_the_manifest_first(void **state)
{
	const char *dir = *state;
	struct store s;
	struct buf p = BUF_INIT;
	char *text;

	assert_int_equal(store_open(&s, dir, NULL), 0);
	assert_int_equal(store_item_path(&s, STORE_MY, "123", NULL, &p), 0);
	assert_int_equal(fs_mkdirs(p.data, 0755, NULL), 0);
	put(dir, "my_photos/123/original.jpg", "abc");
	assert_int_equal(store_mark_complete(&s, STORE_MY, "123", NULL, NULL), 0);
	assert_true(store_item_complete(&s, STORE_MY, "123"));
	assert_int_equal(store_item_path(&s, STORE_MY, "123", MANIFEST_NAME, &p), 0);
	text = ut_read_file(p.data, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, " my_photos/123/original.jpg\n"));
	assert_null(strstr(text, "complete.flag"));
	free(text);
	/* a later rewrite of a complete item, then marking it again: the manifest follows */
	put(dir, "my_photos/123/metadata.json", "{}");
	assert_int_equal(store_mark_complete(&s, STORE_MY, "123", NULL, NULL), 0);
	text = ut_read_file(p.data, NULL);
	assert_non_null(strstr(text, " my_photos/123/metadata.json\n"));
	free(text);
	assert_int_equal(store_write_manifest(&s, STORE_MY, "../1", NULL, NULL), FA_EINVAL);
	assert_true(store_has_manifest(&s, STORE_MY, "123"));
	assert_false(store_has_manifest(&s, STORE_MY, "124"));
	buf_release(&p);
	store_release(&s);
}

static void make_item(const struct store *s, enum store_kind kind, const char *id, int complete)
{
	struct buf p = BUF_INIT;

	assert_int_equal(store_item_path(s, kind, id, NULL, &p), 0);
	assert_int_equal(fs_mkdirs(p.data, 0755, NULL), 0);
	assert_int_equal(store_item_path(s, kind, id, "original.jpg", &p), 0);
	ut_write_str(p.data, id);
	if (complete)
		assert_int_equal(store_mark_complete(s, kind, id, NULL, NULL), 0);
	buf_release(&p);
}

static void test_archive_manifest(void **state)
{
	const char *dir = *state;
	struct store s;
	struct buf p = BUF_INIT, want = BUF_INIT;
	char *text, *man, *bagit = ut_join(dir, "bagit.txt");
	int lines = 0;

	assert_int_equal(store_open(&s, dir, NULL), 0);
	make_item(&s, STORE_MY, "9", 1);
	make_item(&s, STORE_MY, "10", 1);
	make_item(&s, STORE_MY, "11", 0);       /* incomplete: not listed */
	make_item(&s, STORE_FAV, "5", 1);
	/* archived before manifests existed: gets one from disk */
	assert_int_equal(store_item_path(&s, STORE_FAV, "5", MANIFEST_NAME, &p), 0);
	assert_int_equal(unlink(p.data), 0);
	/* a damaged item manifest naming another item's file: that line is dropped */
	assert_int_equal(store_item_path(&s, STORE_MY, "9", MANIFEST_NAME, &p), 0);
	text = ut_read_file(p.data, NULL);
	assert_int_equal(buf_printf(&want, "%s%s my_photos/10/original.jpg\nnot a line\n", text, ABC_HEX), 0);
	ut_write_str(p.data, want.data);
	free(text);
	put(dir, "my_photos_index.json", "[]");
	put(dir, "users_cache.json", "{}");

	assert_int_equal(catalog_write_manifest(&s, NULL, NULL), 0);
	man = ut_join(dir, MANIFEST_NAME);
	text = ut_read_file(man, NULL);
	assert_non_null(text);
	for (size_t i = 0; text && text[i]; i++)
		lines += text[i] == '\n';
	assert_int_equal(lines, 5);
	/* newest first (the index files' order), photos, favorites, then the top files */
	assert_true(strstr(text, " my_photos/10/original.jpg") < strstr(text, " my_photos/9/"));
	assert_true(strstr(text, " my_photos/9/") < strstr(text, " favorited_photos/5/"));
	assert_true(strstr(text, " favorited_photos/5/") < strstr(text, " my_photos_index.json"));
	assert_true(strstr(text, " my_photos_index.json") < strstr(text, " users_cache.json"));
	assert_null(strstr(text, "my_photos/11/"));
	assert_null(strstr(text, "not a line"));
	assert_null(strstr(text, "albums_index.json"));
	assert_int_equal(store_item_path(&s, STORE_FAV, "5", MANIFEST_NAME, &p), 0);
	assert_true(fs_exists(p.data));
	free(text);
	text = ut_read_file(bagit, NULL);
	assert_string_equal(text, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
	free(text);
	/* an existing bagit.txt is left alone */
	ut_write_str(bagit, "BagIt-Version: 0.97\n");
	assert_int_equal(catalog_write_manifest(&s, NULL, NULL), 0);
	text = ut_read_file(bagit, NULL);
	assert_string_equal(text, "BagIt-Version: 0.97\n");
	free(text);
	free(man);
	free(bagit);
	buf_release(&p);
	buf_release(&want);
	store_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hash_vectors, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test(test_path_valid_table),
		cmocka_unit_test(test_parse_line_table),
		cmocka_unit_test(test_parse_line_refuses_embedded_nul),
		cmocka_unit_test(test_format_line_round_trips),
		cmocka_unit_test(test_display_encoding_escapes_every_control_byte),
		cmocka_unit_test_setup_teardown(test_read_skips_bad_lines_and_knows_line_ends,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_read_crlf_across_chunks, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_open_refuses_links_and_odd_files,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_dir_lists_final_regular_files,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_dir_takes_a_known_digest, ut_setup_tmpdir,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_dir_keeps_digests_of_untouched_files,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_mark_complete_writes_the_manifest_first,
						ut_setup_tmpdir, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_archive_manifest, ut_setup_tmpdir,
						ut_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
