#!/usr/bin/env bash
# run.sh: run the libFuzzer targets built by `make fuzz-build` (build/fuzz/fuzz_*), one after another.
#   bash harness/fuzz/run.sh SECONDS [TARGET...]          make fuzz: grow build/fuzz/corpus/<target>/
#   bash harness/fuzz/run.sh --smoke SECONDS [TARGET...]  make fuzz-smoke, t_90: a throwaway corpus
# Each target reads its committed seeds (harness/fuzz/corpus/<target>/) and its crash regressions
# (harness/fuzz/regressions/<target>/, every one executed first), writes new inputs only to the first
# corpus directory, and saves a crashing input under build/fuzz/artifacts/<target>/. Extra libFuzzer
# flags: FUZZ_ARGS. Prints one line per target with the executions, and appends them to
# build/fuzz/execs.log (target, executions, seconds, mode, date) so totals over runs can be added up:
#   awk '$4 == "long" { n[$1] += $2 } END { for (t in n) print t, n[t] }' build/fuzz/execs.log
# Exit status: 0 when no target crashed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.."
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
secs=${1:?usage: run.sh [--smoke] SECONDS [TARGET...]}; shift
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    for b in "$FUZZ_BUILD"/fuzz_*; do [ -x "$b" ] && targets+=("$(basename "$b" | sed 's/^fuzz_//')"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "run.sh: no fuzz targets in $FUZZ_BUILD (make fuzz-build)" >&2; exit 1; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=()
for t in "${targets[@]}"; do
    bin=$FUZZ_BUILD/fuzz_$t
    [ -x "$bin" ] || { echo "run.sh: $bin missing" >&2; failed+=("$t"); continue; }
    if ((smoke)); then grow=$tmp/corpus-$t; else grow=$FUZZ_BUILD/corpus/$t; fi
    mkdir -p "$grow" "$FUZZ_BUILD/artifacts/$t"
    dirs=("$grow" "harness/fuzz/corpus/$t")
    [ -d "harness/fuzz/regressions/$t" ] && dirs+=("harness/fuzz/regressions/$t")
    log=$tmp/$t.log
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a leak or runaway allocation
    "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$FUZZ_BUILD/artifacts/$t/" ${FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    printf '%-9s %s executions in %ss, %s, exit %d\n' "$t" "${execs:-?}" "$secs" "${cov:-cov: ?}" "$rc"
    mkdir -p "$FUZZ_BUILD"
    printf '%s %s %s %s %s\n' "$t" "${execs:-0}" "$secs" "$( ((smoke)) && echo smoke || echo long)" \
        "$(date -u +%FT%TZ)" >>"$FUZZ_BUILD/execs.log"
    if [ "$rc" != 0 ] || grep -q '^==[0-9]*==ERROR\|runtime error:\|property broken' "$log"; then
        failed+=("$t")
        grep -v '^#[0-9]' "$log" | tail -n 60
    fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "fuzz: crashed: ${failed[*]}"; exit 1; fi
echo "fuzz: ${#targets[@]} targets, no crash"
