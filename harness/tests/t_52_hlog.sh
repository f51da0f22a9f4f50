#!/usr/bin/env bash
# latency.hlog read by the reference implementation: HdrHistogram's Java HistogramLogReader (Debian's
# libhdrhistogram-java), through harness/tests/java/HlogCheck.java compiled here with javac. A bounded real
# run against the local socket.io 4 server, then `siocrypt merge` of two runs; each time the reader's total
# count, intervals, p50/p99/p99.9 and max must agree with report.json (harness/tests/hlogcheck.py says how);
# and HdrHistogram's HistogramLogProcessor tool must count every round trip of the run's log.
source "$(dirname "$0")/lib.sh"
jar=$(dpkg -L libhdrhistogram-java 2>/dev/null | grep -m1 '/hdrhistogram\.jar$' || true)
[ -n "$jar" ] && [ -f "$jar" ] || fail "libhdrhistogram-java is not installed (harness/scripts/debian-packages-test.txt)"
command -v javac >/dev/null || fail "javac missing (default-jdk-headless)"
mkdir -p "$TMP/classes"
javac -d "$TMP/classes" -cp "$jar" harness/tests/java/HlogCheck.java || fail "HlogCheck.java does not compile"

check() {  # check DIR: the reader on DIR/latency.hlog against DIR/report.json
    [ -s "$1/latency.hlog" ] || fail "$1: no latency.hlog"
    head -1 "$1/latency.hlog" | grep -q '^#\[Logged with siocrypt' || fail "$1/latency.hlog: no header"
    timeout 60 java -cp "$TMP/classes:$jar" HlogCheck "$1/latency.hlog" >"$TMP/java.txt" 2>"$TMP/java.err" ||
        { cat "$TMP/java.err" >&2; fail "$1: HistogramLogReader could not read latency.hlog"; }
    python3 harness/tests/hlogcheck.py "$TMP/java.txt" "$1/report.json" || fail "$1: latency.hlog and report.json disagree"
}

start_server
common=(--url "$SERVER_URL" --transport websocket --quiet --messages 0)
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --clients 4 --duration 3s --out "$TMP/a"
check "$TMP/a"
n=$(jqr "$TMP/a/report.json" .messages.verified)
# HdrHistogram's own command-line tool too: its .hgrm of the whole log counts every round trip (an interval
# it skipped, e.g. one before StartTime, would be missing from the total)
timeout 60 java -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$TMP/a/latency.hlog" -o "$TMP/proc" \
    >"$TMP/proc.out" 2>&1 || { cat "$TMP/proc.out" >&2; fail "HistogramLogProcessor failed on latency.hlog"; }
grep -qE "Total count += +$n\]" "$TMP/proc.hgrm" ||
    fail "HistogramLogProcessor: $(grep 'Total count' "$TMP/proc.hgrm"), report.json verified $n"
[ "$(grep -vc '^[#"]' "$TMP/a/latency.hlog")" -ge 3 ] || fail "a 3 s run logged fewer than 3 intervals"
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --clients 2 --duration 2s --out "$TMP/b"
expect_exit 0 "$SIOCRYPT" merge --out "$TMP/m" "$TMP/a/report.json" "$TMP/b/report.json"
check "$TMP/m"
[ "$(jqr "$TMP/m/report.json" .messages.verified)" = $((n + $(jqr "$TMP/b/report.json" .messages.verified))) ] ||
    fail "merged verified is not the sum"
echo "ok: latency.hlog agrees with report.json in HdrHistogram's own reader (run and merge)"
