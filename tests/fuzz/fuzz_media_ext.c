/*
 * fuzz_media_ext.c: naming a download from what the server sent.  Input:
 * Content-Type \n Content-Disposition file name \n URL \n hint \n first bytes.
 * Invariant: an extension is always one of the allow-list's canonical ones.
 */
#include "fuzz.h"
#include "media.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* ext is an allow-list extension in its canonical spelling */
static void check_ext(const char *ext)
{
	if (ext)
		FUZZ_CHECK(store_allowed_ext(ext) && !strcmp(store_allowed_ext(ext), ext));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[5];
	size_t head_len = 0;

	fuzz_split(data, size, f, 5, &head_len);
	check_ext(media_ext_for(f[0], f[1], f[2], (const unsigned char *)f[4], head_len, f[3]));
	check_ext(media_ext_for(NULL, NULL, NULL, (const unsigned char *)f[4], head_len, NULL));
	FUZZ_CHECK(media_ext_for(NULL, NULL, NULL, NULL, 0, NULL) == NULL);
	(void)media_is_html(f[0], (const unsigned char *)f[4], head_len);
	(void)media_is_html(NULL, data, size);
	free(f[0]);
	return 0;
}
