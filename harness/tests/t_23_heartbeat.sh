#!/usr/bin/env bash
# Heartbeats across several ping intervals, as each protocol wants them: with pingInterval 400 ms and
# pingTimeout 300 ms, a client that did not answer the server's pings (EIO 4) or did not ping (EIO 3)
# would be dropped within a second. Slow clients (think 700 ms) run 3 s over every transport.
source "$(dirname "$0")/lib.sh"
export PING_INTERVAL_MS=400 PING_TIMEOUT_MS=300   # inherited by the local server siocrypt starts
for transport in websocket polling upgrade; do
    for cell in "4 v4" "3 v4" "3 v2"; do
        set -- $cell
        out="$TMP/$transport-$1-$2"
        expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --transport $transport --eio $1 --impl $2 \
            --clients 2 --messages 0 --duration 3s --think 700 --out "$out" --quiet
        r="$out/report.json"
        [ "$(jqr "$r" '.errors | length')" = 0 ] || fail "$transport eio$1 $2: errors $(jq -c .errors "$r")"
        [ "$(jqr "$r" .connections.established)" = 2 ] || fail "$transport eio$1 $2: connections"
        v=$(jqr "$r" .messages.verified)
        [ "$v" -ge 6 ] || fail "$transport eio$1 $2: only $v round trips in 3 s"
        echo "ok $transport eio$1 $2: $v round trips across ~7 ping intervals, no errors"
    done
done
