#!/usr/bin/env bash
# A stepped ramp: every step's report, the table and the knee in ramp.json; exit 0 when a knee was found
# (or every step passed), 1 when even the first step broke a threshold.
source "$(dirname "$0")/lib.sh"
start_server
cat >"$TMP/ramp.json" <<JSON
{ "name": "t-ramp", "target": { "url": "$SERVER_URL" },
  "steps": { "from": 2, "step": 2, "to": 6, "step_s": 1 }, "think_ms": 20,
  "thresholds": ["p99_ms<60000"] }
JSON
expect_exit 0 "$SIOCRYPT" run "$TMP/ramp.json" --out "$TMP/all" --quiet
j=$TMP/all/ramp.json
[ "$(jq '.steps | length' "$j")" = 3 ] || fail "steps: $(jq -c .steps "$j")"
[ "$(jq -c '[.steps[].clients]' "$j")" = "[2,4,6]" ] || fail "clients per step"
[ "$(jqr "$j" .knee.clients)" = 6 ] && [ "$(jqr "$j" .knee.beyond_last_step)" = true ] || fail "knee $(jq -c .knee "$j")"
for s in step-01-2c step-02-4c step-03-6c; do
    [ "$(jqr "$TMP/all/$s/report.json" .clients)" = "${s##*-}" ] 2>/dev/null ||
        [ "$(jqr "$TMP/all/$s/report.json" .clients)c" = "${s##*-}" ] || fail "$s report"
    [ "$(jqr "$TMP/all/$s/report.json" .messages.verified)" -gt 0 ] || fail "$s verified nothing"
done
grep -q 'beyond 6 clients' "$TMP/all/ramp.md" || fail "ramp.md does not say where the knee is"

expect_exit 1 "$SIOCRYPT" run "$TMP/ramp.json" --threshold 'p99_ms<0.0001' --out "$TMP/none" --quiet
[ "$(jq '.steps | length' "$TMP/none/ramp.json")" = 1 ] || fail "the ramp went on after the first step failed"
[ "$(jqr "$TMP/none/ramp.json" .knee)" = null ] || fail "a knee without a passing step"
echo "ok: 3 steps with reports, knee beyond the last; first-step failure gives no knee and exit 1"
