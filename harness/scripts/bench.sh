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

# One table, one run: harness CPU per round trip and round trips per second of the floor (harness/bench/floor.c:
# a raw epoll ping-pong over loopback against an echo peer, one wake-up per round trip and batched, and the
# same client against the server with pre-made frames, the comparison point), siocrypt's closed and open
# models over websocket and its closed model over polling (BENCH_RT_CLIENTS clients, default 200), and
# the Node peer (harness/bench/node-peer: socket.io-client + g-crypt, what users write today), all against
# one local server (socket.io 4.8, no delay), each for BENCH_RT_S seconds (default 10); ratios to the floor
# with one wake-up per round trip. siocrypt's and the peer's CPU is the whole process's, setup included.
bench_roundtrip() {
    local secs=${BENCH_RT_S:-10} n=${BENCH_RT_CLIENTS:-200} floor=${FLOOR:-$BUILD/bench/floor} port= rows=$TMPD/rows
    local peer=harness/bench/node-peer
    [ -d "$peer/node_modules" ] || (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
    PORT=0 HOST=127.0.0.1 LOG=0 DELAY_MS=0 node server/server.js >"$TMPD/server.log" 2>&1 &
    local srv=$!
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$TMPD/server.log")
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { kill $srv; echo "bench: the server did not start" >&2; return 1; }
    local url=http://127.0.0.1:$port
    local envelope
    envelope=$("$SIOCRYPT" encrypt -p super-secret-passphrase '{"id":0}')
    "$floor" --seconds "$secs" --conns "$n" --port "$port" --envelope "$envelope" | jq -c '{row: ({wakeup:
        "floor: echo peer, 1 wake-up per rt", batched: "floor: echo peer, batched", server: "floor: the server, made frames"}[.mode]),
        clients: .conns, rt_s: .round_trips_per_s, us: .cpu_us_per_round_trip}' >"$rows"
    local -a run=("$SIOCRYPT" run scenarios/saturation.json --url "$url" --clients "$n" --duration "$secs" --ramp 1 -q)
    sio_row() {   # sio_row NAME OUT
        jq -c --arg row "$1" '{row: $row, clients: .clients, rt_s: .throughput.round_trips_per_s,
            us: .derived.harness_cpu_per_round_trip_us, errors: .errors_total}' "$TMPD/$2/report.json" >>"$rows"
    }
    "${run[@]}" --out "$TMPD/rt-closed" >/dev/null || true; sio_row "siocrypt closed model, websocket" rt-closed
    "${run[@]}" --rate 2 --out "$TMPD/rt-open" >/dev/null || true; sio_row "siocrypt open model 2 msg/s, websocket" rt-open
    "${run[@]}" --transport polling --out "$TMPD/rt-poll" >/dev/null || true; sio_row "siocrypt closed model, polling" rt-poll
    node "$peer/peer.js" --url "$url" --clients "$n" --seconds "$secs" | jq -c '{row: "node peer (socket.io-client + g-crypt)",
        clients, rt_s: .round_trips_per_s, us: .cpu_us_per_round_trip, errors}' >>"$rows"
    kill $srv; wait $srv 2>/dev/null || true
    echo "== round trips: harness CPU per round trip against one local server (socket.io 4.8, no delay), $secs s each"
    jq -rs '
      def pad(w): tostring | if length < w then . + (" " * (w - length)) else . end;
      def lpad(w): tostring | if length < w then (" " * (w - length)) + . else . end;
      def r1: . * 10 | round / 10;
      (map(select(.row == "floor: the server, made frames"))[0].us) as $floor |
      (map(select(.row == "siocrypt closed model, websocket"))[0].us) as $ws |
      ("row" | pad(40)) + ("clients" | lpad(8)) + ("rt/s" | lpad(10)) + ("CPU us/rt" | lpad(11)) + ("x floor" | lpad(9)) + ("errors" | lpad(8)),
      (.[] | (.row | pad(40)) + (.clients | lpad(8)) + (.rt_s | r1 | lpad(10)) + (.us | r1 | lpad(11)) +
             ((.us / $floor * 100 | round / 100 | tostring + "x") | lpad(9)) + ((.errors // 0) | lpad(8))),
      "x floor: to the floor against the server (pre-made frames: kernel and one wake-up per round trip, no library)",
      "siocrypt websocket / floor: \($ws / $floor * 100 | round / 100)x   (goal: <= 1.25x)",
      "siocrypt polling / websocket: \((map(select(.row == "siocrypt closed model, polling"))[0].us) / $ws * 100 | round / 100)x   (goal: <= 3x)"
    ' "$rows"
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
sections=${BENCH_SECTIONS:-roundtrip envelope saturation models connections storm}
for s in $sections; do "bench_$s"; echo; done
