#!/usr/bin/env bash
# SIGINT and SIGTERM in the middle of a run: stop sending, drain, write the whole report (with an
# "interrupted" finding), exit 1 (130 accepted for SIGINT). Also during ramp-up, against a server that
# never answers (the drain is bounded by drain_ms), and twice (the second drops connections at once).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"

# run_and_signal OUT DELAY SIG [SIG2 AFTER] -- ARGS...: start siocrypt run ARGS in the background, send SIG
# after DELAY seconds (and SIG2 AFTER seconds later), wait; sets RC and MS (ms from the first signal to exit)
run_and_signal() {
    local out=$1 delay=$2 sig=$3 sig2=$4 after=$5; shift 6
    timeout 60 "$SIOCRYPT" run "$@" --out "$out" -q >"$TMP/out" 2>&1 &
    local tpid=$! pid=""
    for _ in $(seq 50); do pid=$(pgrep -P $tpid || true); [ -n "$pid" ] && break; sleep 0.05; done
    [ -n "$pid" ] || fail "siocrypt did not start"
    sleep "$delay"
    T0=$(date +%s%N)
    kill -"$sig" "$pid"
    if [ "$sig2" != - ]; then sleep "$after"; kill -"$sig2" "$pid" 2>/dev/null || true; fi
    RC=0; wait $tpid || RC=$?
    MS=$(elapsed_ms)
}

check_interrupted() {   # DIR SIGNAME
    local r="$1/report.json"
    check_report "$1"
    [ "$(jqr "$r" '[.findings[] | select(.id == "interrupted" and .severity == "high")] | length')" = 1 ] ||
        fail "$1: no interrupted finding: $(jq -c .findings "$r")"
    grep -q "^$2 after" <<<"$(jqr "$r" '.findings[] | select(.id == "interrupted") | .detail')" ||
        fail "$1: the finding does not name $2"
}

# 1. mid-run, both signals, both transports: a clean drain leaves nothing unanswered
for transport in websocket polling; do
    for sig in INT TERM; do
        out="$TMP/$transport-$sig"
        run_and_signal "$out" 2.5 $sig - - -- scenarios/smoke.json --duration 30 --transport $transport
        [ "$RC" = 1 ] || { [ $sig = INT ] && [ "$RC" = 130 ]; } || { cat "$TMP/out" >&2; fail "$transport $sig: exit $RC"; }
        [ "$MS" -le 4000 ] || fail "$transport $sig: took $MS ms after the signal"
        check_interrupted "$out" SIG$sig
        r="$out/report.json"
        v=$(jqr "$r" .messages.verified)
        [ "$v" -gt 0 ] || fail "$transport $sig: nothing verified"
        [ "$(jqr "$r" .messages.sent)" = "$v" ] || fail "$transport $sig: sent $(jqr "$r" .messages.sent), verified $v"
        errors_are "$out" '{}'
        [ "$(jqr "$r" .duration_s | cut -d. -f1)" -lt 10 ] || fail "$transport $sig: ran on after the signal"
        echo "ok $transport SIG$sig: $v verified, exit $RC, $MS ms after the signal"
    done
done

# 2. during ramp-up: clients not started yet are simply never started
out="$TMP/ramp"
run_and_signal "$out" 3 INT - - -- scenarios/smoke.json --duration 60 --clients 8 --ramp 40
[ "$RC" = 1 ] || [ "$RC" = 130 ] || fail "ramp: exit $RC"
[ "$MS" -le 4000 ] || fail "ramp: took $MS ms after the signal"
check_interrupted "$out" SIGINT
r="$out/report.json"
att=$(jqr "$r" .connections.attempted)
[ "$att" -ge 1 ] && [ "$att" -lt 8 ] || fail "ramp: $att clients attempted, want some but not all"
[ "$(jqr "$r" .connections.established)" = "$att" ] || fail "ramp: a started client did not connect"
errors_are "$out" '{}'
echo "ok SIGINT during ramp-up: $att of 8 clients had started, exit $RC"

# 3. a server that never answers: the drain ends at drain_ms (1500), the unanswered messages are counted
#    (timeout: drain); a second SIGINT drops them at once (timeout: aborted)
start_fake silent session
for second in no yes; do
    out="$TMP/hung-$second"
    if [ $second = no ]; then
        run_and_signal "$out" 1.5 INT - - -- harness/tests/scenarios/hung.json --url "http://127.0.0.1:$FAKE_PORT"
        detail=drain; lo=1400; hi=4500
    else
        run_and_signal "$out" 1.5 INT INT 0.2 -- harness/tests/scenarios/hung.json --url "http://127.0.0.1:$FAKE_PORT"
        detail=aborted; lo=0; hi=1200
    fi
    [ "$RC" = 1 ] || [ "$RC" = 130 ] || fail "hung, second signal $second: exit $RC"
    [ "$MS" -ge $lo ] && [ "$MS" -le $hi ] || fail "hung, second signal $second: $MS ms, want $lo..$hi"
    check_interrupted "$out" SIGINT
    r="$out/report.json"
    sent=$(jqr "$r" .messages.sent)
    [ "$sent" = 2 ] || fail "hung: sent $sent (one per client)"
    errors_are "$out" '{"timeout": 2}'
    [ "$(jqr "$r" "[.error_details[] | select(.detail == \"$detail\") | .count] | add")" = 2 ] ||
        fail "hung: details $(jq -c .error_details "$r"), want $detail"
    echo "ok hung server, second SIGINT $second: ended $MS ms after the first, 2 x timeout:$detail"
done
