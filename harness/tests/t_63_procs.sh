#!/usr/bin/env bash
# --procs N: one run as N harness processes, each with its share of the clients (the whole run's client
# indices), its own local server (url local) and its own fd limit; one merged report of the shape of one
# process's. A child that dies is a finding and the others are still merged; SIGINT reaches every child.
# The 30,000-connection case (2 x 15,000 held, past one process's 20,000 fds) is skipped under ASan, where
# two sanitized processes with 15,000 connections each take minutes and gigabytes on a 2-core machine.
source "$(dirname "$0")/lib.sh"
S=scenarios/smoke.json
sum() { jq -s "map($1) | add" "$TMP"/$2/proc-*/report.json; }

# 2 x 3 clients: the merged counts are the sum of the processes', every {{client}} is used once
cat >"$TMP/tok.json" <<'J'
{ "name": "tok", "target": { "url": "local", "query": { "token": "t{{client}}" } }, "clients": 6, "messages": 10 }
J
LOG_HANDSHAKE=1 expect_exit 0 "$SIOCRYPT" run "$TMP/tok.json" --procs 2 --out "$TMP/small"
R=$TMP/small/report.json
[ "$(jqr "$R" .instances)" = 2 ] || fail "small: instances $(jqr "$R" .instances)"
[ "$(jqr "$R" .clients)" = 6 ] || fail "small: clients $(jqr "$R" .clients)"
[ "$(jqr "$R" .messages.verified)" = 60 ] || fail "small: verified $(jqr "$R" .messages.verified)"
for f in .clients .threads .connections.attempted .connections.established .messages.sent .messages.verified \
         .harness.max_rss_kb; do
    [ "$(jqr "$R" "$f")" = "$(sum "$f" small)" ] || fail "small: $f $(jqr "$R" "$f") is not the sum $(sum "$f" small)"
done
for f in harness.cpu_s server.cpu_s; do
    python3 -c "import sys; sys.exit(0 if abs($(jqr "$R" ".$f") - $(sum ".$f" small)) < 1e-6 else 1)" || fail "small: $f"
done
for k in 1 2; do [ "$(jqr "$TMP/small/proc-$k/report.json" .clients)" = 3 ] || fail "small: proc-$k clients"; done
# the same files as one process's, in the run's folder
for f in report.json summary.md junit.xml latency.hgrm report.html; do [ -s "$TMP/small/$f" ] || fail "small: no $f"; done
[ "$(jq -r 'keys | join(",")' "$R")" = "$(jq -r 'keys | join(",")' "$TMP/small/proc-1/report.json")" ] ||
    fail "small: the merged report's fields differ from one process's"
# one local server per process, and the tokens t0..t5 over both, each once
[ "$(jqr "$TMP/small/proc-1/report.json" .target)" != "$(jqr "$TMP/small/proc-2/report.json" .target)" ] ||
    fail "small: both processes ran against one server"
toks=$(cat "$TMP"/small/proc-*/server.log | sed -n 's/^handshake token=\(t[0-9]*\) .*/\1/p' | sort | tr '\n' ' ')
[ "$toks" = "t0 t1 t2 t3 t4 t5 " ] || fail "small: client tokens over both servers: $toks"
grep -q "handshake token=t4 " "$TMP/small/proc-2/server.log" || fail "small: process 2 did not have clients 3..5"

# usage errors, before anything runs
expect_exit 2 "$SIOCRYPT" run $S --procs 3 --clients 2 --out "$TMP/u"
grep -q "procs: 3 processes for 2 clients" "$TMP/out" || fail "procs > clients: $(cat "$TMP/out")"
expect_exit 2 "$SIOCRYPT" run $S --procs 0 --out "$TMP/u"
grep -q "procs: must be an integer in \[1, 64\]" "$TMP/out" || fail "procs 0: $(cat "$TMP/out")"
expect_exit 2 "$SIOCRYPT" run scenarios/robustness.json --procs 2 --out "$TMP/u"
[ ! -e "$TMP/u" ] || fail "a usage error left a report folder"

# the children, once both have clients open (progress lines show the sum)
children() { pgrep -P "$1" -x siocrypt | sort -n; }
wait_children() {
    for _ in $(seq 200); do
        [ "$(children "$1" | wc -l)" = 2 ] && grep -q "clients open     4" "$TMP/$2.err" && return 0
        sleep 0.1
    done
    fail "$2: the two processes never had their clients open: $(cat "$TMP/$2.err")"
}

# a child killed mid-run: exit 1, the other's report merged, the finding names the dead one
"$SIOCRYPT" run $S --clients 4 --duration 8 --think 50 --procs 2 --out "$TMP/kill" >"$TMP/kill.out" 2>"$TMP/kill.err" & p=$!
wait_children $p kill
victim=$(children $p | tail -1)
kill -9 "$victim"
rc=0; timeout 60 tail --pid=$p -f /dev/null || fail "kill: the parent did not end"; wait $p || rc=$?
[ "$rc" = 1 ] || fail "kill: exit $rc"
R=$TMP/kill/report.json
[ "$(jqr "$R" .instances)" = 1 ] && [ "$(jqr "$R" .clients)" = 2 ] || fail "kill: instances/clients $(jqr "$R" '[.instances,.clients]')"
f=$(jqr "$R" '.findings[] | select(.id == "proc-failed") | .severity + ": " + .detail')
[[ "$f" == "high: harness process "[12]" of 2 (clients "*") was killed by signal 9 "* ]] || fail "kill: finding: $f"
[ "$(jqr "$R" .messages.verified)" -gt 0 ] || fail "kill: the survivor's round trips are missing"
grep -q "FAIL" "$TMP/kill.out" || fail "kill: the summary does not say FAIL"

# SIGINT to the parent: every child drains and reports, one merged report, exit 1
"$SIOCRYPT" run $S --clients 4 --duration 30 --think 50 --procs 2 --out "$TMP/int" >/dev/null 2>"$TMP/int.err" & p=$!
wait_children $p int
kill -INT $p
rc=0; timeout 60 tail --pid=$p -f /dev/null || fail "int: the parent did not end"; wait $p || rc=$?
[ "$rc" = 1 ] || fail "int: exit $rc"
R=$TMP/int/report.json
[ "$(jqr "$R" .instances)" = 2 ] || fail "int: instances $(jqr "$R" .instances)"
[ "$(jqr "$R" '[.findings[] | select(.id == "interrupted")] | length')" -ge 1 ] || fail "int: $(jqr "$R" .findings)"
for k in 1 2; do   # each child took the signal once (a second would have dropped its connections: no drain)
    [ "$(jqr "$TMP/int/proc-$k/report.json" '[.findings[] | select(.id == "interrupted")] | length')" = 1 ] ||
        fail "int: proc-$k did not take the SIGINT"
done
[ "$(jqr "$R" .errors_total)" = 0 ] || fail "int: the drain lost messages: $(jqr "$R" .errors)"
[ "$(jqr "$R" '[.findings[] | select(.id == "proc-failed")] | length')" = 0 ] || fail "int: a child failed"
python3 -c "import sys; sys.exit(0 if $(jqr "$R" .duration_s) < 20 else 1)" || fail "int: did not stop early"

if ldd "$SIOCRYPT" 2>/dev/null | grep -q libasan; then
    echo "ok: --procs 2 x 3 (sums, {{client}}), usage, a child killed, SIGINT; 2 x 15,000 skipped under ASan"
    exit 0
fi
# 2 x 15,000 websocket clients held with heartbeats against 2 local servers: 30,000 connections at once
PING_INTERVAL_MS=10000 PING_TIMEOUT_MS=20000 timeout 300 nice "$SIOCRYPT" run harness/tests/scenarios/procs-held.json \
    --out "$TMP/held" >"$TMP/held.out" 2>"$TMP/held.err" || { tail -n 30 "$TMP/held.out" "$TMP/held.err"; fail "held: the run failed"; }
R=$TMP/held/report.json
[ "$(jqr "$R" .instances)" = 2 ] && [ "$(jqr "$R" .clients)" = 30000 ] || fail "held: $(jqr "$R" '[.instances,.clients]')"
[ "$(jqr "$R" .connections.established)" = 30000 ] || fail "held: established $(jqr "$R" .connections.established)"
[ "$(jqr "$R" .errors_total)" = 0 ] || fail "held: errors $(jqr "$R" .errors)"
grep -q "clients open 30000" "$TMP/held.err" || fail "held: 30,000 were never open at once: $(tail -5 "$TMP/held.err")"
for k in 1 2; do
    [ "$(jqr "$TMP/held/proc-$k/report.json" .connections.established)" = 15000 ] || fail "held: proc-$k"
done
echo "ok: --procs 2 x 3 (sums, {{client}}), usage, a child killed, SIGINT, 2 x 15,000 held (30,000 connections)"
