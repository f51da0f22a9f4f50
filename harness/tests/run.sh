#!/usr/bin/env bash
# make test: every test step, one line each, then a closing line "N passed, M failed".
#  1. each Check unit-test binary (build/tests/check_*)
#  2. each integration script harness/tests/t_*.sh, in name order (they start their own servers on 127.0.0.1)
# A step passes when it exits 0. Output of a failing step is shown.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export BUILD SIOCRYPT="$PWD/$BUILD/siocrypt"
pass=0 fail=0 failed=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step() {  # step NAME CMD...
    local name=$1; shift
    local t0=$SECONDS
    if "$@" >"$log/out" 2>&1; then
        pass=$((pass + 1)); printf 'PASS %-40s (%ds)\n' "$name" $((SECONDS - t0))
    else
        fail=$((fail + 1)); failed+=("$name"); printf 'FAIL %-40s (%ds)\n' "$name" $((SECONDS - t0))
        sed 's/^/    | /' "$log/out" | tail -n 60
    fi
}

for t in "$BUILD"/tests/check_*; do
    [ -x "$t" ] || continue
    step "unit: $(basename "$t")" env CK_FORK=yes "$t"
done
for t in harness/tests/t_*.sh; do
    [ -f "$t" ] || continue
    step "$(basename "$t" .sh)" bash "$t"
done

((fail)) && printf 'failed: %s\n' "${failed[*]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
