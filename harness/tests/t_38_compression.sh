#!/usr/bin/env bash
# permessage-deflate on the websocket (target.compression, --no-compression): offered as browsers offer it,
# negotiated with a socket.io 4 server that compresses every frame (PER_MESSAGE_DEFLATE=1, threshold 0),
# reported in report.json (websocket.compression) and the summary; not negotiated with a server that does
# not offer it, nor when turned off. A compressed message that inflates past limits.max_message_bytes is
# message-too-large, and frames left uncompressed by a deflate server (lws 4.1.6 looped on them) pass.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"

run() { expect_exit "$1" "$SIOCRYPT" run "${@:2}" -q; }
ws_is() {   # DIR COMPRESSION: report.json's websocket object says it, for every websocket opened
    local r="$1/report.json"
    [ "$(jqr "$r" .websocket.compression)" = "$2" ] || fail "$1: websocket $(jq -c .websocket "$r"), want $2"
    [ "$(jqr "$r" .websocket.opened)" -ge 1 ] || fail "$1: no websocket opened"
    local want; want=$([ "$2" = none ] && echo 0 || jqr "$r" .websocket.opened)
    [ "$(jqr "$r" .websocket.compressed)" = "$want" ] || fail "$1: websocket $(jq -c .websocket "$r")"
}
all_verified() {
    local r="$1/report.json"
    [ "$(jqr "$r" .messages.verified)" = 120 ] && [ "$(jqr "$r" .errors_total)" = 0 ] ||
        fail "$1: $(jq -c '[.messages, .errors]' "$r")"
}

start_server PER_MESSAGE_DEFLATE=1 ALLOW_EIO3=1
for leg in "websocket 4" "upgrade 4" "websocket 3" "upgrade 3"; do
    read -r transport eio <<<"$leg"
    run 0 scenarios/smoke.json --url "$SERVER_URL" --transport $transport --eio $eio --out "$TMP/z-$transport-$eio"
    all_verified "$TMP/z-$transport-$eio"
    ws_is "$TMP/z-$transport-$eio" permessage-deflate
    grep -q 'compression permessage-deflate' "$TMP/out" || fail "$transport: the summary does not say it"
    echo "ok $transport (EIO $eio): negotiated, every message verified"
done
run 0 scenarios/smoke.json --url "$SERVER_URL" --no-compression --out "$TMP/off"
all_verified "$TMP/off"
ws_is "$TMP/off" none
jq '.target.compression = false' scenarios/smoke.json >"$TMP/off.json"
run 0 "$TMP/off.json" --url "$SERVER_URL" --out "$TMP/off-file"
ws_is "$TMP/off-file" none
echo "ok compression off (--no-compression, target.compression false): none, even against the deflate server"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

start_server
run 0 scenarios/smoke.json --url "$SERVER_URL" --out "$TMP/plain"
all_verified "$TMP/plain"
ws_is "$TMP/plain" none
echo "ok a server without compression: none"

# A few KB on the wire, 8 MiB inflated, against a 1 MiB limit: the inflated bytes are what counts.
echo '{"clients":1,"messages":1,"limits":{"max_message_bytes":1048576},"timeouts":{"message_ms":3000}}' >"$TMP/bomb.json"
for mode in bomb plain; do
    start_fake deflate $mode
    T0=$(date +%s%N)
    run 1 "$TMP/bomb.json" --url "http://127.0.0.1:$FAKE_PORT" --out "$TMP/$mode" -v
    [ "$(elapsed_ms)" -le 20000 ] || fail "$mode: took $(elapsed_ms) ms"
    check_report "$TMP/$mode"
    errors_are "$TMP/$mode" '{"protocol": 1}'
    [ "$(jqr "$TMP/$mode/report.json" '.error_details[0].detail')" = message-too-large ] || fail "$mode: $(jq -c .error_details "$TMP/$mode/report.json")"
    rss=$(jqr "$TMP/$mode/report.json" .harness.max_rss_kb)
    [ "$rss" -lt 131072 ] || fail "$mode: max RSS $rss KiB"
    grep -q 'offer: permessage-deflate; client_max_window_bits' "$TMP/fake.deflate.$mode.err" || fail "$mode: no offer"
    stop_fake
done
ws_is "$TMP/bomb" permessage-deflate
echo "ok a compressed message inflating past the limit: protocol message-too-large, RSS under 128 MiB"

# Uncompressed frames (the open packet, the CONNECT) on a deflate connection, then a compressed answer.
start_fake deflate mixed
echo '{"clients":1,"messages":1,"timeouts":{"message_ms":3000}}' >"$TMP/mixed.json"
T0=$(date +%s%N)
timeout -s KILL 20 "$SIOCRYPT" run "$TMP/mixed.json" --url "http://127.0.0.1:$FAKE_PORT" --out "$TMP/mixed" -q \
    >"$TMP/out" 2>&1 && fail "mixed: exit 0 on a wrong answer" || rc=$?
[ "$rc" = 1 ] || fail "mixed: exit $rc (137: killed, lws looped on an uncompressed frame)"
ws_is "$TMP/mixed" permessage-deflate
errors_are "$TMP/mixed" '{"decrypt": 1}'   # the fake's answer is not an envelope: it arrived, once
[ "$(jqr "$TMP/mixed/report.json" .connections.established)" = 1 ] || fail "mixed: not connected"
stop_fake
echo "ok uncompressed frames on a deflate connection: read once, the answer after them inflated"

echo '{"target":{"compression":"yes"}}' >"$TMP/bad.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/bad.json"
grep -q 'target.compression: must be true or false' "$TMP/out" || fail "bad value: $(cat "$TMP/out")"
echo "ok target.compression must be true or false"
