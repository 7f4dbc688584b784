#!/bin/sh
# `make demo`: starts the bundled fake Flickr with a sample family account on
# 127.0.0.1, archives it with the freshly built binary (sync makes the site at its
# end), and ends by printing the path of the site's index.html.
set -eu
cd "$(dirname "$0")/.."
ARCHIVE=${DEMO_ARCHIVE:-$PWD/demo_archive}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
work=$(mktemp -d)
server_pid=""
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

PYTHONPATH=tests "$PY" -m fake_flickr --account sample --ready-file "$work/ready.json" \
	>"$work/server.log" 2>&1 &
server_pid=$!
i=0
while [ ! -s "$work/ready.json" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
		echo "demo: the fake Flickr did not start:" >&2
		cat "$work/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
get() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/ready.json" "$1"; }

echo "demo: fake Flickr running at $(get url) with a sample account"
status=0
FLICKR_API_URL=$(get api_url) FLICKR_OAUTH_URL=$(get oauth_url) FLICKR_STATIC_URL=$(get url) \
FLICKR_API_KEY=$(get api_key) FLICKR_API_SECRET=$(get api_secret) \
FLICKR_OAUTH_TOKEN=$(get oauth_token) FLICKR_OAUTH_TOKEN_SECRET=$(get oauth_token_secret) \
XDG_CONFIG_HOME="$work/config" \
	./build/flickr-archive sync --archive "$ARCHIVE" --calls-per-hour 0 || status=$?
if [ "$status" -ne 0 ]; then
	echo "demo: sync failed (exit $status)" >&2
	exit "$status"
fi
if [ ! -f "$ARCHIVE/index.html" ]; then
	echo "demo: sync did not make the site (see above); try: ./build/flickr-archive site --archive $ARCHIVE" >&2
	exit 1
fi
echo
echo "demo: the archive is in $ARCHIVE (try: ls $ARCHIVE/my_photos | head)"
echo "demo: browse it offline, from disk, in any browser: open this file"
echo "$ARCHIVE/index.html"
