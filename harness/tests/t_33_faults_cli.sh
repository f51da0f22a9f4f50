#!/usr/bin/env bash
# Bad command lines and scenario files: exit 2, one clear line naming the problem, and nothing written
# (no report folder). A local server that cannot start is not a usage error: exit 1, with a report.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults.sh"
S=scenarios/smoke.json
d="$TMP/sc"; mkdir -p "$d"
printf '{"name": "x", "clients": ' >"$d/truncated.json"
printf '{"clients": 2, "target": {"transprt": "websocket"}}' >"$d/typo.json"
printf '{"clients": 0}' >"$d/zero.json"
printf '\xff\xfe\x00{' >"$d/binary.json"
: >"$d/empty.json"
printf '[1, 2]' >"$d/array.json"
printf '{"messages": 0}' >"$d/nostop.json"
printf '{"target": {"url": "ftp://x"}}' >"$d/ftp.json"
printf '{"timeouts": {"connect_ms": -5}}' >"$d/negtimeout.json"

# expected message fragment | arguments
cases=(
  "cannot open|$d/missing.json"
  "invalid JSON|$d/truncated.json"
  "target.transprt: unknown key|$d/typo.json"
  "clients: must be|$d/zero.json"
  "invalid JSON|$d/binary.json"
  "invalid JSON|$d/empty.json"
  "must be an object|$d/array.json"
  "needs duration|$d/nostop.json"
  "url: must be|$d/ftp.json"
  "connect_ms|$d/negtimeout.json"
  "cannot read|$d"
  "clients: must be|$S --clients abc"
  "clients: must be|$S --clients -3"
  "duration: must be|$S --duration 10x"
  "transport: must be|$S --transport carrier-pigeon"
  "eio: must be 3 or 4|$S --eio 5"
  "url: must be|$S --url ftp://x"
  "url: must be|$S --url http://127.0.0.1:99999"
  "cannot resolve|$S --url http://no-such-host.invalid:80"
  "TLS targets|$S --url https://127.0.0.1:1"
  "--threshold|$S --threshold p99_ms<<3"
  "give one or the other|$S --rate 5 --total-rate 10"
  "passphrase file|$S --passphrase-file $TMP/no-such-file"
  "file descriptors|$S --clients 100000000"
  "expected one scenario file|"
  "expected one scenario file|$S $S"
  "unknown option '--bogus'|$S --bogus"
  "option '--quiet' takes no value|$S --quiet=3"
)
for c in "${cases[@]}"; do
    want=${c%%|*}
    read -r -a args <<<"${c#*|}"
    out="$TMP/out-dir"
    rm -rf "$out"
    expect_exit 2 "$SIOCRYPT" run "${args[@]}" --out "$out" -q
    first=$(head -1 "$TMP/out")
    grep -qF -- "$want" <<<"$first" || fail "${args[*]}: first line '$first' does not say '$want'"
    [ ! -e "$out" ] || fail "${args[*]}: a report folder was left behind"
    [ "$(wc -l <"$TMP/out")" = 1 ] ||
        fail "${args[*]}: more than one line: $(cat "$TMP/out")"
    echo "ok exit 2: ${args[*]:-(no arguments)} -> $first"
done

# an option missing its value (last on the line, so nothing follows that it could take)
expect_exit 2 "$SIOCRYPT" run "$S" -q --clients
[ "$(cat "$TMP/out")" = "siocrypt run: option '--clients' needs a value (siocrypt run --help)" ] ||
    fail "--clients without a value: $(cat "$TMP/out")"
echo "ok exit 2: --clients without a value"

# --out where a folder cannot be made
: >"$TMP/a-file"
expect_exit 2 "$SIOCRYPT" run harness/tests/scenarios/faults.json --out "$TMP/a-file/sub" -q
grep -q "cannot create" "$TMP/out" || fail "--out under a file: $(cat "$TMP/out")"
echo "ok exit 2: --out under a file"

# the local server cannot start: exit 1, the message, and a report that says why
root="$TMP/root"
mkdir -p "$root/server/node_modules/socket.io"
echo 'console.error("boom: cannot start"); process.exit(3);' >"$root/server/server.js"
SIOCRYPT_ROOT="$root" expect_exit 1 "$SIOCRYPT" run "$S" --out "$TMP/nosrv" -q
grep -q "local server: node exited before listening (exit code 3)" "$TMP/out" || fail "no server message: $(cat "$TMP/out")"
check_report "$TMP/nosrv"
r="$TMP/nosrv/report.json"
jqr "$r" '.findings[] | select(.id == "server-start") | .detail' | grep -q "boom: cannot start" ||
    fail "no server-start finding with the server's output: $(jq -c .findings "$r")"
[ "$(jqr "$r" .connections.attempted)" = 0 ] || fail "clients ran without a server"
echo "ok exit 1: local server does not start, report says why"
