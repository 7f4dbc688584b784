#!/bin/sh
# Installs what flickr-archive needs to build and test, from the system's
# packages, saying first in one line what it installs.  On Debian/Ubuntu it
# runs apt-get (with sudo when not root); elsewhere it prints the Homebrew /
# dnf commands to run.
#
#   scripts/install-deps.sh               install what is missing (make deps, demo, check*)
#   scripts/install-deps.sh --check       only report; exit 1 when something is missing
#   scripts/install-deps.sh --check-build only report what `make` needs to build (make, make install)
#
# The fuzzing targets (make check-fuzz) need clang with its libFuzzer
# runtime: Debian's `clang` names the default clang-N, whose runtime lives
# in libclang-rt-N-dev, which only the `libclang-rt-dev` meta package (or the
# versioned one) pulls in.  The TLS tests use the `openssl` command.
#
# The browser tests (tests/e2e/test_browser.py) need Chromium, Node.js and npm,
# and playwright-core from npm at the version tests/browser/package-lock.json
# pins (`npm ci` into tests/browser/node_modules; never a browser download),
# which must accept the installed Node.js (its `engines`: the distributions'
# own Node.js, 18 on Debian 12 and Ubuntu 24.04).  When they cannot be
# installed, a warning says so and those tests skip.
set -eu
BROWSER_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"

APT_PACKAGES="gcc make pkg-config meson ninja-build libcurl4-openssl-dev libssl-dev \
libjansson-dev libexif-dev libarchive-dev libsqlite3-dev libvips-dev libcmocka-dev python3 python3-pytest ca-certificates \
clang openssl libimage-exiftool-perl"
BREW_PACKAGES="meson ninja pkg-config curl openssl@3 jansson libexif libarchive sqlite vips cmocka python llvm \
exiftool"
DNF_PACKAGES="gcc make pkgconf-pkg-config meson ninja-build libcurl-devel openssl-devel \
jansson-devel libexif-devel libarchive-devel sqlite-devel vips-devel libcmocka-devel python3 python3-pytest \
clang compiler-rt libasan libubsan openssl perl-Image-ExifTool"
BROWSER_APT="chromium nodejs npm"

mode=install
case "${1:-}" in
--check) mode=check ;;
--check-build) mode=check-build ;;
"") ;;
*) echo "usage: scripts/install-deps.sh [--check | --check-build]" >&2; exit 2 ;;
esac

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

# Prints why the installed Node.js cannot run the pinned playwright-core (its
# `engines`, a ">=X[.Y[.Z]]" as playwright's are), or nothing when it can.
node_too_old() {
	command -v node >/dev/null 2>&1 || return 0
	node -e '
		const pin = require(process.argv[1]).packages["node_modules/playwright-core"];
		const range = ((pin.engines || {}).node || "").trim();
		const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
		if (!m) process.exit(0);
		const want = [m[1], m[2] || 0, m[3] || 0].map(Number);
		const have = process.versions.node.split(".").map(Number);
		for (let i = 0; i < 3; i++) {
			if (have[i] > want[i]) process.exit(0);
			if (have[i] < want[i]) {
				console.log("Node.js " + process.versions.node + " cannot run playwright-core " +
					pin.version + " (it needs node " + range + ")");
				process.exit(0);
			}
		}' "$BROWSER_DIR/package-lock.json" 2>/dev/null || true
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
	# (last: what cannot be installed from here; installing the pin would not help)
	if [ -n "$(node_too_old)" ]; then
		printf ' node-for-playwright-core'
	else
		playwright_ok || printf ' playwright-core'
	fi
}

# The one line about a Node.js too old for the pin, with the fix.
say_node_too_old() {
	why=$(node_too_old)
	[ -n "$why" ] || return 0
	echo "flickr-archive: the browser tests will be skipped: $why; install your distribution's" \
		"newer nodejs, or pin in tests/browser/package.json a playwright-core whose" \
		"\`npm view playwright-core@VERSION engines\` accepts it, then \`npm install\` there" >&2
}

# what `make` needs to build (meson setup also wants cmocka and python3)
build_missing() {
	for cmd in cc pkg-config meson ninja python3; do
		command -v "$cmd" >/dev/null 2>&1 || printf ' %s' "$cmd"
	done
	if command -v pkg-config >/dev/null 2>&1; then
		for lib in libcurl libcrypto jansson libexif libarchive sqlite3 vips cmocka; do
			pkg-config --exists "$lib" || printf ' %s' "$lib"
		done
	fi
}

# what the tests need besides the build and the browser
test_missing() {
	for cmd in clang openssl exiftool; do
		command -v "$cmd" >/dev/null 2>&1 || printf ' %s' "$cmd"
	done
	if command -v clang >/dev/null 2>&1 && ! fuzzer_runtime_ok; then
		printf ' libFuzzer'
	fi
	# tests run with the system python (it sees the system's pytest)
	py=/usr/bin/python3
	[ -x "$py" ] || py=$(command -v python3 || echo python3)
	"$py" -c "import pytest" >/dev/null 2>&1 || printf ' pytest'
}

if [ "$mode" = check-build ]; then
	missing=$(build_missing)
	[ -z "$missing" ] && exit 0
	echo "flickr-archive: cannot build, missing:$missing; run scripts/install-deps.sh (or make deps)" >&2
	exit 1
fi

missing="$(build_missing)$(test_missing)"
bmissing=$(browser_missing)
# after an install, only what the build and the tests need must be there
[ "${FA_DEPS_BROWSER_OPTIONAL:-0}" = 1 ] && bmissing=""

if [ -z "$missing$bmissing" ]; then
	exit 0
fi
# a Node.js too old for the pin is said in a line of its own, with the fix,
# and cannot be installed from here
installable="$missing${bmissing% node-for-playwright-core}"
if [ "$mode" = check ]; then
	[ -z "$installable" ] || echo "missing:$installable" >&2
	say_node_too_old
	exit 1
fi

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
fi

# apt-get's output is shown only when it fails (a success says nothing more
# than the line announcing the install)
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt_log=$(mktemp)
	if { [ "${apt_updated:-0}" = 1 ] || $SUDO apt-get update -qq; } >"$apt_log" 2>&1 &&
	   $SUDO apt-get install -y -qq --no-install-recommends "$@" >"$apt_log" 2>&1; then
		apt_updated=1
		rm -f "$apt_log"
		return 0
	fi
	cat "$apt_log" >&2
	rm -f "$apt_log"
	return 1
}

# Installs the browser tests' needs, as far as it can: without them those tests
# skip (loudly) rather than the build failing.
install_browser_deps() {
	pkgs=""
	have_chromium || pkgs=" chromium"
	command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
	command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
	if [ -n "$pkgs" ] && command -v apt-get >/dev/null 2>&1; then
		# shellcheck disable=SC2086
		apt_install $pkgs || true
	fi
	if command -v npm >/dev/null 2>&1 && [ -z "$(node_too_old)" ] && ! playwright_ok; then
		(cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || true
	fi
	left=$(browser_missing)
	[ -n "$left" ] || return 0
	if [ -n "$(node_too_old)" ]; then
		say_node_too_old
		return 0
	fi
	cat >&2 <<MSG
flickr-archive: warning: the browser tests will be skipped, missing:$left
  Debian: apt-get install $BROWSER_APT;  Homebrew: brew install --cask chromium && brew install node
  Fedora: sudo dnf install chromium nodejs npm;  then: (cd tests/browser && npm ci)
MSG
}

if [ -z "$installable" ]; then
	say_node_too_old
	exit 0
fi
echo "flickr-archive: installing missing dependencies:$installable" >&2
if [ -z "$missing" ]; then
	install_browser_deps
	exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
		echo "flickr-archive: run as root, or install: apt-get install $APT_PACKAGES" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	apt_install $APT_PACKAGES
	if ! fuzzer_runtime_ok; then
		# the meta package where the distribution has it, else clang-N's own
		rt=libclang-rt-dev
		if ! apt-cache show "$rt" >/dev/null 2>&1; then
			major=$(clang -dumpversion | cut -d. -f1)
			rt=libclang-rt-$major-dev
			apt-cache show "$rt" >/dev/null 2>&1 || rt=libclang-common-$major-dev
		fi
		apt_install "$rt"
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
