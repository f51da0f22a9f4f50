#!/usr/bin/env bash
# make deps: install what is missing, and only that.
#  - Debian packages from debian-packages.txt (build and run) and debian-packages-test.txt (tests only): apt-get as root, otherwise print the exact line and fail.
#  - node and npm, if absent (Debian's nodejs and npm).
#  - npm ci in every project folder with a package-lock.json, when node_modules is older than the lock.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

mapfile -t want < <(cat "$here/debian-packages.txt" "$here/debian-packages-test.txt" | grep -vE '^\s*(#|$)')
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm  >/dev/null 2>&1 || want+=(npm)
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from outside Debian (a tarball install): present on PATH is enough.
if ((${#missing[@]})); then
    line="apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        echo "deps: installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        $line
    else
        echo "deps: missing Debian packages; run as root:" >&2
        echo "  sudo apt-get update && sudo $line" >&2
        exit 1
    fi
fi

for lock in "$top"/vectors/package-lock.json "$top"/server/package-lock.json "$top"/server/*/package-lock.json \
            "$top"/harness/bench/*/package-lock.json; do
    [ -f "$lock" ] || continue
    dir=$(dirname "$lock")
    stamp="$dir/node_modules/.package-lock.json"
    if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
        echo "deps: npm ci in ${dir#"$top"/}"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
done
