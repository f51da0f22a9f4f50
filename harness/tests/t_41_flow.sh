#!/usr/bin/env bash
# Scripted flows against the real chat app (server/chat.js on socket.io 4 and 2): acks with expect and
# capture, a repeat on every transport and both Engine.IO versions (socket.io 4 speaking EIO 3 too), fan-out
# latency and delivery counts from the room sizes the server reports, and the counter written as a flow.
source "$(dirname "$0")/lib.sh"
ser() { jq -r --arg n "$2" ".series[] | select(.name == \$n) | $3" "$1"; }   # ser REPORT NAME FILTER

chat() {  # chat FILE CLIENTS MESSAGES: rooms of 5 ({{client % K}} with K = clients / 5)
    local rooms=$(($2 / 5))
    cat >"$1" <<JSON
{ "name": "chat-test", "server": { "app": "chat", "push_ms": 500 }, "clients": $2, "messages": $3, "ramp_s": 0.5,
  "flow": { "linger_ms": 1500, "steps": [
    { "emit": "join", "args": [{ "room": "r{{client % $rooms}}" }], "ack": true,
      "expect": { "room": "r{{client % $rooms}}", "members": { "\$type": "number" } }, "capture": { "joined": "members" } },
    { "think_ms": 1000 },
    { "repeat": [
      { "emit": "say", "args": [{ "room": "r{{client % $rooms}}", "text": "hi {{client}} {{seq}}", "t": "{{now_us}}" }],
        "ack": true, "expect": { "ok": true }, "capture": { "members": "members" },
        "deliveries": { "on": "fanout", "count": "{{members}}" } },
      { "think_ms": 100 } ] } ],
    "on": [ { "event": "said", "name": "fanout", "latency_from": "t", "expect": { "room": "r{{client % $rooms}}" } },
            { "event": "news", "expect": { "room": "r{{client % $rooms}}", "n": { "\$type": "number" } } } ] } }
JSON
}

check_chat() {  # check_chat REPORT CLIENTS MESSAGES WHAT
    local r=$1 n=$2 m=$3 what=$4
    [ "$(ser "$r" join .ok)" = "$n" ] || fail "$what: join ok $(ser "$r" join .ok), want $n"
    [ "$(ser "$r" say .ok)" = $((n * m)) ] || fail "$what: say ok $(ser "$r" say .ok), want $((n * m))"
    [ "$(ser "$r" say .failed)" = 0 ] || fail "$what: say failed $(ser "$r" say .errors)"
    local exp rec
    exp=$(ser "$r" fanout .expected) rec=$(ser "$r" fanout .ok)
    # every say went to the 5 members of its room (the server counts them): 5 deliveries each
    [ "$exp" = $((n * m * 5)) ] || fail "$what: fanout expected $exp, want $((n * m * 5))"
    [ "$rec" = "$exp" ] || fail "$what: fanout received $rec of $exp (lost $(ser "$r" fanout .lost))"
    [ "$(ser "$r" fanout .latency_ms.count)" = "$rec" ] || fail "$what: fanout latency not measured for each delivery"
    [ "$(ser "$r" news '.ok > 0')" = true ] || fail "$what: no server push received"
    [ "$(jqr "$r" .messages.verified)" = $((n + n * m)) ] || fail "$what: round trips $(jqr "$r" .messages.verified)"
    [ "$(jqr "$r" .errors_total)" = 0 ] || fail "$what: errors $(jq -c .errors "$r")"
}

chat "$TMP/chat.json" 10 5
for cell in "websocket 4 v4" "polling 4 v4" "upgrade 4 v4" "websocket 3 v2" "polling 3 v2" "upgrade 3 v2" "upgrade 3 v4"; do
    set -- $cell
    out="$TMP/chat-$1-$3"
    expect_exit 0 "$SIOCRYPT" run "$TMP/chat.json" --transport "$1" --eio "$2" --impl "$3" --out "$out" --quiet
    check_chat "$out/report.json" 10 5 "$1 eio$2 $3"
    echo "ok $1 eio$2 $3: join, say acks, fan-out 250/250, pushes"
done
r="$TMP/chat-websocket-v4/report.json"
[ -s "$TMP/chat-websocket-v4/latency.say.hgrm" ] || fail "no latency.say.hgrm"
grep -q 'testcase[^>]*fanout' "$TMP/chat-websocket-v4/junit.xml" || fail "junit: no fanout testcase"
grep -q fanout "$TMP/chat-websocket-v4/summary.md" || fail "summary.md: no fanout row"

# thresholds per series: one that cannot hold fails the run, naming the series
expect_exit 1 "$SIOCRYPT" run "$TMP/chat.json" --messages 2 --threshold 'p50_ms{say}<0.0001' --out "$TMP/thr" --quiet
jq -e '.thresholds[] | select(.expr | test("say")) | .pass == false' "$TMP/thr/report.json" >/dev/null ||
    fail "threshold on series say did not fail"
echo "ok: per-series threshold"

# the counter as a flow, against the seed's counter server
expect_exit 0 "$SIOCRYPT" run scenarios/counter-flow.json --messages 10 --out "$TMP/cf" --quiet
r="$TMP/cf/report.json"
[ "$(ser "$r" counter .ok)" = 40 ] || fail "counter-flow: counter ok $(ser "$r" counter .ok) (errors $(jq -c .errors "$r"))"
[ "$(jqr "$r" .messages.verified)" = 40 ] || fail "counter-flow: verified $(jqr "$r" .messages.verified)"
echo "ok: the counter as a flow, 40/40"

# open model: each repeat's iterations on a schedule (5 per second per client), the first emit's latency
# from its intended time; the think step inside the body does not slow the schedule down
expect_exit 0 "$SIOCRYPT" run "$TMP/chat.json" --rate 5 --duration 4s --messages 0 --out "$TMP/open" --quiet
r="$TMP/open/report.json"
[ "$(jqr "$r" .model)" = open ] || fail "open model: model $(jqr "$r" .model)"
sent=$(ser "$r" say .sent)
# 10 clients x 5/s over the 2.5 .. 3 s left after the ramp (0.5 s), the join and the 1 s think: 125 .. 150;
# far from the closed model's pace (one say per ~100 ms think + ack: ~250)
[ "$sent" -ge 90 ] && [ "$sent" -le 190 ] || fail "open model: $sent says, want about 125 on schedule"
[ "$(ser "$r" say .failed)" = 0 ] || fail "open model: say failed $(ser "$r" say .errors)"
echo "ok: open model, $sent says on schedule"

# series merge by name: two instances' reports add up
expect_exit 0 "$SIOCRYPT" merge "$TMP/chat-websocket-v4/report.json" "$TMP/chat-polling-v4/report.json" --out "$TMP/merged"
r="$TMP/merged/report.json"
[ "$(ser "$r" say .ok)" = 100 ] || fail "merge: say ok $(ser "$r" say .ok), want 100"
[ "$(ser "$r" fanout .expected)" = 500 ] && [ "$(ser "$r" fanout .lost)" = 0 ] || fail "merge: fanout $(ser "$r" fanout '{expected, lost}')"
[ "$(ser "$r" fanout .histogram.count)" = 500 ] || fail "merge: fanout histogram count $(ser "$r" fanout .histogram.count)"
[ -s "$TMP/merged/latency.fanout.hgrm" ] || fail "merge: no latency.fanout.hgrm"
echo "ok: series merged by name"

# the README's complete example runs as shown
python3 - "$TMP/hello.json" <<'PY'
import json, sys
s = open('README.md', encoding='utf-8').read()
i = s.index('{ "name": "hello"')
text = s[i:s.index('\n\n', i)]
json.loads(text)
open(sys.argv[1], 'w').write(text)
PY
expect_exit 0 "$SIOCRYPT" run "$TMP/hello.json" --out "$TMP/hello" --quiet
r="$TMP/hello/report.json"
[ "$(ser "$r" say .ok)" = 100 ] && [ "$(ser "$r" said .lost)" = 0 ] || fail "README example: $(jq -c .series "$r")"
echo "ok: the README's flow example"
