/*
 * fuzz_json.c: json_parse (with its string repair) and the lenient getters.
 * Invariants: a repaired text needs no further repair; whatever parses
 * serialises to strict JSON; every getter copes with every value type.
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	return 0;
}

static void poke_getters(const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		long long n;
		double d;

		(void)jstr(obj, key);
		(void)jtext(obj, key);
		(void)jcontent(obj, key);
		(void)jint(obj, key, &n);
		(void)jreal(obj, key, &d);
		(void)jflag(obj, key, true);
		(void)jobj(obj, key);
		for (size_t i = 0; i < jlist_size(v) && i < 8; i++)
			FUZZ_CHECK(jlist_at(v, i) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf fixed = BUF_INIT;
	long fixes = json_repair_strings((const char *)data, size, &fixed);
	json_t *doc;

	FUZZ_CHECK(fixes >= 0);
	if (fixes == 0)
		FUZZ_CHECK(fixed.len == size && (size == 0 || !memcmp(fixed.data, data, size)));
	FUZZ_CHECK(json_repair_strings(fixed.data ? fixed.data : "", fixed.len, NULL) == 0);
	buf_release(&fixed);

	doc = fuzz_parse(data, size);
	if (!doc)
		return 0;
	if (json_is_object(doc)) {
		poke_getters(doc);
		for (size_t i = 0; i < jlist_size(json_object_get(doc, "photo")) && i < 4; i++)
			poke_getters(jlist_at(json_object_get(doc, "photo"), i));
	}
	fuzz_check_output(doc);
	return 0;
}
