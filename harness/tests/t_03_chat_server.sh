#!/usr/bin/env bash
# The chat app the flow tests run against (server/chat.js), driven by the real node socket.io-client and
# g-crypt (server/test/chat-drive.js), on socket.io 4 (server/chat-server.js) and 2 (server/v2/chat-server.js),
# each with its own client version:
#  - join acks with the room's size, say's ack and its 'said' broadcast reaching both members of the room
#    and not a client in another room, echo with 3 arguments, plain objects answered plainly: over
#    websocket, polling and upgrade (and socket.io 4 with ALLOW_EIO3=1 for a socket.io-client 2);
#  - the news push arrives and counts up; PUSH_MS=0 turns it off;
#  - envelopes that do not decrypt are answered {error: "decrypt"} and the server stays up;
#  - the fault knobs: SILENT never acks, BAD_ACK and BAD_PUSH carry envelopes that do not decrypt,
#    SAY_SKIP_SENDER leaves the sender out, ACK_DELAY_MS delays acks;
#  - LOG=1 lines, one listening line, a bad setting refused (exit 2), SIGTERM exits 0.
# Every server started here is stopped by the EXIT trap; every wait is bounded.
set -u
cd "$(dirname "$0")/../.."
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

for d in server server/v2; do
    [ -d "$d/node_modules/socket.io" ] && [ -d "$d/node_modules/socket.io-client" ] || {
        echo "t_03_chat: $d/node_modules missing: run 'make deps' (npm ci from the lock file)"; exit 1; }
done

ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }

# start NAME DIR [VAR=value...]: DIR/chat-server.js on 127.0.0.1, any port; sets $pid and $port.
start() {
    local name=$1 dir=$2; shift 2
    local log="$tmp/$name.log"
    : >"$log"
    env PORT=0 HOST=127.0.0.1 "$@" node "$dir/chat-server.js" >"$log" 2>&1 &
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

# drive DESC CLIENT_DIR PORT MODE [TRANSPORT]: expect chat-drive.js to succeed.
drive() {
    local desc=$1 cdir=$2 p=$3; shift 3
    local out
    if out=$(timeout 20 node server/test/chat-drive.js "$cdir" "http://127.0.0.1:$p" "$@" 2>&1); then
        ok "$desc: $(echo "$out" | tr '\n' ' ')"
    else
        bad "$desc"; echo "$out" | sed 's/^/    | /'
    fi
}

for impl in v4:server v2:server/v2; do
    name=${impl%%:*} dir=${impl#*:}
    # 1. the events, on every transport; the push; bad envelopes
    if start "$name" "$dir" PUSH_MS=200 LOG=1; then
        for t in websocket polling upgrade; do
            drive "$name rooms, say, echo over $t" "$dir" "$port" rooms "$t"
        done
        drive "$name news push" "$dir" "$port" push
        drive "$name undecryptable envelopes" "$dir" "$port" garbage
        sleep 0.2
        if kill -0 "$pid" 2>/dev/null; then ok "$name still running after bad envelopes"; else bad "$name died"; fi
        for line in 'join r1-[0-9]* members 2' 'say r1-[0-9]* members 2' 'echo 3 args' 'error join: decrypt: '; do
            grep -q "^$line" "$tmp/$name.log" && ok "$name LOG=1: '$line'" || bad "$name: no '$line' line in its log"
        done
        rc=; kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { wait "$pid"; rc=$?; break; }; sleep 0.05; done
        [ "$rc" = 0 ] && ok "$name exits 0 on SIGTERM" || bad "$name SIGTERM: rc=${rc:-still running}"
    fi
    # 2. the fault knobs together
    if start "$name-faults" "$dir" PUSH_MS=200 LOG=0 SILENT=say BAD_ACK=echo BAD_PUSH=1 SAY_SKIP_SENDER=1 \
            ACK_DELAY_MS=200; then
        drive "$name fault knobs" "$dir" "$port" faults
        [ "$(wc -l <"$tmp/$name-faults.log")" = 1 ] && ok "$name LOG=0: only the listening line" ||
            bad "$name LOG=0 logged: $(tail -n +2 "$tmp/$name-faults.log" | head -3)"
    fi
    # 3. PUSH_MS=0: no push at all
    if start "$name-nopush" "$dir" PUSH_MS=0 LOG=0; then
        out=$(timeout 20 node server/test/chat-drive.js "$dir" "http://127.0.0.1:$port" push 2>&1)
        case "$out" in *"FAIL: no news event within"*) ok "$name PUSH_MS=0: no news" ;;
                       *) bad "$name PUSH_MS=0 still pushes: $out" ;; esac
    fi
done

# 4. socket.io 4 with ALLOW_EIO3=1 serves the chat to a socket.io-client 2 (Engine.IO 3)
if start v4-eio3 server ALLOW_EIO3=1 LOG=0; then
    drive "v4 ALLOW_EIO3=1 with socket.io-client 2 over websocket" server/v2 "$port" rooms websocket
    drive "v4 ALLOW_EIO3=1 with socket.io-client 2 over polling" server/v2 "$port" rooms polling
fi

# 5. a bad setting is refused before listening
out=$(PORT=0 HOST=127.0.0.1 PUSH_MS=soon timeout 10 node server/chat-server.js 2>&1); rc=$?
[ "$rc" = 2 ] && case "$out" in *"PUSH_MS: must be an integer"*) true ;; *) false ;; esac &&
    ok "PUSH_MS=soon refused: $out" || bad "PUSH_MS=soon: rc=$rc, $out"

echo "t_03_chat: $failures failure(s)"
[ "$failures" = 0 ]
