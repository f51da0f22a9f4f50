#!/usr/bin/env bash
# The short fuzz pass of `make test`: builds the libFuzzer targets (clang, ASan + UBSan; build/fuzz/, apart
# from the gcc build), executes every committed crash regression (harness/fuzz/regressions/) and runs each
# target for FUZZ_SMOKE_S seconds (default 4) from its seed corpus. Fails on any crash, sanitizer report
# or broken property. The long runs are `make fuzz` (FUZZ_S seconds each).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "FAIL: clang is not installed (make deps)"; exit 1; }
# A sub-make: keep the outer make's BUILD/OPT/SAN (make asan) out of it; the fuzz build has its own.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s fuzz-build >/dev/null
bash harness/fuzz/run.sh --smoke "${FUZZ_SMOKE_S:-4}"
