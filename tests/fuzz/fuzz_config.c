/*
 * fuzz_config.c: the config file.  The input is loaded as a config file;
 * whatever loads is saved and loaded again, and must come back the same.
 */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_tmp_files("in", "out");
	return 0;
}

static void check_line(const uint8_t *data, size_t size)
{
	char *line = fuzz_strndup(data, size), *k = NULL, *v = NULL;
	int r = config_parse_line(line, &k, &v);

	FUZZ_CHECK(r == 0 || r == 1 || r == FA_EINVAL);
	FUZZ_CHECK(r == 1 ? (k && *k && v) : (!k && !v));
	free(k);
	free(v);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c = CONFIG_INIT, back = CONFIG_INIT;
	int readable;
	FILE *f = fopen(fuzz_tmp.a, "wb");

	check_line(data, size);
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size);
	FUZZ_CHECK(fclose(f) == 0);
	if (config_load(&c, fuzz_tmp.a, &readable, NULL) == 0) {
		FUZZ_CHECK(config_save(&c, fuzz_tmp.b, NULL) == 0);
		FUZZ_CHECK(config_load(&back, fuzz_tmp.b, &readable, NULL) == 0);
		FUZZ_CHECK(back.n == c.n);
		for (size_t i = 0; i < c.n; i++)
			FUZZ_CHECK(config_get(&back, c.v[i].key) &&
				   !strcmp(config_get(&back, c.v[i].key), c.v[i].value));
	}
	config_release(&c);
	config_release(&back);
	return 0;
}
