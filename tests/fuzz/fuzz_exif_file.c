/*
 * fuzz_exif_file.c: exif_from_file on a downloaded "original": the input is
 * written to a temporary original.png when it starts with the PNG signature,
 * else to original.jpg.  Invariant: exif.json serialises strictly.
 */
#include "exif.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init_jansson();
	fuzz_tmp_files("original.jpg", "original.png");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int is_png = size >= 4 && !memcmp(data, "\x89PNG", 4);
	const char *path = is_png ? fuzz_tmp.b : fuzz_tmp.a;
	json_t *doc = NULL;
	FILE *f = fopen(path, "wb");
	int r;

	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(fwrite(data, 1, size, f) == size);
	FUZZ_CHECK(fclose(f) == 0);
	r = exif_from_file(path, is_png ? "original.png" : "original.jpg", &doc, NULL);
	FUZZ_CHECK(r == 0 || r == FA_ENOTFOUND || r == FA_ENOMEM);
	if (r == 0)
		fuzz_check_output(doc);
	return 0;
}
