#!/bin/sh
# The layer rule of src/ (src/README.md): a file includes our headers only from
# its own folder or folders below it.  Prints each breach; exit 1 if any.
set -eu
src=${1:-$(dirname "$0")/../src}
rank() {
	case $1 in
	util) echo 0 ;; net) echo 1 ;; archive) echo 2 ;; search) echo 3 ;; site) echo 4 ;;
	.) echo 5 ;; *) echo "check-layers: unknown folder src/$1: add it to the layers" >&2; exit 2 ;;
	esac
}
bad=0
for file in $(cd "$src" && find . -name '*.[ch]' | sed 's#^\./##' | sort); do
	dir=$(dirname "$file")
	own=$(rank "$dir")
	for header in $(sed -n 's/^#include "\([a-z_0-9]*\.h\)".*/\1/p' "$src/$file"); do
		found=$(cd "$src" && find . -name "$header" | sed 's#^\./##')
		[ -n "$found" ] || continue # generated (fa_build.h) or not ours
		theirs=$(rank "$(dirname "$found")")
		if [ "$theirs" -gt "$own" ]; then
			echo "src/$file includes $found: a lower layer may not include a higher one"
			bad=1
		fi
	done
done
exit $bad
