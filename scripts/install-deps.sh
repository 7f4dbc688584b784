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
#
# The browser tests (tests/e2e/test_browser.py) need Chromium, Node.js and npm,
# and playwright-core from npm at the version tests/browser/package-lock.json
# pins (`npm ci` into tests/browser/node_modules; never a browser download).  When
# they cannot be installed, a warning says so and those tests skip.
set -eu
BROWSER_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"

APT_PACKAGES="gcc make pkg-config meson ninja-build libcurl4-openssl-dev libssl-dev \
libjansson-dev libexif-dev libsqlite3-dev libvips-dev libcmocka-dev python3 python3-pytest ca-certificates \
clang openssl"
BREW_PACKAGES="meson ninja pkg-config curl openssl@3 jansson libexif sqlite vips cmocka python llvm"
DNF_PACKAGES="gcc make pkgconf-pkg-config meson ninja-build libcurl-devel openssl-devel \
jansson-devel libexif-devel sqlite-devel vips-devel libcmocka-devel python3 python3-pytest \
clang compiler-rt libasan libubsan openssl"
BROWSER_APT="chromium nodejs npm"

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

# clang's libFuzzer runtime (libclang_rt.fuzzer*.a), for the fuzzing targets
fuzzer_runtime_ok() {
	dir=$(clang --print-runtime-dir 2>/dev/null) || return 1
	ls "$dir"/libclang_rt.fuzzer*.a >/dev/null 2>&1
}

# playwright-core installed at the version the lockfile pins
playwright_ok() {
	command -v node >/dev/null 2>&1 && (cd "$BROWSER_DIR" && node -e '
		const want = require("./package-lock.json").packages["node_modules/playwright-core"].version;
		process.exit(require("playwright-core/package.json").version === want ? 0 : 1)') \
		>/dev/null 2>&1
}

# the browsers tests/e2e/test_browser.py looks for
have_chromium() {
	[ -x "${FLICKR_ARCHIVE_CHROMIUM:-}" ] && return 0
	for cmd in chromium chromium-browser google-chrome google-chrome-stable; do
		command -v "$cmd" >/dev/null 2>&1 && return 0
	done
	return 1
}

browser_missing() {
	have_chromium || printf ' chromium'
	for cmd in node npm; do
		command -v "$cmd" >/dev/null 2>&1 || printf ' %s' "$cmd"
	done
	playwright_ok || printf ' playwright-core'
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

# Installs the browser tests' needs, as far as it can: without them those tests
# skip (loudly) rather than the build failing.
install_browser_deps() {
	if command -v apt-get >/dev/null 2>&1; then
		pkgs=""
		have_chromium || pkgs=" chromium"
		command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
		command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
		if [ -n "$pkgs" ]; then
			export DEBIAN_FRONTEND=noninteractive
			[ "${apt_updated:-0}" = 1 ] || $SUDO apt-get update -qq || true
			# shellcheck disable=SC2086
			$SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null || true
		fi
	fi
	if command -v npm >/dev/null 2>&1 && ! playwright_ok; then
		(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || true
	fi
	left=$(browser_missing)
	if [ -n "$left" ]; then
		cat >&2 <<MSG
flickr-archive: warning: the browser tests will be skipped, missing:$left
  Debian: apt-get install $BROWSER_APT;  Homebrew: brew install --cask chromium && brew install node
  Fedora: sudo dnf install chromium nodejs npm;  then: (cd tests/browser && npm ci)
MSG
	fi
}

SUDO=""
[ "$(id -u)" = 0 ] || ! command -v sudo >/dev/null 2>&1 || SUDO="sudo"

bmissing=$(browser_missing)
# after an install, only what the build needs must be there
[ "${FA_DEPS_BROWSER_OPTIONAL:-0}" = 1 ] && bmissing=""

if [ -z "$missing$bmissing" ]; then
	exit 0
fi
if [ "$check_only" = 1 ]; then
	echo "missing:$missing$bmissing" >&2
	exit 1
fi
if [ -z "$missing" ]; then
	install_browser_deps
	exit 0
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
	apt_updated=1
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
	install_browser_deps
	export FA_DEPS_BROWSER_OPTIONAL=1
	exec "$0" --check
fi
cat >&2 <<MSG
flickr-archive: this system has no apt-get; install the dependencies with
  macOS (Homebrew):  brew install $BREW_PACKAGES && python3 -m pip install pytest
  Fedora (dnf):      sudo dnf install $DNF_PACKAGES
then run make again.
MSG
exit 1
