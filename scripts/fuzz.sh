#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz) in build-fuzz with clang and runs
# each one for SECONDS seconds, seeded from tests/fuzz/corpus/<target>.  The
# list of targets is tests/fuzz/meson.build's, read back from Meson.
#
#   scripts/fuzz.sh SECONDS [TARGET...]      (make check-fuzz, make fuzz)
#
# New inputs go to build-fuzz/corpus/<target> (the seeds in the source tree
# are only read); a crash leaves build-fuzz/artifacts/<target>-crash-* and the
# log in build-fuzz/logs/<target>.log.  Without a clang that can link
# -fsanitize=fuzzer the run is skipped, except in CI (CI=true), where that is
# an error: scripts/install-deps.sh installs one on Debian.
set -eu
cd "$(dirname "$0")/.."

seconds=${1:-6}
[ $# -gt 0 ] && shift
BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_CC=${FUZZ_CC:-clang}

toolchain_ok() {
	probe=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
		>"$probe/probe.c"
	ok=0
	"$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" \
		>/dev/null 2>&1 || ok=1
	rm -rf "$probe"
	return $ok
}

if ! command -v "$FUZZ_CC" >/dev/null 2>&1 || ! toolchain_ok; then
	echo "fuzz: '$FUZZ_CC' cannot build libFuzzer targets (run scripts/install-deps.sh)" >&2
	[ "${CI:-}" = true ] && exit 1
	echo "fuzz: skipped" >&2
	exit 0
fi

if [ ! -f "$BUILD/build.ninja" ]; then
	CC="$FUZZ_CC" meson setup "$BUILD" -Dfuzz=true -Dtests=false -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
mkdir -p "$BUILD/logs" "$BUILD/artifacts"
if ! meson compile -C "$BUILD" >"$BUILD/logs/compile.log" 2>&1; then
	cat "$BUILD/logs/compile.log" >&2
	echo "fuzz: the targets do not build" >&2
	exit 1
fi

# fuzz_<name> for every target Meson built, in tests/fuzz/meson.build's order
all=$(meson introspect --targets "$BUILD" | python3 -c '
import json, sys
print(" ".join(t["name"][5:] for t in json.load(sys.stdin) if t["name"].startswith("fuzz_")))')
if [ -z "$all" ]; then
	echo "fuzz: Meson lists no fuzz_* target in $BUILD" >&2
	exit 1
fi
TARGETS=${*:-$all}
for t in $TARGETS; do
	case " $all " in
	*" $t "*) ;;
	*) echo "fuzz: no target '$t' (the targets: $all)" >&2; exit 1 ;;
	esac
done

passed=0
failed=0
for t in $TARGETS; do
	bin="$BUILD/tests/fuzz/fuzz_$t"
	log="$BUILD/logs/$t.log"
	mkdir -p "$BUILD/corpus/$t"
	if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	   "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" \
		"$BUILD/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		corpus=$(ls "$BUILD/corpus/$t" | wc -l)
		echo "fuzz_$t: ok, $runs runs in ${seconds} s ($rate exec/s), corpus $corpus"
		passed=$((passed + 1))
	else
		echo "fuzz_$t: FAILED (log: $log)"
		grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$log" | head -20
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
