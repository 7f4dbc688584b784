# bash completion for flickr-archive.  The commands and options are read from
# `flickr-archive --help`, so they always match the installed binary.

# "<option> <1 if it takes a value>" per line, from the help's Options section.
_flickr_archive_options()
{
	"${1:-flickr-archive}" --help 2>/dev/null | sed -n '/^Options:/,/^[A-Z]/p' |
		awk 'match($0, /^ +-/) && RLENGTH <= 7 {
			n = 0
			for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); names[++n] = $i }
			valued = (i <= NF && $i ~ /^[A-Z]+$/)
			for (k = 1; k <= n; k++) print names[k], valued
		}'
}

_flickr_archive_commands()
{
	"${1:-flickr-archive}" --help 2>/dev/null | sed -n '/^Commands:/,/^$/p' |
		awk '/^  [a-z]/ { print $1 }'
}

_flickr_archive()
{
	local cur prev words cword
	COMPREPLY=()
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	local options valued
	options=$(_flickr_archive_options "${words[0]}")
	valued=" $(awk '$2 == 1 { printf "%s ", $1 }' <<<"$options")"

	case $prev in
	-a | --archive)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-c | --config)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	[[ $valued == *" $prev "* ]] && return # a value of the user's own
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(awk '{ print $1 }' <<<"$options")" -- "$cur"))
		return
	fi
	local i
	for ((i = 1; i < cword; i++)); do
		if [[ $valued == *" ${words[i]} "* ]]; then
			((i++))
		elif [[ ${words[i]} != -* ]]; then
			# the command is given: import takes the export's ZIPs or folders,
			# a search query is the user's own
			[[ ${words[i]} == import ]] && COMPREPLY=($(compgen -f -- "$cur"))
			return
		fi
	done
	COMPREPLY=($(compgen -W "$(_flickr_archive_commands "${words[0]}")" -- "$cur"))
}

complete -F _flickr_archive flickr-archive
