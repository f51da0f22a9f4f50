#!/usr/bin/env bash
# Targets as real deployments have them, against the real servers (REQUIRE_TOKEN, REQUIRE_HOST and SIO_PATH
# in server/counter.js; the server refuses, with 403, every HTTP request and websocket upgrade that lacks
# them, and socket.io's middleware checks the token in the query as the engine parsed it):
#  1. a token in --url's query (?token=...) and in target.query (escaped: space, &, =, /, UTF-8) reaches the
#     server on every request, over websocket, polling and upgrade, on socket.io 4.8 (EIO4 and EIO3) and
#     1.7; without it, or with a wrong one, every client fails with `handshake`;
#  2. a query setting EIO, transport, sid, b64 or j is a usage error (exit 2, no report folder);
#  3. the polling Host header names the host as written (localhost), not the resolved number;
#  4. IPv6: http://[::1]:PORT against a server on ::1, Host header [::1]:PORT, over all three transports;
#     a name that resolves only to ::1 (a private /etc/hosts in a mount namespace, when unshare works);
#  5. reports and logs show query values as '*' (tokens stay out of CI artifacts);
#  6. a path of 300 bytes is sent whole (it was cut at 255), one past the request limit is a usage error.
source "$(dirname "$0")/lib.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT


# run_ok DESC OUT ARGS...: a run whose every round trip is verified (2 clients x 5)
run_ok() {
    local desc=$1 out=$2; shift 2
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --out "$TMP/$out" --quiet "$@"
    [ "$(jqr "$TMP/$out/report.json" .messages.verified)" = 10 ] || fail "$desc: not every round trip verified"
    echo "ok $desc"
}

# run_refused DESC OUT ARGS...: every client fails its handshake
run_refused() {
    local desc=$1 out=$2; shift 2
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --out "$TMP/$out" --quiet "$@"
    local r="$TMP/$out/report.json"
    [ "$(jqr "$r" '.errors.handshake // 0')" = 2 ] || fail "$desc: errors $(jq -c .errors "$r")"
    [ "$(jqr "$r" '.errors | length')" = 1 ] || fail "$desc: other error classes $(jq -c .errors "$r")"
    echo "ok $desc: refused, handshake x 2"
}

# 1. the token, through the URL and through target.query
tok=s3cr3t-t0ken
serve v4 server REQUIRE_TOKEN=$tok ALLOW_EIO3=1
v4=$port
serve v1 server/v1 REQUIRE_TOKEN=$tok
v1=$port
tricky='a b&c=d/+é'
serve v4-tricky server "REQUIRE_TOKEN=$tricky"
v4t=$port
cat >"$TMP/query.json" <<JSON
{ "name": "query", "target": { "url": "http://127.0.0.1:$v4t", "query": { "token": "$tricky", "n": 7 } },
  "clients": 2, "messages": 5 }
JSON
for t in websocket polling upgrade; do
    run_ok "url query, eio4 on socket.io 4.8 over $t" "tok-v4-$t" --url "http://127.0.0.1:$v4/socket.io/?token=$tok" --transport "$t"
    run_ok "url query, eio3 on socket.io 4.8 over $t" "tok-v4e3-$t" --url "http://127.0.0.1:$v4/?token=$tok" --transport "$t" --eio 3
    run_ok "url query, eio3 on socket.io 1.7 over $t" "tok-v1-$t" --url "http://127.0.0.1:$v1/socket.io/?token=$tok#x" --transport "$t" --eio 3
    expect_exit 0 "$SIOCRYPT" run "$TMP/query.json" --transport "$t" --out "$TMP/q-$t" --quiet
    [ "$(jqr "$TMP/q-$t/report.json" .messages.verified)" = 10 ] || fail "target.query over $t: not verified"
    echo "ok target.query {token: '$tricky', n: 7} over $t"
    run_refused "no token over $t" "none-$t" --url "http://127.0.0.1:$v4/socket.io/" --transport "$t"
    run_refused "wrong token over $t" "wrong-$t" --url "http://127.0.0.1:$v4/socket.io/?token=${tok}x" --transport "$t"
done

# reports and logs show the URL with the query's values as '*'
! grep -rq "$tok" "$TMP"/tok-* || fail "the token is written in a report: $(grep -rl "$tok" "$TMP"/tok-* | head -3)"
[ "$(jqr "$TMP/tok-v4-websocket/report.json" .target)" = "http://127.0.0.1:$v4/socket.io/?token=*" ] ||
    fail "report.json target: $(jqr "$TMP/tok-v4-websocket/report.json" .target)"
echo "ok the token stays out of reports"

# 2. Engine.IO's own parameters in the user's query
for q in 'EIO=3' 'transport=polling' 'sid=abc' 'b64=1' 'j=1' 'E%49O=3'; do
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "http://127.0.0.1:$v4/socket.io/?token=$tok&$q" \
        --out "$TMP/reserved" --quiet
    grep -q "siocrypt sets itself" "$TMP/out" || fail "?$q: $(cat "$TMP/out")"
    [ ! -e "$TMP/reserved" ] || fail "?$q: a report folder was made"
done
cat >"$TMP/reserved.json" <<JSON
{ "target": { "url": "http://127.0.0.1:$v4", "query": { "sid": "x" } } }
JSON
expect_exit 2 "$SIOCRYPT" run "$TMP/reserved.json" --out "$TMP/reserved" --quiet
grep -q "target.query.sid: an Engine.IO parameter that siocrypt sets itself" "$TMP/out" || fail "$(cat "$TMP/out")"
echo "ok EIO, transport, sid, b64, j in a query: usage errors"

# 3. the Host header of every request is the name given, not the number it resolved to
serve host server HOST=:: REQUIRE_HOST=localhost
for t in websocket polling upgrade; do
    run_ok "Host: localhost over $t" "host-$t" --url "http://localhost:$port" --transport "$t"
done
run_refused "Host header checked (127.0.0.1 is not localhost)" "host-num" --url "http://127.0.0.1:$port" --transport polling

# 4. IPv6
serve v6 server HOST=::1 'REQUIRE_HOST=[::1]' REQUIRE_TOKEN=$tok
v6=$port
grep -q "^listening on ::1:$v6$" "$TMP/v6.log" || fail "the server did not bind ::1"
for t in websocket polling upgrade; do
    run_ok "http://[::1]:$v6 over $t" "v6-$t" --url "http://[::1]:$v6/socket.io/?token=$tok" --transport "$t"
done
run_refused "[::1] without the token" "v6-none" --url "http://[::1]:$v6/socket.io/" --transport websocket
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
    printf '::1 v6only.test\n' >"$TMP/hosts"
    serve v6name server HOST=::1 REQUIRE_HOST=v6only.test
    for t in websocket polling upgrade; do
        expect_exit 0 unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$TMP/hosts" \
            "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --url "http://v6only.test:$port" \
            --transport "$t" --out "$TMP/v6name-$t" --quiet
        [ "$(jqr "$TMP/v6name-$t/report.json" .messages.verified)" = 10 ] || fail "v6only.test over $t"
        echo "ok a name resolving only to ::1 over $t"
    done
else
    echo "skip a name resolving only to ::1: needs root and unshare -m (the IPv6 literal legs ran)"
fi

# 6. long paths: whole up to the request limit, refused beyond it
long="/$(printf 'p%.0s' $(seq 300))"
serve long server "SIO_PATH=$long"
for t in websocket polling upgrade; do
    run_ok "a ${#long}-byte path over $t" "long-$t" --url "http://127.0.0.1:$port$long/" --transport "$t"
done
cat >"$TMP/long.json" <<JSON
{ "target": { "url": "http://127.0.0.1:$port", "path": "$long" }, "clients": 2, "messages": 5 }
JSON
expect_exit 0 "$SIOCRYPT" run "$TMP/long.json" --transport polling --out "$TMP/long-path" --quiet
echo "ok the same path as target.path"
huge="/$(printf 'p%.0s' $(seq 2100))"
expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "http://127.0.0.1:$port$huge" --out "$TMP/huge" --quiet
grep -q "request limit of 2048 bytes" "$TMP/out" || fail "huge path: $(cat "$TMP/out")"
[ ! -e "$TMP/huge" ] || fail "huge path: a report folder was made"
echo "ok a path past the request limit: usage error"
