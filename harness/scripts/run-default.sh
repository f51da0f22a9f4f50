#!/usr/bin/env bash
# make run: the main job on the embedded default. siocrypt starts the local Node g-crypt server on
# 127.0.0.1, runs scenarios/default.json against it, stops it, prints the summary and the report's path.
# Extra arguments go to `siocrypt run` (make run ARGS="--duration 5").
set -eu
cd "$(dirname "$0")/../.."
bin=${1:-build/siocrypt}
shift || true
exec "$bin" run scenarios/default.json ${ARGS:-} "$@"
