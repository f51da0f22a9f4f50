#!/usr/bin/env bash
# TLS against the real servers (server/counter.js with TLS_CERT/TLS_KEY), a throwaway CA made here (tls.sh):
#  1. https:// and wss:// with --cacert: every message verified over websocket, polling and upgrade, on
#     socket.io 4.8 (EIO4) and 2 (EIO3); report.json has tls.version, tls.cipher, insecure false, and the
#     handshakes in tls_ms and histograms.tls; the summary names the version; `siocrypt merge` keeps them;
#  2. target.tls.servername: a certificate for another name, reached by its address, verifies;
#  3. -k against a self-signed certificate works and says so (stderr, summary, report.json);
#  4. failures are class `tls` with the reason, over websocket and polling: no --cacert (unknown CA), a
#     certificate for another name (name mismatch), an expired one, a self-signed one, a server that
#     speaks no TLS (handshake failed); nobody listening stays connect-refused;
#  5. --cert/--key: openssl s_server that requires a client certificate (and answers HTTP with its status
#     page) lets the client through with one (the failure is then past TLS: not an Engine.IO answer), not
#     without;
#  6. an unreadable --cacert, or --cert without --key, is a usage error (exit 2, no report folder).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/tls.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT


# run_ok DESC OUT ARGS...: every round trip verified (2 clients x 5), over TLS
run_ok() {
    local desc=$1 out=$2; shift 2
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --out "$TMP/$out" --quiet "$@"
    local r="$TMP/$out/report.json"
    [ "$(jqr "$r" .messages.verified)" = 10 ] || fail "$desc: not every round trip verified"
    jqr "$r" .tls.version | grep -Eq '^TLSv1\.[23]$' || fail "$desc: tls.version $(jq -c .tls "$r")"
    [ -n "$(jqr "$r" '.tls.cipher // ""')" ] || fail "$desc: no tls.cipher"
    [ "$(jqr "$r" '.tls_ms.count')" -ge 1 ] || fail "$desc: tls_ms $(jq -c .tls_ms "$r")"
    [ "$(jqr "$r" '.histograms.tls.count')" = "$(jqr "$r" '.tls_ms.count')" ] || fail "$desc: histograms.tls"
    echo "ok $desc ($(jqr "$r" .tls.version), $(jqr "$r" .tls_ms.count) handshakes)"
}

# run_tls_fail DESC OUT WHY ARGS...: every client fails with class tls, the detail starting with WHY
run_tls_fail() {
    local desc=$1 out=$2 why=$3; shift 3
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 5 --out "$TMP/$out" --quiet "$@"
    local r="$TMP/$out/report.json"
    [ "$(jqr "$r" '.errors.tls // 0')" = 2 ] || fail "$desc: errors $(jq -c .errors "$r")"
    [ "$(jqr "$r" '.errors | length')" = 1 ] || fail "$desc: other classes $(jq -c .errors "$r")"
    local detail
    detail=$(jqr "$r" '.error_details[0].detail')
    case "$detail" in "$why"*) ;; *) fail "$desc: detail '$detail', expected '$why...'" ;; esac
    echo "ok $desc: tls x 2, '$detail'"
}

d="$TMP/tls"
tls_ca "$d" || fail "openssl: no CA"
tls_cert "$d" server "IP:127.0.0.1,DNS:localhost" || fail "openssl: no server certificate"
tls_cert "$d" other "DNS:other.example" || fail "openssl: no certificate for other.example"
tls_cert "$d" old "IP:127.0.0.1,DNS:localhost" expired || fail "openssl: no expired certificate"
tls_self "$d/self" self "IP:127.0.0.1,DNS:localhost" || fail "openssl: no self-signed certificate"
ca=$d/ca.pem

serve v4 server TLS_CERT="$d/server.pem" TLS_KEY="$d/server.key" ALLOW_EIO3=1
v4=$port
serve v2 server/v2 TLS_CERT="$d/server.pem" TLS_KEY="$d/server.key"
v2=$port
serve other server TLS_CERT="$d/other.pem" TLS_KEY="$d/other.key"
other=$port
serve old server TLS_CERT="$d/old.pem" TLS_KEY="$d/old.key"
old=$port
serve self server TLS_CERT="$d/self/self.pem" TLS_KEY="$d/self/self.key"
self=$port
serve plain server
plain=$port

# 1. the counter over TLS, every transport, both Engine.IO versions
for t in websocket polling upgrade; do
    run_ok "https, eio4 on socket.io 4.8 over $t" "v4-$t" --url "https://localhost:$v4" --cacert "$ca" --transport "$t"
    run_ok "wss, eio3 on socket.io 4.8 over $t" "v4e3-$t" --url "wss://127.0.0.1:$v4/socket.io/" --cacert "$ca" \
        --transport "$t" --eio 3
    run_ok "https, eio3 on socket.io 2 over $t" "v2-$t" --url "https://localhost:$v2" --cacert "$ca" --transport "$t" --eio 3
done
r="$TMP/v4-upgrade/report.json"
[ "$(jqr "$r" .tls.insecure)" = false ] || fail "tls.insecure: $(jq -c .tls "$r")"
grep -Eq '^  TLS +TLSv1\.[23], ' "$TMP/out" || fail "the summary does not name the TLS version: $(cat "$TMP/out")"
grep -q 'tls handshake' "$TMP/out" || fail "the summary has no tls handshake row"
grep -q '| tls |' "$TMP/v4-upgrade/summary.md" || fail "summary.md has no tls row"
expect_exit 0 "$SIOCRYPT" merge "$TMP/v4-websocket/report.json" "$TMP/v4-polling/report.json" --out "$TMP/merged"
m="$TMP/merged/report.json"
[ "$(jqr "$m" .tls_ms.count)" = $(($(jqr "$TMP/v4-websocket/report.json" .tls_ms.count) + $(jqr "$TMP/v4-polling/report.json" .tls_ms.count))) ] ||
    fail "merge: tls_ms.count $(jqr "$m" .tls_ms.count)"
[ "$(jqr "$m" .tls.version)" = "$(jqr "$TMP/v4-websocket/report.json" .tls.version)" ] || fail "merge: tls $(jq -c .tls "$m")"
echo "ok siocrypt merge adds tls_ms and keeps tls{}"

# 1b. target.follow_redirects on a TLS target: a 307 to wss:// / https:// (the same scheme) is followed, on the
# websocket (net/redirect.c) and polling (curl) alike; the fake redirector serves https with the test CA's cert
TLS_CERT="$d/server.pem" TLS_KEY="$d/server.key" \
    node harness/tests/fakes/redirector.js to "$v4" >"$TMP/redir.port" 2>"$TMP/redir.err" &
REDIR_PID=$!
for _ in $(seq 100); do [ -s "$TMP/redir.port" ] && break; sleep 0.05; done
redir=$(head -1 "$TMP/redir.port")
[ -n "$redir" ] || fail "redirector did not start: $(cat "$TMP/redir.err")"
jq '.target.follow_redirects = true' scenarios/smoke.json >"$TMP/follow.json"
for t in websocket polling; do
    expect_exit 0 "$SIOCRYPT" run "$TMP/follow.json" --url "https://127.0.0.1:$redir" --cacert "$ca" --transport "$t" \
        --clients 2 --messages 5 --quiet --out "$TMP/redir-$t"
    [ "$(jqr "$TMP/redir-$t/report.json" .messages.verified)" = 10 ] || fail "https redirect over $t: not verified"
    echo "ok https redirect followed over $t: 10 verified"
done
kill "$REDIR_PID" 2>/dev/null; wait "$REDIR_PID" 2>/dev/null || true
[ "$(grep -c '^redirect' "$TMP/redir.err")" -ge 2 ] || fail "the redirector saw no requests: $(cat "$TMP/redir.err")"

# 1c. --proxy in front of a TLS target: the CONNECT tunnel carries TLS end to end, on both transports
node harness/tests/fakes/connect_proxy.js >"$TMP/proxy.port" 2>"$TMP/proxy.err" &
PROXY_PID=$!
for _ in $(seq 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
proxy_port=$(head -1 "$TMP/proxy.port")
[ -n "$proxy_port" ] || fail "connect_proxy did not start: $(cat "$TMP/proxy.err")"
for t in websocket polling; do
    run_ok "https through --proxy over $t" "proxy-$t" --url "https://localhost:$v4" --cacert "$ca" --transport "$t" \
        --proxy "127.0.0.1:$proxy_port"
done
kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null || true
[ "$(grep -ac "^CONNECT .*:$v4\$" "$TMP/proxy.err")" -ge 2 ] || fail "the proxy tunnelled nothing: $(cat "$TMP/proxy.err")"

# 2. servername: the certificate names other.example; the URL has the address
cat >"$TMP/servername.json" <<JSON
{ "name": "servername", "clients": 2, "messages": 5,
  "target": { "url": "https://127.0.0.1:$other", "tls": { "cacert": "$ca", "servername": "other.example" } } }
JSON
for t in websocket polling upgrade; do
    expect_exit 0 "$SIOCRYPT" run "$TMP/servername.json" --transport "$t" --out "$TMP/sn-$t" --quiet
    [ "$(jqr "$TMP/sn-$t/report.json" .messages.verified)" = 10 ] || fail "servername over $t: not verified"
    echo "ok target.tls.servername over $t"
done

# 3. -k: a self-signed certificate is taken, and everyone is told
for t in websocket polling upgrade; do
    expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --url "https://localhost:$self" -k --transport "$t" \
        --clients 2 --messages 5 --out "$TMP/k-$t" --quiet
    r="$TMP/k-$t/report.json"
    [ "$(jqr "$r" .messages.verified)" = 10 ] || fail "-k over $t: not verified"
    [ "$(jqr "$r" .tls.insecure)" = true ] || fail "-k over $t: tls $(jq -c .tls "$r")"
    grep -q 'WARNING: -k/--insecure' "$TMP/out" || fail "-k over $t: no warning on stderr"
    grep -q 'INSECURE (-k)' "$TMP/out" || fail "-k over $t: the summary does not say so"
    grep -q 'INSECURE' "$TMP/k-$t/summary.md" || fail "-k over $t: summary.md does not say so"
    grep -q 'INSECURE' "$TMP/k-$t/report.html" || fail "-k over $t: report.html does not say so"
    echo "ok -k over $t: verified, said loudly"
done

# 4. certificates that do not verify, each with its reason, on both transports
for t in websocket polling; do
    run_tls_fail "no --cacert over $t" "noca-$t" "unknown CA:" --url "https://localhost:$v4" --transport "$t"
    run_tls_fail "wrong name over $t" "name-$t" "name mismatch:" --url "https://localhost:$other" --cacert "$ca" --transport "$t"
    run_tls_fail "expired over $t" "old-$t" "expired:" --url "https://localhost:$old" --cacert "$ca" --transport "$t"
    run_tls_fail "self-signed over $t" "self-$t" "self-signed:" --url "https://localhost:$self" --cacert "$ca" --transport "$t"
    run_tls_fail "no TLS on the server over $t" "plain-$t" "handshake failed:" --url "https://localhost:$plain" \
        --cacert "$ca" --transport "$t"
done
# nobody listening is still connect-refused (no TLS was begun), not tls
for t in websocket polling; do
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "https://127.0.0.1:$(free_port)" --cacert "$ca" \
        --transport "$t" --clients 1 --messages 1 --out "$TMP/refused-$t" --quiet
    [ "$(jq -c .errors "$TMP/refused-$t/report.json")" = '{"connect-refused":1}' ] ||
        fail "https, nobody listening, over $t: $(jq -c .errors "$TMP/refused-$t/report.json")"
    echo "ok https with nobody listening over $t: connect-refused"
done
run_tls_fail "wrong name over upgrade (its polling handshake)" "name-upgrade" "name mismatch:" \
    --url "https://localhost:$other" --cacert "$ca" --transport upgrade

# 5. a client certificate (clientAuth), presented to a server that requires one
openssl req -newkey rsa:2048 -nodes -keyout "$d/client.key" -out "$d/client.csr" -subj "/CN=siocrypt client" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' >"$d/client.ext"
openssl x509 -req -in "$d/client.csr" -CA "$ca" -CAkey "$d/ca.key" -CAcreateserial -out "$d/client.pem" -days 2 \
    -extfile "$d/client.ext" 2>/dev/null || fail "openssl: no client certificate"
sport=$(free_port)
openssl s_server -accept "127.0.0.1:$sport" -cert "$d/server.pem" -key "$d/server.key" -CAfile "$ca" -Verify 1 \
    -verify_return_error -www -quiet >"$TMP/s_server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $sport), 1).close()" 2>/dev/null && break
    sleep 0.1
done
for t in websocket polling; do
    past=$([ "$t" = polling ] && echo "bad-type" || echo "HTTP 200: ")
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "https://localhost:$sport" --cacert "$ca" \
        --cert "$d/client.pem" --key "$d/client.key" --transport "$t" --clients 1 --messages 1 --out "$TMP/cc-$t" --quiet
    detail=$(jqr "$TMP/cc-$t/report.json" '.error_details[0].detail')
    case "$detail" in "$past"*) ;; *) fail "--cert over $t: '$detail', expected the s_server page ('$past...')" ;; esac
    expect_exit 1 "$SIOCRYPT" run scenarios/smoke.json --url "https://localhost:$sport" --cacert "$ca" \
        --transport "$t" --clients 1 --messages 1 --out "$TMP/nocc-$t" --quiet
    detail=$(jqr "$TMP/nocc-$t/report.json" '.error_details[0].detail')
    case "$detail" in "$past"*) fail "no --cert over $t: the server answered ('$detail')" ;; esac
    echo "ok --cert/--key over $t: the server that requires one answers only with it"
done

# 6. usage errors before anything runs
expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "https://localhost:$v4" --cacert "$TMP/none.pem" --out "$TMP/u1" --quiet
grep -q "target.tls.cacert: cannot read '$TMP/none.pem'" "$TMP/out" || fail "missing cacert: $(cat "$TMP/out")"
[ ! -e "$TMP/u1" ] || fail "missing cacert: a report folder was made"
expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --url "https://localhost:$v4" --cert "$d/server.pem" --out "$TMP/u2" --quiet
grep -q "target.tls: cert and key go together" "$TMP/out" || fail "cert without key: $(cat "$TMP/out")"
echo "ok an unreadable --cacert and --cert without --key are usage errors"
