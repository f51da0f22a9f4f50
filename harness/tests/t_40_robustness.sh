#!/usr/bin/env bash
# The robustness scenario against the real servers. The seed's server dies on the first malformed
# envelope (not-json): crash-on-bad-envelope names it, the later probes are listed as not run, exit 1.
# The harmless probes before it still find replay-accepted, iv-field-ignored and no-integrity.
# The HARDENED=1 server survives every probe: no crash finding, replay still accepted, exit 0.
source "$(dirname "$0")/lib.sh"

expect_exit 1 "$SIOCRYPT" run scenarios/robustness.json --out "$TMP/seed" --quiet
r="$TMP/seed/report.json"
has() { [ "$(jq --arg id "$2" '[.findings[] | select(.id == $id)] | length' "$1")" = 1 ] || fail "$1: no finding $2: $(jq -c '[.findings[].id]' "$1")"; }
hasnt() { [ "$(jq --arg id "$2" '[.findings[] | select(.id == $id)] | length' "$1")" = 0 ] || fail "$1: unexpected finding $2"; }
has "$r" crash-on-bad-envelope
has "$r" replay-accepted
has "$r" iv-field-ignored
has "$r" no-integrity
has "$r" shared-passphrase
[ "$(jqr "$r" '.findings[] | select(.id == "crash-on-bad-envelope") | .severity')" = high ] || fail "crash not high"
jqr "$r" '.findings[] | select(.id == "crash-on-bad-envelope") | .detail' | grep -q 'after the not-json probe' \
    || fail "crash finding does not name not-json: $(jqr "$r" '.findings[0].detail')"
jqr "$r" '.findings[] | select(.id == "crash-on-bad-envelope") | .detail' | grep -q 'not run because the server was gone: missing-salt' \
    || fail "crash finding does not list the probes not run"
jqr "$r" '.findings[] | select(.id == "crash-on-bad-envelope") | .evidence' | grep -q 'exited with status' \
    || fail "crash evidence does not say the local server exited"
[ "$(jqr "$r" '.probes | map(select(.name == "not-json"))[0] | .health | startswith("failed: connect-refused")')" = true ] \
    || fail "not-json health: $(jq -c '.probes' "$r")"
[ "$(jqr "$r" '[.probes[] | select(.ran == false)] | length')" = 7 ] || fail "expected 7 probes not run"
[ "$(jqr "$r" '.probes[0:4] | map(.outcome) | join(",")')" = "answered,answered,answered,answered" ] \
    || fail "harmless probes: $(jq -c '.probes[0:4]' "$r")"
grep -q 'crash-on-bad-envelope' "$TMP/seed/summary.md" || fail "summary.md lacks the finding"
grep -q 'crash-on-bad-envelope' "$TMP/seed/report.html" || fail "report.html lacks the finding"
grep -q 'name="crash-on-bad-envelope"' "$TMP/seed/junit.xml" || fail "junit.xml lacks the finding"
grep -q 'failure type="finding"' "$TMP/seed/junit.xml" || fail "junit.xml: the high finding does not fail"

start=$(date +%s)
expect_exit 0 "$SIOCRYPT" run harness/tests/scenarios/robustness-hardened.json --out "$TMP/hard" --quiet
r="$TMP/hard/report.json"
hasnt "$r" crash-on-bad-envelope
has "$r" replay-accepted
has "$r" iv-field-ignored
has "$r" shared-passphrase
hasnt "$r" salt-reuse
hasnt "$r" iv-mismatch
[ "$(jqr "$r" '[.probes[] | select(.ran == false)] | length')" = 0 ] || fail "hardened: probes not run: $(jq -c '.probes' "$r")"
[ "$(jqr "$r" '[.probes[] | select(.ran and .name != "baseline" and .health != "ok")] | length')" = 0 ] \
    || fail "hardened: a health check failed"
[ "$(jqr "$r" '.probes | map(select(.name == "wrong-passphrase"))[0] | .outcome')" = counter_error ] \
    || fail "hardened: wrong-passphrase not answered with counter_error"
[ "$(jqr "$r" '.probes | length')" = 12 ] || fail "hardened: expected 12 probes"
[ $(( $(date +%s) - start )) -le 20 ] || fail "hardened probes took too long"
echo "ok: seed crashes on not-json; hardened survives all 12 probes, replay accepted"

# The baseline's answer is read as g-crypt's JSON.parse reads it, as the load path and the health checks
# read it: {"id": N+1, "id": 0} is the wrong id (the last key wins), so the baseline fails and nothing is
# blamed on a later probe; {"id": 0, "id": N+1} is the right one, so the probes run.
source "$(dirname "$0")/faults.sh"
start_fake answers dupkeys
expect_exit 1 "$SIOCRYPT" run scenarios/robustness.json --url "http://127.0.0.1:$FAKE_PORT" --out "$TMP/dup" --quiet
r="$TMP/dup/report.json"
has "$r" probe-baseline-failed
hasnt "$r" crash-on-bad-envelope
[ "$(jqr "$r" '.probes[0].outcome')" = answered ] || fail "dupkeys: baseline $(jq -c '.probes[0]' "$r")"
stop_fake
start_fake answers dupkeys-ok
expect_exit 1 "$SIOCRYPT" run scenarios/robustness.json --url "http://127.0.0.1:$FAKE_PORT" --out "$TMP/dupok" --quiet
r="$TMP/dupok/report.json"
hasnt "$r" probe-baseline-failed
has "$r" replay-accepted
stop_fake
echo "ok: the baseline's answer is read as JSON.parse reads it (duplicate keys: the last wins)"
