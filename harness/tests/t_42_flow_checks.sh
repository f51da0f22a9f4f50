#!/usr/bin/env bash
# What a flow checks, against the real chat app: several arguments in one emit (objects encrypted, the rest
# as they are) and a captured value used in a later emit; a wrong expect (a mismatch naming the path and both
# values); an ack that never comes (a timeout of that step, the flow going on); a pushed event that does not
# decrypt (a decrypt error of its handler); a plain (unencrypted) flow.
source "$(dirname "$0")/lib.sh"
ser() { jq -r --arg n "$2" ".series[] | select(.name == \$n) | $3" "$1"; }

flow() {  # flow FILE MESSAGES FLOW-JSON
    printf '{ "name": "checks", "server": { "app": "chat", "push_ms": 300 }, "clients": 2, "messages": %s,\n  "flow": %s }\n' "$2" "$3" >"$1"
}

# several arguments, a capture used later, plain values untouched
flow "$TMP/args.json" 3 '{ "steps": [
  { "emit": "join", "args": [{ "room": "a" }], "ack": true, "capture": { "m": "members" } },
  { "repeat": [ { "emit": "echo", "args": [{ "x": "{{client}}", "m": "{{m}}" }, "plain {{seq}}", 42, [1, "two"]], "ack": true,
      "expect": { "args": [{ "x": "{{client}}", "m": { "$type": "number" } }, "plain {{seq}}", 42, [1, "two"]] }, "name": "echo" } ] } ] }'
expect_exit 0 "$SIOCRYPT" run "$TMP/args.json" --out "$TMP/args" --quiet
r="$TMP/args/report.json"
[ "$(ser "$r" echo .ok)" = 6 ] || fail "echo: ok $(ser "$r" echo .ok) of 6: $(jq -c .error_details "$r")"
echo "ok: four arguments (object and array encrypted, string and number plain), capture reused"

# a wrong expect: mismatch with the path and both values
flow "$TMP/bad.json" 2 '{ "steps": [ { "repeat": [
  { "emit": "join", "args": [{ "room": "b" }], "ack": true, "expect": { "room": "not-b" } } ] } ] }'
expect_exit 1 "$SIOCRYPT" run "$TMP/bad.json" --out "$TMP/bad" --quiet
r="$TMP/bad/report.json"
[ "$(jqr "$r" '.errors.mismatch // 0')" = 4 ] || fail "mismatch: errors $(jq -c .errors "$r")"
[ "$(ser "$r" join '.errors.mismatch')" = 4 ] || fail "mismatch: series join errors $(ser "$r" join .errors)"
jq -r '.error_details[].detail' "$r" | grep -q 'room.*not-b.*"b"' || fail "mismatch detail: $(jq -c .error_details "$r")"
echo "ok: wrong expect is a mismatch naming room, not-b and b"

# an ack that never comes: a timeout of the step; the flow goes on to the next
flow "$TMP/silent.json" 1 '{ "steps": [
  { "emit": "join", "args": [{ "room": "c" }], "ack": true, "timeout_ms": 500, "name": "join" },
  { "emit": "echo", "args": [1], "ack": true, "name": "after" } ] }'
SILENT=join expect_exit 1 "$SIOCRYPT" run "$TMP/silent.json" --out "$TMP/silent" --quiet
r="$TMP/silent/report.json"
[ "$(ser "$r" join '.errors.timeout')" = 2 ] || fail "silent: join errors $(ser "$r" join .errors)"
[ "$(ser "$r" after .ok)" = 2 ] || fail "silent: the step after the timeout did not run ($(ser "$r" after .))"
echo "ok: an ack that never comes is a timeout; the next step runs"

# a pushed event that does not decrypt
flow "$TMP/push.json" 1 '{ "linger_ms": 1500, "steps": [ { "emit": "join", "args": [{ "room": "d" }], "ack": true } ],
  "on": [ { "event": "news" } ] }'
BAD_PUSH=1 expect_exit 1 "$SIOCRYPT" run "$TMP/push.json" --out "$TMP/push" --quiet
r="$TMP/push/report.json"
[ "$(ser "$r" news '(.errors.decrypt // 0) > 0')" = true ] || fail "bad push: news errors $(ser "$r" news .errors)"
[ "$(jqr "$r" '(.errors.decrypt // 0) > 0')" = true ] || fail "bad push: run errors $(jq -c .errors "$r")"
echo "ok: a pushed envelope that does not decrypt is a decrypt error of its handler"

# a plain flow: the chat app answers plain objects in kind
flow "$TMP/plain.json" 2 '{ "encrypt": false, "steps": [ { "repeat": [
  { "emit": "join", "args": [{ "room": "e" }], "ack": true, "expect": { "room": "e" } } ] } ] }'
expect_exit 0 "$SIOCRYPT" run "$TMP/plain.json" --out "$TMP/plain" --quiet
[ "$(ser "$TMP/plain/report.json" join .ok)" = 4 ] || fail "plain flow: $(jq -c .series "$TMP/plain/report.json")"
echo "ok: a plain flow"

# usage errors name their place, before anything runs
flow "$TMP/u1.json" 1 '{ "steps": [ { "emit": "x", "args": [{ "v": "{{nope}}" }] } ] }'
expect_exit 2 "$SIOCRYPT" run "$TMP/u1.json" --out "$TMP/u1" --quiet
[ ! -e "$TMP/u1" ] || fail "a bad flow left a report folder"
"$SIOCRYPT" run "$TMP/u1.json" --out "$TMP/u1" --quiet 2>&1 | grep -q 'flow.steps\[0\]' || fail "bad template: the error does not name flow.steps[0]"
echo "ok: a bad flow is a usage error naming its place"
