#!/usr/bin/env bash
# seed.sh: (re)make the committed seed corpora harness/fuzz/corpus/<target>/ from the project's own
# test material:
#   envelope  vectors/cryptojs-3.3.0.json: every envelope under the seed passphrase (ok and error cases)
#             and a few plaintexts (used by the encrypt -> decrypt property)
#   eio       every body and frame in harness/scripts/wire-capture/captured/ (real servers and clients)
#   sio       the Socket.IO packets inside those frames and payloads, and the JSON.stringify vectors
#   scenario  scenarios/*.json, harness/tests/scenarios/*.json, and a few override lists ("!key=value")
#   target    the URLs of the README and tests (query, IPv6, escapes, refusals), with a query value and a sid
#   counter   counter plaintexts: the server's form, JSON.parse corners (1e2, 1.5, duplicate keys, 1e308, escaped key)
#   report    report.json of short real runs (siocrypt run against the local Node servers), and a merge
#   flow      the "flow" objects of the scenarios, and flows of every feature (README: The flow language)
#   template  template strings, some after a first line that is the value of variable v
#   metrics_http  requests a scraper sends the --metrics-listen listener (Prometheus's and curl's), and refusals
#   compare   a --max-regress line, then each report seed (and one given a flow "series" array)
# File names are the content's SHA-1, as libFuzzer names its own. Needs node and jq; the report seeds
# need a built siocrypt and `make deps` (they are skipped with a warning otherwise).
# Usage: bash harness/fuzz/seed.sh            (from anywhere; rewrites harness/fuzz/corpus/)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=harness/fuzz/corpus
SIOCRYPT=${SIOCRYPT:-build/siocrypt}
CAP=harness/scripts/wire-capture/captured
rm -rf "$OUT"
mkdir -p "$OUT"/{envelope,eio,sio,scenario,target,report,counter,flow,template,metrics_http,compare}

# put DIR < bytes: store stdin under its SHA-1 (duplicates collapse), skipping anything >= 64 KiB
put() {
    local tmp; tmp=$(mktemp)
    cat >"$tmp"
    if [ "$(stat -c %s "$tmp")" -lt 65536 ]; then mv "$tmp" "$1/$(sha1sum "$tmp" | cut -c1-40)"; else rm -f "$tmp"; fi
}

# node: print each captured string literal (C octal escapes, or JSON \u escapes) as one
# NUL-separated record, raw bytes
decode_captures() {
    node -e '
const fs = require("fs");
const out = [];
for (const f of process.argv.slice(1)) {
  for (const line of fs.readFileSync(f, "latin1").split("\n")) {
    const re = /"((?:[^"\\]|\\.)*)"/g;
    let m;
    while ((m = re.exec(line))) {
      const s = m[1], bytes = [];
      for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c !== "\\") { bytes.push(s.charCodeAt(i) & 0xff); continue; }
        const e = s[++i];
        if (/[0-7]/.test(e)) { let o = e; while (o.length < 3 && /[0-7]/.test(s[i + 1])) o += s[++i]; bytes.push(parseInt(o, 8)); }
        else if (e === "u") { bytes.push(...Buffer.from(String.fromCharCode(parseInt(s.substr(i + 1, 4), 16)), "utf8")); i += 4; }
        else if (e === "x") { bytes.push(parseInt(s.substr(i + 1, 2), 16)); i += 2; }
        else bytes.push(({n: 10, t: 9, r: 13, b: 8, f: 12})[e] ?? e.charCodeAt(0));
      }
      out.push(Buffer.from(bytes));
    }
  }
}
for (const b of out) { process.stdout.write(b); process.stdout.write(Buffer.from([0])); }
' "$@"
}

# ---- envelope
jq -j '.[] | select(.passphrase == "super-secret-passphrase") | .envelope + "\u0000"' vectors/cryptojs-3.3.0.json |
    while IFS= read -r -d '' e; do printf '%s' "$e" | put "$OUT/envelope"; done
jq -j '.[] | select(.passphrase == "super-secret-passphrase" and (.case | test("^pt-(counter|nested|escapes|astral)"))) |
       .plaintext + "\u0000"' vectors/cryptojs-3.3.0.json |
    while IFS= read -r -d '' p; do printf '%s' "$p" | put "$OUT/envelope"; done

# ---- eio: whole bodies and frames
decode_captures "$CAP"/cap-*.txt "$CAP"/cl-*.txt "$CAP"/invalid.txt |
    while IFS= read -r -d '' f; do printf '%s' "$f" | put "$OUT/eio"; done

# ---- sio: the packets inside (EIO4 payloads split at 0x1E, EIO3 ones at their length prefixes;
# frames "4..." without the Engine.IO type), and the JSON string vectors
decode_captures "$CAP"/cap-*.txt "$CAP"/cl-*.txt "$CAP"/invalid.txt |
    node -e '
const all = require("fs").readFileSync(0);
let start = 0;
const emit = (b) => { process.stdout.write(b); process.stdout.write(Buffer.from([0])); };
for (let i = 0; i < all.length; i++) {
  if (all[i] !== 0) continue;
  const rec = all.subarray(start, i); start = i + 1;
  const text = rec.toString("utf8");
  let pkts = text.split("\x1e");
  if (/^\d+:/.test(text)) { pkts = []; let r = text;
    while (r.length) { const m = /^(\d+):/.exec(r); if (!m) break; const n = +m[1];
      const rest = r.slice(m[0].length); let units = 0, k = 0;
      while (k < rest.length && units < n) { units += 1; k++; }   /* JS strings are UTF-16 already */
      pkts.push(rest.slice(0, k)); r = rest.slice(k); } }
  for (const p of pkts) if (p[0] === "4" && p.length > 1) emit(Buffer.from(p.slice(1), "utf8"));
}' | while IFS= read -r -d '' f; do printf '%s' "$f" | put "$OUT/sio"; done
decode_captures "$CAP"/jsonvec.txt | while IFS= read -r -d '' f; do printf '%s' "$f" | put "$OUT/sio"; done

# ---- scenario
for f in scenarios/*.json harness/tests/scenarios/*.json; do [ -f "$f" ] && put "$OUT/scenario" <"$f"; done
printf '!clients=4\nmessages=30\ntransport=polling\neio=3\nimpl=v2' | put "$OUT/scenario"
printf '!duration=250ms\nrate=5\ntotal_rate=100\nramp=2m\nthink_ms=1.5' | put "$OUT/scenario"
printf '!url=ws://127.0.0.1:3000/x\npath=/socket.io/\nnamespace=/admin\nevent=counter\nstart_id=-7\nthreads=0' |
    put "$OUT/scenario"

# ---- target: URL, then optionally a newline, a target.query value, a newline and a sid
for u in 'http://example.com' 'http://127.0.0.1:3000/socket.io/?token=abc&x=1#f' 'ws://[::1]:3000/io?E%49O=3' \
         $'http://h/p%20q/{x}?q="x"\nvalue a&b\nsid\r\nX' 'http://[2001:db8::7]/x?y=1' 'https://h/' 'http://user@h/'; do
    printf '%s' "$u" | put "$OUT/target"
done

# ---- report
SERIES_JQ='. as $r | .series = [
  {name: "say", kind: "step", sent: ($r.messages.sent + 2), ok: $r.histograms.round_trip.count, failed: 2,
   errors: {timeout: 1, mismatch: 1}, expected: 0, lost: 0, latency_ms: $r.latency_ms, histogram: $r.histograms.round_trip},
  {name: "fan out/\u00fc", kind: "on", sent: ($r.messages.sent + 1), ok: $r.histograms.round_trip.count, failed: 1,
   errors: {decrypt: 1}, expected: ($r.histograms.round_trip.count + 5), lost: 5, latency_ms: $r.latency_ms,
   histogram: $r.histograms.round_trip},
  {name: "join", kind: "step", sent: 2, ok: 2, failed: 0, errors: {}, expected: 0, lost: 0,
   latency_ms: $r.connect_ms, histogram: $r.histograms.connect}]
  | .thresholds += [{expr: "p99_ms{say}<1000"}, {expr: "lost{fan out/\u00fc}<1"}, {expr: "error_rate{nosuch}<0.1"}]'
if [ -x "$SIOCRYPT" ] && [ -d server/node_modules ]; then
    t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
    "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 20 --out "$t/a" -q >/dev/null || true
    "$SIOCRYPT" run scenarios/smoke.json --clients 2 --messages 10 --transport polling --eio 3 --impl v2 \
        --threshold 'p99_ms<1000' --out "$t/b" -q >/dev/null || true
    "$SIOCRYPT" run scenarios/smoke.json --clients 1 --messages 3 -p wrong-passphrase --out "$t/c" -q >/dev/null || true
    "$SIOCRYPT" merge --out "$t/m" "$t/a/report.json" "$t/b/report.json" >/dev/null || true
    for d in a b c m; do [ -f "$t/$d/report.json" ] && put "$OUT/report" <"$t/$d/report.json"; done
    # a flow's named series (steps and on handlers, a name that is no file name) and series thresholds,
    # grafted onto run a's report until a flow scenario seeds its own
    [ -f "$t/a/report.json" ] && jq "$SERIES_JQ" "$t/a/report.json" | put "$OUT/report"
else
    echo "seed.sh: no $SIOCRYPT or server/node_modules (make && make deps): no report seeds" >&2
fi

# ---- flow: the scenarios' flows, then one flow per feature, one per line
for f in scenarios/*.json harness/tests/scenarios/*.json; do
    [ -f "$f" ] || continue
    fl=$(jq -c '.flow // empty' "$f" 2>/dev/null || true)
    if [ -n "$fl" ]; then printf '%s' "$fl" | put "$OUT/flow"; fi
done
while IFS= read -r fl; do printf '%s' "$fl" | put "$OUT/flow"; done <<'FLOWS'
{"encrypt": true, "linger_ms": 1000, "steps": [{"emit": "join", "args": [{"room": "r{{client % 10}}"}], "ack": true, "expect": {"room": "r{{client % 10}}"}, "capture": {"members": "members"}, "name": "join"}, {"repeat": [{"emit": "say", "args": [{"room": "r{{client % 10}}", "text": "hi {{client}} {{seq}}", "t": "{{now_us}}"}], "ack": true, "timeout_ms": 5000, "name": "say", "deliveries": {"on": "fanout", "count": "{{members}}"}}, {"think_ms": 200}]}, {"wait": "news", "expect": {"n": {"$type": "number"}}, "timeout_ms": 5000, "capture": {"last": "n"}, "name": "news"}], "on": [{"event": "said", "latency_from": "t", "expect": {"room": "r{{client % 10}}"}, "name": "fanout"}]}
{"steps": [{"repeat": [{"emit": "counter", "args": [{"id": "{{seq}}"}], "ack": true, "expect": {"id": "{{seq}}"}}]}]}
{"encrypt": false, "steps": [{"emit": "multi", "args": [1, "two", [3, {"four": null}], true, "{{uuid}}", "{{random}}", "{{unix_us}}", "{{payload 64}}"]}]}
{"steps": [{"emit": "a", "ack": true, "capture": {"whole": "", "deep": "a.b.0.c"}}, {"emit": "b", "args": ["{{whole}} and {{deep}}", "{{deep}}"], "ack": true, "expect": [{"$exists": true}, {"x": {"$exists": false}}, {"$type": "array"}]}]}
{"steps": [{"emit": "a"}, {"wait": "news", "name": "w", "capture": {"n": "n"}}, {"repeat": [{"repeat": [{"repeat": [{"repeat": [{"emit": "deep", "args": ["{{n}}"]}]}]}]}]}], "on": [{"event": "news", "capture": {"seen": "n"}}, {"event": "push", "name": "pushed", "latency_from": "meta.t.0"}]}
{"steps": [{"emit": "q\"uo\\te", "args": ["\u00e9 \ud83d\ude00 \n\t\u0001 {x} }} {{ client }}", {"k\"ey": "{{client%3}}"}]}, {"think_ms": 0.5}], "on": [{"event": "x", "name": "y", "expect": "{{client}}"}]}
{"steps": [{"emit": "e", "deliveries": {"on": "f", "count": 3}}, {"emit": "e", "ack": true, "capture": {"m": "m"}, "deliveries": {"on": "f", "count": "{{m}}"}}], "on": [{"event": "said", "name": "f"}]}
{"steps": [{"emit": "connect"}]}
{"steps": [{"emit": "a", "args": ["{{nope}}"]}]}
{"steps": [{"emit": "a", "timeout_ms": 5}]}
FLOWS

# ---- template: "value of v" LF "template", or a template alone (v unset)
for t in $'10\nn={{v}}' $'"q\\"u\\\\o \\u00e9"\n<{{v}}>' $'{"a":[1,"{{client}}"]}\n{{v}}' $'\n{{client % 10}}' \
         $'raw bytes \xff\n{{v}}!' '{{uuid}}' '{{payload 100}}' 'hi {{client}} {{seq}} {{now_us}} {{unix_us}} {{random}}' \
         '{{w}}' '{{ client }}x{{' '{{payload 1048577}}' $'\xc3\xa9\xf0\x9f\x98\x80 {x} }}' '{{client % 2147483647}}' \
         '{{client%0}}' '{{seq}}{{seq}}' '{{seq + 1}}' '{{v}}'; do
    printf '%s' "$t" | put "$OUT/template"
done

# ---- compare: a gate line, then a report; one report with the flow "series" array of issue 11
for f in "$OUT"/report/*; do
    [ -f "$f" ] || continue
    for g in 'p99_ms=10%' 'round_trips_per_s=-10%' 'p99_ms{say}=+5ms' 'errors=0'; do
        { printf '%s\n' "$g"; cat "$f"; } | put "$OUT/compare"
    done
done
f=$(ls "$OUT"/report/* 2>/dev/null | head -n 1)
[ -z "$f" ] || { printf 'p99_ms{say}=10%%\n'; jq -c '. + {series: [{name: "say", kind: "step", sent: .messages.sent,
    ok: .messages.verified, failed: 0, errors: {}, expected: 0, lost: 0, latency_ms: .latency_ms,
    histogram: .histograms.round_trip}, {name: "fanout", kind: "on", failed: {"timeout": 2},
    latency_ms: {p50: 1.5, p99: 3}}]}' "$f"; } | put "$OUT/compare"

for d in "$OUT"/*; do printf '%-10s %3d files %7d bytes\n' "$(basename "$d")" "$(ls "$d" | wc -l)" "$(cat "$d"/* | wc -c)"; done

# counter: plaintexts an answer may carry, the server's form and the corners of JSON.parse
for t in '{"id":1}' '{"id":-7}' '{ "id" : 1e2 }' '{"id":1.5}' '{"id":1,"id":0}' '{"id":1e308}' \
         '{"x":{"id":3},"id":9007199254740993}' '{"\u0069d":4}' '[5]' '{"id":"5"}' '{}'; do
    printf '%s' "$t" | put "$OUT/counter"
done

# metrics_http: what scrapers send (Prometheus 2.42's Accept, curl's), and what the listener refuses
for r in 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAccept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\nUser-Agent: Prometheus/2.42.0\r\n\r\n' \
         'GET /metrics HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n' 'HEAD /metrics?x=1 HTTP/1.0\n\n' \
         'POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n' 'GET / HTTP/1.1\r\n\r\n' 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' \
         'application/openmetrics-text; q=0\nGET /metrics HTTP/1.1\r\n\r\n'; do
    printf "$r" | put "$OUT/metrics_http"
done
