# Shared by the integration scripts (sourced). Each script runs under `set -eu`, makes its own temp
# folder, and fails with a message naming what did not hold.
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SIOCRYPT=${SIOCRYPT:-$PWD/build/siocrypt}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# jqr FILE EXPR: one value from a report
jqr() { jq -r "$2" "$1"; }

# expect_exit CODE CMD...: run CMD (bounded by `timeout`), check its exit code; output goes to $TMP/out. A
# sanitizer report fails it too: LeakSanitizer keeps a failing run's exit code 1, so the code alone can hide one.
expect_exit() {
    local want=$1; shift
    local got=0
    timeout 120 "$@" >"$TMP/out" 2>&1 || got=$?
    if [ "$got" != "$want" ]; then
        sed 's/^/  | /' "$TMP/out" | tail -40 >&2
        fail "expected exit $want, got $got: $*"
    fi
    ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/out" ||
        fail "sanitizer report: $(grep -m3 -E 'Sanitizer|runtime error:' "$TMP/out")"
}

# a TCP port on 127.0.0.1 that nothing listens on
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server [ENV=VAL...]: the project's g-crypt server on 127.0.0.1, any free port; sets SERVER_URL and
# SERVER_PID, and stops it when the script exits (serve below, with an EXIT trap of its own whose kill
# cannot fail under set -e).
start_server() {
    local pids=()
    serve server server "$@"
    SERVER_PID=${pids[0]}
    SERVER_URL=http://127.0.0.1:$port
    trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$TMP"' EXIT
}

# serve NAME DIR [ENV=VAL...]: DIR/server.js (server, server/v2, server/v1) on any free port of 127.0.0.1,
# quiet and without the seed's delay; sets $port. The pid goes into the caller's pids array, whose EXIT
# trap stops them (`pids=(); trap 'for p in "${pids[@]}"; do kill "$p"; done; rm -rf "$TMP"' EXIT`).
serve() {
    local name=$1 dir=$2; shift 2
    : >"$TMP/$name.log"   # before sed reads it: the background job's redirection may come later
    env PORT=0 HOST=127.0.0.1 LOG=0 DELAY_MS=0 "$@" node "$dir/${SERVE_JS:-server.js}" >"$TMP/$name.log" 2>&1 &
    pids+=($!)
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$TMP/$name.log")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    cat "$TMP/$name.log" >&2
    fail "$name: server did not start"
}

# serve_chat NAME DIR [ENV=VAL...]: the chat app (server/chat.js) as serve starts the counter: DIR/chat-server.js
# (server, server/v2), quiet, any free port; PUSH_MS, SILENT, BAD_PUSH... as ENV (README, the chat app).
serve_chat() { SERVE_JS=chat-server.js serve "$@"; }
