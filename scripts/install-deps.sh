#!/bin/sh
# Installs what flickr-archive needs to build and test, from the system's
# packages.  `--check` only reports (exit 1 when something is missing).
# On Debian/Ubuntu it runs apt-get (with sudo when not root); elsewhere it
# prints the Homebrew / dnf commands to run.
#
# The fuzzing targets (make check-fuzz) need clang with its libFuzzer
# runtime: Debian's `clang` names the default clang-N, whose runtime lives
# in libclang-rt-N-dev, which only the `libclang-rt-dev` meta package (or the
# versioned one) pulls in.  The TLS tests use the `openssl` command.
set -eu

APT_PACKAGES="gcc make pkg-config meson ninja-build libcurl4-openssl-dev libssl-dev \
libjansson-dev libexif-dev libsqlite3-dev libvips-dev libcmocka-dev python3 python3-pytest ca-certificates \
clang openssl"
BREW_PACKAGES="meson ninja pkg-config curl openssl@3 jansson libexif sqlite vips cmocka python llvm"
DNF_PACKAGES="gcc make pkgconf-pkg-config meson ninja-build libcurl-devel openssl-devel \
jansson-devel libexif-devel sqlite-devel vips-devel libcmocka-devel python3 python3-pytest \
clang compiler-rt libasan libubsan openssl"

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# clang's libFuzzer runtime (libclang_rt.fuzzer*.a), for the fuzzing targets
fuzzer_runtime_ok() {
	dir=$(clang --print-runtime-dir 2>/dev/null) || return 1
	ls "$dir"/libclang_rt.fuzzer*.a >/dev/null 2>&1
}

missing=""
for cmd in cc pkg-config meson ninja clang openssl; do
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
done
if command -v clang >/dev/null 2>&1 && ! fuzzer_runtime_ok; then
	missing="$missing libFuzzer"
fi
if command -v pkg-config >/dev/null 2>&1; then
	for lib in libcurl libcrypto jansson libexif sqlite3 vips cmocka; do
		pkg-config --exists "$lib" || missing="$missing $lib"
	done
fi
# tests run with the system python (it sees the system's pytest)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
"$PY" -c "import pytest" >/dev/null 2>&1 || missing="$missing pytest"

if [ -z "$missing" ]; then
	exit 0
fi
if [ "$check_only" = 1 ]; then
	echo "missing:$missing" >&2
	exit 1
fi

echo "flickr-archive: installing missing dependencies:$missing" >&2
if command -v apt-get >/dev/null 2>&1; then
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO="sudo"
		else
			echo "flickr-archive: run as root, or install: apt-get install $APT_PACKAGES" >&2
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null
	if ! fuzzer_runtime_ok; then
		# the meta package where the distribution has it, else clang-N's own
		rt=libclang-rt-dev
		if ! apt-cache show "$rt" >/dev/null 2>&1; then
			major=$(clang -dumpversion | cut -d. -f1)
			rt=libclang-rt-$major-dev
			apt-cache show "$rt" >/dev/null 2>&1 || rt=libclang-common-$major-dev
		fi
		$SUDO apt-get install -y -qq --no-install-recommends "$rt" >/dev/null
	fi
	exec "$0" --check
fi
cat >&2 <<MSG
flickr-archive: this system has no apt-get; install the dependencies with
  macOS (Homebrew):  brew install $BREW_PACKAGES && python3 -m pip install pytest
  Fedora (dnf):      sudo dnf install $DNF_PACKAGES
then run make again.
MSG
exit 1
