/*
 * fuzz_index.c: the search index's text paths.  The input is three lines:
 * a query, a comment's author, and the comment's text (the rest).  The text
 * is cleaned as HTML, the query quoted for FTS5, and a one-item archive with
 * that comment is indexed in memory and searched with the query and with the
 * comment's first word: a quoted query never makes FTS5 fail, and every text
 * a hit shows has no control character but its match marks, which alternate
 * and end closed.
 */
#include <sys/stat.h>

#include "fuzz.h"
#include "index.h"
#include "index_doc.h"

static struct {
	char root[64];
	char item[128];
	char meta[160];
	char comments[160];
} arch;

static void remove_archive(void)
{
	char dir[128];

	unlink(arch.meta);
	unlink(arch.comments);
	rmdir(arch.item);
	snprintf(dir, sizeof(dir), "%s/my_photos", arch.root);
	rmdir(dir);
	rmdir(arch.root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char meta[] = "{\"id\": \"1\", \"title\": \"Fuzz \\u65e5\\u672c title\","
				   " \"description\": \"<b>d</b> &amp; e\", \"tags\": [\"t\"]}";
	char dir[128];
	FILE *f;

	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	snprintf(arch.root, sizeof(arch.root), "/tmp/fa-fuzz-XXXXXX");
	FUZZ_CHECK(mkdtemp(arch.root) != NULL);
	snprintf(dir, sizeof(dir), "%s/my_photos", arch.root);
	FUZZ_CHECK(mkdir(dir, 0755) == 0);
	snprintf(arch.item, sizeof(arch.item), "%s/1", dir);
	FUZZ_CHECK(mkdir(arch.item, 0755) == 0);
	snprintf(arch.meta, sizeof(arch.meta), "%s/metadata.json", arch.item);
	snprintf(arch.comments, sizeof(arch.comments), "%s/comments.json", arch.item);
	f = fopen(arch.meta, "wb");
	FUZZ_CHECK(f && fputs(meta, f) >= 0 && fclose(f) == 0);
	atexit(remove_archive);
	return 0;
}

/* No control character but the marks, which alternate, opening first, and end closed. */
static void check_shown(const char *s)
{
	int inside = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == INDEX_MARK_OPEN || c == INDEX_MARK_CLOSE) {
			FUZZ_CHECK(inside == (c == INDEX_MARK_CLOSE));
			inside = c == INDEX_MARK_OPEN;
			continue;
		}
		FUZZ_CHECK(c >= 0x20 && c != 0x7f);
	}
	FUZZ_CHECK(!inside);
}

static int check_hit(void *ud, const struct index_hit *hit)
{
	(void)ud;
	FUZZ_CHECK(hit->id && !strcmp(hit->id, "1"));
	for (size_t i = 0; i < hit->n_where; i++) {
		check_shown(hit->where[i].text);
		FUZZ_CHECK(!hit->where[i].by || !strchr(hit->where[i].by, INDEX_MARK_OPEN));
		check_shown(hit->where[i].by);
	}
	return 0;
}

static void check_search(struct index *ix, const char *query)
{
	struct buf fts = BUF_INIT;
	int q = index_fts_query(query, &fts);
	int r = index_search(ix, query, 5, check_hit, NULL, NULL);

	FUZZ_CHECK(q == 0 || q == FA_EINVAL);
	FUZZ_CHECK(r == q);
	buf_release(&fts);
}

static void write_comment(const char *author, const char *text)
{
	json_t *c = json_pack("[{s:o, s:o}]", "author_name", jstring_lossy(author), "text",
			      jstring_lossy(text));

	FUZZ_CHECK(c != NULL);
	FUZZ_CHECK(json_dump_file(c, arch.comments, 0) == 0);
	json_decref(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fields[3];
	struct buf clean = BUF_INIT, seg = BUF_INIT, back = BUF_INIT;
	struct index *ix = NULL;
	char *first;

	fuzz_split(data, size, fields, 3, NULL);
	FUZZ_CHECK(index_html_to_text(fields[2], &clean) == 0);
	for (size_t i = 0; i < clean.len; i++)
		FUZZ_CHECK((unsigned char)clean.data[i] >= 0x20 && clean.data[i] != 0x7f);
	FUZZ_CHECK(index_segment_cjk(buf_cstr(&clean), &seg) == 0);
	FUZZ_CHECK(index_unsegment_cjk(buf_cstr(&seg), &back) == 0);

	write_comment(fields[1], fields[2]);
	FUZZ_CHECK(index_open(arch.root, INDEX_MEMORY, &ix, NULL) == 0);
	FUZZ_CHECK(index_update(ix, NULL, NULL) == 0);
	check_search(ix, fields[0]);
	/* the cleaned text has no leading space: its first word is found */
	first = strndup(buf_cstr(&clean), strcspn(buf_cstr(&clean), " "));
	FUZZ_CHECK(first != NULL);
	check_search(ix, first);
	free(first);
	check_search(ix, "fuzz");
	index_close(ix);
	buf_release(&clean);
	buf_release(&seg);
	buf_release(&back);
	free(fields[0]);
	return 0;
}
