#!/usr/bin/env bash
# Hostile text (harness/tests/fakes/hostile.js): a counter_error message and an HTTP error body with ESC
# sequences and a multi-byte character across the harness's length limit, envelopes whose `iv` field holds
# C1 controls, bytes that are not UTF-8 or characters cut by the stored envelope's limit, and a scenario
# name with escape sequences. Every run's report.json must be strict UTF-8 JSON, junit.xml well-formed XML,
# report.html and summary.md free of control characters, and what the harness printed (stdout and stderr,
# with -v) must hold no ESC, no other control, no invalid UTF-8 (harness/tests/textcheck.py).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
SC=harness/tests/scenarios/faults.json   # 2 clients, 3 messages each

# text_ok DIR WHAT: the reports in DIR and the terminal output of the last run ($TMP/out) are safe text
text_ok() {
    python3 harness/tests/textcheck.py "$1" "$TMP/out" >&2 || fail "$2: unsafe text in the reports or on the terminal"
    if grep -q $'\x1b' "$TMP/out"; then fail "$2: a raw ESC reached the terminal"; fi
    if grep -q 'Sanitizer\|runtime error' "$TMP/out"; then fail "$2: a sanitizer report (above)"; fi
}

# (a) counter_error messages: ESC, OSC and CSI sequences, then euro signs across the stored 159-byte limit
start_fake hostile counter-error
out="$TMP/counter-error"
expect_exit 0 "$SIOCRYPT" run scenarios/robustness.json --url "http://127.0.0.1:$FAKE_PORT" --out "$out"
text_ok "$out" "counter-error"
r="$out/report.json"
[ "$(jqr "$r" '[.probes[] | select(.outcome == "counter_error")] | length')" -ge 8 ] ||
    fail "counter-error: the probes were not answered with counter_error: $(jq -c '[.probes[].outcome]' "$r")"
jq -e '.probes[] | select(.name == "not-json") | .detail | startswith("decrypt: \\x1b[31mred\\x1b[0m")' "$r" >/dev/null ||
    fail "counter-error: the escapes are not shown visibly: $(jq -c '.probes[4].detail' "$r")"
grep -q 'not-json .*decrypt: \\x1b\[31mred' "$TMP/out" || fail "counter-error: the probe line does not show the escapes"
stop_fake
echo "ok counter-error: 12 probes, messages with escapes and a cut character, reports and terminal clean"

# (b) the iv field: cut inside a character by the stored example's limit, C1 and escaped ESC, invalid bytes
for mode in iv-cut iv-esc iv-bytes; do
    start_fake hostile "$mode"
    for transport in websocket polling; do
        out="$TMP/$mode-$transport"
        code=0
        timeout 120 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport "$transport" --out "$out" -v \
            >"$TMP/out" 2>&1 || code=$?
        r="$out/report.json"
        [ -s "$r" ] || fail "$mode $transport: no report (exit $code)"
        text_ok "$out" "$mode $transport"
        if [ "$mode" != iv-bytes ]; then   # iv-bytes: whether such an envelope decrypts is the envelope's rule
            [ "$code" = 0 ] || fail "$mode $transport: exit $code"
            [ "$(jqr "$r" .messages.verified)" = 6 ] || fail "$mode $transport: verified $(jqr "$r" .messages.verified)"
            jq -e '.findings[] | select(.id == "iv-mismatch") | .evidence | startswith("first: {\"ct\":")' "$r" >/dev/null ||
                fail "$mode $transport: no iv-mismatch finding with the envelope: $(jq -c .findings "$r")"
        fi
        echo "ok $mode $transport: exit $code, $(jq -c '[.errors, [.findings[].id]]' "$r")"
    done
    stop_fake
done
jq -e '.findings[] | select(.id == "iv-mismatch") | .evidence | contains("\\u009b31m")' "$TMP/iv-esc-polling/report.json" \
    >/dev/null || fail "iv-esc: the C1 control is not shown visibly"

# (a') an HTTP error body in an error detail: ESC sequences, a character across the 100-byte cut; -v logs it
start_fake hostile http-error
out="$TMP/http-error"
expect_exit 1 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport polling --out "$out" -v
text_ok "$out" "http-error"
check_report "$out"
errors_are "$out" '{"handshake": 2}'
jq -e '.error_details[0].detail | startswith("GET HTTP 400: \\x1b[31mred") and endswith("yyy")' "$out/report.json" \
    >/dev/null || fail "http-error: detail $(jq -c '.error_details[0].detail' "$out/report.json")"
grep -q 'client [01]: handshake: GET HTTP 400: \\x1b\[31mred' "$TMP/out" || fail "http-error: -v did not log the detail"
stop_fake
echo "ok http-error: $(jq -c .errors "$out/report.json"), the cut character dropped, escapes visible"

# (c) a scenario name with escape sequences, a C1 control, "/../" and bytes that are not UTF-8
start_fake hostile iv-cut
printf '{"name": "evil\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m/../x\xff\xe2\x82", "clients": 2, "messages": 3,
  "timeouts": {"connect_ms": 1000, "message_ms": 1000, "drain_ms": 500}}\n' >"$TMP/evil.json"
out="$TMP/evil"
expect_exit 0 "$SIOCRYPT" run "$TMP/evil.json" --url "http://127.0.0.1:$FAKE_PORT" --out "$out" -v
text_ok "$out" "scenario name"
want='evil\x1b[2J\x1b]0;pwned\x07\u009b31m/../x\xff\xe2\x82'
[ "$(jqr "$out/report.json" .scenario)" = "$want" ] || fail "scenario name: $(jqr "$out/report.json" .scenario)"
grep -qF "scenario '$want'" "$TMP/out" || fail "scenario name: the summary does not show it escaped"
# the default report folder is named after the scenario: one plain folder right under reports/
expect_exit 0 "$SIOCRYPT" run "$TMP/evil.json" --url "http://127.0.0.1:$FAKE_PORT" -q
text_ok "$out" "scenario name, default folder"
dir=$(sed -n 's/^  HTML         \(.*\)\/report.html$/\1/p' "$TMP/out")
[ -n "$dir" ] && [ -s "$dir/report.json" ] || fail "scenario name: no default report folder in the summary"
trap 'for p in $FAKE_PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP" "$dir"' EXIT
[ "$(basename "$(dirname "$dir")")" = reports ] || fail "scenario name: the default folder $dir is not right under reports/"
[[ "$(basename "$dir")" =~ ^[A-Za-z0-9._-]+$ ]] || fail "scenario name: the default folder name $(basename "$dir") is not plain"
stop_fake
echo "ok scenario name: shown escaped, reports clean, default folder $(basename "$dir")"
