/* test_filelock.c: the one lock primitive: opening, shared and exclusive, waiting, signals. */
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "unit.h"

#include "filelock.h"

static int open_lock(const char *dir, unsigned flags, int *ret_fd, struct err *e)
{
	char *path = ut_join(dir, "lock");
	int r = filelock_open(AT_FDCWD, path, path, flags, 0600, ret_fd, e);

	free(path);
	return r;
}

static void test_open_missing_created_cloexec(void **state)
{
	const char *dir = *state;
	char *path = ut_join(dir, "lock");
	struct err e = { 0 };
	int fd = 7;

	assert_int_equal(open_lock(dir, 0, &fd, &e), FA_ENOTFOUND);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(e.msg, path));
	assert_false(access(path, F_OK) == 0);
	assert_int_equal(open_lock(dir, FILELOCK_CREATE, &fd, &e), 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ut_mode_of(path) & 0777, 0600);
	close(fd);
	/* there now: opened without FILELOCK_CREATE too, and left as it is */
	assert_int_equal(open_lock(dir, 0, &fd, &e), 0);
	close(fd);
	free(path);
}

static void test_open_never_follows_a_symlink(void **state)
{
	const char *dir = *state;
	char *target = ut_join(dir, "elsewhere");
	char *path = ut_join(dir, "lock");
	struct err e = { 0 };
	int fd = 7;

	assert_int_equal(symlink("elsewhere", path), 0);
	assert_int_equal(open_lock(dir, FILELOCK_CREATE, &fd, &e), FA_EIO);
	assert_int_equal(fd, -1);
	assert_false(access(target, F_OK) == 0);
	assert_non_null(strstr(e.msg, path));
	free(target);
	free(path);
}

struct contend_case {
	unsigned first, second;
	int expect; /* of the second, not waiting */
};

static const struct contend_case contend_cases[] = {
	{ FILELOCK_SHARED, FILELOCK_SHARED, 0 },
	{ FILELOCK_SHARED, FILELOCK_EXCLUSIVE, FA_EBUSY },
	{ FILELOCK_EXCLUSIVE, FILELOCK_SHARED, FA_EBUSY },
	{ FILELOCK_EXCLUSIVE, FILELOCK_EXCLUSIVE, FA_EBUSY },
};

/* Two opens of one file contend like two processes: the lock is the open file's. */
static void test_shared_and_exclusive(void **state)
{
	const char *dir = *state;
	struct err e = { 0 };

	for (size_t i = 0; i < N_ELEMS(contend_cases); i++) {
		const struct contend_case *c = &contend_cases[i];
		int a, b;

		assert_int_equal(open_lock(dir, FILELOCK_CREATE, &a, &e), 0);
		assert_int_equal(open_lock(dir, 0, &b, &e), 0);
		assert_int_equal(filelock_take(a, c->first, "L", &e), 0);
		assert_int_equal(filelock_take(b, c->second, "L", &e), c->expect);
		if (c->expect == FA_EBUSY)
			assert_non_null(strstr(e.msg, "'L' is locked by another process"));
		/* let go (the file stays open): the other takes it, the first no longer can */
		filelock_drop(a);
		filelock_drop(b);
		assert_int_equal(filelock_take(b, FILELOCK_EXCLUSIVE, "L", &e), 0);
		assert_int_equal(filelock_take(a, FILELOCK_SHARED, "L", &e), FA_EBUSY);
		/* closing lets it go too */
		close(b);
		assert_int_equal(filelock_take(a, FILELOCK_EXCLUSIVE, "L", &e), 0);
		close(a);
	}
}

static void test_lock_on_a_closed_fd_fails(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(filelock_take(-1, FILELOCK_EXCLUSIVE, "L", &e), FA_EIO);
	assert_non_null(strstr(e.msg, "cannot lock 'L'"));
}

static volatile sig_atomic_t signals_seen;
static int tell_fd = -1;

/* In the child: tells the parent the signal came (write(2) is safe in a handler). */
static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
	(void)!write(tell_fd, "s", 1);
}

/* In the child: waits for the lock; 0 when it got it after a signal interrupted the wait. */
static int child_waits(const char *dir, int ready_fd)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: flock sees EINTR */
	struct err e = { 0 };
	int fd;

	tell_fd = ready_fd;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || open_lock(dir, 0, &fd, &e) < 0)
		return 2;
	if (write(ready_fd, "w", 1) != 1)
		return 2;
	if (filelock_take(fd, FILELOCK_EXCLUSIVE | FILELOCK_WAIT, "L", &e) < 0)
		return 3; /* the signal ended the wait: EINTR taken for a failure */
	return signals_seen ? 0 : 4;
}

/* First line of a /proc/<pid>/ file into buf; 0 when unreadable. */
static size_t read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* The child sleeps in flock(2) (/proc/<pid>/syscall), or at least sleeps where that is hidden. */
static int waits_in_flock(pid_t pid)
{
	char buf[256], *paren;

	if (read_proc(pid, "syscall", buf, sizeof(buf)) && buf[0] >= '0' && buf[0] <= '9')
		return atol(buf) == SYS_flock;
	if (!read_proc(pid, "stat", buf, sizeof(buf)))
		return 0;
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] == 'S';
}

/* Until the child sleeps in flock(2): 0; or it ended: 1 and its *status. */
static int until_in_flock_or_ended(pid_t pid, int *status)
{
	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		if (waits_in_flock(pid))
			return 0;
		usleep(1000);
	}
}

/*
 * FILELOCK_WAIT waits for the holder, and a signal meanwhile does not end the
 * wait: once the child's handler ran, it must be waiting again, not gone.
 * (The lock is let go only then: a lock granted before the woken child runs
 * would hide the interrupted wait.)
 */
static void test_wait_survives_a_signal(void **state)
{
	const char *dir = *state;
	struct err e = { 0 };
	int fd, pipefd[2], status = 0;
	char c;
	pid_t pid;

	assert_int_equal(open_lock(dir, FILELOCK_CREATE, &fd, &e), 0);
	assert_int_equal(filelock_take(fd, FILELOCK_EXCLUSIVE, "L", &e), 0);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		_exit(child_waits(dir, pipefd[1]));
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	assert_int_equal(until_in_flock_or_ended(pid, &status), 0);
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	assert_int_equal(c, 's');
	if (until_in_flock_or_ended(pid, &status))
		fail_msg("the signal ended the wait (exit status %d)", WEXITSTATUS(status));
	filelock_drop(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(pipefd[0]);
	close(fd);
}

#define TMPDIR_TEST(f) cmocka_unit_test_setup_teardown(f, ut_setup_tmpdir, ut_teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TMPDIR_TEST(test_open_missing_created_cloexec),
		TMPDIR_TEST(test_open_never_follows_a_symlink),
		TMPDIR_TEST(test_shared_and_exclusive),
		cmocka_unit_test(test_lock_on_a_closed_fd_fails),
		TMPDIR_TEST(test_wait_survives_a_signal),
	};

	return cmocka_run_group_tests_name("filelock", tests, NULL, NULL);
}
