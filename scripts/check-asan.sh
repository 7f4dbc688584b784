#!/bin/sh
# Builds build-asan with AddressSanitizer and UndefinedBehaviorSanitizer and
# runs the whole suite (cmocka unit tests and the pytest end-to-end tests)
# against it.  Sanitizer reports go to build-asan/sanitizer-logs/ rather than
# to stderr, so that a report is caught even in a test that expects the
# program to fail; any report fails the run.
set -eu
cd "$(dirname "$0")/.."

BUILD=${ASAN_BUILD:-build-asan}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=undefined >/dev/null
fi
if ! meson compile -C "$BUILD" >"$BUILD/compile.log" 2>&1; then
	cat "$BUILD/compile.log" >&2
	exit 1
fi

logs="$PWD/$BUILD/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"

status=0
meson test -C "$BUILD" --print-errorlogs || status=$?
if [ -n "$(ls -A "$logs")" ]; then
	echo "check-asan: sanitizer reports:" >&2
	for f in "$logs"/*; do
		echo "==> $f" >&2
		cat "$f" >&2
	done
	status=1
fi
[ "$status" -eq 0 ] && echo "check-asan: no sanitizer report"
exit "$status"
