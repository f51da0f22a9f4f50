#!/usr/bin/env python3
"""t_52_hlog.sh's comparison: what HdrHistogram's Java reader found in latency.hlog (HlogCheck's
"key value" lines) against report.json. Exits 1 naming each disagreement.

- counts: the reader's total = messages.verified = histograms.round_trip.count; one interval per timeline
  second, starting at the timeline's first second, empty exactly where the timeline has no round trip.
- exact: the reader's p50/p99/p99.9/max are what the timeline's coarse buckets (sub_bucket_bits 5) hold,
  recomputed here from report.json's fine histogram with Java's rank rule (ceil), so nothing was lost.
- precision: against report.json's latency_ms (its own rank rule, 1 us rounding), the reader is never
  below, and at most 1/32 (the coarse buckets' width) above when both rules pick the same rank."""
import json, math, sys

FINE, COARSE = 7, 5

def index_of(b, v):
    shift = max(0, v.bit_length() - 1 - b)
    return (shift << b) + (v >> shift)

def highest(b, i):
    half = 1 << b
    if i < 2 * half:
        return i
    shift = i // half - 1
    return ((i - shift * half) << shift) + (1 << shift) - 1

def main():
    java = dict(line.split(None, 1) for line in open(sys.argv[1]) if line.strip())
    java = {k: v.strip() for k, v in java.items()}
    rep = json.load(open(sys.argv[2]))
    bad = []
    def want(cond, msg):
        if not cond:
            bad.append(msg)
    h = rep["histograms"]["round_trip"]
    n = int(java["count"])
    want(n == rep["messages"]["verified"] == h["count"],
         f"count: reader {n}, messages.verified {rep['messages']['verified']}, histogram {h['count']}")
    want(n > 0, "no round trips at all")
    secs = rep["timeline"]["seconds"]
    want(int(java["intervals"]) == len(secs), f"intervals: reader {java['intervals']}, timeline seconds {len(secs)}")
    empty = sum(1 for s in secs if not s["rtt"])
    want(int(java["empty"]) == empty, f"empty intervals: reader {java['empty']}, timeline {empty}")
    want(int(java["first_start_ms"]) == rep["timeline"]["first"] * 1000,
         f"first interval starts at {java['first_start_ms']} ms, timeline.first is {rep['timeline']['first']} s")
    for k, v in (("digits", "2"), ("lowest", "1"), ("highest", "3600000000000")):
        want(java[k] == v, f"{k}: reader {java[k]}, want {v}")
    want(h["sub_bucket_bits"] == FINE, f"round_trip histogram has sub_bucket_bits {h['sub_bucket_bits']}")

    buckets = sorted((int(i), int(c)) for i, c in h["buckets"])
    def fine_at_rank(rank):
        cum = 0
        for i, c in buckets:
            cum += c
            if cum >= rank:
                return highest(FINE, i)
        return highest(FINE, buckets[-1][0])
    lat = rep["latency_ms"]
    for key, p, field in (("p50", 50.0, "p50"), ("p99", 99.0, "p99"), ("p999", 99.9, "p999")):
        got = int(java[key])
        r_java = max(1, math.ceil(math.nextafter(p, -math.inf) * n / 100.0))
        r_ours = max(1, min(n, int(p / 100.0 * n + 0.5)))
        exact = highest(COARSE, index_of(COARSE, fine_at_rank(r_java)))
        want(got == exact, f"{key}: reader {got} ns, the coarse bucket at rank {r_java} tops at {exact} ns")
        ours = lat[field] * 1e6
        want(got >= ours - 1000, f"{key}: reader {got} ns below report.json's {ours:.0f} ns")
        if r_java == r_ours:
            want(got <= ours * (1 + 2 ** -COARSE) + 1000,
                 f"{key}: reader {got} ns more than 1/32 above report.json's {ours:.0f} ns")
    got = int(java["max"])
    exact = highest(COARSE, index_of(COARSE, h["max"]))
    want(got == exact, f"max: reader {got} ns, the coarse bucket of the exact max {h['max']} tops at {exact}")
    ours = lat["max"] * 1e6
    want(ours - 1000 <= got <= ours * (1 + 2 ** -COARSE) + 1000,
         f"max: reader {got} ns, report.json {ours:.0f} ns: not within 1/32")
    for b in bad:
        print("hlog: " + b, file=sys.stderr)
    print(f"hlog: {n} round trips in {java['intervals']} intervals; p50 {java['p50']} p99 {java['p99']} "
          f"p99.9 {java['p999']} max {java['max']} ns; {len(bad)} disagreements")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
