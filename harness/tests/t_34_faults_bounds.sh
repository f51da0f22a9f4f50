#!/usr/bin/env bash
# Hostile servers (harness/tests/fakes/greedy.js, rewrite.js): nothing a server sends makes the harness
# buffer without limit, overflow, follow it elsewhere or spin. Each case checks the error class (and its
# detail), the harness's max RSS from report.json (under 128 MiB with the default 16 MiB message limit and
# 32 MiB queue; 256 MiB under ASan, whose redzones and quarantine cost more), a report.json that is valid
# UTF-8 JSON, a junit.xml that is well-formed XML, that the run ended within a generous bound, and (in the
# ASan build) that no sanitizer reported anything.
# Before the limits these grew to 0.4-1.5 GB, timed out, or (ping numbers) failed at once / aborted UBSan.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
SC=harness/tests/scenarios/faults.json   # connect_ms and message_ms 1000; one client here (--clients 1)

RSS_MAX_KB=131072
ldd "$SIOCRYPT" 2>/dev/null | grep -q libasan && RSS_MAX_KB=262144

# reports_valid DIR: report.json strict UTF-8 JSON, junit.xml well-formed XML
reports_valid() {
    python3 - "$1" <<'EOF' || fail "$1: reports not valid"
import json, sys, xml.dom.minidom
d = sys.argv[1]
json.loads(open(d + '/report.json', 'rb').read().decode('utf-8', 'strict'))
xml.dom.minidom.parse(d + '/junit.xml')
EOF
}

# rss_bounded DIR WHAT
rss_bounded() {
    local rss; rss=$(jqr "$1/report.json" .harness.max_rss_kb)
    [ "$rss" -le "$RSS_MAX_KB" ] || fail "$2: harness max RSS $rss KiB, bound $RSS_MAX_KB KiB"
}

# detail_is DIR CLASS DETAIL-PREFIX: every error is of CLASS and its detail starts with DETAIL-PREFIX
detail_is() {
    local bad; bad=$(jq --arg c "$2" --arg d "$3" \
        '[.error_details[] | select(.class != $c or (.detail | startswith($d) | not))] | length' "$1/report.json")
    [ "$bad" = 0 ] || fail "$1: error details $(jq -c .error_details "$1/report.json"), want $2: $3..."
}

# run_case SCRIPT MODE TRANSPORT WANT-EXIT BOUND-MS [ARGS...]: one run against a fresh fake; sets OUT, MS
run_case() {
    local script=$1 mode=$2 transport=$3 want=$4 bound=$5; shift 5
    start_fake "$script" "$mode"
    OUT="$TMP/$script-$mode-$transport"
    T0=$(date +%s%N)
    expect_exit "$want" "$SIOCRYPT" run "${RUN_SC:-$SC}" --url "http://127.0.0.1:$FAKE_PORT" --transport "$transport" \
        --clients 1 --out "$OUT" -q "$@"
    MS=$(elapsed_ms)
    stop_fake
    # a sanitizer report does not always change the exit code (LeakSanitizer keeps a failing run's 1)
    ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/out" ||
        fail "$script $mode $transport: sanitizer report: $(grep -m3 -E 'Sanitizer|runtime error:' "$TMP/out")"
    FAKE_ERR="$TMP/fake.$script.$mode.err"
    [ "$MS" -le "$bound" ] || fail "$script $mode $transport: took $MS ms (bound $bound)"
    reports_valid "$OUT"
    rss_bounded "$OUT" "$script $mode $transport"
}

ok() { echo "ok $1: $(jq -c .errors "$OUT/report.json"), max RSS $(jqr "$OUT/report.json" .harness.max_rss_kb) KiB, $MS ms"; }

# 1. limits.max_message_bytes: messages and bodies that never end
cases=(
  "open      websocket 0  the open packet never ends: a frame announcing 2^40 bytes"
  "open      polling   0  the open packet never ends: a close-delimited body"
  "body      websocket 1  the answer never ends: a frame announcing 2^40 bytes"
  "body      polling   1  the answer never ends: Content-Length 10^12"
  "chunked   polling   1  the answer never ends: a chunked body"
  "fragments websocket 1  the answer never ends: continuation frames, none final"
)
for line in "${cases[@]}"; do
    read -r mode transport est what <<<"$line"
    run_case greedy "$mode" "$transport" 1 8000
    check_report "$OUT"
    errors_are "$OUT" '{"protocol": 1}'
    detail_is "$OUT" protocol message-too-large
    [ "$(jqr "$OUT/report.json" .connections.established)" = "$est" ] || fail "$mode $transport: established"
    ok "$mode $transport ($what)"
done

# 2. limits.max_queue_bytes: a server that pings and never reads; the pongs queue up
for transport in websocket polling; do
    run_case greedy noread "$transport" 1 8000
    check_report "$OUT"
    errors_are "$OUT" '{"backpressure": 1}'
    detail_is "$OUT" backpressure "send queue full"
    ok "noread $transport (never reads, pings with 60 KB)"
done
# a lower limit from the scenario is the one applied
cat >"$TMP/small-queue.json" <<'EOF'
{ "name": "small-queue", "target": { "url": "http://127.0.0.1:9" }, "clients": 1, "messages": 3,
  "timeouts": { "connect_ms": 1000, "message_ms": 1000, "drain_ms": 500 },
  "limits": { "max_message_bytes": 65536, "max_queue_bytes": 262144 } }
EOF
RUN_SC="$TMP/small-queue.json" run_case greedy noread websocket 1 8000
errors_are "$OUT" '{"backpressure": 1}'
ok "noread websocket with limits.max_queue_bytes 256 KiB"
RUN_SC="$TMP/small-queue.json" run_case greedy chunked polling 1 8000
errors_are "$OUT" '{"protocol": 1}'
ok "chunked polling with limits.max_message_bytes 64 KiB"

# 3. the server's numbers: pingInterval/pingTimeout 1e13 and 9e12 ms (the real server, lying in its open
# packet) are clamped: a 1 s run (several heartbeat sweeps) verifies every round trip, no heartbeat failure
# (9e12 failed at once in release builds), no UBSan abort (1e13 x 1e6 overflows int64)
for mode in ping13 ping9e12; do
    for transport in websocket polling; do
        run_case rewrite "$mode" "$transport" 0 8000 --messages 0 --duration 1s
        r="$OUT/report.json"
        errors_are "$OUT" '{}'
        [ "$(jqr "$r" .messages.verified)" -ge 10 ] || fail "$mode $transport: verified $(jqr "$r" .messages.verified)"
        [ "$(jqr "$r" .messages.verified)" = "$(jqr "$r" .messages.sent)" ] || fail "$mode $transport: not all verified"
        ok "$mode $transport (the real server announcing absurd heartbeat numbers)"
    done
done

# maxPayload 300 MB in a robustness run (the hardened real server): the oversized probe is capped at the
# message limit and says so; all 12 probes run
for transport in websocket polling; do
    HARDENED=1 RUN_SC=harness/tests/scenarios/robustness-remote.json run_case rewrite maxpayload "$transport" 0 30000
    r="$OUT/report.json"
    [ "$(jqr "$r" '.probes | length')" = 12 ] || fail "maxpayload $transport: $(jq -c .probes "$r")"
    [ "$(jqr "$r" '[.probes[] | select(.ran and .name != "baseline" and .health != "ok")] | length')" = 0 ] ||
        fail "maxpayload $transport: a health check failed: $(jq -c .probes "$r")"
    jqr "$r" '.probes[] | select(.name == "oversized") | .detail' |
        grep -q 'announced maxPayload 300000000; sized at the message limit 16777216' ||
        fail "maxpayload $transport: oversized detail: $(jqr "$r" '.probes[] | select(.name == "oversized") | .detail')"
    ok "maxpayload $transport (robustness run, 12 probes, oversized capped)"
done

# 4. a sid with CR LF is refused at the open packet, before it reaches a request line
for transport in websocket polling upgrade; do
    run_case greedy sid "$transport" 1 8000
    check_report "$OUT"
    errors_are "$OUT" '{"handshake": 1}'
    detail_is "$OUT" handshake "bad open packet: sid has a control byte"
    ! grep -q INJECTED "$FAKE_ERR" || fail "sid $transport: the server received the injected header"
    ok "sid $transport (CR LF X-Injected in the sid)"
done

# 5. redirects are not followed: a handshake error naming the Location, nothing connects to the other port
for transport in websocket polling; do
    run_case greedy redirect "$transport" 1 3000
    check_report "$OUT"
    errors_are "$OUT" '{"handshake": 1}'
    detail_is "$OUT" handshake ""
    jqr "$OUT/report.json" '.error_details[0].detail' | grep -Eq 'HTTP 302 redirect not followed: Location (ws|http)://127\.0\.0\.1:[0-9]+/socket\.io/' ||
        fail "redirect $transport: detail $(jqr "$OUT/report.json" '.error_details[0].detail')"
    ! grep -q FOLLOWED "$FAKE_ERR" || fail "redirect $transport: the redirect was followed"
    ok "redirect $transport"
done

# 6. empty 200 replies to polling GETs: backed off, not 20,000 GETs in 3 s. The run lasts ~3 s (three
# messages time out one after the other); with 5 ms doubling to 1 s that is about a dozen GETs.
run_case greedy empty polling 1 10000
check_report "$OUT"
[ "$(jq -r '[.errors | keys[] | select(. != "timeout")] | length' "$OUT/report.json")" = 0 ] ||
    fail "empty polling: errors $(jq -c .errors "$OUT/report.json")"
gets=$(grep -c '^empty' "$FAKE_ERR" || true)
[ "$gets" -le 40 ] || fail "empty polling: $gets empty GETs in $MS ms (bound 40)"
[ "$gets" -ge 3 ] || fail "empty polling: only $gets empty GETs: the fake did not run as meant"
ok "empty polling ($gets empty GETs)"
