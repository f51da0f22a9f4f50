#!/usr/bin/env bash
# A connection storm: 10,000 websocket clients started at once (no ramp) against the real socket.io 4
# server, one round trip each. Before the connect gate (load/gate.c), libwebsockets' sorted timeout list
# made each pending connect walk all the others: about a thousand established and the rest timed out. Now
# at most connect_concurrency (256) per worker connect at once and the rest wait their turn: every client
# must establish, with no error, and connect_ms must count each client from its real start (every one of
# them far below the time the whole storm takes). Then the gate's settings: --connect-rate paces the
# starts (100 clients at 100 per second cannot all start within 0.9 s), and bad values are usage errors.
# How fast (CPU per connection at 1,000 and 10,000) is in `make bench` (storm), never asserted here.
source "$(dirname "$0")/lib.sh"
n=10000
cat >"$TMP/storm.json" <<JSON
{ "name": "storm", "target": { "url": "local", "transport": "websocket" }, "clients": $n, "messages": 1,
  "timeouts": { "connect_ms": 10000, "message_ms": 10000, "drain_ms": 5000 },
  "thresholds": ["connect_failures<1", "error_rate<=0"] }
JSON
expect_exit 0 "$SIOCRYPT" run "$TMP/storm.json" --out "$TMP/storm" --quiet
r="$TMP/storm/report.json"
[ "$(jqr "$r" .connections.attempted)" = $n ] || fail "storm: $(jqr "$r" .connections.attempted) attempted, not $n"
[ "$(jqr "$r" .connections.established)" = $n ] || fail "storm: only $(jqr "$r" .connections.established) of $n established"
[ "$(jqr "$r" .errors_total)" = 0 ] || fail "storm: errors $(jq -c .errors "$r")"
[ "$(jqr "$r" .messages.verified)" = $n ] || fail "storm: $(jqr "$r" .messages.verified) of $n round trips verified"
[ "$(jqr "$r" .connect_ms.count)" = $n ] || fail "storm: connect_ms has $(jqr "$r" .connect_ms.count) samples"
# counted from each client's real start, not from the storm's: the slowest is well below the whole run
jq -e '.connect_ms.max * 2 < .duration_s * 1000' "$r" >/dev/null ||
    fail "storm: connect_ms max $(jqr "$r" .connect_ms.max) ms over a $(jqr "$r" .duration_s) s run: queueing counted in it?"
echo "ok storm: $n clients with no ramp all established and verified, no errors, connect_ms p99 $(jqr "$r" .connect_ms.p99) ms over a $(jqr "$r" .duration_s | cut -c1-5) s run"

# --connect-rate: 100 clients at 100 connects/s: the last starts 0.99 s after the first
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 100 --messages 1 --connect-rate 100 --out "$TMP/rate" --quiet
r="$TMP/rate/report.json"
[ "$(jqr "$r" .connections.established)" = 100 ] || fail "connect-rate: $(jqr "$r" .connections.established) of 100 established"
jq -e '.phases.steady_s + .phases.ramp_s + .phases.drain_s >= 0.9' "$r" >/dev/null ||
    fail "connect-rate 100/s: 100 clients done in $(jq -c .phases "$r")"
echo "ok --connect-rate 100: 100 clients started over $(jqr "$r" '.phases.steady_s + .phases.ramp_s' | cut -c1-4) s"
# --connect-concurrency 1: one handshake at a time, still everyone connects; 0 is no limit
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 20 --connect-concurrency 1 --out "$TMP/one" --quiet
[ "$(jqr "$TMP/one/report.json" .connections.established)" = 20 ] || fail "connect-concurrency 1: not all established"
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 20 --connect-concurrency 0 --out "$TMP/zero" --quiet
echo "ok --connect-concurrency 1 and 0: all established"

for bad in "--connect-concurrency -1" "--connect-concurrency 1.5" "--connect-concurrency 1000001" \
           "--connect-rate 0.0001" "--connect-rate 20000000" "--connect-rate x"; do
    set -- $bad
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json "$1" "$2" --out "$TMP/bad" --quiet
    grep -q 'connect_\(concurrency\|rate\): must be' "$TMP/out" || fail "$bad: the message names no field: $(cat "$TMP/out")"
done
printf '{"connect_concurrency": "many"}' >"$TMP/bad.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/bad.json" --out "$TMP/bad" --quiet
grep -q 'connect_concurrency: must be an integer' "$TMP/out" || fail "scenario connect_concurrency: $(cat "$TMP/out")"
echo "ok bad connect_concurrency / connect_rate values are usage errors naming the field"
