#!/bin/bash
# docs-options-in-man.sh: every option that `hinit --help` and the usage of
# `hinit status`, `hinit check` and `hinit wait` name is in hinit(8): in
# the SYNOPSIS and as an entry (.It Fl ...) of its own, and every
# subcommand has its entry under COMMANDS.

. "$top_srcdir/tests/lib.sh"

man=$top_srcdir/man/hinit.8
[ -f "$man" ] || fail "$man: missing"

synopsis=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man")
entries=$(grep '^\.It ' "$man")
short_flags=$(grep -o '^\.Op Fl [a-zA-Z]*$' <<<"$synopsis" | sed 's/.* //')

# documented OPTION WHERE: -x or --long has an entry of its own, and is in
# the SYNOPSIS (a long option through the short one its entry begins with).
documented() {
	local opt=$1 where=$2 word entry short re
	word=${opt#-}			# mdoc writes --long as "Fl -long"
	entry=$(grep -E "Fl $word( |\$)" <<<"$entries" | head -1)
	[ -n "$entry" ] || fail "$where $opt: no .It entry in $man"
	case $opt in
	--help|--version)
		return 0 ;;
	esac
	short=$(sed -nE 's/^\.It Fl ([a-zA-Z])( .*)?$/\1/p' <<<"$entry")
	re="Fl $word( |\$)"
	grep -Eq "$re" <<<"$synopsis" && return 0
	[[ $opt == --* ]] && [ -n "$short" ] && word=$short
	[[ ${#word} == 1 && $short_flags == *$word* ]] && return 0
	re="Fl $word( |\$)"
	grep -Eq "$re" <<<"$synopsis" ||
	    fail "$where $opt: not in the SYNOPSIS of $man"
}

help=$(timeout 10 "$HINIT" --help) || fail "hinit --help failed"
opts=$(grep -oE '(^|[ ,])--?[a-z][a-z-]*' <<<"$help" | tr -d ' ,' | sort -u)
[ "$(wc -l <<<"$opts")" -ge 15 ] || fail "too few options in --help: $opts"
for o in $opts; do
	documented "$o" "hinit"
done
pass "$(wc -l <<<"$opts") options of hinit --help are in hinit(8)"

for cmd in status check wait; do
	usage=$(timeout 10 "$HINIT" "$cmd" --help 2>&1) ||
	    fail "hinit $cmd --help failed"
	expect_match "hinit $cmd --help" "^usage: hinit $cmd" "$usage"
	grep -q "^\.Cm $cmd\$" <<<"$synopsis" ||
	    fail "hinit $cmd: not in the SYNOPSIS"
	sed -n '/^\.Sh COMMANDS/,/^\.Sh PROBES/p' "$man" |
	    grep -A1 '^\.It Xo$' | grep -q "^\.Cm $cmd\$" ||
	    fail "hinit $cmd: no entry under COMMANDS"
	n=0
	for o in $(grep -oE -- '--[a-z][a-z-]*' <<<"$usage" | sort -u); do
		documented "$o" "hinit $cmd"
		n=$((n + 1))
	done
	pass "hinit $cmd: $n options in hinit(8)"
done
