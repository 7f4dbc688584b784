/* test_quota.c: the rolling-hour window and its shared record on disk. */
#include "unit.h"

#include "quota.h"
#include "quota_log.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z in ms */
#define HOUR QUOTA_SPAN_MS
#define KEY "0123456789abcdef0123456789abcdef"

/* ---- the window (pure: the clock is passed in) ---------------------------- */

/* Takes the call when the window has room, as flickr.c does; returns the wait. */
static int64_t take(struct quota_window *w, int64_t now)
{
	int64_t wait = quota_window_wait(w, now, 1);

	if (wait == 0)
		assert_int_equal(quota_window_add(w, now, 1), 0);
	return wait;
}

static void test_window_burst_below_limit_goes_at_once(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 5, HOUR);
	for (int i = 0; i < 5; i++)
		assert_int_equal(take(&w, T0 + i), 0);
	assert_int_equal(w.in_window, 5);
	quota_window_release(&w);
}

static void test_window_limit_reached_waits_for_the_oldest(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 3, HOUR);
	assert_int_equal(take(&w, T0), 0);
	assert_int_equal(take(&w, T0 + 1000), 0);
	assert_int_equal(take(&w, T0 + 2000), 0);
	/* full: the next call goes when the first leaves the hour */
	assert_int_equal(take(&w, T0 + 10000), HOUR - 10000);
	assert_int_equal(take(&w, T0 + HOUR - 1), 1);
	assert_int_equal(w.in_window, 3);
	quota_window_release(&w);
}

static void test_window_slides(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 3, HOUR);
	take(&w, T0);
	take(&w, T0 + 1000);
	take(&w, T0 + 2000);
	assert_int_equal(take(&w, T0 + HOUR), 0);       /* the first left */
	assert_int_equal(take(&w, T0 + HOUR), 1000);    /* the second has not yet */
	assert_int_equal(take(&w, T0 + HOUR + 1000), 0);
	assert_int_equal(take(&w, T0 + HOUR + 2000), 0);
	assert_int_equal(w.in_window, 3);
	/* two idle hours later the window is empty */
	assert_int_equal(quota_window_wait(&w, T0 + 3 * HOUR + 2000, 3), 0);
	assert_int_equal(w.in_window, 0);
	quota_window_release(&w);
}

static void test_window_eta_of_many_calls(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 4, HOUR);
	assert_int_equal(quota_window_wait(&w, T0, 4), 0);
	assert_int_equal(quota_window_wait(&w, T0, 5), HOUR);      /* the 5th waits for the 1st */
	assert_int_equal(quota_window_wait(&w, T0, 8), HOUR);
	assert_int_equal(quota_window_wait(&w, T0, 9), 2 * HOUR);
	take(&w, T0);
	take(&w, T0 + 100);
	take(&w, T0 + 200);
	/* one slot free now; then the calls of T0, T0+100, T0+200 leave, one each */
	assert_int_equal(quota_window_wait(&w, T0 + 300, 1), 0);
	assert_int_equal(quota_window_wait(&w, T0 + 300, 2), HOUR - 300);
	assert_int_equal(quota_window_wait(&w, T0 + 300, 4), HOUR - 100);
	/* then the slot taken at once, T0+300, after a whole hour */
	assert_int_equal(quota_window_wait(&w, T0 + 300, 5), HOUR);
	assert_int_equal(quota_window_wait(&w, T0 + 300, 6), 2 * HOUR - 300);
	quota_window_release(&w);
}

static void test_window_counts_entries_of_many_calls(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 10, HOUR);
	assert_int_equal(quota_window_add(&w, T0, 6), 0);
	assert_int_equal(quota_window_add(&w, T0 + 500, 4), 0);
	assert_int_equal(quota_window_wait(&w, T0 + 600, 1), HOUR - 600);
	assert_int_equal(quota_window_wait(&w, T0 + 600, 7), HOUR - 100); /* 7th: T0+500's */
	quota_window_release(&w);
}

static void test_window_records_out_of_order(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 2, HOUR);
	assert_int_equal(quota_window_add(&w, T0 + 5000, 1), 0);
	assert_int_equal(quota_window_add(&w, T0, 1), 0); /* another process's clock */
	assert_int_equal(quota_window_wait(&w, T0 + 6000, 1), HOUR - 6000);
	assert_int_equal(quota_window_wait(&w, T0 + HOUR, 1), 0);
	assert_int_equal(w.in_window, 1);
	quota_window_release(&w);
}

static void test_window_hold_spends_the_hour_until_then(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 100, HOUR);
	quota_window_hold(&w, T0 + 30000);
	quota_window_hold(&w, T0 + 10000); /* never shortened */
	assert_int_equal(take(&w, T0), 30000);
	assert_int_equal(w.in_window, 0);
	assert_int_equal(take(&w, T0 + 30000), 0);
	quota_window_release(&w);
}

static void test_window_unlimited_waits_only_for_a_hold(void **state)
{
	struct quota_window w;

	(void)state;
	quota_window_init(&w, 0, HOUR);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(take(&w, T0), 0);
	quota_window_hold(&w, T0 + 5);
	assert_int_equal(quota_window_wait(&w, T0, 1000000), 5);
	quota_window_release(&w);
}

static void test_window_many_calls_stay_under_the_limit(void **state)
{
	struct quota_window w;
	int64_t t = T0, times[400];
	int n = 0;

	(void)state;
	quota_window_init(&w, 100, HOUR);
	while (n < 400) {
		int64_t wait = take(&w, t);

		if (wait == 0)
			times[n++] = t;
		t += wait ? wait : 7;
	}
	/* any 101 calls in a row span at least the hour */
	for (int i = 100; i < n; i++)
		assert_true(times[i] - times[i - 100] >= HOUR);
	quota_window_release(&w);
}

/* ---- the record shared by processes -------------------------------------- */

struct fixture {
	char *dir;
	struct quota_log log[2];       /* two "processes" */
	struct quota_window window[2];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e = { 0 };

	f->dir = ut_mkdtemp();
	for (int i = 0; i < 2; i++) {
		quota_window_init(&f->window[i], 5, HOUR);
		assert_int_equal(quota_log_open(&f->log[i], f->dir, KEY, &e), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 2; i++) {
		quota_log_close(&f->log[i]);
		quota_window_release(&f->window[i]);
	}
	ut_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Process p takes a call at now if the shared hour has room; returns the wait. */
static int64_t take_shared(struct fixture *f, int p, int64_t now)
{
	struct err e = { 0 };
	int64_t wait;

	assert_int_equal(quota_log_lock(&f->log[p], &f->window[p], &e), 0);
	wait = quota_window_wait(&f->window[p], now, 1);
	if (wait == 0)
		assert_int_equal(quota_log_add_call(&f->log[p], &f->window[p], now, &e), 0);
	assert_int_equal(quota_log_compact(&f->log[p], &f->window[p], &e), 0);
	quota_log_unlock(&f->log[p]);
	return wait;
}

static void sync_view(struct fixture *f, int p)
{
	struct err e = { 0 };

	assert_int_equal(quota_log_lock(&f->log[p], &f->window[p], &e), 0);
	quota_log_unlock(&f->log[p]);
}

static void test_log_two_processes_share_the_hour(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(take_shared(f, 0, T0), 0);
	assert_int_equal(take_shared(f, 0, T0 + 1), 0);
	assert_int_equal(take_shared(f, 0, T0 + 2), 0);
	assert_int_equal(take_shared(f, 1, T0 + 3), 0);
	assert_int_equal(take_shared(f, 1, T0 + 4), 0);
	/* five calls between them: neither may call before the first leaves */
	assert_int_equal(take_shared(f, 0, T0 + 5), HOUR - 5);
	assert_int_equal(take_shared(f, 1, T0 + 6), HOUR - 6);
	assert_int_equal(f->window[0].in_window, 5);
	assert_int_equal(f->window[1].in_window, 5);
	assert_int_equal(take_shared(f, 1, T0 + HOUR), 0);
	assert_int_equal(take_shared(f, 0, T0 + HOUR), 1);
}

static void test_log_a_later_process_sees_the_hour(void **state)
{
	struct fixture *f = *state;
	struct quota_log later;
	struct quota_window w;
	struct err e = { 0 };

	for (int i = 0; i < 4; i++)
		assert_int_equal(take_shared(f, 0, T0 + i), 0);
	quota_log_close(&f->log[0]); /* the first run ends */
	quota_window_init(&w, 5, HOUR);
	assert_int_equal(quota_log_open(&later, f->dir, KEY, &e), 0);
	assert_int_equal(quota_log_lock(&later, &w, &e), 0);
	assert_int_equal(quota_window_wait(&w, T0 + 100, 1), 0);
	assert_int_equal(quota_window_wait(&w, T0 + 100, 2), HOUR - 100);
	quota_log_unlock(&later);
	quota_log_close(&later);
	quota_window_release(&w);
}

static void test_log_holds_are_shared(void **state)
{
	struct fixture *f = *state;
	struct err e = { 0 };

	assert_int_equal(quota_log_lock(&f->log[0], &f->window[0], &e), 0);
	assert_int_equal(quota_log_add_hold(&f->log[0], &f->window[0], T0 + 60000, &e), 0);
	quota_log_unlock(&f->log[0]);
	assert_int_equal(take_shared(f, 1, T0), 60000);
	assert_int_equal(take_shared(f, 1, T0 + 60000), 0);
}

static char *record_path(struct fixture *f)
{
	return strdup(f->log[0].path);
}

static void test_log_names_no_secret(void **state)
{
	struct fixture *f = *state;
	char *path, *text;
	DIR *d;
	struct dirent *de;
	int files = 0;

	take_shared(f, 0, T0);
	path = record_path(f);
	/* SHA-256 of KEY, hex, names the record */
	assert_non_null(strstr(path, "/3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b"
				     "5061b7f9.calls"));
	d = opendir(f->dir);
	while ((de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		files++;
		assert_null(strstr(de->d_name, KEY));
		assert_int_equal(strlen(de->d_name), 64 + strlen(strchr(de->d_name, '.')));
		p = ut_join(f->dir, de->d_name);
		text = ut_read_file(p, NULL);
		assert_null(strstr(text, KEY));
		free(text);
		free(p);
	}
	closedir(d);
	assert_int_equal(files, 2); /* the record and its lock */
	free(path);
}

static void append_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void test_log_torn_last_line_is_ignored(void **state)
{
	struct fixture *f = *state;
	char *path, *text;

	take_shared(f, 0, T0);
	path = record_path(f);
	append_text(path, "17672256"); /* a crash in the middle of a write */
	assert_int_equal(take_shared(f, 1, T0 + 1), 0);
	assert_false(f->log[1].damaged);
	assert_int_equal(f->window[1].in_window, 2);
	sync_view(f, 0);
	assert_false(f->log[0].damaged);
	assert_int_equal(f->window[0].in_window, 2);
	text = ut_read_file(path, NULL);
	assert_null(strstr(text, "17672256\n"));
	free(text);
	free(path);
}

static void test_log_damaged_lines_are_told_and_written_away(void **state)
{
	struct fixture *f = *state;
	struct err e = { 0 };
	char *path, *text;

	take_shared(f, 0, T0);
	path = record_path(f);
	append_text(path, "not a record\n");
	append_text(path, "1767225600500 1\n");
	assert_int_equal(quota_log_lock(&f->log[1], &f->window[1], &e), 0);
	assert_true(f->log[1].damaged);
	assert_int_equal(f->window[1].in_window, 2); /* the good lines still count */
	assert_int_equal(quota_log_compact(&f->log[1], &f->window[1], &e), 0);
	quota_log_unlock(&f->log[1]);
	assert_false(f->log[1].damaged);
	text = ut_read_file(path, NULL);
	assert_string_equal(text, "1767225600000 1\n1767225600500 1\n");
	free(text);
	/* the other process reads the new file from its start */
	sync_view(f, 0);
	assert_false(f->log[0].damaged);
	assert_int_equal(f->window[0].in_window, 2);
	free(path);
}

static void test_log_rewritten_by_another_is_read_again(void **state)
{
	struct fixture *f = *state;
	struct quota_window *w1 = &f->window[1];

	/* many calls, most of them long gone, make process 1 write the record anew */
	quota_window_release(w1);
	quota_window_init(w1, 1000, HOUR);
	for (int i = 0; i < 600; i++)
		assert_int_equal(take_shared(f, 1, T0 + i), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(take_shared(f, 1, T0 + HOUR + 1000 + i), 0);
	assert_int_equal(w1->in_window, 3);
	assert_true(f->log[1].lines < 100);
	sync_view(f, 0);
	assert_int_equal(quota_window_wait(&f->window[0], T0 + HOUR + 2000, 1), 0);
	assert_int_equal(f->window[0].in_window, 3);
}

static void test_log_deleted_record_is_made_again_from_what_is_known(void **state)
{
	struct fixture *f = *state;
	char *path = record_path(f);

	take_shared(f, 0, T0);
	take_shared(f, 0, T0 + 1);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(take_shared(f, 0, T0 + 2), 0);
	sync_view(f, 1);
	assert_int_equal(f->window[1].in_window, 3);
	free(path);
}

static void test_log_unwritable_dir_fails_to_open(void **state)
{
	struct fixture *f = *state;
	struct quota_log l;
	struct err e = { 0 };
	char *file = ut_join(f->dir, "a-file");
	char *under = ut_join(file, "state");

	ut_write_str(file, "x");
	assert_true(quota_log_open(&l, under, KEY, &e) < 0);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(l.lock_fd, -1);
	quota_log_close(&l);
	free(under);
	free(file);
}

static void test_log_default_dir(void **state)
{
	char *dir;

	(void)state;
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(quota_log_default_dir(&dir), 0);
	assert_string_equal(dir, "/x/state/flickr-archive");
	free(dir);
	setenv("XDG_STATE_HOME", "relative", 1); /* XDG says: ignore a relative path */
	setenv("HOME", "/home/u", 1);
	assert_int_equal(quota_log_default_dir(&dir), 0);
	assert_string_equal(dir, "/home/u/.local/state/flickr-archive");
	free(dir);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_int_equal(quota_log_default_dir(&dir), 0);
	assert_null(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_burst_below_limit_goes_at_once),
		cmocka_unit_test(test_window_limit_reached_waits_for_the_oldest),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_window_eta_of_many_calls),
		cmocka_unit_test(test_window_counts_entries_of_many_calls),
		cmocka_unit_test(test_window_records_out_of_order),
		cmocka_unit_test(test_window_hold_spends_the_hour_until_then),
		cmocka_unit_test(test_window_unlimited_waits_only_for_a_hold),
		cmocka_unit_test(test_window_many_calls_stay_under_the_limit),
		cmocka_unit_test_setup_teardown(test_log_two_processes_share_the_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_a_later_process_sees_the_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_holds_are_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_names_no_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_torn_last_line_is_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_damaged_lines_are_told_and_written_away,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_rewritten_by_another_is_read_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_log_deleted_record_is_made_again_from_what_is_known,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_unwritable_dir_fails_to_open, setup, teardown),
		cmocka_unit_test(test_log_default_dir),
	};

	return cmocka_run_group_tests_name("quota", tests, NULL, NULL);
}
