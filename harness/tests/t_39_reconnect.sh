#!/usr/bin/env bash
# Reconnection (scenario reconnect{}, --reconnect) through a rolling restart, over every transport: the real socket.io 4 server,
# started here on a fixed port, is killed mid-run and started again on the same port. Every client drops,
# comes back and goes on counting (a fresh id); the report shows the outage (drops, the failed attempts),
# the recovery (reconnects, reconnect_ms) and every message's one outcome (those in flight at the drop are
# `disconnect`, none is a mismatch). Then: max_attempts gives up, merge reads it all back, bad fields.
source "$(dirname "$0")/lib.sh"
PORT=$(free_port)
SRV=""
trap '[ -n "$SRV" ] && kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
server_up() {   # server_up [ENV=VAL...]
    : >"$TMP/server.log"
    env PORT=$PORT HOST=127.0.0.1 LOG=0 DELAY_MS=0 "$@" node server/server.js >>"$TMP/server.log" 2>&1 &
    SRV=$!
    for _ in $(seq 100); do grep -q "^listening on" "$TMP/server.log" && return 0; sleep 0.1; done
    fail "server did not start on $PORT: $(cat "$TMP/server.log")"
}
server_kill() { kill -9 "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=""; }

cat >"$TMP/rc.json" <<J
{ "clients": 6, "duration_s": 9, "reconnect": {"delay_ms": 200, "max_delay_ms": 800},
  "timeouts": {"connect_ms": 1000, "message_ms": 2000, "drain_ms": 2000} }
J
clients=6
# every transport on Engine.IO 4, and polling and upgrade on Engine.IO 3 (the client pings there)
for leg in "websocket 4" "polling 4" "upgrade 4" "polling 3" "upgrade 3"; do
    read -r transport eio <<<"$leg"
    if [ "$eio" = 4 ]; then out="$TMP/$transport"; srv_env=(); else out="$TMP/$transport-eio3"; srv_env=(ALLOW_EIO3=1); fi
    server_up "${srv_env[@]}"
    timeout 60 "$SIOCRYPT" run "$TMP/rc.json" --url "http://127.0.0.1:$PORT" --transport $transport --eio $eio \
        --threshold 'reconnect_ms<8000' --out "$out" -q >"$TMP/out" 2>&1 &
    run=$!
    sleep 2.5
    server_kill
    down_s=$(date +%s)
    sleep 2
    up_s=$(date +%s)
    server_up "${srv_env[@]}"
    rc=0; wait $run || rc=$?
    server_kill
    r="$out/report.json"
    [ -s "$r" ] || { cat "$TMP/out" >&2; fail "$transport: no report (exit $rc)"; }
    [ "$rc" = 1 ] || fail "$transport: exit $rc, want 1 (the outage is errors)"
    q() { jqr "$r" "$1"; }
    [ "$(q .reconnection.drops)" = $clients ] || fail "$transport: drops $(jq -c .reconnection "$r")"
    [ "$(q .reconnection.reconnects)" = $clients ] || fail "$transport: reconnects $(jq -c .reconnection "$r")"
    [ "$(q .reconnect_ms.count)" = $clients ] || fail "$transport: reconnect_ms $(jq -c .reconnect_ms "$r")"
    [ "$(q '.histograms.reconnect.count // .reconnect_ms.count')" = $clients ] || fail "$transport: histogram"
    # the server was down about 2 s: no client can have come back sooner than 1.5 s, all within the bound
    [ "$(q '.reconnect_ms.min >= 1500 and .reconnect_ms.max < 8000')" = true ] ||
        fail "$transport: reconnect_ms $(jq -c .reconnect_ms "$r")"
    [ "$(q '[.thresholds[] | select(.metric == "reconnect_ms" and .pass)] | length')" = 1 ] ||
        fail "$transport: threshold $(jq -c .thresholds "$r")"
    [ "$(q .connections.established)" = $((2 * clients)) ] || fail "$transport: $(jq -c .connections "$r")"
    [ "$(q '.connections.attempted == .connections.established + .connections.failed')" = true ] ||
        fail "$transport: $(jq -c .connections "$r")"
    [ "$(q '.errors | keys - ["disconnect", "connect-refused", "handshake", "timeout"] | length')" = 0 ] ||
        fail "$transport: unexpected classes $(jq -c .errors "$r")"
    # one outcome per message: verified, or given up at the drop (closed model: at most one per client)
    inflight=$(q '[.error_details[] | select(.detail == "in flight at the drop") | .count] | add // 0')
    [ "$inflight" -le $clients ] || fail "$transport: $inflight in flight at the drop"
    [ "$(q .messages.sent)" = $(( $(q .messages.verified) + inflight )) ] ||
        fail "$transport: $(jq -c '[.messages, .error_details]' "$r")"
    before=$(jq "[.timeline.seconds[] | select(.t < $down_s) | .verified] | add // 0" "$r")
    after=$(jq "[.timeline.seconds[] | select(.t > $up_s) | .verified] | add // 0" "$r")
    [ "$before" -gt 0 ] && [ "$after" -gt 0 ] || fail "$transport: verified $before before, $after after the outage"
    grep -q "Reconnects   $clients drops, $clients reconnected" "$TMP/out" || fail "$transport: summary: $(cat "$TMP/out")"
    transport="$transport (EIO $eio)"
    echo "ok $transport: $clients dropped and reconnected in $(q .reconnect_ms.min)..$(q .reconnect_ms.max) ms," \
         "$before verified before, $after after, $inflight given up at the drop"
done

# merge reads drops, reconnects and the histogram back, and adds them
expect_exit 1 "$SIOCRYPT" merge --out "$TMP/merged" "$TMP/websocket/report.json" "$TMP/polling/report.json"
m="$TMP/merged/report.json"
[ "$(jqr "$m" .reconnection.reconnects)" = $((2 * clients)) ] && [ "$(jqr "$m" .reconnect_ms.count)" = $((2 * clients)) ] ||
    fail "merge: $(jq -c '[.reconnection, .reconnect_ms]' "$m")"
echo "ok merge: $(jq -c .reconnection "$m")"

# a server that stays down: two failed attempts, then the client gives up (the run ends long before 30 s)
server_up
cat >"$TMP/give-up.json" <<J
{ "clients": 2, "duration_s": 30, "reconnect": {"delay_ms": 100, "max_delay_ms": 200, "max_attempts": 2},
  "timeouts": {"connect_ms": 1000} }
J
timeout 60 "$SIOCRYPT" run "$TMP/give-up.json" --url "http://127.0.0.1:$PORT" --out "$TMP/give-up" -q >"$TMP/out" 2>&1 &
run=$!
sleep 1.5
server_kill
T0=$(date +%s%N)
rc=0; wait $run || rc=$?
ms=$(( ($(date +%s%N) - T0) / 1000000 ))
r="$TMP/give-up/report.json"
[ "$rc" = 1 ] && [ "$ms" -lt 10000 ] || fail "give-up: exit $rc after $ms ms"
[ "$(jqr "$r" .reconnection.drops)" = 2 ] && [ "$(jqr "$r" .reconnection.reconnects)" = 0 ] ||
    fail "give-up: $(jq -c .reconnection "$r")"
[ "$(jqr "$r" '.errors["connect-refused"]')" = 4 ] || fail "give-up: want 2 refused attempts each: $(jq -c .errors "$r")"
echo "ok max_attempts 2: gave up $ms ms after the kill, $(jq -c .errors "$r")"

# the scenario's checks (--reconnect alone takes the defaults)
for bad in '{"reconnect": {"jitter": 2}}|reconnect.jitter: must be a number in [0, 1]' \
           '{"reconnect": {"delay_ms": 3000, "max_delay_ms": 1000}}|reconnect.max_delay_ms: 1000 is below reconnect.delay_ms 3000' \
           '{"reconnect": {"max_attempts": -1}}|reconnect.max_attempts: must be an integer' \
           '{"reconnect": {"delay": 1}}|reconnect.delay: unknown key' \
           '{"reconnect": 1}|reconnect: must be true, false or an object'; do
    echo "${bad%%|*}" >"$TMP/bad.json"
    expect_exit 2 "$SIOCRYPT" run "$TMP/bad.json"
    grep -qF "${bad#*|}" "$TMP/out" || fail "want '${bad#*|}': $(cat "$TMP/out")"
done
echo "ok reconnect fields are checked"
