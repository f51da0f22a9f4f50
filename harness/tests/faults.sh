# Helpers for the t_3x_faults_* scripts (sourced after lib.sh): fake servers and report checks.

FAKE_PIDS=""
trap 'for p in $FAKE_PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT

# start_fake SCRIPT MODE: run harness/tests/fakes/SCRIPT.js MODE, wait for its port, set FAKE_PORT/FAKE_PID
start_fake() {
    local portfile="$TMP/fake.$1.$2.port"
    : >"$portfile"
    node "harness/tests/fakes/$1.js" "$2" >"$portfile" 2>"$TMP/fake.$1.$2.err" &
    FAKE_PID=$!
    FAKE_PIDS="$FAKE_PIDS $FAKE_PID"
    for _ in $(seq 100); do
        [ -s "$portfile" ] && break
        kill -0 "$FAKE_PID" 2>/dev/null || fail "fake $1 $2 died: $(cat "$TMP/fake.$1.$2.err")"
        sleep 0.05
    done
    FAKE_PORT=$(head -1 "$portfile")
    [ -n "$FAKE_PORT" ] || fail "fake $1 $2 printed no port"
}

stop_fake() { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }

# check_report DIR: report.json exists, parses, says FAIL, and its counts agree with each other
check_report() {
    local r="$1/report.json"
    [ -s "$r" ] || fail "no report.json in $1"
    jq -e '.schema == "siocrypt-report/1"' "$r" >/dev/null || fail "$r: not a report"
    [ "$(jqr "$r" .pass)" = false ] || fail "$r: pass is not false"
    [ "$(jqr "$r" .exit_code)" = 1 ] || fail "$r: exit_code is not 1"
    local c; c=$(jqr "$r" '[.connections.attempted == .connections.established + .connections.failed,
        .messages.verified <= .messages.sent, .errors_total == ([.errors[]] | add // 0),
        ([.timeline.seconds[]?.verified] | add // 0) == .messages.verified] | all')
    [ "$c" = true ] || fail "$r: counts do not agree: $(jq -c '[.connections, .messages, .errors]' "$r")"
    for f in summary.md junit.xml latency.hgrm latency.hlog report.html; do [ -s "$1/$f" ] || fail "$1: no $f"; done
}

# errors_are DIR JSON: the report's errors{} is exactly this object (order ignored)
errors_are() {
    local got; got=$(jq -cS .errors "$1/report.json")
    [ "$got" = "$(echo "$2" | jq -cS .)" ] || fail "$1: errors $got, want $2"
}

# elapsed since $T0 (set with T0=$(date +%s%N)) in ms
elapsed_ms() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }
