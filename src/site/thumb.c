/*
 * thumb.c: libvips behind a small interface.  Each job shrinks on load where
 * the format allows (JPEG, WebP, HEIC), turns by the EXIF orientation, lays
 * transparency on white and saves a baseline JPEG without metadata.  libvips
 * runs single-threaded per image; the parallelism is ours, one job per
 * thread, which suits many small images better.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vips/vips.h>

#include "clock.h"
#include "fsutil.h"
#include "thumb.h"

#define JPEG_QUALITY 80

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;

/* libvips' warnings (a truncated JPEG...) would go to stderr through GLib: a job's
 * result says what matters. */
static void drop_log_message(const gchar *domain, GLogLevelFlags level, const gchar *message,
			     gpointer ud)
{
	(void)domain;
	(void)level;
	(void)message;
	(void)ud;
}

static void init_vips(void)
{
	if (VIPS_INIT("flickr-archive") != 0)
		return;
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
			  G_LOG_LEVEL_DEBUG, drop_log_message, NULL);
	/* the parallelism is one image per thread (thumb_run) */
	vips_concurrency_set(1);
	/* every image is made once: caching operations only holds memory */
	vips_cache_set_max(0);
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
	/* no ImageMagick, MATLAB or other loaders libvips does not vouch for */
	vips_block_untrusted_set(TRUE);
#endif
	init_status = 0;
}

int thumb_global_init(struct err *e)
{
	pthread_once(&init_once, init_vips);
	if (init_status < 0)
		return err_set(e, FA_EIO, "cannot start libvips: %s", vips_error_buffer());
	return 0;
}

void thumb_global_shutdown(void)
{
	if (init_status == 0)
		vips_shutdown();
	init_status = -1;
}

int thumb_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/*
 * Records what failed, with libvips' message, in the job.  The copy takes and
 * clears libvips' error buffer under its lock (threads share the buffer, so
 * a message may come from another job; the job's own words say what failed).
 */
static int job_fail(struct thumb_job *job, int code, const char *what)
{
	char *why = vips_error_buffer_copy();
	size_t n;

	snprintf(job->err, sizeof(job->err), "%s%s%s", what, why && *why ? ": " : "",
		 why ? why : "");
	g_free(why);
	/* libvips' messages end with a newline; one line is enough */
	n = strcspn(job->err, "\n");
	job->err[n] = '\0';
	return code;
}

/* The source's size as shown (EXIF rotation applied), from its header only. */
static int probe(struct thumb_job *job)
{
	VipsImage *img = vips_image_new_from_file(job->src, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
	int w, h;

	if (!img)
		return job_fail(job, FA_EPARSE, "cannot read the image");
	w = vips_image_get_width(img);
	h = vips_image_get_height(img);
	if (vips_image_get_orientation_swap(img)) {
		int t = w;

		w = h;
		h = t;
	}
	g_object_unref(img);
	if (w <= 0 || h <= 0 || (double)w * (double)h > (double)THUMB_MAX_PIXELS)
		return job_fail(job, FA_EPARSE, "the image is too large to decode");
	job->src_w = w;
	job->src_h = h;
	return 0;
}

/* A JPEG of img, in memory (g_free() it). */
static int encode_jpeg(VipsImage *img, void **ret_data, size_t *ret_len)
{
	VipsImage *flat = NULL;
	int r;

	if (vips_image_hasalpha(img)) {
		VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);

		r = vips_flatten(img, &flat, "background", white, NULL);
		vips_area_unref(VIPS_AREA(white));
		if (r != 0)
			return -1;
		img = flat;
	}
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 15)
	r = vips_jpegsave_buffer(img, ret_data, ret_len, "Q", JPEG_QUALITY,
				 "keep", VIPS_FOREIGN_KEEP_NONE, "optimize_coding", TRUE, NULL);
#else
	r = vips_jpegsave_buffer(img, ret_data, ret_len, "Q", JPEG_QUALITY, "strip", TRUE,
				 "optimize_coding", TRUE, NULL);
#endif
	if (flat)
		g_object_unref(flat);
	return r;
}

/*
 * Shrinks (from a file, or from data when not NULL) to fit box, and writes the
 * JPEG to dest.  The JPEG stays in *ret_data when asked for (g_free() it).
 */
static int shrink_to(struct thumb_job *job, const void *data, size_t len, int box,
		     const char *dest, int *ret_w, int *ret_h, void **ret_data, size_t *ret_len)
{
	VipsImage *out = NULL;
	void *jpeg = NULL;
	size_t jpeg_len = 0;
	struct err e = { 0 };
	int r;

	r = data ? vips_thumbnail_buffer((void *)data, len, &out, box, "height", box,
					 "size", VIPS_SIZE_DOWN, NULL)
		 : vips_thumbnail(job->src, &out, box, "height", box, "size", VIPS_SIZE_DOWN, NULL);
	if (r != 0)
		return job_fail(job, FA_EPARSE, "cannot decode the image");
	r = encode_jpeg(out, &jpeg, &jpeg_len);
	if (r != 0) {
		g_object_unref(out);
		return job_fail(job, FA_EPARSE, "cannot encode the thumbnail");
	}
	*ret_w = vips_image_get_width(out);
	*ret_h = vips_image_get_height(out);
	g_object_unref(out);
	r = fs_write_replace(dest, jpeg, jpeg_len, 0644, &e);
	if (r < 0) {
		snprintf(job->err, sizeof(job->err), "%.200s", e.msg);
		g_free(jpeg);
		return r;
	}
	if (ret_data) {
		*ret_data = jpeg;
		*ret_len = jpeg_len;
	} else {
		g_free(jpeg);
	}
	return 0;
}

int thumb_make(struct thumb_job *job)
{
	void *medium = NULL;
	size_t medium_len = 0;
	int r;

	job->ok = 0;
	job->err[0] = '\0';
	job->medium_w = job->medium_h = 0;
	r = probe(job);
	if (r == 0 && job->medium_path &&
	    (job->medium_always || job->src_w > job->medium_box || job->src_h > job->medium_box))
		r = shrink_to(job, NULL, 0, job->medium_box, job->medium_path, &job->medium_w,
			      &job->medium_h, &medium, &medium_len);
	/* from the medium image when there is one: a huge original is decoded once */
	if (r == 0)
		r = shrink_to(job, medium, medium_len, job->thumb_box, job->thumb_path,
			      &job->thumb_w, &job->thumb_h, NULL, NULL);
	g_free(medium);
	job->ok = r == 0;
	job->code = r;
	return r;
}

/* ---- the thread pool --------------------------------------------------------- */

struct pool {
	struct thumb_job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
	void (*done)(void *ud, struct thumb_job *job);
	void *ud;
};

static struct thumb_job *take_job(struct pool *p)
{
	struct thumb_job *job = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->next < p->n && !clock_stop_requested())
		job = &p->jobs[p->next++];
	pthread_mutex_unlock(&p->lock);
	return job;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct thumb_job *job;

	while ((job = take_job(p))) {
		thumb_make(job);
		pthread_mutex_lock(&p->lock);
		if (p->done)
			p->done(p->ud, job);
		pthread_mutex_unlock(&p->lock);
	}
	/* libvips keeps per-thread buffers; a thread that ends hands them back */
	vips_thread_shutdown();
	return NULL;
}

int thumb_run(struct thumb_job *jobs, size_t n, int n_threads,
	      void (*done)(void *ud, struct thumb_job *job), void *ud)
{
	struct pool p = { jobs, n, 0, PTHREAD_MUTEX_INITIALIZER, done, ud };
	pthread_t tids[16];
	int started = 0;

	if (n_threads < 1)
		n_threads = 1;
	if (n_threads > 16)
		n_threads = 16;
	if ((size_t)n_threads > n)
		n_threads = n > 0 ? (int)n : 1;
	for (int i = 1; i < n_threads; i++)
		if (pthread_create(&tids[started], NULL, worker, &p) == 0)
			started++;
	worker(&p); /* the calling thread works too */
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_mutex_destroy(&p.lock);
	return clock_stop_requested() && p.next < p.n ? FA_EINTR : 0;
}
