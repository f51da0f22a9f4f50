#!/usr/bin/env bash
# siocrypt compare against real runs: a baseline on the local server (800 round trips, so that a stall of
# the shared machine that hits every client at once stays under its p99), a current run on the same server
# with a 300 ms delay (latency regresses), a polling run (another transport). Gates give 0 and 1, reports
# that cannot be compared 2 unless --force; the four files are valid. Then vectors --baseline on a
# modified copy of a real vector file.
source "$(dirname "$0")/lib.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
serve fast server
fast=$port
serve slow server DELAY_MS=300
slow=$port
run=(run scenarios/smoke.json --clients 4 --messages 15 --quiet)
expect_exit 0 "$SIOCRYPT" "${run[@]}" --url "http://127.0.0.1:$fast" --transport websocket --messages 200 --out "$TMP/base"
expect_exit 0 "$SIOCRYPT" "${run[@]}" --url "http://127.0.0.1:$slow" --transport websocket --out "$TMP/cur"
expect_exit 0 "$SIOCRYPT" "${run[@]}" --url "http://127.0.0.1:$fast" --transport polling --out "$TMP/poll"
B=$TMP/base/report.json C=$TMP/cur/report.json P=$TMP/poll/report.json

# no gates: every metric shown, exit 0
expect_exit 0 "$SIOCRYPT" compare "$B" "$C"
grep -q '^  p99_ms .* worse' "$TMP/out" || fail "no worse p99_ms row: $(cat "$TMP/out")"
grep -q 'Result: compared (no gates)' "$TMP/out" || fail "no result line"

# a gate on p99: the 100 ms delay is a regression, exit 1, and the files say so
expect_exit 1 "$SIOCRYPT" compare --max-regress p99_ms=10% -r round_trips_per_s=-10% --out "$TMP/cmp" "$B" "$C"
for f in compare.md compare.json junit.xml compare.html; do [ -s "$TMP/cmp/$f" ] || fail "compare did not write $f"; done
j=$TMP/cmp/compare.json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$j" || fail "compare.json is not JSON"
[ "$(jqr "$j" '.gates[0].metric + " " + (.gates[0].pass|tostring) + " " + .gates[0].verdict')" = "p99_ms false regression" ] ||
    fail "p99 gate: $(jq -c '.gates[0]' "$j")"
[ "$(jqr "$j" '.gates[1].verdict')" = regression ] || fail "throughput gate: $(jq -c '.gates[1]' "$j")"
[ "$(jqr "$j" '.exit_code')" = 1 ] && [ "$(jqr "$j" '.pass')" = false ] || fail "compare.json exit_code/pass"
# the current p99 is at least the server's delay, the baseline's below it; both read from the histograms
[ "$(jq '[.rows[] | select(.metric == "p99_ms")][0] | .current >= 300 and .baseline < 300 and .samples_baseline == 800 and .samples_current == 60' "$j")" = true ] ||
    fail "p99 row: $(jq -c '.rows[] | select(.metric == "p99_ms")' "$j")"
grep -q 'p99 of 800 and 60 samples' "$j" || fail "the p99 row does not say how few samples it has"
grep -q '| p99\\_ms | .* | .* | ↑ +' "$TMP/cmp/compare.md" || fail "compare.md: no up arrow on p99: $(grep p99 "$TMP/cmp/compare.md")"
grep -q 'REGRESSION (2 of 2 gates failed)' "$TMP/cmp/compare.md" || fail "compare.md headline"
python3 - "$TMP/cmp/junit.xml" <<'EOF' || fail "junit.xml"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall('.//testcase')
failed = [c.get('name') for c in cases if c.find('failure') is not None]
assert failed == ['p99_ms', 'round_trips_per_s'], failed
assert int(root.get('tests')) == len(cases) >= 20 and int(root.get('failures')) == 2, root.attrib
EOF
python3 - "$TMP/cmp/compare.html" <<'EOF' || fail "compare.html"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.svg = 0; s.text = []; s.bad = []
    def handle_starttag(s, t, a):
        if t in ('script', 'link', 'img', 'iframe'): s.bad.append(t)
        if t == 'svg': s.svg += 1
        if t not in ('meta', 'rect', 'line', 'path', 'circle', 'col', 'br'): s.stack.append(t)
    def handle_startendtag(s, t, a): pass
    def handle_endtag(s, t):
        assert s.stack and s.stack[-1] == t, (t, s.stack[-3:])
        s.stack.pop()
    def handle_data(s, d): s.text.append(d)
p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()
text = ' '.join(p.text)
assert not p.bad and not p.stack, (p.bad, p.stack)
assert p.svg == 3, p.svg                                   # percentiles, round trips per second, p99 per second
assert 'baseline' in text and 'current' in text and 'REGRESSION' in text
EOF
# the scenario's compare field: its gates travel in report.json and gate when the command line names none
jq '. + {compare: ["p99_ms=10%"]}' scenarios/smoke.json >"$TMP/gated.json"
expect_exit 0 "$SIOCRYPT" run "$TMP/gated.json" --clients 4 --messages 15 --quiet --url "http://127.0.0.1:$slow" --out "$TMP/gated"
[ "$(jq -c .compare "$TMP/gated/report.json")" = '["p99_ms=10%"]' ] || fail "report.json compare: $(jq -c .compare "$TMP/gated/report.json")"
expect_exit 1 "$SIOCRYPT" compare --force --out "$TMP/cmp-gated" "$B" "$TMP/gated/report.json"
jq -e '.gates[0].expr == "p99_ms=10%" and .gates[0].pass == false' "$TMP/cmp-gated/compare.json" >/dev/null ||
    fail "the scenario's gate did not gate: $(jq -c .gates "$TMP/cmp-gated/compare.json")"
expect_exit 0 "$SIOCRYPT" compare --force -q -r 'p99_ms=+10000ms' "$B" "$TMP/gated/report.json"   # the command line wins
jq '. + {compare: ["p99ms=10%"]}' scenarios/smoke.json >"$TMP/badgate.json"
expect_exit 2 "$SIOCRYPT" run "$TMP/badgate.json" --out "$TMP/badgate" --quiet
grep -q 'compare\[0\]' "$TMP/out" || fail "a bad compare gate: the error does not name compare[0]: $(cat "$TMP/out")"
echo "ok: the scenario's compare gates, in report.json, gate compare"

# a looser gate passes; the same report against itself passes a 0% gate
expect_exit 0 "$SIOCRYPT" compare -q --max-regress 'p99_ms=+10000ms' "$B" "$C"
expect_exit 0 "$SIOCRYPT" compare -q --max-regress p99_ms=0% --max-regress errors=0 "$B" "$B"

# another transport: refused, naming it, no files; --force compares anyway
expect_exit 2 "$SIOCRYPT" compare --out "$TMP/refused" "$B" "$P"
grep -q 'transport: websocket vs polling' "$TMP/out" || fail "the refusal does not name the transport: $(cat "$TMP/out")"
[ ! -e "$TMP/refused" ] || fail "a refused comparison left a folder"
expect_exit 0 "$SIOCRYPT" compare --force --out "$TMP/forced" "$B" "$P"
[ "$(jqr "$TMP/forced/compare.json" .forced)" = true ] || fail "forced not recorded"
# bad usage
expect_exit 2 "$SIOCRYPT" compare -r 'p99ms=10%' "$B" "$C"
grep -q "unknown metric 'p99ms'" "$TMP/out" || fail "bad metric not named"
expect_exit 2 "$SIOCRYPT" compare -r 'p99_ms=10s' "$B" "$C"
expect_exit 2 "$SIOCRYPT" compare "$B"
expect_exit 2 "$SIOCRYPT" compare "$B" /etc/hostname
expect_exit 2 "$SIOCRYPT" compare --out /dev/null/x "$B" "$C"
expect_exit 2 "$SIOCRYPT" compare --out "$TMP/cur" "$B" "$C"          # a run's folder: its junit.xml is the run's
grep -q "holds a run's report.json" "$TMP/out" || fail "--out into a run's folder: $(cat "$TMP/out")"
[ ! -e "$TMP/cur/compare.md" ] || fail "compare wrote into a run's report folder"

# files that cannot be written after the comparison fail it (exit 1, the reason), and none is left
M="$TMP/mnt"
mkdir -p "$M"
if mount -t tmpfs -o size=12k tmpfs "$M" 2>/dev/null; then
    trap 'umount "$M" 2>/dev/null || true; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
    expect_exit 1 "$SIOCRYPT" compare --out "$M/cmp" "$B" "$C"
    grep -q "^siocrypt compare: writing $M/cmp: .*No space left on device" "$TMP/out" || fail "no reason: $(cat "$TMP/out")"
    ! grep -q 'Files:' "$TMP/out" || fail "files listed that were not written"
    [ -z "$(ls -A "$M/cmp")" ] || fail "a partial set was left: $(ls -A "$M/cmp")"
    umount "$M"
else
    echo "skip: cannot mount a tmpfs here (not root?): a full disk while writing is not tested"
fi

# README's CI snippet: valid YAML, it runs siocrypt compare, and its gates are ones compare takes
python3 - README.md >"$TMP/gates" <<'EOF' || fail "README's CI snippet"
import re, sys, yaml
text = open(sys.argv[1], encoding='utf-8').read()
section = text[text.index('## Regression gate against a baseline'):]
block = re.search(r'```yaml\n(.*?)```', section, re.S).group(1)
doc = yaml.safe_load(block)
steps = doc['jobs']['gate']['steps']
runs = [st['run'] for st in steps if 'run' in st and 'siocrypt compare' in st['run']]
assert len(runs) == 1, runs
gates = re.findall(r'--max-regress (\S+)', runs[0])
assert len(gates) >= 2, gates
print(' '.join('--max-regress ' + g for g in gates))
EOF
# shellcheck disable=SC2046
expect_exit 0 "$SIOCRYPT" compare -q $(cat "$TMP/gates") "$B" "$B"

# vectors --baseline: a real vector file against a copy with one outcome changed and one case removed
V=vectors/cryptojs-3.3.0.json
expect_exit 0 "$SIOCRYPT" vectors --baseline "$V" "$V"
grep -q '0 changed, 0 added, 0 removed, 133 unchanged' "$TMP/out" || fail "vectors identical: $(cat "$TMP/out")"
expect_exit 0 "$SIOCRYPT" vectors --baseline vectors/cryptojs-3.1.6.json vectors/cryptojs-4.2.0.json
jq '(.[] | select(.case == "iv-altered") | .expect) = "error" | del(.[] | select(.case == "pt-bytes-8"))' "$V" >"$TMP/v.json"
expect_exit 1 "$SIOCRYPT" vectors --baseline "$V" "$TMP/v.json"
grep -qx 'changed  iv-altered: ok -> error' "$TMP/out" || fail "changed case not named: $(cat "$TMP/out")"
grep -qx 'removed  pt-bytes-8 (ok)' "$TMP/out" || fail "removed case not named: $(cat "$TMP/out")"
grep -q '1 changed, 0 added, 1 removed, 131 unchanged' "$TMP/out" || fail "vectors counts: $(cat "$TMP/out")"
expect_exit 1 "$SIOCRYPT" vectors --baseline "$TMP/v.json" "$V"
grep -qx 'added    pt-bytes-8 (ok)' "$TMP/out" || fail "added case not named"
echo '{"not": "an array"}' >"$TMP/bad.json"
expect_exit 2 "$SIOCRYPT" vectors --baseline "$V" "$TMP/bad.json"
expect_exit 2 "$SIOCRYPT" vectors --baseline "$V"
echo "ok: compare 0 / 1 (p99 and throughput regressed by a 300 ms server delay) / 2 (transport, usage), --force; vectors --baseline"
