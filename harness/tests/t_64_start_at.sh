#!/usr/bin/env bash
# --start-at: a run sets up, then starts its clients at the given moment (Unix seconds or +DURATION); a
# moment already passed starts at once with the finding start-at-passed; the merge says when instances did
# not overlap (instances-not-overlapping, the gap in seconds); deploy/k8s-job.yaml uses --start-at.
source "$(dirname "$0")/lib.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
serve s server
URL=http://127.0.0.1:$port
now_ms() { date +%s%3N; }
common=(--url "$URL" --clients 2 -q)

# +2s: the clients start about 2 s after the command (setup included), never before
t0=$(now_ms)
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --messages 3 --start-at +2s --out "$TMP/rel"
start=$(jqr "$TMP/rel/report.json" .start_unix_ms)
d=$((start - t0))
[ "$d" -ge 1900 ] && [ "$d" -lt 30000 ] || fail "+2s: the run started $d ms after the command"
[ "$(jqr "$TMP/rel/report.json" .messages.verified)" = 6 ] || fail "+2s: not every message verified"
[ "$(jqr "$TMP/rel/report.json" '.findings | length')" = 0 ] || fail "+2s: unexpected findings"

# an absolute time 10 s ago: starts at once, exit 0 (medium finding), and the finding says by how much
t0=$(now_ms)
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --messages 3 --start-at $(( t0 / 1000 - 10 )) --out "$TMP/past"
start=$(jqr "$TMP/past/report.json" .start_unix_ms)
[ $((start - t0)) -lt 5000 ] || fail "past: the run waited $((start - t0)) ms"
f=$(jqr "$TMP/past/report.json" '.findings[] | select(.id == "start-at-passed") | .severity + " " + .detail')
[[ "$f" == "medium --start-at had passed by 1"[0-9]"."* ]] || fail "past: finding: $f"

# usage errors: nothing runs
for bad in "tomorrow" "+5 s" "+-3s" "1e10" "$(( t0 / 1000 + 100000 ))" "0x65000000" ""; do
    expect_exit 2 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --start-at "$bad" --out "$TMP/bad"
    grep -q -- "--start-at '" "$TMP/out" || fail "bad --start-at '$bad': $(cat "$TMP/out")"
    [ ! -e "$TMP/bad" ] || fail "bad --start-at '$bad' left a report folder"
done

# two instances with the same --start-at (started 1 s apart) ran together: merged, no overlap finding
at=$(( $(now_ms) / 1000 + 4 ))
"$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --duration 2 --start-at "$at" --out "$TMP/a" >/dev/null 2>&1 & a=$!
sleep 1
"$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --duration 2 --start-at "$at" --out "$TMP/b" >/dev/null 2>&1 & b=$!
wait $a || fail "instance a failed"
wait $b || fail "instance b failed"
sa=$(jqr "$TMP/a/report.json" .start_unix_ms) sb=$(jqr "$TMP/b/report.json" .start_unix_ms)
[ $(( sa > sb ? sa - sb : sb - sa )) -lt 500 ] || fail "same --start-at: starts $sa and $sb"
[ $(( sa / 1000 )) -ge "$at" ] || fail "same --start-at: started at $sa, before $at"
expect_exit 0 "$SIOCRYPT" merge --out "$TMP/ab" "$TMP/a/report.json" "$TMP/b/report.json" -q
[ "$(jqr "$TMP/ab/report.json" '[.findings[] | select(.id == "instances-not-overlapping")] | length')" = 0 ] ||
    fail "same --start-at: overlap finding: $(jqr "$TMP/ab/report.json" .findings)"
[ "$(jqr "$TMP/ab/report.json" .instances)" = 2 ] || fail "same --start-at: instances"

# one run after the other: the finding, with a gap of about the pause between them
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --messages 20 --out "$TMP/c"
sleep 2
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json "${common[@]}" --messages 20 --out "$TMP/d"
expect_exit 0 "$SIOCRYPT" merge --out "$TMP/cd" "$TMP/c/report.json" "$TMP/d/report.json" -q
f=$(jqr "$TMP/cd/report.json" '.findings[] | select(.id == "instances-not-overlapping") | .severity + " " + .detail')
[[ "$f" == "medium the instances' steady windows have no moment in common: "* ]] || fail "apart: finding: $f"
gap=$(sed 's/.*common: \([0-9.]*\) s lie.*/\1/' <<<"$f")
python3 -c "import sys; g=float('$gap'); sys.exit(0 if 1.5 <= g <= 60 else 1)" || fail "apart: gap $gap s"
# the later one merged first: the same gap (the merge does not depend on the order)
expect_exit 0 "$SIOCRYPT" merge --out "$TMP/dc" "$TMP/d/report.json" "$TMP/c/report.json" -q
[ "$(jqr "$TMP/dc/report.json" '.findings[0].detail')" = "$(jqr "$TMP/cd/report.json" '.findings[0].detail')" ] ||
    fail "apart: the order changed the finding"

# --procs with --start-at: both processes wait for the same moment
t0=$(now_ms)
expect_exit 0 "$SIOCRYPT" run scenarios/smoke.json --clients 4 --messages 3 --procs 2 --start-at +3s -q --out "$TMP/pa"
for r in "$TMP"/pa/proc-*/report.json; do
    d=$(( $(jqr "$r" .start_unix_ms) - t0 ))
    [ "$d" -ge 2900 ] && [ "$d" -lt 30000 ] || fail "--procs --start-at: $r started $d ms after the command"
done

# deploy/k8s-job.yaml: valid YAML; the Job's pods run siocrypt with --start-at from the ConfigMap's START_AT
python3 - deploy/k8s-job.yaml <<'PY' || fail "deploy/k8s-job.yaml"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {d["kind"]: d for d in docs}
job, cm = kinds["Job"], kinds["ConfigMap"]
assert job["spec"]["parallelism"] >= 2 and job["spec"]["completionMode"] == "Indexed", job["spec"]
c = job["spec"]["template"]["spec"]["containers"][0]
env = {e["name"]: e for e in c["env"]}
ref = env["START_AT"]["valueFrom"]["configMapKeyRef"]
assert ref["name"] == cm["metadata"]["name"] and ref["key"] in cm["data"], ref
cmd = " ".join(c["command"] + c["args"])
assert '--start-at "$START_AT"' in cmd and "siocrypt run" in cmd and "JOB_COMPLETION_INDEX" in cmd, cmd
assert c["volumeMounts"][0]["mountPath"] == "/reports"
PY
echo "ok: --start-at +2s, a past time, bad times, same start merged, apart merged with the gap, --procs, k8s-job.yaml"
