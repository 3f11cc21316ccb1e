#!/bin/bash
# libpq checks the words of sslmode, gssencmode, channel_binding,
# target_session_attrs and ssl_{min,max}_protocol_version only when it
# connects. A target with a word it refuses (sslmode=requre) passed
# hinit -t and made every attempt fail ("no response: invalid sslmode
# value"), and hinit check exit 1 as if the server were down; it is a bad
# target: exit 2 wherever a target is read, naming the key and the words,
# without quoting the value (a variable may have brought it in).
. "$top_srcdir/tests/lib.sh"

export HINIT_TEST_PW=Pw-SeCrEt-12345
bad=("sslmode=requre" "sslmode=" "sslmode=REQUIRE" "gssencmode=maybe"
    "channel_binding=" "target_session_attrs=Any"
    "ssl_min_protocol_version=TLSv9" "ssl_max_protocol_version=tls1.2")
for q in "${bad[@]}"; do
	t="postgres://app:Pw-SeCrEt-12345@127.0.0.1:1/app?$q"
	printf '[check:db]\nurl = postgres://app:${HINIT_TEST_PW}@127.0.0.1:1/app?%s\n' \
	    "$q" >"$T/a.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/a.ini" 2>&1)
	expect_eq "-t exit code for $q ($out)" 2 "$?"
	expect_match "-t error for $q" "a.ini:2: \[check:db\] url: bad ${q%%=*} \(use " "$out"
	out2=$(timeout 10 "$HINIT" check "$t" 2>&1)
	expect_eq "hinit check exit code for $q ($out2)" 2 "$?"
	expect_match "hinit check error for $q" "^hinit: check: .*bad ${q%%=*} \(use " "$out2"
	out3=$(timeout 10 "$HINIT" wait --timeout 1s "$t" 2>&1)
	expect_eq "hinit wait exit code for $q ($out3)" 2 "$?"
	out4=$(timeout 10 "$HINIT" --check "$t" -- true 2>&1)
	expect_eq "--check exit code for $q ($out4)" 2 "$?"
	case "$out $out2 $out3 $out4" in
	*SeCrEt*) fail "the password is shown: $out $out2 $out3 $out4" ;;
	esac
done
pass "option words libpq refuses are config errors (exit 2)"

# gssencmode=require is a word libpq takes only where it has GSSAPI: the
# static build's has none, and says so when the URL is read.
if static_build; then
	gss_require=
	printf '[check:db]\nurl = postgres://app@127.0.0.1:1/app?gssencmode=require\n' \
	    >"$T/g.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/g.ini" 2>&1)
	expect_eq "-t exit code for gssencmode=require, static ($out)" 2 "$?"
	expect_match "-t error for gssencmode=require, static" \
	    "bad gssencmode \(use disable, prefer: this build's libpq has no GSSAPI\)" "$out"
	pass "gssencmode=require refused where libpq has no GSSAPI"
else
	gss_require=gssencmode=require
fi

# The words libpq takes still pass, protocol versions in any case and empty.
for q in sslmode=disable sslmode=verify-full $gss_require \
    channel_binding=prefer target_session_attrs=prefer-standby \
    ssl_min_protocol_version=tlsv1.2 ssl_max_protocol_version= \
    application_name=anything; do
	printf '[check:db]\nurl = postgres://app@127.0.0.1:1/app?%s\n' "$q" \
	    >"$T/b.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/b.ini" 2>&1)
	expect_eq "-t exit code for $q ($out)" 0 "$?"
	out2=$(timeout 10 "$HINIT" check --timeout 2s \
	    "postgres://app@127.0.0.1:1/app?$q" 2>&1)
	expect_eq "hinit check exit code for $q ($out2)" 1 "$?"
	expect_match "hinit check for $q" "refused" "$out2"
done
pass "the words libpq takes are taken"
