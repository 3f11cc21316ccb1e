#!/bin/bash
# etc/hinit.ini, the commented sample, uses every key of the key tables and
# passes hinit -t, which shows every key hinit.ini(5) documents (the check
# types' own, in their modules, too); its resolved form passes again
# unchanged.
. "$top_srcdir/tests/lib.sh"

sample=$top_srcdir/etc/hinit.ini
out=$(timeout 10 "$HINIT" -t -c "$sample" 2>&1)
expect_eq "hinit -t etc/hinit.ini exit code" 0 "$?"
pass "the sample passes hinit -t"

# Every key the table knows is set in the sample (each section's keys).
for section in hinit check task; do
	keys=$(printf '%s\n' "$out" | awk -v s="$section" '
	    /^\[/ { cur = $0; sub(/^\[/, "", cur); sub(/[:\]].*/, "", cur) }
	    /^[a-z_]+ =/ && cur == s { print $1 }' | sort -u)
	for k in $keys; do
		awk -v s="$section" -v k="$k" '
		    /^\[/ { cur = $0; sub(/^\[/, "", cur); sub(/[:\]].*/, "", cur) }
		    cur == s && $1 == k && ($2 == "=" || $1 ~ /=$/) { found = 1 }
		    END { exit !found }' "$sample" ||
		    fail "[$section] key '$k' is not in the sample"
	done
done
# command and url of a check are both used (in different checks).
grep -q '^command = ' "$sample" || fail "no command key in the sample"
pass "the sample uses every key"

# And -t sees every key hinit.ini(5) documents, the check types' own too
# (the modules' tables, loaded as the sample's checks need them): each in
# a section of its kind, with its one-line help before it.
man=$top_srcdir/man/hinit.ini.5
n=0
while read -r section key; do
	printf '%s\n' "$out" | awk -v s="$section" -v k="$key" '
	    /^\[/ { cur = $0; sub(/^\[/, "", cur); sub(/[:\]].*/, "", cur) }
	    $1 == k && $2 == "=" && !first { first = 1; helped = prev ~ /^; / }
	    cur == s && $1 == k && $2 == "=" { found = 1 }
	    { prev = $0 }
	    END { exit !(found && helped) }' ||
	    fail "[$section] key '$key' of hinit.ini(5) is not in hinit -t"
	n=$((n + 1))
done < <(awk '
    /^\.Ss / { s = "" }
    /^\.Ss The hinit section/ { s = "hinit" }
    /^\.Ss Check sections/ { s = "check" }
    /^\.Ss Task sections/ { s = "task" }
    /^\.Sh / { s = "" }
    s != "" && /^\.It Ic / { print s, $3 }' "$man")
[ "$n" -ge 40 ] || fail "only $n keys found in $man"
pass "hinit -t shows all $n keys of hinit.ini(5)"

printf '%s\n' "$out" >"$T/resolved.ini"
out2=$(timeout 10 "$HINIT" -t -c "$T/resolved.ini" 2>&1)
expect_eq "re-read exit code" 0 "$?"
expect_eq "re-read output" "$(printf '%s\n' "$out" | tail -n +2)" "$(printf '%s\n' "$out2" | tail -n +2)"
pass "the resolved sample reads back the same"
