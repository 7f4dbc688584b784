/* exit_status: the one table from a command's result to the exit status; notice sinks. */
#include "unit.h"

#include "exit_status.h"
#include "notice.h"

static void test_every_result_has_its_status(void **state)
{
	static const struct {
		int result;
		int status;
	} table[] = {
		{ 0, EXIT_OK },
		{ CMD_INCOMPLETE, EXIT_INCOMPLETE },
		{ FA_EUSAGE, EXIT_USAGE },
		{ FA_EINTR, EXIT_INTERRUPTED },
		/* a missing key is a usage error; a key Flickr refuses is not */
		{ FA_EAUTH, EXIT_FATAL },
		{ FA_EINVAL, EXIT_FATAL }, /* bad data deep down, not the command line */
		{ FA_ENOMEM, EXIT_FATAL },
		{ FA_EIO, EXIT_FATAL },
		{ FA_ENOSPC, EXIT_FATAL },
		{ FA_ENET, EXIT_FATAL },
		{ FA_EHTTP, EXIT_FATAL },
		{ FA_EAPI, EXIT_FATAL },
		{ FA_EPARSE, EXIT_FATAL },
		{ FA_ERATELIMIT, EXIT_FATAL },
		{ FA_ENOTFOUND, EXIT_FATAL },
		{ FA_EBUSY, EXIT_FATAL },
		{ FA_EUNREACHABLE, EXIT_FATAL },
		{ -1000, EXIT_FATAL }, /* a code not known yet still fails */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (exit_status_of(table[i].result) != table[i].status)
			fail_msg("result %d: status %d, expected %d", table[i].result,
				 exit_status_of(table[i].result), table[i].status);
	}
	assert_string_not_equal(fa_strerror(FA_EUSAGE), "unknown error");
}

struct heard {
	int calls;
	enum notice_level level;
	char line[64];
};

static void hear(void *ud, enum notice_level level, const char *line)
{
	struct heard *h = ud;

	h->calls++;
	h->level = level;
	snprintf(h->line, sizeof(h->line), "%s", line);
}

static void test_a_notice_goes_to_the_sink_passed_in(void **state)
{
	struct heard h = { 0 };
	struct notice_sink sink = { hear, &h }, empty = { NULL, NULL };

	(void)state;
	notice(&sink, NOTICE_WARN, "%s waits %d s", "the quota", 42);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.level, NOTICE_WARN);
	assert_string_equal(h.line, "the quota waits 42 s");
	notice(&empty, NOTICE_DEBUG, "dropped");
	notice(NULL, NOTICE_INFO, "dropped");
	assert_int_equal(h.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_result_has_its_status),
		cmocka_unit_test(test_a_notice_goes_to_the_sink_passed_in),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
