/*
 * thumb.h: the site's thumbnails and medium-size images, made with libvips
 * (the only file that includes <vips/vips.h>), several at a time.
 *
 * A job reads one image (an original or a video's poster frame) and writes a
 * JPEG that fits in a box, atomically (see fsutil.h).  Sources come from the
 * archive, so they are decoded with libvips' trusted loaders only, and a
 * source of more than THUMB_MAX_PIXELS is refused rather than decoded.
 * Nothing here prints: a failure is recorded in the job.
 */
#ifndef FA_THUMB_H
#define FA_THUMB_H

#include <stddef.h>

#include "error.h"

#define THUMB_MAX_PIXELS (1u << 29)

struct thumb_job {
	/* in */
	const char *src;
	const char *thumb_path;    /* fits in thumb_box x thumb_box */
	int thumb_box;
	const char *medium_path;   /* NULL: never a medium image */
	int medium_box;            /* made when the source is larger than this... */
	int medium_always;         /* ...or always (a format browsers cannot show) */
	/* out */
	int ok;
	int code;                  /* 0, FA_EPARSE (cannot decode), FA_EIO / FA_ENOSPC (cannot write) */
	int src_w, src_h;          /* as shown: EXIF rotation applied */
	int thumb_w, thumb_h;
	int medium_w, medium_h;    /* 0 when no medium image was made */
	char err[256];
};

/* Starts libvips once per process (safe to call again).  FA_EIO when it cannot start. */
int thumb_global_init(struct err *e);
/* Stops libvips at exit; nothing may use it afterwards. */
void thumb_global_shutdown(void);

/* Runs one job in the calling thread; 0, or a negative code with job->err set. */
int thumb_make(struct thumb_job *job);

/*
 * Runs jobs[0..n) on n_threads threads (at least 1).  done(ud, job) is called
 * after each job, one call at a time.  Stops taking jobs once a stop is
 * requested (clock.h); returns FA_EINTR then, else 0.
 */
int thumb_run(struct thumb_job *jobs, size_t n, int n_threads,
	      void (*done)(void *ud, struct thumb_job *job), void *ud);

/* A thread count for thumb_run: the CPUs online, at most 8. */
int thumb_default_threads(void);

#endif
