#!/usr/bin/env bash
# target.follow_redirects against a fake (fakes/redirector.js) that answers every polling request and
# websocket upgrade with a 307 to the real server (server/, on another port):
#  1. off (the default): a handshake error naming the Location, on every transport (t_34 has the detail);
#  2. on: the counter verifies every message over websocket, polling and upgrade, and the fake saw the
#     redirected requests of both transports (polling GETs and POSTs, websocket upgrades);
#  3. on, but a redirect loop: stopped after 3, `handshake` "more than 3 redirects" (curl and lws both);
#  4. on, but to another scheme (https://, wss://): not followed, `handshake` naming why;
#  5. the cookie the redirect sets (hop=1) goes on the redirected request: a server with REQUIRE_COOKIE=hop=1
#     behind the fake verifies every message over every transport; with --no-cookies it refuses (403).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
start_server
real=${SERVER_URL##*:}
trap 'kill $SERVER_PID $FAKE_PIDS 2>/dev/null; rm -rf "$TMP"' EXIT
echo '{"name": "follow", "target": {"follow_redirects": true}, "clients": 2, "messages": 10}' >"$TMP/follow.json"

# fake MODE: fakes/redirector.js MODE $real, started for one run (FAKE_PORT, FAKE_ERR)
fake() {
    local portfile="$TMP/redir.$1.port"
    : >"$portfile"
    FAKE_ERR="$TMP/redir.$1.err"
    node harness/tests/fakes/redirector.js "$1" "$real" >"$portfile" 2>"$FAKE_ERR" &
    FAKE_PID=$!
    FAKE_PIDS="${FAKE_PIDS:-} $FAKE_PID"
    for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
    FAKE_PORT=$(head -1 "$portfile")
    [ -n "$FAKE_PORT" ] || fail "redirector $1 printed no port"
}

# one_detail OUT WANT: every client failed with handshake, and the detail matches WANT (a regex)
one_detail() {
    local r="$TMP/$1/report.json"
    [ "$(jqr "$r" '.errors.handshake // 0')" = 2 ] && [ "$(jqr "$r" '.errors | length')" = 1 ] ||
        fail "$1: errors $(jq -c .errors "$r")"
    jqr "$r" '.error_details[0].detail' | grep -Eq "$2" || fail "$1: detail $(jqr "$r" '.error_details[0].detail')"
}

fake to
for t in websocket polling; do
    out=off-$t
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --clients 2 --messages 10 --quiet --out "$TMP/$out"
    one_detail "$out" "HTTP 307 redirect not followed: Location (ws|http)://127\.0\.0\.1:$real/socket\.io/"
    echo "ok $out: not followed by default"
done

for t in websocket polling upgrade; do
    out=on-$t
    sleep 0.2   # the previous run's last redirects are written
    : >"$FAKE_ERR"   # node writes at its own offset: the counts below see only this run's lines
    expect_exit 0 "$SIOCRYPT" run "$TMP/follow.json" --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --quiet --out "$TMP/$out"
    [ "$(jqr "$TMP/$out/report.json" .messages.verified)" = 20 ] || fail "$out: not every message verified"
    ws=$(grep -ac 'redirect GET ws' "$FAKE_ERR" || true)
    gets=$(grep -ac 'redirect GET http' "$FAKE_ERR" || true)
    posts=$(grep -ac 'redirect POST http' "$FAKE_ERR" || true)
    case $t in
    websocket) [ "$ws" = 2 ] && [ "$gets" = 0 ] || fail "$out: redirected: ws $ws, GET $gets" ;;
    polling) [ "$gets" -ge 4 ] && [ "$posts" -ge 4 ] && [ "$ws" = 0 ] || fail "$out: redirected: GET $gets, POST $posts, ws $ws" ;;
    upgrade) [ "$gets" -ge 2 ] && [ "$ws" = 2 ] || fail "$out: redirected: GET $gets, ws $ws" ;;
    esac
    echo "ok $out: 20 verified through the redirect (redirected: ws $ws, GET $gets, POST $posts)"
done
stop_fake

fake loop
for t in websocket polling; do
    out=loop-$t
    n0=$(wc -l <"$FAKE_ERR")
    expect_exit 1 "$SIOCRYPT" run "$TMP/follow.json" --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --quiet --out "$TMP/$out"
    one_detail "$out" "more than 3 redirects"
    n=$(($(wc -l <"$FAKE_ERR") - n0))
    [ "$n" -le 8 ] || fail "$out: $n redirects answered for 2 clients (at most 4 each)"
    echo "ok $out: stopped after 3 ($n answered)"
done
stop_fake

fake https
for t in websocket polling; do
    out=https-$t
    expect_exit 1 "$SIOCRYPT" run "$TMP/follow.json" --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --quiet --out "$TMP/$out"
    one_detail "$out" "redirect .*not followed: another scheme"
    echo "ok $out: another scheme, not followed"
done
stop_fake

# 5. cookies across the redirect: a second server that wants the fake's cookie
: >"$TMP/picky.log"
env PORT=0 HOST=127.0.0.1 LOG=0 DELAY_MS=0 REQUIRE_COOKIE=hop=1 node server/server.js >"$TMP/picky.log" 2>&1 &
FAKE_PIDS="${FAKE_PIDS:-} $!"
picky=
for _ in $(seq 100); do
    picky=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$TMP/picky.log")
    [ -n "$picky" ] && break
    sleep 0.1
done
[ -n "$picky" ] || fail "the REQUIRE_COOKIE server did not start"
real=$picky
fake to
for t in websocket polling upgrade; do
    out=cookie-$t
    expect_exit 0 "$SIOCRYPT" run "$TMP/follow.json" --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --quiet --out "$TMP/$out"
    [ "$(jqr "$TMP/$out/report.json" .messages.verified)" = 20 ] || fail "$out: not every message verified"
    echo "ok $out: the redirect's cookie reached the server, 20 verified"
done
for t in websocket polling; do
    out=nocookie-$t
    expect_exit 1 "$SIOCRYPT" run "$TMP/follow.json" --url "http://127.0.0.1:$FAKE_PORT" --transport "$t" \
        --no-cookies --quiet --out "$TMP/$out"
    one_detail "$out" "403"
    echo "ok $out: without cookies the server refuses (403)"
done
stop_fake
