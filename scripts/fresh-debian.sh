#!/bin/sh
# Tries the README's two commands as a new user would, on a fresh Debian 12:
# builds a bookworm minbase root with debootstrap, installs only git and make
# in it, clones this repository's committed HEAD into it and runs `make demo`,
# then `make check` there, printing one line per command:
#
#   make demo: ok (123 s)
#   make check: FAILED (exit 2, log: DIR/logs/make-check.log)
#
#   scripts/fresh-debian.sh [DIR]     as root; about 15 minutes; not part of make check
#
# DIR (default build-fresh-debian) holds the root, the logs and a tarball of
# the base (minbase + git + make) that later runs start from; remove it, or set
# FRESH_REBUILD_BASE=1, to debootstrap again.  FRESH_SUITE and FRESH_MIRROR
# choose another release or mirror.  Uncommitted changes are not tried.
#
# Registries may be reached through a TLS proxy whose CA only this host's
# bundle carries: the bundle is copied into the root and SSL_CERT_FILE,
# NODE_EXTRA_CA_CERTS, CURL_CA_BUNDLE and REQUESTS_CA_BUNDLE point at it for
# the commands run there.  apt inside goes to the same mirror as debootstrap,
# with this host's Acquire:: settings (a snapshot mirror's Check-Valid-Until).
set -eu
cd "$(dirname "$0")/.."
SUITE=${FRESH_SUITE:-bookworm}
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
DIR=$(mkdir -p "${1:-build-fresh-debian}" && cd "${1:-build-fresh-debian}" && pwd)
ROOT=$DIR/root
LOGS=$DIR/logs
BASE=$DIR/base-$SUITE.tar
HOST_CA=/etc/ssl/certs/ca-certificates.crt
CA_IN_ROOT=/etc/fresh-debian/host-ca.crt  # not the root's own bundle, which ca-certificates rewrites
PROJECT=/root/flickr-archive

say() { echo "fresh-debian: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null 2>&1 ||
	die "debootstrap is missing: apt-get update && apt-get install -y debootstrap"
HEAD=$(git rev-parse --verify HEAD) || die "not in a git repository"

mounted() { grep -q " $1 " /proc/mounts; }

# the processes a run left inside the root (a browser, a fake Flickr)
kill_leftovers() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	return 0
}

unmount_all() {
	kill_leftovers
	for m in dev/shm dev/pts sys proc; do
		if mounted "$ROOT/$m"; then
			umount "$ROOT/$m" 2>/dev/null || umount -l "$ROOT/$m"
		fi
	done
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

in_root() {
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		SSL_CERT_FILE="$CA_IN_ROOT" NODE_EXTRA_CA_CERTS="$CA_IN_ROOT" \
		CURL_CA_BUNDLE="$CA_IN_ROOT" REQUESTS_CA_BUNDLE="$CA_IN_ROOT" \
		DEBIAN_FRONTEND=noninteractive "$@"
}

mount_all() {
	mount -t proc proc "$ROOT/proc"
	mount -t sysfs sysfs "$ROOT/sys"
	mkdir -p "$ROOT/dev/pts" "$ROOT/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
	mount -t tmpfs -o mode=1777 shm "$ROOT/dev/shm"  # Chromium's shared memory
}

# what apt needs to reach the mirror as this host does: its Acquire:: settings
copy_apt_settings() {
	mkdir -p "$ROOT/etc/apt/apt.conf.d"
	grep -h '^Acquire::' /etc/apt/apt.conf /etc/apt/apt.conf.d/* 2>/dev/null |
		grep -v 'IndexTargets' >"$ROOT/etc/apt/apt.conf.d/99fresh-debian-host" || true
	cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES
}

make_base() {
	say "debootstrap --variant=minbase $SUITE from $MIRROR (log: $LOGS/debootstrap.log)"
	debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 ||
		die "debootstrap failed (log: $LOGS/debootstrap.log)"
	copy_apt_settings
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	mount_all
	{ in_root apt-get update && in_root apt-get install -y --no-install-recommends git make &&
	  in_root apt-get clean; } >"$LOGS/base.log" 2>&1 ||
		die "installing git and make failed (log: $LOGS/base.log)"
	rm -rf "$ROOT"/var/lib/apt/lists/*  # as a fresh machine: no package lists yet
	unmount_all
	tar -C "$ROOT" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
}

# the clone, by the root's own git, of a bundle of HEAD
clone_head() {
	git bundle create "$ROOT/tmp/project.bundle" HEAD >/dev/null 2>&1 || return 1
	in_root git clone -q --no-checkout /tmp/project.bundle "$PROJECT" &&
		in_root git -C "$PROJECT" checkout -q -B "fresh-debian" "$HEAD"
	rm -f "$ROOT/tmp/project.bundle"
}

# runs `make TARGET` in the clone and prints its one line; 1 when it failed
run_make() {
	target=$1
	log="$LOGS/make-$target.log"
	start=$(date +%s)
	status=0
	in_root sh -c "cd $PROJECT && make $target" >"$log" 2>&1 || status=$?
	secs=$(($(date +%s) - start))
	# a skipped browser or fuzzing run passes, but tried nothing
	skipped=$(grep -ho 'BROWSER TESTS SKIPPED[^*]*\|fuzz: skipped' "$log" \
		"$ROOT$PROJECT/build/meson-logs/testlog.txt" 2>/dev/null | sort -u | head -1 || true)
	if [ "$status" -ne 0 ]; then
		echo "make $target: FAILED (exit $status after $secs s, log: $log)"
		return 1
	elif [ -n "$skipped" ]; then
		echo "make $target: FAILED (passed, but $skipped; log: $log)"
		return 1
	fi
	echo "make $target: ok ($secs s)"
}

mkdir -p "$LOGS"
unmount_all
# never rm -rf through a mount
! grep -q " $ROOT/" /proc/mounts || die "something is still mounted under $ROOT"
rm -rf "$ROOT"
mkdir -p "$ROOT"
if [ ! -f "$BASE" ] || [ "${FRESH_REBUILD_BASE:-0}" = 1 ]; then
	make_base
else
	tar -C "$ROOT" -xf "$BASE"
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mkdir -p "$ROOT$(dirname "$CA_IN_ROOT")"
cp "$HOST_CA" "$ROOT$CA_IN_ROOT"
mount_all
clone_head || die "cloning HEAD into the root failed"
say "a fresh $SUITE in $ROOT, trying $(git log -1 --format='%h %s' "$HEAD" | cut -c1-60)"

failed=0
run_make demo || failed=1
run_make check || failed=1
exit "$failed"
