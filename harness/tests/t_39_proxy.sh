#!/usr/bin/env bash
# --proxy / target.proxy: both transports through an HTTP proxy, against the real server. The proxy is
# fakes/connect_proxy.js, which only tunnels (CONNECT, loopback only) and counts each tunnel:
#  1. websocket: every message verified and exactly one CONNECT per client (lws's http proxy); polling: every
#     message verified and at least one CONNECT, none from a websocket (curl CURLOPT_PROXY, tunnelled);
#     upgrade: both; the same with "target": {"proxy": ...} in the file;
#  2. a proxy that is not there: every client fails `connect-refused` (nothing goes around it); one that
#     refuses the CONNECT (403): `connect-refused`, the detail says the proxy refused;
#  3. usage errors (exit 2): another scheme (socks5://, https://), user:password@, a path, a name that does
#     not resolve.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
start_server ALLOW_EIO3=1
real=${SERVER_URL##*:}
trap 'kill $SERVER_PID $FAKE_PIDS 2>/dev/null; rm -rf "$TMP"' EXIT

# proxy [refuse]: a fresh fakes/connect_proxy.js (PROXY_PORT, PROXY_ERR)
proxy() {
    local portfile="$TMP/proxy.port"
    : >"$portfile"
    PROXY_ERR="$TMP/proxy.$RANDOM.err"
    node harness/tests/fakes/connect_proxy.js "$@" >"$portfile" 2>"$PROXY_ERR" &
    FAKE_PID=$!
    FAKE_PIDS="${FAKE_PIDS:-} $FAKE_PID"
    for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
    PROXY_PORT=$(head -1 "$portfile")
    [ -n "$PROXY_PORT" ] || fail "connect_proxy printed no port"
}

tunnels() { grep -ac "^CONNECT 127.0.0.1:$real\$" "$PROXY_ERR" || true; }

# 1. through the proxy, every transport on Engine.IO 4 and 3; a fresh proxy per run so its counts are this run's
for leg in "websocket 4" "polling 4" "upgrade 4" "websocket 3" "polling 3" "upgrade 3"; do
    read -r t eio <<<"$leg"
    proxy
    out=via-$t-eio$eio
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --transport "$t" --eio "$eio" --clients 3 \
        --messages 10 --proxy "127.0.0.1:$PROXY_PORT" --quiet --out "$TMP/$out"
    [ "$(jqr "$TMP/$out/report.json" .messages.verified)" = 30 ] || fail "$out: not every message verified"
    stop_fake
    n=$(tunnels)
    ! grep -aq -e REFUSED -e FORBIDDEN "$PROXY_ERR" || fail "$out: the proxy refused something: $(cat "$PROXY_ERR")"
    case $t in
    websocket) [ "$n" = 3 ] || fail "$out: $n CONNECTs for 3 websocket clients" ;;
    polling) [ "$n" -ge 1 ] || fail "$out: no CONNECT: polling went around the proxy" ;;
    upgrade) [ "$n" -ge 4 ] || fail "$out: $n CONNECTs: 3 websockets and at least one polling tunnel expected" ;;
    esac
    echo "ok $out: 30 verified, $n tunnels"
done

proxy
echo "{\"target\": {\"url\": \"$SERVER_URL\", \"transport\": \"websocket\", \"proxy\": \"http://127.0.0.1:$PROXY_PORT/\"}, \"clients\": 2, \"messages\": 5}" >"$TMP/proxy.json"
expect_exit 0 "$SIOCRYPT" run "$TMP/proxy.json" --quiet --out "$TMP/file"
[ "$(jqr "$TMP/file/report.json" .messages.verified)" = 10 ] || fail "file: not every message verified"
stop_fake
[ "$(tunnels)" = 2 ] || fail "file: $(tunnels) CONNECTs for 2 clients"
echo "ok target.proxy in the file: 10 verified, 2 tunnels"

# 2. a proxy that is not there, one that refuses
gone=$(free_port)
for t in websocket polling; do
    out=gone-$t
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --transport "$t" --clients 2 \
        --messages 5 --proxy "http://127.0.0.1:$gone" --quiet --out "$TMP/$out"
    r=$TMP/$out/report.json
    [ "$(jq -c .errors "$r")" = '{"connect-refused":2}' ] || fail "$out: errors $(jq -c .errors "$r")"
    echo "ok $out: connect-refused x 2"
done
proxy refuse
for t in websocket polling; do
    out=refused-$t
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --transport "$t" --clients 2 \
        --messages 5 --proxy "127.0.0.1:$PROXY_PORT" --quiet --out "$TMP/$out"
    r=$TMP/$out/report.json
    [ "$(jq -c .errors "$r")" = '{"connect-refused":2}' ] || fail "$out: errors $(jq -c .errors "$r")"
    jqr "$r" '.error_details[0].detail' | grep -q 'the proxy refused the CONNECT' ||
        fail "$out: detail $(jqr "$r" '.error_details[0].detail')"
    echo "ok $out: connect-refused, $(jqr "$r" '.error_details[0].detail')"
done
stop_fake

# 3. usage errors: nothing runs, no report folder
for p in socks5://127.0.0.1:1080 https://127.0.0.1:1080 'http://user:pw@127.0.0.1:1080' 'http://127.0.0.1:1080/x' '' \
         nosuchhost.invalid:3128; do
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "$SERVER_URL" --proxy "$p" --out "$TMP/usage"
    grep -q 'proxy' "$TMP/out" || fail "--proxy '$p': the message does not name the proxy: $(cat "$TMP/out")"
    [ ! -e "$TMP/usage" ] || fail "--proxy '$p': a report folder was made"
done
echo "ok usage errors: another scheme, credentials, a path, empty, unresolvable"
