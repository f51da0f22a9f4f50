#!/usr/bin/env bash
# docker-compose.yml and the two Dockerfiles, checked without a Docker engine:
#  1. a real Compose validator (`docker compose` plugin, else Debian's docker-compose 1.29, installed here
#     with apt-get when missing and root) accepts the file; `config` also checks every build context exists;
#  2. the same validator rejects a copy with a misspelt key (so step 1 can fail);
#  3. services server and harness exist, harness waits for a healthy server and runs the smoke command;
#  4. every COPY source in each Dockerfile exists in its build context; the harness image installs
#     harness/scripts/debian-packages.txt and the server image runs `npm ci`.
# Skips (exit 0, with a message) only when no validator is present and none can be installed.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; failures=$((failures + 1)); }

compose=()
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "t_02: installing Debian's docker-compose (the validator; no engine needed)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends docker-compose >"$tmp/apt" 2>&1 ||
        { apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 &&
          apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends docker-compose >"$tmp/apt" 2>&1; }
    command -v docker-compose >/dev/null 2>&1 && compose=(docker-compose)
fi
if [ ${#compose[@]} = 0 ]; then
    echo "t_02: SKIP: no Compose validator (docker compose / docker-compose) and none installable here"
    exit 0
fi
echo "t_02: validator: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || echo '?'))"

# 1. The real file.
if "${compose[@]}" -f docker-compose.yml config -q 2>"$tmp/err"; then ok "docker-compose.yml is valid"
else bad "docker-compose.yml invalid:"; sed 's/^/    | /' "$tmp/err"; fi

# 2. The validator must reject a broken copy (checked from the project directory, so contexts resolve).
sed 's/^\(\s*\)depends_on:/\1dependz_on:/' docker-compose.yml >"$tmp/broken.yml"
if cmp -s docker-compose.yml "$tmp/broken.yml"; then bad "could not make a broken copy (no depends_on?)"
elif "${compose[@]}" -f "$tmp/broken.yml" --project-directory . config -q >/dev/null 2>&1; then
    bad "validator accepted a misspelt key"
else ok "validator rejects a misspelt key"; fi

# 3. Services and the harness's wiring.
services=$("${compose[@]}" -f docker-compose.yml config --services 2>/dev/null | sort | tr '\n' ' ')
[ "$services" = "harness server " ] && ok "services: $services" || bad "services are '$services', want 'harness server'"
"${compose[@]}" -f docker-compose.yml config >"$tmp/full.yml" 2>/dev/null
grep -q 'condition: service_healthy' "$tmp/full.yml" && ok "harness waits for a healthy server" ||
    bad "harness does not wait for server health"
grep -qF -- 'siocrypt run scenarios/smoke.json --url http://server:3000 --out reports/smoke-$$HOSTNAME' "$tmp/full.yml" &&
    ok "harness runs: siocrypt run scenarios/smoke.json --url http://server:3000 --out reports/smoke-\$HOSTNAME" ||
    bad "harness command is not the smoke run"

# 4. Dockerfiles: COPY sources exist in the build context.
check_copies() {  # check_copies DOCKERFILE CONTEXT
    local df=$1 ctx=$2 n=0 line src
    while read -r line; do
        # COPY a b ... dest: every word but the first (COPY) and the last (dest) is a source.
        set -- $line
        shift
        while [ $# -gt 1 ]; do
            src=$1; shift
            case $src in --*) continue ;; esac
            n=$((n + 1))
            [ -e "$ctx/$src" ] || bad "$df: COPY source $src not in context $ctx"
        done
    done < <(grep -E '^COPY ' "$df")
    ok "$df: $n COPY source(s) checked in $ctx"
}
check_copies server/Dockerfile server
check_copies harness/Dockerfile .
grep -q '^FROM node:20' server/Dockerfile && grep -q 'npm ci' server/Dockerfile && ok "server image: node:20, npm ci" ||
    bad "server/Dockerfile: want FROM node:20 and npm ci"
grep -q '^FROM debian:12' harness/Dockerfile && grep -q 'debian-packages.txt' harness/Dockerfile &&
    grep -q 'make' harness/Dockerfile && ok "harness image: debian:12, debian-packages.txt, make" ||
    bad "harness/Dockerfile: want FROM debian:12, debian-packages.txt and make"
[ -f .dockerignore ] && grep -qx '\*\*/node_modules' .dockerignore && ok ".dockerignore keeps node_modules out" ||
    bad ".dockerignore missing or lets node_modules in"

echo "t_02: $failures failure(s)"
[ "$failures" = 0 ]
