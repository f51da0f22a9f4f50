#!/usr/bin/env bash
# Sticky sessions behind a real load balancer: Debian's HAProxy (harness/scripts/debian-packages-test.txt)
# in front of two socket.io 4 servers (COOKIE=1: each also sets socket.io's `io` cookie), round robin per
# request, pinned by `cookie SERVERID insert indirect nocache`. All on 127.0.0.1, started and stopped here.
#  1. with the cookie jar (the default) the counter verifies every message over polling and upgrade (the
#     upgrade request carries the cookies too: every upgrade completes), EIO4 and EIO3, and websocket;
#  2. --no-cookies (and target.cookies false): the requests after the handshake land on the other process,
#     which answers 400 `Session ID unknown`, and every client fails.
source "$(dirname "$0")/lib.sh"
command -v haproxy >/dev/null || fail "haproxy is not installed (make deps installs it)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# serve NAME: server/server.js with COOKIE=1 on any free port; sets $port
sticky_server() { serve "$1" server COOKIE=1 ALLOW_EIO3=1; }   # a backend: the io cookie, EIO 3 too

sticky_server s1; p1=$port
sticky_server s2; p2=$port
lb=$(free_port)
cat >"$TMP/haproxy.cfg" <<CFG
global
    maxconn 512
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 60s
frontend fe
    bind 127.0.0.1:$lb
    default_backend be
backend be
    balance roundrobin
    cookie SERVERID insert indirect nocache
    server s1 127.0.0.1:$p1 cookie s1
    server s2 127.0.0.1:$p2 cookie s2
CFG
haproxy -f "$TMP/haproxy.cfg" -db >"$TMP/haproxy.log" 2>&1 &
pids+=($!)
up=
for _ in $(seq 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$lb/"; then up=1; break; fi
    sleep 0.1
done
[ -n "$up" ] || { cat "$TMP/haproxy.log" >&2; fail "haproxy did not start"; }
url=http://127.0.0.1:$lb

# the balancer really alternates and pins: two bare handshakes reach both servers, each with its SERVERID
curl -s -D "$TMP/h1" -o /dev/null "$url/socket.io/?EIO=4&transport=polling"
curl -s -D "$TMP/h2" -o /dev/null "$url/socket.io/?EIO=4&transport=polling"
ids=$(cat "$TMP/h1" "$TMP/h2" | sed -n 's/^set-cookie: SERVERID=\(s[12]\).*/\1/ip' | sort | tr '\n' ' ')
[ "$ids" = "s1 s2 " ] || fail "haproxy: expected SERVERID s1 and s2 on two handshakes, got '$ids'"

# 1. the jar: every message verified
for t in "polling 4" "upgrade 4" "polling 3" "upgrade 3" "websocket 4"; do
    set -- $t
    out=jar-$1-$2
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "$url" --transport "$1" --eio "$2" --clients 4 \
        --messages 20 --quiet --out "$TMP/$out"
    r=$TMP/$out/report.json
    [ "$(jqr "$r" .messages.verified)" = 80 ] || fail "$out: verified $(jqr "$r" .messages.verified) of 80"
    [ "$(jqr "$r" .errors_total)" = 0 ] || fail "$out: errors $(jq -c .errors "$r")"
    if [ "$1" = upgrade ]; then
        [ "$(jqr "$r" .upgrade_ms.count)" = 4 ] || fail "$out: upgrades done $(jqr "$r" .upgrade_ms.count) of 4"
    fi
    echo "ok $out: 80 verified through haproxy"
done

# 2. no jar: the other process does not know the session
cat >"$TMP/nocookies.json" <<JSON
{"target": {"url": "$url", "transport": "polling", "cookies": false}, "clients": 4, "messages": 20}
JSON
for how in "--no-cookies polling" "file polling" "--no-cookies upgrade"; do
    set -- $how
    out=nojar-$1-$2
    if [ "$1" = file ]; then
        expect_exit 1 "$SIOCRYPT" run "$TMP/nocookies.json" --quiet --out "$TMP/$out"
    else
        expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "$url" --transport "$2" --clients 4 \
            --messages 20 --quiet --out "$TMP/$out" "$1"
    fi
    r=$TMP/$out/report.json
    fatal=$(jq '[.errors | to_entries[] | select(.key != "upgrade") | .value] | add // 0' "$r")
    if [ "$2" = polling ]; then
        # over polling every request after the handshake is a coin toss: every client ends on one fatal error
        [ "$fatal" = 4 ] || fail "$out: expected every client (4) to fail, errors $(jq -c .errors "$r")"
    else
        # over upgrade a client whose websocket happens to reach the process that has its session gets on
        # with it (round robin interleaves the clients' requests): some fail, never all verify
        [ "$fatal" -ge 1 ] && [ "$(jqr "$r" .messages.verified)" -lt 80 ] ||
            fail "$out: expected clients to fail, errors $(jq -c .errors "$r"), $(jq -c .messages "$r")"
    fi
    jq -e '[.error_details[] | select(.detail | test("HTTP 400: .*Session ID unknown"))] | length > 0' "$r" \
        >/dev/null || fail "$out: no 'Session ID unknown' among $(jq -c '[.error_details[].detail]' "$r")"
    echo "ok $out: $fatal of 4 clients failed, Session ID unknown"
done
