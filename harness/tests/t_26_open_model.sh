#!/usr/bin/env bash
# Open model, no coordinated omission: messages go out on schedule while the server is stalled (SIGSTOP for
# one second), so the stall shows up as latency of every message sent during it, not as fewer samples.
source "$(dirname "$0")/lib.sh"
start_server
clients=2 rate=50 secs=4
( sleep 1.5; kill -STOP "$SERVER_PID"; sleep 1; kill -CONT "$SERVER_PID" ) &
stall=$!
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --clients $clients --rate $rate \
    --duration ${secs}s --messages 0 --out "$TMP/r" --quiet
wait $stall
r=$TMP/r/report.json
sent=$(jqr "$r" .messages.sent)
want=$((clients * rate * secs))
# the end of the duration is seen at the next sweep of a loaded 2-core machine: allow 100 ms of schedule past it
[ "$sent" -ge $((want * 9 / 10)) ] && [ "$sent" -le $((want + clients + clients * rate / 10)) ] ||
    fail "sent $sent messages, want about $want on schedule"
[ "$(jqr "$r" .messages.verified)" = "$sent" ] || fail "verified $(jqr "$r" .messages.verified) of $sent"
[ "$(jqr "$r" .histograms.round_trip.count)" = "$sent" ] || fail "not one latency sample per message"
[ "$(jqr "$r" .model)" = open ] || fail "model $(jqr "$r" .model)"
# about a quarter of the messages were due during the stall: the p90 must show it, the max near the stall
p90=$(jqr "$r" .latency_ms.p90) max=$(jqr "$r" .latency_ms.max)
[ "$(jq -n "$p90 > 200")" = true ] || fail "p90 $p90 ms hides the 1 s stall (coordinated omission?)"
[ "$(jq -n "$max > 800")" = true ] || fail "max $max ms: the stall is missing"
echo "ok: $sent messages on schedule, p90 $p90 ms, max $max ms across a 1 s stall"
