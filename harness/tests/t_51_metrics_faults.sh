#!/usr/bin/env bash
# --metrics-listen's listener under bad scrapers, during a real run (local server, 2 clients, 10 s):
# an oversized request (431), other methods (405 with Allow), other paths (404), requests that are not
# HTTP/1.x or hold a NUL (400), HEAD (headers only), eight slow clients that fill the table (a ninth is
# answered 503) and are closed after the 5 s timeout, after which scrapes work again; meanwhile the run goes
# on: it passes, and every whole second of its timeline has verified round trips. Then the usage errors, each
# exit 2 before anything runs, with no report folder: a port in use, bad addresses; a scrape over [::1];
# and a stepped ramp, whose counters carry on from step to step.
source "$(dirname "$0")/lib.sh"

mport=$(free_port)
timeout 120 "$SIOCRYPT" run scenarios/smoke.json --messages 0 --duration 10 --clients 2 --threads 1 \
    --metrics-listen "127.0.0.1:$mport" --out "$TMP/run" -q >"$TMP/run.log" 2>&1 &
run=$!
python3 - "$mport" <<'EOF' || { kill "$run" 2>/dev/null; fail "the listener did not hold up (above)"; }
import socket, sys, time
port = int(sys.argv[1])
def conn():
    for _ in range(200):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the listener never answered")
def ask(raw):
    s = conn()
    s.sendall(raw)
    out = b""
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
    s.close()
    return out
def status(resp):
    return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/1.1 ") else None
ok = ask(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
assert status(ok) == 200 and b"siocrypt_round_trips_total" in ok, ok[:200]
cases = [
    (b"GET /metrics HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "oversized request"),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "POST"),
    (b"DELETE /metrics HTTP/1.1\r\n\r\n", 405, "DELETE"),
    (b"GET / HTTP/1.1\r\n\r\n", 404, "/"),
    (b"GET /metricsX HTTP/1.1\r\n\r\n", 404, "/metricsX"),
    (b"hello\r\n\r\n", 400, "not HTTP"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "HTTP/2 preface"),
    (b"GET /metrics HTTP/1.1\r\nX: a\0b\r\n\r\n", 400, "NUL"),
    (b"GET /metrics?x=1 HTTP/1.0\n\n", 200, "query and bare LF"),
    (b"GET /metrics\r\nHTTP/1.1: x\r\n\r\n", 400, "request line cut"),
    (b"GET /metrics HTTP/1.1 extra\r\n\r\n", 400, "four words"),
    (b"GET /" + b"m" * 400 + b" HTTP/1.1\r\n\r\n", 400, "long target"),
]
for raw, want, what in cases:
    try:
        r = ask(raw)
    except OSError as e:
        raise SystemExit(f"{what}: {e}")
    assert status(r) == want, f"{what}: got {r[:80]!r}, want {want}"
    if want == 405: assert b"\r\nAllow: GET, HEAD\r\n" in r, f"{what}: no Allow header"
head = ask(b"HEAD /metrics HTTP/1.1\r\n\r\n")
assert status(head) == 200 and head.endswith(b"\r\n\r\n") and b"Content-Length: " in head, head
# eight slow clients: half a request each, then silence
slow = [conn() for _ in range(8)]
for s in slow: s.sendall(b"GET /met")
time.sleep(0.3)
busy = ask(b"GET /metrics HTTP/1.1\r\n\r\n")
assert status(busy) == 503, f"a ninth client: {busy[:80]!r}"
t0 = time.monotonic()
for s in slow:
    s.settimeout(10)
    assert s.recv(100) == b"", "a slow client got an answer"
    s.close()
waited = time.monotonic() - t0
assert 3.5 < waited < 9, f"slow clients closed after {waited:.1f} s (timeout 5 s)"
again = ask(b"GET /metrics HTTP/1.1\r\n\r\n")
assert status(again) == 200, again[:80]
print(f"listener: {len(cases)} bad requests answered, 8 slow clients closed after {waited:.1f} s, 9th told 503")
EOF
rc=0
wait "$run" || rc=$?
[ "$rc" = 0 ] || { tail -20 "$TMP/run.log" >&2; fail "the run exited $rc under bad scrapers"; }
! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/run.log" || fail "sanitizer report in the run"
# no stall: every whole second of the run (not the first or last) verified round trips
jq -e '[.timeline.seconds[1:-1][] | .verified] | length >= 8 and all(. > 0)' "$TMP/run/report.json" >/dev/null ||
    fail "the run stalled while scrapers misbehaved: $(jq -c '[.timeline.seconds[] | .verified]' "$TMP/run/report.json")"

# usage errors: exit 2 before anything runs, no report folder
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/held" &
holder=$!
trap 'kill $holder 2>/dev/null || true; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -s "$TMP/held" ] && break; sleep 0.1; done
held=$(cat "$TMP/held")
expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --metrics-listen "$held" --out "$TMP/u1"
grep -q -- "--metrics-listen 127.0.0.1:$held: Address already in use" "$TMP/out" || fail "port in use: $(cat "$TMP/out")"
[ ! -e "$TMP/u1" ] || fail "a report folder was made for a port in use"
for bad in abc 0 65536 '::1:9464' '[::1]' '127.0.0.1:' ':9464' 'no-such-host.invalid:9464'; do
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --metrics-listen "$bad" --out "$TMP/u2"
    grep -q -- "--metrics-listen" "$TMP/out" || fail "'$bad': the message does not name the option: $(cat "$TMP/out")"
    [ ! -e "$TMP/u2" ] || fail "a report folder was made for --metrics-listen '$bad'"
done
expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json --metrics-listen
kill $holder 2>/dev/null || true
# [::1] works where the machine has IPv6 loopback
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
    p6=$(free_port)
    timeout 60 "$SIOCRYPT" run scenarios/smoke.json --messages 0 --duration 3 --clients 1 --metrics-listen "[::1]:$p6" \
        --out "$TMP/v6" -q >"$TMP/v6.log" 2>&1 &
    v6=$!
    got=
    for _ in $(seq 100); do curl -sf -g "http://[::1]:$p6/metrics" -o "$TMP/v6.txt" && { got=1; break; }; sleep 0.05; done
    wait "$v6" || fail "the [::1] run failed: $(tail -5 "$TMP/v6.log")"
    [ -n "$got" ] && grep -q '^siocrypt_build_info{version=' "$TMP/v6.txt" || fail "no scrape over [::1]"
fi
# a stepped ramp: the counters carry on across steps (a finished step's counts are kept), the gauges are the
# running step's: the first scrape that sees step 2's two clients already holds all of step 1's round trips
pr=$(free_port)
cat >"$TMP/ramp.json" <<JSON
{ "name": "t-metrics-ramp", "steps": { "from": 1, "step": 1, "to": 2, "step_s": 2 }, "think_ms": 20,
  "thresholds": ["p99_ms<60000"] }
JSON
timeout 120 "$SIOCRYPT" run "$TMP/ramp.json" --metrics-listen "$pr" --out "$TMP/ramp" -q >"$TMP/ramp.log" 2>&1 &
ramp=$!
seen=
for _ in $(seq 400); do
    if curl -sf "http://127.0.0.1:$pr/metrics" -o "$TMP/r.txt" 2>/dev/null && grep -q '^siocrypt_clients 2$' "$TMP/r.txt"; then
        seen=$(sed -n 's/^siocrypt_round_trips_total //p' "$TMP/r.txt"); break
    fi
    sleep 0.05
done
wait "$ramp" || fail "the ramp failed: $(tail -5 "$TMP/ramp.log")"
[ -n "$seen" ] || fail "no scrape saw step 2's clients"
v1=$(jqr "$TMP/ramp/step-01-1c/report.json" .messages.verified)
v2=$(jqr "$TMP/ramp/step-02-2c/report.json" .messages.verified)
[ "$v1" -gt 0 ] && [ "$seen" -ge "$v1" ] && [ "$seen" -le $((v1 + v2)) ] ||
    fail "mid-step-2 round trips $seen: not within step 1's $v1 .. both steps' $((v1 + v2))"
echo "t_51_metrics_faults: ok"
