#!/usr/bin/env bash
# Every stored crypto-js vector (vectors/cryptojs-*.json) against the C envelope code.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIOCRYPT=${SIOCRYPT:-$PWD/build/siocrypt}
files=(vectors/cryptojs-*.json)
[ -e "${files[0]}" ] || { echo "no vector files in vectors/"; exit 1; }
"$SIOCRYPT" vectors "${files[@]}"
