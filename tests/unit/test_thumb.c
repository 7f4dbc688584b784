/* test_thumb.c: thumbnails and medium images with libvips, and the thread pool. */
#include "unit.h"

#include <vips/vips.h>

#include "thumb.h"

/* A w x h image with bands bands (4: with alpha) saved to path by libvips. */
static void make_image(const char *path, int w, int h, int bands)
{
	VipsImage *black = NULL, *img = NULL;

	assert_int_equal(vips_black(&black, w, h, "bands", bands, NULL), 0);
	assert_int_equal(vips_linear1(black, &img, 1.0, 90.0, "uchar", TRUE, NULL), 0);
	assert_int_equal(vips_image_write_to_file(img, path, NULL), 0);
	g_object_unref(black);
	g_object_unref(img);
}

static void image_size(const char *path, int *w, int *h, int *bands)
{
	VipsImage *img = vips_image_new_from_file(path, NULL);

	assert_non_null(img);
	*w = vips_image_get_width(img);
	*h = vips_image_get_height(img);
	*bands = vips_image_get_bands(img);
	g_object_unref(img);
}

static int setup(void **state)
{
	assert_int_equal(thumb_global_init(NULL), 0);
	return ut_setup_tmpdir(state);
}

static struct thumb_job job_for(const char *src, const char *thumb, const char *medium)
{
	struct thumb_job job;

	memset(&job, 0, sizeof(job));
	job.src = src;
	job.thumb_path = thumb;
	job.thumb_box = 400;
	job.medium_path = medium;
	job.medium_box = 2048;
	return job;
}

static void test_large_image_gets_medium_and_thumbnail(void **state)
{
	char *src = ut_join(*state, "big.jpg"), *t = ut_join(*state, "t.jpg"), *m = ut_join(*state, "m.jpg");
	struct thumb_job job = job_for(src, t, m);
	int w, h, bands;

	make_image(src, 3000, 2000, 3);
	assert_int_equal(thumb_make(&job), 0);
	assert_true(job.ok);
	assert_int_equal(job.src_w, 3000);
	assert_int_equal(job.src_h, 2000);
	assert_int_equal(job.medium_w, 2048);
	assert_int_equal(job.medium_h, 1365);
	assert_int_equal(job.thumb_w, 400);
	assert_true(job.thumb_h >= 266 && job.thumb_h <= 267); /* rounding, via the medium */
	image_size(t, &w, &h, &bands);
	assert_int_equal(w, 400);
	assert_int_equal(h, job.thumb_h);
	image_size(m, &w, &h, &bands);
	assert_int_equal(w, 2048);
	free(src);
	free(t);
	free(m);
}

static void test_small_image_is_not_enlarged_and_alpha_is_flattened(void **state)
{
	char *src = ut_join(*state, "small.png"), *t = ut_join(*state, "t.jpg"), *m = ut_join(*state, "m.jpg");
	struct thumb_job job = job_for(src, t, m);
	int w, h, bands;

	make_image(src, 120, 80, 4);
	assert_int_equal(thumb_make(&job), 0);
	assert_int_equal(job.medium_w, 0);          /* no medium for a small image */
	assert_int_equal(access(m, F_OK), -1);
	assert_int_equal(job.thumb_w, 120);
	assert_int_equal(job.thumb_h, 80);
	image_size(t, &w, &h, &bands);
	assert_int_equal(bands, 3);                 /* JPEG: the transparency laid on white */
	job.medium_always = 1;                      /* a format browsers cannot show */
	assert_int_equal(thumb_make(&job), 0);
	assert_int_equal(job.medium_w, 120);
	assert_int_equal(access(m, F_OK), 0);
	free(src);
	free(t);
	free(m);
}

static void test_undecodable_file_fails_cleanly(void **state)
{
	char *src = ut_join(*state, "bad.jpg"), *t = ut_join(*state, "t.jpg");
	struct thumb_job job = job_for(src, t, NULL);

	ut_write_str(src, "\xff\xd8\xff\xe0 not really a JPEG");
	assert_int_equal(thumb_make(&job), FA_EPARSE);
	assert_false(job.ok);
	assert_int_equal(job.code, FA_EPARSE);
	assert_true(strlen(job.err) > 0);
	assert_null(strchr(job.err, '\n'));
	assert_int_equal(access(t, F_OK), -1);
	assert_int_equal(ut_count_entries(*state), 1); /* no temporary left */
	job.src = "/nonexistent/x.jpg";
	assert_int_equal(thumb_make(&job), FA_EPARSE);
	free(src);
	free(t);
}

static void test_unwritable_destination_is_not_the_image_s_fault(void **state)
{
	char *src = ut_join(*state, "ok.png");
	struct thumb_job job = job_for(src, "/nonexistent-dir/t.jpg", NULL);

	make_image(src, 50, 50, 3);
	assert_true(thumb_make(&job) < 0);
	assert_int_equal(job.code, FA_EIO);
	free(src);
}

struct counter {
	size_t done;
	size_t ok;
};

static void count_done(void *ud, struct thumb_job *job)
{
	struct counter *c = ud;

	c->done++;
	c->ok += job->ok != 0;
}

static void test_pool_runs_every_job(void **state)
{
	enum { N = 24 };
	struct thumb_job jobs[N];
	char *srcs[N], *thumbs[N];
	struct counter c = { 0, 0 };

	for (int i = 0; i < N; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%d.%s", i, i % 5 == 4 ? "jpg" : "png");
		srcs[i] = ut_join(*state, name);
		snprintf(name, sizeof(name), "t%d.jpg", i);
		thumbs[i] = ut_join(*state, name);
		if (i % 5 == 4)
			ut_write_str(srcs[i], "garbage"); /* every fifth fails */
		else
			make_image(srcs[i], 64 + i, 48, 3);
		jobs[i] = job_for(srcs[i], thumbs[i], NULL);
	}
	assert_int_equal(thumb_run(jobs, N, 4, count_done, &c), 0);
	assert_int_equal(c.done, N);
	assert_int_equal(c.ok, N - N / 5);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].ok, i % 5 != 4);
		if (jobs[i].ok)
			assert_int_equal(jobs[i].thumb_w, 64 + i);
		free(srcs[i]);
		free(thumbs[i]);
	}
	assert_int_equal(thumb_run(jobs, 0, 4, count_done, &c), 0);
	assert_true(thumb_default_threads() >= 1 && thumb_default_threads() <= 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_large_image_gets_medium_and_thumbnail, setup,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_small_image_is_not_enlarged_and_alpha_is_flattened,
						setup, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_undecodable_file_fails_cleanly, setup,
						ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_unwritable_destination_is_not_the_image_s_fault,
						setup, ut_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_pool_runs_every_job, setup, ut_teardown_tmpdir),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	thumb_global_shutdown();
	return r;
}
