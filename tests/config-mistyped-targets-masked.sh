#!/bin/bash
# A mistyped target ("postgres:/app:PASSWORD@host", one '/' short) is no
# URL, yet its password is masked in the error: in the file, with --check
# in init mode, in hinit check and hinit wait. libpq's own URI errors,
# which quote the piece they cannot read, never quote a password=
# parameter. hinit -t shows listen and status_file as written; a value
# that a variable fills with a line break is refused, not printed as the
# start of a new section.
. "$top_srcdir/tests/lib.sh"

no_secret() {	# no_secret WHAT TEXT
	case $2 in
	*SeCrEt*) fail "$1 shows a secret: $2" ;;
	esac
}

# bad NAME EXPECTED-REGEX: hinit -t on $T/NAME.ini (stdin) exits 2 with an
# error matching the regex, and no secret.
bad() {
	local name=$1 re=$2 out
	cat >"$T/$name.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/$name.ini" 2>&1)
	expect_eq "$name: exit code" 2 "$?"
	expect_match "$name: error" "$re" "$out"
	no_secret "$name" "$out"
	pass "$name: refused without the secret"
}

bad file-one-slash "url: 'postgres:/app:\*\*\*@127\.0\.0\.1/db' is not a URL" <<'X'
[check:db]
url = postgres:/app:SeCrEt-1@127.0.0.1/db
X
bad file-no-slash "url: 'postgresql:\*\*\*@127\.0\.0\.1' is not a URL" <<'X'
[check:db]
url = postgresql:app:SeCrEt-1@127.0.0.1
X
bad file-scheme-only "url: 'postgresql:' is not a URL" <<'X'
[check:db]
url = postgresql:
X
bad libpq-query "invalid percent-encoded token" <<'X'
[check:db]
url = postgres://app@127.0.0.1:5432/db?sslmode=disable&password=SeCrEt-2%zz
X
export PGQ='SeCrEt-3%zz'
bad libpq-query-variable "invalid percent-encoded token" <<'X'
[check:db]
url = postgres://app@127.0.0.1:5432/db?password=${PGQ}
X

# The command line: init mode, hinit check, hinit wait.
for t in 'postgres:/app:SeCrEt-4@127.0.0.1/db' 'redis:SeCrEt-5@127.0.0.1' \
    'postgres://app@127.0.0.1/db?password=SeCrEt-6%zz'; do
	out=$(timeout 10 "$HINIT" --check "$t" -- touch "$T/started" 2>&1)
	expect_eq "--check $t: exit code" 2 "$?"
	no_secret "--check" "$out"
	expect_match "--check $t: error" "\*\*\*|percent" "$out"
	out=$(timeout 10 "$HINIT" check "$t" 2>&1)
	expect_eq "check $t: exit code" 2 "$?"
	no_secret "hinit check" "$out"
	out=$(timeout 10 "$HINIT" wait --timeout 1s "$t" 2>&1)
	expect_eq "wait $t: exit code" 2 "$?"
	no_secret "hinit wait" "$out"
done
[ ! -e "$T/started" ] || fail "the app started"
pass "mistyped targets on the command line are masked"

# -t shows listen, status_file and wait as written.
port=$(free_port)
export LISTEN="127.0.0.1:$port" SF="$T/SeCrEt-7.json" W=SeCrEt-8
cat >"$T/written.ini" <<'X'
[hinit]
listen = ${LISTEN}
status_file = ${SF}
wait = ${W}
[check:SeCrEt-8]
url = tcp://127.0.0.1:1
X
out=$(timeout 10 "$HINIT" -t -c "$T/written.ini" 2>&1)
expect_eq "written: exit code ($out)" 0 "$?"
expect_match "listen as written" $'\nlisten = \\$\\{LISTEN\\}\n' "$out"
expect_match "status_file as written" $'\nstatus_file = \\$\\{SF\\}\n' "$out"
expect_match "wait as written" $'\nwait = \\$\\{W\\}\n' "$out"
no_secret "-t" "$(grep -v '^\[check:' <<<"$out")"
# The command line's value, as given.
out=$(timeout 10 "$HINIT" -t -c "$T/written.ini" --listen ":$port" 2>&1)
expect_match "--listen over the file" $'\nlisten = :'"$port"$'\n' "$out"
pass "-t shows listen, status_file and wait as written"

# A line break from a variable: refused, never a new section in -t.
export NL=$'/tmp/x.json\n[check:evil]\nurl = tcp://127.0.0.1:1'
for key in status_file listen; do
	printf '[hinit]\n%s = ${NL}\n' "$key" >"$T/nl.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/nl.ini" 2>&1)
	expect_eq "$key with a line break: exit code" 2 "$?"
	expect_match "$key with a line break" "$key: .*line break" "$out"
	expect_no_match "$key: no new section" "evil" "$out"
done
printf '[check:c]\nurl = tcp://127.0.0.1:1\n[task:t]\nwait = ${NL}\ncommand = true\n' \
    >"$T/nl.ini"
out=$(timeout 10 "$HINIT" -t -c "$T/nl.ini" 2>&1)
expect_eq "wait with a line break: exit code" 2 "$?"
expect_no_match "wait: no new section" "evil" "$out"
pass "a line break from a variable is refused"
