#!/usr/bin/env bash
# Misbehaving servers (harness/tests/fakes/): each gets its error class, the run ends within its timeouts
# (connect_ms and message_ms are 1000 in the scenario), exit 1, and the whole report is written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
SC=harness/tests/scenarios/faults.json   # 2 clients, 3 messages each

# script mode | class | established | bound (ms) | what it is
cases=(
  "silent tcp         timeout    0 3000  accepts TCP, never answers"
  "silent session     timeout    2 8000  handshake fine, events never answered, close ignored"
  "garbage nothttp    handshake  0 2000  answers with bytes that are not HTTP"
  "garbage http       handshake  0 2000  HTTP 200 with a noise body, also to the upgrade request"
  "garbage frames     handshake  0 2000  websocket frames with a reserved opcode / non-Engine.IO payload"
  "garbage session    protocol   2 2000  good session, then a malformed Engine.IO packet"
  "midframe handshake handshake  0 2000  the open packet cut off mid-frame / mid-body"
  "midframe session   disconnect 2 2000  good session, the answer cut off mid-frame / mid-body"
)
for line in "${cases[@]}"; do
    read -r script mode cls est bound what <<<"$line"
    start_fake "$script" "$mode"
    for transport in websocket polling; do
        out="$TMP/$script-$mode-$transport"
        T0=$(date +%s%N)
        expect_exit 1 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport $transport --out "$out" -q
        ms=$(elapsed_ms)
        [ "$ms" -le "$bound" ] || fail "$script $mode $transport: took $ms ms (bound $bound)"
        check_report "$out"
        r="$out/report.json"
        [ "$(jqr "$r" .connections.established)" = "$est" ] ||
            fail "$script $mode $transport: established $(jqr "$r" .connections.established), want $est"
        if [ "$est" = 0 ]; then
            errors_are "$out" "{\"$cls\": 2}"            # one per client, nothing sent
            [ "$(jqr "$r" .messages.sent)" = 0 ] || fail "$script $mode $transport: messages sent without a session"
        else
            sent=$(jqr "$r" .messages.sent)
            [ "$sent" -ge 2 ] || fail "$script $mode $transport: sent $sent"
            [ "$(jqr "$r" .messages.verified)" = 0 ] || fail "$script $mode $transport: verified answers from a fake"
            [ "$(jqr "$r" .connections.closed)" = 2 ] || fail "$script $mode $transport: connections not closed"
            # every message is accounted for: silent times each out; the others end the session (one error each)
            want=$([ "$cls" = timeout ] && echo "$sent" || echo 2)
            errors_are "$out" "{\"$cls\": $want}"
        fi
        echo "ok $script $mode $transport: $(jq -c .errors "$r") in $ms ms ($what)"
    done
    stop_fake
done

# an upgrade the server refuses (HTTP 400 to the websocket request): the client stays on polling, and the
# `upgrade` error says what the server answered
start_fake noupgrade http
out="$TMP/noupgrade"
expect_exit 1 "$SIOCRYPT" run "$SC" --url "http://127.0.0.1:$FAKE_PORT" --transport upgrade --out "$out" -q
d=$(jqr "$out/report.json" '[.error_details[] | select(.class == "upgrade") | .detail] | unique | join(",")')
case "$d" in "HTTP 400: "*) ;; *) fail "noupgrade: upgrade detail '$d', want the HTTP status" ;; esac
echo "ok noupgrade: $d"
stop_fake
