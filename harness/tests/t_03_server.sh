#!/usr/bin/env bash
# The servers under test, driven by the real node socket.io-client and g-crypt (server/test/drive.js):
#  - server/server.js (socket.io 4), server/v2/server.js (socket.io 2) and server/v1/server.js (socket.io
#    1.7) answer counter {id:41} with 42, over websocket, polling and upgrade, each to its own client version;
#  - socket.io 4 takes an Engine.IO 3 client (socket.io-client 2) only with ALLOW_EIO3=1;
#  - HARDENED=1 answers a garbage envelope with counter_error and keeps serving;
#  - the default (seed) server dies on a garbage envelope: the weakness the probes look for;
#  - LOG=0 silences the per-message line; SIGTERM and SIGINT exit with code 0;
#  - what staging servers have (for the harness's TLS, header, cookie and compression tests): TLS_CERT/TLS_KEY
#    serve https (a throwaway CA made here, tls.sh), REQUIRE_BEARER refuses requests without the header,
#    COOKIE=1 sets socket.io's io cookie, PER_MESSAGE_DEFLATE=1 negotiates websocket compression.
# Every server started here is stopped by the EXIT trap; every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
top=$PWD
tmp=$(mktemp -d)
pids=()
failures=0

cleanup() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

for d in server server/v2 server/v1; do
    [ -d "$d/node_modules/socket.io" ] && [ -d "$d/node_modules/socket.io-client" ] || {
        echo "t_03: $d/node_modules missing: run 'make deps' (npm ci from the lock file)"; exit 1; }
done

ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }

# start NAME DIR [VAR=value...]: start DIR/server.js on 127.0.0.1, any port; sets $pid and $port.
start() {
    local name=$1 dir=$2; shift 2
    local log="$tmp/$name.log"
    env PORT=0 HOST=127.0.0.1 DELAY_MS=0 "$@" node "$dir/server.js" >"$log" 2>&1 &
    pid=$!
    pids+=("$pid")
    port=
    for _ in $(seq 200); do   # 10 s
        port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        bad "$name: no 'listening on' line"; sed 's/^/    | /' "$log"; return 1
    fi
    [ "$(grep -c '^listening on' "$log")" = 1 ] || bad "$name: more than one listening line"
    return 0
}

# drive DESC CLIENT_DIR PORT MODE [TRANSPORT]: expect drive.js to succeed.
drive() {
    local desc=$1 cdir=$2 p=$3; shift 3
    local out
    if out=$(timeout 15 node server/test/drive.js "$cdir" "http://127.0.0.1:$p" "$@" 2>&1); then
        ok "$desc: $(echo "$out" | tr '\n' ' ')"
    else
        bad "$desc"; echo "$out" | sed 's/^/    | /'
    fi
}

# exits_within PID SECONDS: true when PID is gone in time; sets $rc to its exit code.
exits_within() {
    local p=$1 s=$2
    for _ in $(seq $((s * 20))); do
        if ! kill -0 "$p" 2>/dev/null; then wait "$p"; rc=$?; return 0; fi
        sleep 0.05
    done
    return 1
}

# 1. Both servers answer the counter, on every transport, with their own client version.
for impl in v4:server v2:server/v2 v1:server/v1; do
    name=${impl%%:*} dir=${impl#*:}
    start "$name" "$dir" || continue
    for t in websocket polling upgrade; do
        drive "$name counter {id:41} -> 42 over $t" "$dir" "$port" counter "$t"
    done
    if grep -q '^counter status: 41$' "$tmp/$name.log"; then ok "$name logs 'counter status: 41'"
    else bad "$name: no 'counter status: 41' line in its log"; fi
    if [ "$name" = v4 ]; then
        # socket.io 4 without allowEIO3 must refuse an Engine.IO 3 (socket.io-client 2) client.
        if timeout 15 node server/test/drive.js server/v2 "http://127.0.0.1:$port" counter websocket >"$tmp/eio3" 2>&1
        then bad "v4 without ALLOW_EIO3 accepted an EIO 3 client"; else ok "v4 refuses EIO 3 by default: $(tail -1 "$tmp/eio3")"; fi
        # SIGTERM: clean exit with code 0.
        rc=; kill -TERM "$pid"
        if exits_within "$pid" 5 && [ "$rc" = 0 ]; then ok "v4 exits 0 on SIGTERM"; else bad "v4 SIGTERM: rc=${rc:-still running}"; fi
    else
        rc=; kill -INT "$pid"
        if exits_within "$pid" 5 && [ "$rc" = 0 ]; then ok "$name exits 0 on SIGINT"; else bad "$name SIGINT: rc=${rc:-still running}"; fi
    fi
done

# 2. socket.io 4 with ALLOW_EIO3=1 serves a socket.io-client 2 (EIO 3); LOG=0 keeps the log to one line.
if start v4-eio3 server ALLOW_EIO3=1 LOG=0; then
    drive "v4 ALLOW_EIO3=1 with socket.io-client 2 over websocket" server/v2 "$port" counter websocket
    drive "v4 ALLOW_EIO3=1 with socket.io-client 2 over polling" server/v2 "$port" counter polling
    if grep -q 'counter status' "$tmp/v4-eio3.log"; then bad "LOG=0 still logs"; else ok "LOG=0: no per-message line"; fi
fi

# 3. HARDENED=1 answers garbage with counter_error, then still answers the counter.
for impl in v4:server v2:server/v2 v1:server/v1; do
    name=${impl%%:*} dir=${impl#*:}
    start "$name-hardened" "$dir" HARDENED=1 || continue
    drive "$name HARDENED=1: garbage -> counter_error, then 42" "$dir" "$port" garbage websocket
    sleep 0.2
    if kill -0 "$pid" 2>/dev/null; then ok "$name HARDENED=1 still running"; else bad "$name HARDENED=1 died"; fi
done

# 4. The seed's weakness: the default server dies on a garbage envelope (uncaught exception, exit 1).
for impl in v4:server v2:server/v2 v1:server/v1; do
    name=${impl%%:*} dir=${impl#*:}
    start "$name-seed" "$dir" || continue
    drive "$name default: garbage -> connection drops" "$dir" "$port" crash websocket
    rc=
    if exits_within "$pid" 5 && [ "$rc" != 0 ] && grep -q 'SyntaxError' "$tmp/$name-seed.log"; then
        ok "$name default server died (exit $rc, $(grep -m1 SyntaxError "$tmp/$name-seed.log"))"
    else
        bad "$name default server survived a garbage envelope (rc=${rc:-running})"; sed 's/^/    | /' "$tmp/$name-seed.log"
    fi
done

# 5. https with a test CA, a bearer token, the io cookie and compression, with the real socket.io-client 4.
source harness/tests/tls.sh
tls_ca "$tmp/tls" && tls_cert "$tmp/tls" server "IP:127.0.0.1,DNS:localhost" || bad "could not make test certificates"
if start v4-tls server TLS_CERT="$tmp/tls/server.pem" TLS_KEY="$tmp/tls/server.key" REQUIRE_BEARER=t0ken \
        COOKIE=1 PER_MESSAGE_DEFLATE=1; then
    export NODE_EXTRA_CA_CERTS="$tmp/tls/ca.pem"
    for t in websocket polling upgrade; do
        if out=$(BEARER=t0ken timeout 15 node server/test/drive.js server "https://127.0.0.1:$port" counter "$t" 2>&1); then
            ok "v4 https + bearer over $t: $(echo "$out" | tr '\n' ' ')"
        else bad "v4 https + bearer over $t"; echo "$out" | sed 's/^/    | /'; fi
    done
    if timeout 15 node server/test/drive.js server "https://127.0.0.1:$port" counter polling >"$tmp/nobearer" 2>&1
    then bad "REQUIRE_BEARER let a client without the header in"; else ok "REQUIRE_BEARER refuses: $(tail -1 "$tmp/nobearer")"; fi
    unset NODE_EXTRA_CA_CERTS
    if timeout 15 node server/test/drive.js server "https://127.0.0.1:$port" counter polling >"$tmp/noca" 2>&1
    then bad "an https client without the test CA connected"; else ok "without the CA: $(tail -1 "$tmp/noca")"; fi
    hdr=$(curl -s -i --cacert "$tmp/tls/ca.pem" -H 'Authorization: Bearer t0ken' \
          "https://127.0.0.1:$port/socket.io/?EIO=4&transport=polling" | tr -d '\r' | grep -i '^set-cookie: io=')
    [ -n "$hdr" ] && ok "COOKIE=1: $hdr" || bad "COOKIE=1: no io cookie on the handshake"
fi
if start v4-deflate server PER_MESSAGE_DEFLATE=1; then
    out=$(timeout 10 node server/test/deflate.js server "ws://127.0.0.1:$port/socket.io/?EIO=4&transport=websocket" 2>&1)
    case "$out" in *"extensions: permessage-deflate"*) ok "PER_MESSAGE_DEFLATE=1: $(echo "$out" | head -1)" ;;
                   *) bad "PER_MESSAGE_DEFLATE=1 did not negotiate: $out" ;; esac
fi
if start v4-plain server; then
    out=$(timeout 10 node server/test/deflate.js server "ws://127.0.0.1:$port/socket.io/?EIO=4&transport=websocket" 2>&1)
    case "$out" in *"extensions: (none)"*) ok "without it: no compression" ;; *) bad "compression without PER_MESSAGE_DEFLATE: $out" ;; esac
fi

echo "t_03: $failures failure(s)"
[ "$failures" = 0 ]
