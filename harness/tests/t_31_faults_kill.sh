#!/usr/bin/env bash
# The local server killed (SIGKILL) in the middle of a duration run: every client counts a disconnect,
# the run ends at once instead of waiting out the duration, exit 1, and the report keeps every round trip
# verified before the kill, with a server-exited finding.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
clients=4
for transport in websocket polling; do
    out="$TMP/$transport"
    timeout 60 "$SIOCRYPT" run scenarios/smoke.json --duration 30 --clients $clients --transport $transport \
        --out "$out" -q >"$TMP/out" 2>&1 &
    tpid=$!
    sleep 0.5
    pid=$(pgrep -P $tpid) || fail "siocrypt did not start"
    node=""
    for _ in $(seq 100); do node=$(pgrep -P "$pid" node || true); [ -n "$node" ] && break; sleep 0.1; done
    [ -n "$node" ] || fail "$transport: no node child of siocrypt"
    sleep 2                                      # the run is under way
    kill_s=$(date +%s)
    T0=$(date +%s%N)
    kill -9 "$node"
    rc=0; wait $tpid || rc=$?
    ms=$(elapsed_ms)
    [ "$rc" = 1 ] || { cat "$TMP/out" >&2; fail "$transport: exit $rc, want 1"; }
    [ "$ms" -le 5000 ] || fail "$transport: took $ms ms after the kill to end"
    check_report "$out"
    r="$out/report.json"
    verified=$(jqr "$r" .messages.verified)
    sent=$(jqr "$r" .messages.sent)
    [ "$verified" -gt 0 ] || fail "$transport: nothing verified before the kill"
    before=$(jq "[.timeline.seconds[] | select(.t < $kill_s) | .verified] | add // 0" "$r")
    [ "$before" -gt 0 ] || fail "$transport: no round trips recorded before the kill second"
    # closed model: at most one message per client was in flight when the server died
    [ $((sent - verified)) -le $clients ] || fail "$transport: sent $sent, verified $verified"
    [ "$(jqr "$r" .connections.established)" = $clients ] || fail "$transport: not all clients connected first"
    [ "$(jqr "$r" .connections.closed)" = $clients ] || fail "$transport: connections not all closed"
    errors_are "$out" "{\"disconnect\": $clients}"
    [ "$(jqr "$r" '[.findings[] | select(.id == "server-exited" and .severity == "high")] | length')" = 1 ] ||
        fail "$transport: no server-exited finding: $(jq -c .findings "$r")"
    grep -q 'signal 9' <<<"$(jqr "$r" '.findings[0].detail')" || fail "$transport: finding does not name the signal"
    echo "ok $transport: $verified verified ($before before the kill second), $sent sent, ended $ms ms after the kill"
done

# Killed while clients are still ramping up over upgrade: some are open, some mid-handshake or
# mid-upgrade, some not started. Each client ends with exactly one class that says how far it got.
out="$TMP/ramp"
clients=12
timeout 60 "$SIOCRYPT" run scenarios/smoke.json --duration 30 --clients $clients --ramp 3 --transport upgrade \
    --out "$out" -q >"$TMP/out" 2>&1 &
tpid=$!
sleep 0.5
pid=$(pgrep -P $tpid) || fail "siocrypt did not start"
node=""
for _ in $(seq 100); do node=$(pgrep -P "$pid" node || true); [ -n "$node" ] && break; sleep 0.1; done
[ -n "$node" ] || fail "ramp: no node child of siocrypt"
sleep 1.3
kill -9 "$node"
rc=0; wait $tpid || rc=$?
[ "$rc" = 1 ] || { cat "$TMP/out" >&2; fail "ramp: exit $rc, want 1"; }
check_report "$out"
r="$out/report.json"
est=$(jqr "$r" .connections.established)
[ "$(jqr "$r" .connections.attempted)" = $clients ] || fail "ramp: not every client attempted"
[ "$est" -ge 1 ] && [ "$est" -lt $clients ] || fail "ramp: $est established: the kill did not land mid-ramp"
[ "$(jqr "$r" '.errors | keys - ["disconnect", "handshake", "connect-refused", "upgrade"] | length')" = 0 ] ||
    fail "ramp: unexpected classes $(jq -c .errors "$r")"
[ "$(jqr "$r" '[.errors.disconnect, .errors.handshake, .errors["connect-refused"]] | map(. // 0) | add')" = $clients ] ||
    fail "ramp: want one ending class per client: $(jq -c .errors "$r")"
[ "$(jqr "$r" .errors.disconnect)" = "$est" ] || fail "ramp: every established client should end in disconnect"
echo "ok upgrade mid-ramp: $est of $clients established, $(jq -c .errors "$r")"
