#!/usr/bin/env bash
# make bench: benchmarks, printed, never asserted. One function per section; add sections below and call
# them at the end. BUILD picks the build directory; BENCH_SECONDS the time per measurement (default 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIOCRYPT=$PWD/$BUILD/siocrypt
BENCH_SECONDS=${BENCH_SECONDS:-1}

# Envelope: siocrypt bench --json and crypto-js 3.3.0 (g-crypt's) on the same payloads, in the same run.
bench_envelope() {
    local c js
    c=$("$SIOCRYPT" bench --json --seconds "$BENCH_SECONDS")
    js=$(cd vectors && node bench-cryptojs.js --seconds "$BENCH_SECONDS" --version 3.3.0)
    echo "== envelope: siocrypt (C, OpenSSL) vs crypto-js 3.3.0 (node $(node --version)), one core"
    C_JSON="$c" JS_JSON="$js" node -e '
const c = JSON.parse(process.env.C_JSON).results, js = JSON.parse(process.env.JS_JSON).results;
const f = (x, d) => x.toFixed(d).padStart(12);
console.log("op       bytes    C ops/s      C ns/op    C MB/s   cjs ops/s    cjs ns/op  cjs MB/s    ratio");
for (const r of c) {
  const j = js.find(x => x.op === r.op && x.payload_bytes === r.payload_bytes);
  console.log(r.op.padEnd(8) + String(r.payload_bytes).padStart(6) + f(r.ops_per_s, 0) + f(r.ns_per_op, 1) +
              f(r.mb_per_s, 2).slice(2) + f(j.ops_per_s, 0) + f(j.ns_per_op, 1) + f(j.mb_per_s, 2).slice(2) +
              (f(r.ops_per_s / j.ops_per_s, 1) + "x").slice(2));
}'
}

# The whole encrypted path at the server's saturation: harness CPU per verified round trip against the
# server's, from one run (the machine is noisy; a ratio from one run is what holds).
bench_saturation() {
    local out=$TMPD/saturation
    "$SIOCRYPT" run scenarios/saturation.json --duration "${BENCH_SATURATION_S:-15}" --out "$out" -q >/dev/null || true
    jq -r '"== saturation: \(.clients) clients, websocket, closed model, \(.duration_s|floor) s against the local server",
      "round trips/s        \(.throughput.round_trips_per_s|floor)",
      "harness CPU / rt     \(.derived.harness_cpu_per_round_trip_us*10|round/10) us",
      "server CPU / rt      \(.derived.server_cpu_per_round_trip_us*10|round/10) us",
      "harness / server     \(100*.derived.harness_cpu_per_round_trip_us/.derived.server_cpu_per_round_trip_us*10|round/10) %   (goal: <= 5 %)",
      "latency p50 / p99    \(.latency_ms.p50) / \(.latency_ms.p99) ms"' "$out/report.json"
}

# Many connections held by one process: max RSS per client (goal: <= 16 KiB).
bench_connections() {
    local out=$TMPD/connections n=${BENCH_CLIENTS:-10000}
    "$SIOCRYPT" run scenarios/10k.json --clients "$n" --out "$out" -q >/dev/null || true
    jq -r '"== connections: \(.connections.established) of \(.connections.attempted) clients held, websocket",
      "max RSS              \(.harness.max_rss_kb) KiB",
      "RSS / client         \(.derived.harness_rss_per_client_kib*10|round/10) KiB   (goal: <= 16 KiB)",
      "errors               \(.errors)"' "$out/report.json"
}

# The open model against the closed model at the same offered rate (400 msg/s: 200 clients, 2 msg/s each;
# the closed model paces itself with think time), harness CPU per verified round trip in the same run. The
# open model's scheduling (one timer heap per worker, timerfd) should cost little over the closed model's
# (goal: within 1.5x). CPU is the harness process's own, setup included in both.
bench_models() {
    local secs=${BENCH_MODELS_S:-10} open=$TMPD/open closed=$TMPD/closed
    "$SIOCRYPT" run scenarios/open-rate.json --clients 200 --rate 2 --duration "$secs" --out "$open" -q >/dev/null || true
    "$SIOCRYPT" run scenarios/open-rate.json --clients 200 --total-rate 0 --rate 0 --think 499 --messages 0 \
        --duration "$secs" --out "$closed" -q >/dev/null || true
    echo "== models: 200 clients, websocket, about 400 msg/s for $secs s against the local server"
    jq -rs '
      def row(name): "\(name | .+ "            " | .[0:12]) \(.throughput.round_trips_per_s*10|round/10) rt/s   " +
        "\(.derived.harness_cpu_per_round_trip_us*10|round/10) us harness CPU / rt   p50 \(.latency_ms.p50) ms   " +
        "p99 \(.latency_ms.p99) ms   errors \(.errors_total)";
      (.[0] | row("open")), (.[1] | row("closed")),
      "open / closed CPU per round trip: \(.[0].derived.harness_cpu_per_round_trip_us / .[1].derived.harness_cpu_per_round_trip_us * 100 | round / 100)x   (goal: <= 1.5x)"
    ' "$open/report.json" "$closed/report.json"
}

# A connection storm: N websocket clients started at once (no ramp), one round trip each, against the local
# server; harness CPU per established connection at 1,000 and at 10,000 (goal: within 2x, i.e. linear: the
# connect gate keeps libwebsockets' sorted timeout list at connect_concurrency entries). CPU is the harness
# process's own (the server's is apart), setup included.
bench_storm() {
    local n out
    echo "== storm: websocket clients with no ramp, one round trip each, connect_concurrency 256 per thread"
    for n in 1000 10000; do
        out=$TMPD/storm-$n
        "$SIOCRYPT" run scenarios/smoke.json --clients "$n" --messages 1 --out "$out" -q >/dev/null 2>&1 || true
    done
    jq -rs '
      def row: "\(.clients|tostring|.+"       "|.[0:6]) clients  \(.connections.established) established  " +
        "\(.harness.cpu_s / .connections.established * 1e6 | round) us harness CPU / connection  " +
        "connect p99 \(.connect_ms.p99|round) ms  \(.duration_s*10|round/10) s";
      (.[0] | row), (.[1] | row),
      "10,000 / 1,000 CPU per connection: \((.[1].harness.cpu_s / .[1].connections.established) / (.[0].harness.cpu_s / .[0].connections.established) * 100 | round / 100)x   (goal: <= 2x)"
    ' "$TMPD/storm-1000/report.json" "$TMPD/storm-10000/report.json"
}

TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
sections=${BENCH_SECTIONS:-envelope saturation models connections storm}
for s in $sections; do "bench_$s"; echo; done
