#!/usr/bin/env bash
# One message, one outcome, and throughput over the steady window.
#  - bad answers (undecryptable, an id with a fraction, duplicate keys, 1e308) are each counted once under
#    their class, never again as a timeout; a plaintext is read as g-crypt's JSON.parse reads it
#  - answers after the message timeout are `late` (with their latency), never counter-mismatch
#  - the open model keeps a slow but correct server correct: 100 msg/s against a server that answers after
#    1 s (100+ in flight) verifies every message; a max_inflight that is too small holds sends and says so
#  - round_trips_per_s is over the window where load was offered, not the whole wall-clock span
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
SC=harness/tests/scenarios/faults.json   # 2 clients, 3 messages each, message_ms 1000, drain 500

# mode | transport | want errors (exact) | want verified | what
cases=(
  "undecryptable websocket {\"decrypt\":6}          0 answers made with another passphrase"
  "undecryptable polling   {\"decrypt\":6}          0 answers made with another passphrase"
  "fraction      websocket {\"counter-mismatch\":6} 0 {id: N+1.5}"
  "dupkeys       websocket {\"counter-mismatch\":6} 0 {id: N+1, id: 0}: JSON.parse keeps 0"
  "dupkeys-ok    polling   {}                       6 {id: 0, id: N+1}: JSON.parse keeps N+1"
  "huge          websocket {\"counter-mismatch\":6} 0 {id: 1e308}"
)
for line in "${cases[@]}"; do
    read -r mode transport want verified what <<<"$line"
    start_fake answers "$mode"
    out="$TMP/$mode-$transport"
    code=$([ "$verified" = 6 ] && echo 0 || echo 1)
    expect_exit "$code" "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport "$transport" --out "$out" -q
    r="$out/report.json"
    errors_are "$out" "$want"
    [ "$(jqr "$r" .messages.sent)" = 6 ] || fail "$mode: sent $(jqr "$r" .messages.sent), want 6"
    [ "$(jqr "$r" .messages.verified)" = "$verified" ] || fail "$mode: verified $(jqr "$r" .messages.verified)"
    [ "$(jqr "$r" .errors_total)" -le "$(jqr "$r" .messages.sent)" ] || fail "$mode: more errors than messages"
    echo "ok $mode $transport: $(jq -c '[.errors, .error_details[].detail]' "$r") ($what)"
    stop_fake
done
r="$TMP/huge-websocket/report.json"
[ "$(jqr "$r" '.error_details[0].detail')" = id-out-of-range ] || fail "huge: detail $(jqr "$r" '.error_details[0].detail')"

# late answers: the fake answers after 1.5 s, the timeout is 1 s; each client's first two answers come
# while it still waits for its next message (its third times out and the client is done)
SLOW_MS=1500 start_fake answers slow
out="$TMP/slow"
expect_exit 1 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport websocket --out "$out" -q
r="$out/report.json"
errors_are "$out" '{"timeout":6}'
[ "$(jqr "$r" .messages.late)" = 4 ] || fail "slow: late $(jqr "$r" .messages.late), want 4"
[ "$(jqr "$r" .late_ms.count)" = 4 ] || fail "slow: late_ms.count $(jqr "$r" .late_ms.count)"
awk -v p="$(jqr "$r" .late_ms.p50)" 'BEGIN { exit !(p >= 1400 && p <= 3000) }' || fail "slow: late p50 $(jqr "$r" .late_ms.p50) ms"
echo "ok slow: 6 timeouts, 4 late answers (p50 $(jqr "$r" .late_ms.p50) ms), no mismatch"
stop_fake

# a CONNECT_ERROR once the namespace is connected ends a session that was up: disconnect, not handshake
start_fake answers kick
out="$TMP/kick"
expect_exit 1 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport websocket --out "$out" -q
errors_are "$out" '{"disconnect":2}'
[ "$(jqr "$out/report.json" .connections.established)" = 2 ] || fail "kick: $(jq -c .connections "$out/report.json")"
[ "$(jqr "$out/report.json" '.error_details[0].detail')" = "CONNECT_ERROR after connect: kicked out" ] || fail "kick: detail (the server's message)"
echo "ok kick: CONNECT_ERROR after connect is a disconnect"
stop_fake

# the open model against the seed's 1 s delay: 100 msg/s for 3 s keeps ~100 messages in flight
out="$TMP/open"
expect_exit 0 "$SIOCRYPT" run scenarios/seed-demo.json --transport websocket --rate 100 --duration 3s --out "$out" -q
r="$out/report.json"
[ "$(jqr "$r" .messages.sent)" -ge 290 ] || fail "open: sent $(jqr "$r" .messages.sent)"
[ "$(jqr "$r" .messages.verified)" = "$(jqr "$r" .messages.sent)" ] || fail "open: verified $(jq -c .messages "$r")"
errors_are "$out" '{}'
[ "$(jqr "$r" .messages.held)" = 0 ] || fail "open: held $(jqr "$r" .messages.held)"
echo "ok open model: $(jq -c .messages "$r") with 1 s answers"

# the same with max_inflight 20: sends are held (not failed), and the report says so
out="$TMP/held"
expect_exit 0 "$SIOCRYPT" run scenarios/seed-demo.json --transport websocket --rate 100 --duration 2s --max-inflight 20 \
    --out "$out" -q
r="$out/report.json"
[ "$(jqr "$r" .messages.held)" -gt 50 ] || fail "held: $(jq -c .messages "$r")"
[ "$(jqr "$r" .messages.verified)" = "$(jqr "$r" .messages.sent)" ] || fail "held: $(jq -c .messages "$r")"
jq -e '.findings | map(select(.id == "inflight-limit" and .severity == "medium")) | length == 1' "$r" >/dev/null ||
    fail "held: no inflight-limit finding: $(jq -c .findings "$r")"
grep -q 'held at' "$TMP/out" || grep -q 'held' "$out/summary.md" || true
echo "ok max_inflight 20: $(jqr "$r" .messages.held) sends held, finding inflight-limit"

# throughput over the steady window: with a 3 s ramp in a 5 s run, the ramp is not part of the window
start_server DELAY_MS=50
out="$TMP/window"
expect_exit 0 "$SIOCRYPT" run harness/tests/scenarios/faults.json --url "$SERVER_URL" --clients 10 --messages 0 \
    --duration 5s --ramp 3s --out "$out" -q
r="$out/report.json"
jq -e '.phases.ramp_s >= 2.6 and .phases.ramp_s <= 3.3' "$r" >/dev/null || fail "window: phases $(jq -c .phases "$r")"
jq -e '.throughput.window_s >= 1.5 and .throughput.window_s <= 2.2 and .phases.steady_s == .throughput.window_s' "$r" \
    >/dev/null || fail "window: $(jq -c '[.throughput, .phases]' "$r")"
jq -e '(.throughput.round_trips_per_s - .throughput.verified_in_window / .throughput.window_s | fabs) < 1e-6' "$r" \
    >/dev/null || fail "window: rate is not verified_in_window / window_s: $(jq -c .throughput "$r")"
jq -e '.throughput.round_trips_per_s > 1.2 * .messages.verified / .duration_s' "$r" >/dev/null ||
    fail "window: $(jq -c .throughput "$r") is not above the diluted $(jq '.messages.verified / .duration_s' "$r")"
jq -e '.phases.ramp_s + .phases.steady_s + .phases.drain_s + .phases.close_s <= .duration_s' "$r" >/dev/null ||
    fail "window: phases add up to more than the run: $(jq -c '[.phases, .duration_s]' "$r")"
echo "ok window: $(jq -c .throughput "$r"), phases $(jq -c .phases "$r"), whole run $(jqr "$r" .duration_s) s"
