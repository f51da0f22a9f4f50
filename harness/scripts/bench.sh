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

bench_envelope
