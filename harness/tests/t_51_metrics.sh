#!/usr/bin/env bash
# --metrics-listen against the real Prometheus (Debian's prometheus 2.42, /usr/bin/prometheus): a Prometheus
# started here scrapes siocrypt every second during a bounded run (local server, 4 clients, 7 s, closed
# model), and its HTTP API then holds what report.json says:
#  - every sample of siocrypt_round_trips_total lies within the report's per-second timeline at its
#    timestamp (cumulative verified up to a second before .. up to its second), and the histogram's _count
#    equals it in every scrape;
#  - the last sample is within one scrape interval of the end: at most the verified round trips of the
#    report's last seconds after it (timeline), never more than messages.verified;
#  - Prometheus parsed every scrape (up = 1; it asks for OpenMetrics, so that is the format it read);
#  - promtool check metrics accepts a text-format scrape taken during the run, and the OpenMetrics
#    reference parser (python3-prometheus-client) an OpenMetrics one;
#  - deploy/grafana-dashboard.json parses and names only metrics that scrape exports.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null && command -v promtool >/dev/null ||
    fail "prometheus and promtool are needed (Debian package prometheus: harness/scripts/debian-packages-test.txt)"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT

mport=$(free_port)
pport=$(free_port)
[ "$mport" != "$pport" ] || pport=$(free_port)
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: siocrypt
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
promtool check config "$TMP/prometheus.yml" >/dev/null || fail "promtool does not accept the generated config"
nice prometheus --config.file="$TMP/prometheus.yml" --web.listen-address="127.0.0.1:$pport" \
    --storage.tsdb.path="$TMP/tsdb" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
pids+=($!)
api="http://127.0.0.1:$pport"
for _ in $(seq 300); do
    curl -sf "$api/-/ready" >/dev/null 2>&1 && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$TMP/prometheus.log" >&2; fail "prometheus exited"; }
    sleep 0.1
done
curl -sf "$api/-/ready" >/dev/null || { cat "$TMP/prometheus.log" >&2; fail "prometheus not ready after 30 s"; }
# Prometheus applies its targets a few seconds after it starts: wait for its first (failed) scrape of ours,
# so that the whole run is scraped
for _ in $(seq 300); do
    curl -sf -G "$api/api/v1/query" --data-urlencode 'query=up{job="siocrypt"}' | grep -q '"value"' && break
    sleep 0.1
done

# the run, in the background; scrapes of our own while it lasts
timeout 120 "$SIOCRYPT" run scenarios/smoke.json --messages 0 --duration 7 --clients 4 --threads 2 \
    --metrics-listen "$mport" --out "$TMP/run" >"$TMP/run.log" 2>&1 &
run=$!
got=
for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$mport/metrics" -o "$TMP/scrape0.txt" 2>/dev/null && { got=1; break; }
    sleep 0.05
done
[ -n "$got" ] || { cat "$TMP/run.log" >&2; fail "no scrape answered during the run"; }
sleep 3
curl -sf -D "$TMP/text.hdr" "http://127.0.0.1:$mport/metrics" -o "$TMP/scrape.txt" || fail "text scrape during the run"
curl -sf -D "$TMP/om.hdr" -H 'Accept: application/openmetrics-text; version=1.0.0' \
    "http://127.0.0.1:$mport/metrics" -o "$TMP/scrape.om" || fail "OpenMetrics scrape during the run"
rc=0
wait "$run" || rc=$?
[ "$rc" = 0 ] || { tail -20 "$TMP/run.log" >&2; fail "the run exited $rc"; }
! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/run.log" || fail "sanitizer report: $(grep -m3 -E 'Sanitizer|runtime error:' "$TMP/run.log")"
grep -q "metrics at http://127.0.0.1:$mport/metrics" "$TMP/run.log" || fail "the run did not say where its metrics are"
# stops with the run
! curl -s -m 2 "http://127.0.0.1:$mport/metrics" >/dev/null 2>&1 || fail "the listener outlived the run"

# formats: promtool's linter on the text format, the OpenMetrics shape
promtool check metrics <"$TMP/scrape.txt" >"$TMP/promtool.out" 2>&1 || { cat "$TMP/promtool.out" >&2; fail "promtool check metrics"; }
grep -qi '^content-type: text/plain; version=0.0.4' "$TMP/text.hdr" || fail "text scrape's Content-Type: $(grep -i content-type "$TMP/text.hdr")"
grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$TMP/om.hdr" || fail "OpenMetrics Content-Type: $(grep -i content-type "$TMP/om.hdr")"
[ "$(tail -n 1 "$TMP/scrape.om")" = "# EOF" ] || fail "the OpenMetrics scrape does not end in # EOF"
grep -q '^# TYPE siocrypt_round_trips counter$' "$TMP/scrape.om" || fail "OpenMetrics names the counter family without _total"
# the OpenMetrics reference parser (Debian's python3-prometheus-client, strict about # EOF, _total, units, info)
/usr/bin/python3 - "$TMP/scrape.om" <<'EOF' || fail "prometheus_client's OpenMetrics parser refuses the scrape (above)"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
want = {"siocrypt_messages_sent": "counter", "siocrypt_messages_received": "counter", "siocrypt_round_trips": "counter",
        "siocrypt_errors": "counter", "siocrypt_connections": "counter", "siocrypt_reconnects": "counter",
        "siocrypt_connections_open": "gauge", "siocrypt_messages_in_flight": "gauge", "siocrypt_clients": "gauge",
        "siocrypt_round_trip_seconds": "histogram", "siocrypt_build": "info"}
got = {n: f.type for n, f in fams.items()}
assert got == want, f"families {got}"
assert fams["siocrypt_round_trip_seconds"].unit == "seconds"
assert {s.labels["state"] for s in fams["siocrypt_connections"].samples} == {"attempted", "established", "failed", "closed"}
EOF
v0=$(sed -n 's/^siocrypt_round_trips_total //p' "$TMP/scrape0.txt")
v1=$(sed -n 's/^siocrypt_round_trips_total //p' "$TMP/scrape.txt")
[ -n "$v1" ] && [ "$v1" -gt 0 ] && [ "$v1" -ge "$v0" ] || fail "round trips did not grow during the run ($v0 then $v1)"
grep -q '^siocrypt_connections_open 4$' "$TMP/scrape.txt" || fail "4 connections open mid-run: $(grep connections_open "$TMP/scrape.txt")"

# what Prometheus stored
q() { curl -sf -G "$api/api/v1/query" --data-urlencode "query=$1" -o "$2" || fail "query $1"; }
q 'siocrypt_round_trips_total{job="siocrypt"}[5m]' "$TMP/rt.json"
q 'siocrypt_round_trip_seconds_count{job="siocrypt"}[5m]' "$TMP/cnt.json"
q 'up{job="siocrypt"}[5m]' "$TMP/up.json"
q 'histogram_quantile(0.99, sum by (le) (max_over_time(siocrypt_round_trip_seconds_bucket{job="siocrypt"}[5m])))' "$TMP/p99.json"
# the value at the end of the run, as an instant query with time= (the report's end)
end_s=$(jq -r '.end_unix_ms / 1000' "$TMP/run/report.json")
curl -sf -G "$api/api/v1/query" --data-urlencode 'query=siocrypt_round_trips_total{job="siocrypt"}' \
    --data-urlencode "time=$end_s" -o "$TMP/at_end.json" || fail "query at time=$end_s"
python3 - "$TMP/run/report.json" "$TMP/rt.json" "$TMP/cnt.json" "$TMP/up.json" "$TMP/p99.json" "$TMP/at_end.json" <<'EOF' || fail "Prometheus and report.json disagree (above)"
import json, math, sys
rep = json.load(open(sys.argv[1]))
def series(path):
    d = json.load(open(path))
    assert d["status"] == "success", d
    return d["data"]["result"]
rt, cnt, up, p99, at_end = (series(p) for p in sys.argv[2:])
assert len(rt) == 1, f"one siocrypt_round_trips_total series expected, got {len(rt)}"
samples = [(float(t), int(float(v))) for t, v in rt[0]["values"]]
verified = rep["messages"]["verified"]
secs = {s["t"]: s["verified"] for s in rep["timeline"]["seconds"]}
def cum(sec):  # verified up to and including wall second sec
    return sum(v for t, v in secs.items() if t <= sec)
print(f"report: verified {verified}; Prometheus: {len(samples)} samples, last {samples[-1]}")
assert len(samples) >= 4, "fewer than 4 scrapes in a 7 s run"
for t, v in samples:
    # published once per 100 ms sweep and read once per 100 ms tick: at most ~0.2 s old when scraped (1 s allowed: a loaded machine)
    lo, hi = cum(math.floor(t - 1.0) - 1), cum(math.floor(t + 1.0))
    assert lo <= v <= hi, f"sample {v} at {t} outside the report's timeline there [{lo}, {hi}]"
    assert v <= verified
last_t, last_v = samples[-1]
end = rep["end_unix_ms"] / 1000
assert last_t >= end - 3.0, f"the last scrape ({last_t}) is not within a scrape interval of the run's end ({end})"
missed = verified - last_v
bound = verified - cum(math.floor(last_t - 1.0) - 1)
assert 0 <= missed <= bound, f"the last sample misses {missed} round trips, more than the timeline allows ({bound})"
print(f"last sample {last_v} = verified - {missed} (allowed: {bound}, the round trips after it in the timeline)")
# the instant value at the report's end time (time=): the last sample scraped before it, so within the
# timeline's bound at that sample's time as well
assert len(at_end) == 1, f"no value at time=end: {at_end}"
t_end, v_end = float(at_end[0]["value"][0]), int(float(at_end[0]["value"][1]))
before = [v for t, v in samples if t <= t_end]
assert before and v_end == before[-1], f"value at time=end {v_end}, samples before it {before[-3:]}"
assert 0 <= verified - v_end <= verified - cum(math.floor(end - 3.0) - 1), \
    f"value at the end {v_end}: more than a scrape interval's round trips short of {verified}"
print(f"at time=end: {v_end} (verified {verified})")
# _count is the round trips, scrape by scrape
cv = {float(t): int(float(v)) for t, v in cnt[0]["values"]}
for t, v in samples:
    assert cv.get(t) == v, f"siocrypt_round_trip_seconds_count {cv.get(t)} != round trips {v} at {t}"
ups = [float(v) for _, v in up[0]["values"]]
assert ups.count(1.0) >= len(samples), f"up: {ups}"
q = float(p99[0]["value"][1])
assert 0 < q <= 10, f"histogram_quantile(0.99) = {q}"
print(f"p99 from the buckets {q * 1000:.3f} ms; report p99 {rep['latency_ms']['p99']} ms")
EOF

# the Grafana dashboard: JSON, and only metric names a real scrape has (families from its TYPE lines; a
# histogram's _bucket, _sum and _count)
python3 - deploy/grafana-dashboard.json "$TMP/scrape.txt" <<'EOF' || fail "deploy/grafana-dashboard.json (above)"
import json, re, sys
dash = json.load(open(sys.argv[1]))
names = set()
for line in open(sys.argv[2]):
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        names.add(m.group(1))
        if m.group(2) == "histogram":
            names.update(m.group(1) + s for s in ("_bucket", "_sum", "_count"))
strings = []
def walk(x):
    if isinstance(x, dict): [walk(v) for v in x.values()]
    elif isinstance(x, list): [walk(v) for v in x]
    elif isinstance(x, str): strings.append(x)
walk(dash)
exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
assert exprs and all(exprs), "every panel target needs an expr"
used = {n for s in strings for n in re.findall(r"\bsiocrypt_[a-zA-Z0-9_]*", s)}
unknown = sorted(used - names)
assert not unknown, f"not exported by siocrypt: {unknown}"
joined = "\n".join(exprs)
for want in ("rate(siocrypt_round_trips_total", "histogram_quantile(0.5,", "histogram_quantile(0.99,",
             "siocrypt_errors_total", "siocrypt_connections_open", "siocrypt_messages_in_flight"):
    assert want in joined, f"no panel uses {want}"
print(f"dashboard: {len(dash['panels'])} panels, {len(exprs)} queries, metrics used: {sorted(used)}")
EOF
echo "t_51_metrics: ok"
