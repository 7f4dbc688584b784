#!/bin/sh
# Builds build-tsan with ThreadSanitizer and runs the end-to-end tests that
# drive sync's workers (many items at once, faults, re-syncs) and the import's
# read-ahead threads against it.
# Reports go to build-tsan/sanitizer-logs/; any report fails the run.
set -eu
cd "$(dirname "$0")/.."

BUILD=${TSAN_BUILD:-build-tsan}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Db_sanitize=thread -Db_lundef=false >/dev/null
fi
if ! meson compile -C "$BUILD" flickr-archive tests/unit/test_export tests/unit/test_pool >"$BUILD/compile.log" 2>&1; then
	cat "$BUILD/compile.log" >&2
	exit 1
fi

logs="$PWD/$BUILD/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan:suppressions=$PWD/scripts/tsan.supp"

status=0
# the import's ZIP reader threads (export_ahead.c), whole, cut short, skipped and stopped;
# the worker that makes the import's items (pool.c)
for t in test_export test_pool; do
	"$BUILD/tests/unit/$t" >"$BUILD/$t.log" 2>&1 || { cat "$BUILD/$t.log" >&2; status=1; }
done
FLICKR_ARCHIVE_BIN="$PWD/$BUILD/flickr-archive" /usr/bin/python3 -m pytest -q \
	-p no:cacheprovider tests/e2e/test_sync.py tests/e2e/test_incremental.py \
	tests/e2e/test_faults.py tests/e2e/test_resume.py || status=$?
# the import's read-ahead threads and its worker: whole, cut short, from folders, stopped
# by Ctrl-C, two files of one item in one run, originals put over refused ones
FLICKR_ARCHIVE_BIN="$PWD/$BUILD/flickr-archive" /usr/bin/python3 -m pytest -q \
	-p no:cacheprovider tests/e2e/test_import.py \
	-k "ctrl_c or folders or truncated or one_id_in_one_run or either_order or free_account" \
	|| status=$?
if [ -n "$(ls -A "$logs")" ]; then
	echo "check-tsan: sanitizer reports:" >&2
	for f in "$logs"/*; do
		echo "==> $f" >&2
		cat "$f" >&2
	done
	status=1
fi
[ "$status" -eq 0 ] && echo "check-tsan: no sanitizer report"
exit "$status"
