#!/usr/bin/env bash
# Thresholds gate with the right exit codes: pass 0, a failed threshold 1 (and a JUnit failure),
# an unknown metric or bad scenario 2 with a message naming the problem and no report written.
source "$(dirname "$0")/lib.sh"
start_server
run=(run scenarios/smoke.json --url "$SERVER_URL" --clients 2 --messages 5 --quiet)
expect_exit 0 "$SIOCRYPT" "${run[@]}" --threshold 'p99_ms<60000' --threshold 'round_trips_per_s>0.1' --out "$TMP/pass"
[ "$(jq '[.thresholds[] | select(.pass)] | length' "$TMP/pass/report.json")" -ge 3 ] || fail "thresholds not reported"
grep -q 'failures="0"' "$TMP/pass/junit.xml" || fail "junit: failures in a passing run"

expect_exit 1 "$SIOCRYPT" "${run[@]}" --threshold 'p99_ms<0.001' --out "$TMP/fail"
[ "$(jq -r '.thresholds[] | select(.expr == "p99_ms<0.001") | .pass' "$TMP/fail/report.json")" = false ] ||
    fail "the failed threshold is not marked failed"
grep -q '<failure' "$TMP/fail/junit.xml" || fail "junit has no failure for the failed threshold"
grep -q 'name="p99_ms&lt;0.001"' "$TMP/fail/junit.xml" || fail "junit does not name the threshold"

expect_exit 2 "$SIOCRYPT" "${run[@]}" --threshold 'p77_ms<5' --out "$TMP/usage"
grep -q 'p77_ms' "$TMP/out" || fail "the message does not name the bad metric"
[ ! -e "$TMP/usage" ] || fail "a usage error left a report folder behind"

printf '{"clients": 0}' >"$TMP/bad.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/bad.json" --url "$SERVER_URL" --out "$TMP/bad"
grep -q 'clients' "$TMP/out" || fail "the message does not name the bad field"
expect_exit 2 "$SIOCRYPT" run --clients nope scenarios/smoke.json
grep -q 'clients' "$TMP/out" || fail "the message does not name the bad option"
echo "ok: pass 0, fail 1 with a JUnit failure, bad metric / field / option 2"
