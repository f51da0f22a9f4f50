#!/usr/bin/env bash
# A server that is not there: connect-refused for every client, exit 1, and no hang (bounded by timeout).
source "$(dirname "$0")/lib.sh"
port=$(free_port)
for transport in websocket polling; do
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "http://127.0.0.1:$port" --transport $transport \
        --out "$TMP/$transport" --quiet
    r="$TMP/$transport/report.json"
    clients=$(jq -r .clients scenarios/smoke.json)
    [ "$(jqr "$r" '.errors["connect-refused"] // 0')" = "$clients" ] ||
        fail "$transport: errors $(jq -c .errors "$r"), want connect-refused x $clients"
    [ "$(jqr "$r" .connections.failed)" = "$clients" ] || fail "$transport: connections.failed"
    echo "ok $transport: connect-refused x $clients"
done
