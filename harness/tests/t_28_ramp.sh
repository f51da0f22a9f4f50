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

# Each step's figures are its own. total_rate is shared by THIS step's clients (it was split by the
# scenario's clients once, so step 3 offered 3x the rate), and harness CPU is this step's getrusage delta
# (it was the process's total so far, so later steps carried the earlier ones).
cat >"$TMP/rate.json" <<JSON
{ "name": "t-ramp-rate", "target": { "url": "$SERVER_URL" },
  "steps": { "from": 2, "step": 2, "to": 6, "step_s": 1 }, "total_rate": 20,
  "thresholds": ["p99_ms<60000"] }
JSON
expect_exit 0 "$SIOCRYPT" run "$TMP/rate.json" --out "$TMP/rate" --quiet
for s in step-01-2c step-02-4c step-03-6c; do
    r="$TMP/rate/$s/report.json"
    [ "$(jqr "$r" .model)" = open ] || fail "$s: not the open model"
    awk -v x="$(jqr "$r" .rate)" 'BEGIN { exit !(x > 19.99 && x < 20.01) }' ||
        fail "$s: offered $(jqr "$r" .rate) messages/s, the scenario's total_rate is 20"
    # 20/s for 1 s (+ the first message of each client at once): far below 3x of it
    [ "$(jqr "$r" .messages.sent)" -le 40 ] || fail "$s: sent $(jqr "$r" .messages.sent) in 1 s at 20/s"
done
echo "ok: total_rate 20 offered at 20/s by every step (2, 4 and 6 clients)"

# closed model flat out, three steps of similar work: summed per-step CPU must fit in the process's
# whole CPU (cumulative figures add up to about twice as much)
cat >"$TMP/cpu.json" <<JSON
{ "name": "t-ramp-cpu", "target": { "url": "$SERVER_URL" },
  "steps": { "from": 4, "step": 2, "to": 8, "step_s": 1 }, "thresholds": ["p99_ms<60000"] }
JSON
TIMEFORMAT='%U %S'
{ time "$SIOCRYPT" run "$TMP/cpu.json" --out "$TMP/cpu" --quiet >"$TMP/cpu.out" 2>&1; } 2>"$TMP/cpu.time" ||
    fail "cpu ramp failed: $(cat "$TMP/cpu.out")"
total=$(tail -1 "$TMP/cpu.time" | awk '{ print $1 + $2 }')
steps=$(jq -s '[.[].harness.cpu_s] | add' "$TMP"/cpu/step-*/report.json)
first=$(jq .harness.cpu_s "$TMP/cpu/step-01-4c/report.json")
awk -v s="$steps" -v t="$total" -v f="$first" 'BEGIN { exit !(f > 0 && s <= t * 1.05 + 0.02) }' ||
    fail "per-step harness CPU adds up to $steps s, more than the process used ($total s): cumulative?"
echo "ok: per-step harness CPU (sum $steps s) within the process's $total s"
echo "ok: 3 steps with reports, knee beyond the last; first-step failure gives no knee and exit 1"
