#!/usr/bin/env bash
# Bad command lines and scenario files: exit 2, one clear line naming the problem, and nothing written
# (no report folder). A local server that cannot start is not a usage error: exit 1, with a report.
# Numbers are range-checked (an int64 of nanoseconds never overflows), every file or stdin read is bounded,
# every argument counts (past 256 too), and a report folder that cannot take the reports is refused
# before the run (exit 2) or fails the run after it (exit 1, no report file listed that is not there).
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
printf '{"duration_s": 1e10}' >"$d/longrun.json"
printf '{"steps": {"from": 1, "step": 1, "to": 5000, "step_s": 1}, "thresholds": ["p99_ms<5"]}' >"$d/steps.json"

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
  "url: expected http(s)://|$d/ftp.json"
  "connect_ms|$d/negtimeout.json"
  "cannot read|$d"
  "clients: must be|$S --clients abc"
  "clients: must be|$S --clients -3"
  "duration: must be|$S --duration 10x"
  "transport: must be|$S --transport carrier-pigeon"
  "eio: must be 3 or 4|$S --eio 5"
  "url: expected http(s)://|$S --url ftp://x"
  "url: bad port|$S --url http://127.0.0.1:99999"
  "cannot resolve|$S --url http://no-such-host.invalid:80"
  "target.tls.cacert: cannot read|$S --url https://127.0.0.1:1 --cacert $TMP/no-such-ca.pem"
  "--threshold|$S --threshold p99_ms<<3"
  "give one or the other|$S --rate 5 --total-rate 10"
  "passphrase file|$S --passphrase-file $TMP/no-such-file"
  "file descriptors|$S --clients 1000000 --transport upgrade"
  "expected one scenario file|"
  "expected one scenario file|$S $S"
  "unknown option '--bogus'|$S --bogus"
  "option '--quiet' takes no value|$S --quiet=3"
  # ranges: each of these used to overflow an int64 of ns (or reach 0) and run wrong, or say a false range
  "duration: must be 0 or a number in [0.001, 2592000] (seconds)|$S --duration 1e10"
  "duration: must be 0 or a number in [0.001, 2592000] (seconds)|$S --duration 1e-10 --messages 0"
  "duration: must be 0 or a number in [0.001, 2592000] (seconds)|$S --duration 1e300h"
  "think_ms: must be a number in [0, 3600000] (ms)|$S --think 1e300"
  "ramp: must be a number in [0, 86400] (seconds)|$S --ramp 5e9"
  "rate: must be 0 or a number in [0.001, 100000] (messages/s)|$S --rate 1e-12"
  "total_rate: must be 0 or a number in [0.001, 10000000] (messages/s)|$S --total-rate 1e300"
  "total_rate: 1 messages/s over 10000 clients is below 0.001 per client|$S --total-rate 1 --clients 10000"
  "clients: must be an integer in [1, 1000000]|$S --clients 1e12"
  "messages: must be an integer in [0, 1000000000000]|$S --messages 1e15"
  "threads: must be an integer in [0, 1024]|$S --threads 5000"
  "start_id: must be an integer in [-9007199254740991, 9007199254740991]|$S --start-id 1e300"
  "duration_s: must be 0 or a number in [0.001, 2592000] (seconds)|$d/longrun.json"
  "steps: 5000 steps from 1 to 5000 by 1; at most 1000|$d/steps.json"
  # bounded reads: these read without limit (merge then spun for ever)
  "passphrase file /dev/zero: larger than 64 KiB|$S --passphrase-file /dev/zero"
  "/dev/zero: larger than 1 MiB|/dev/zero"
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

# the other commands' bounded reads: standard input, report files, vector files
T0=$(date +%s%N)
expect_exit 2 "$SIOCRYPT" decrypt -p x - </dev/zero
grep -qx "siocrypt decrypt: standard input: larger than 16 MiB, the limit for this input" "$TMP/out" ||
    fail "decrypt </dev/zero: $(cat "$TMP/out")"
expect_exit 2 "$SIOCRYPT" encrypt -p x --lines </dev/zero
grep -q "standard input: larger than 16 MiB" "$TMP/out" || fail "encrypt </dev/zero: $(cat "$TMP/out")"
expect_exit 2 "$SIOCRYPT" merge --out "$TMP/merged" /dev/zero
grep -qx "siocrypt merge: /dev/zero: larger than 64 MiB, the limit for this input" "$TMP/out" ||
    fail "merge /dev/zero: $(cat "$TMP/out")"
[ ! -e "$TMP/merged" ] || fail "merge /dev/zero left a report folder"
expect_exit 2 "$SIOCRYPT" vectors /dev/zero
grep -q "/dev/zero: larger than 16 MiB" "$TMP/out" || fail "vectors /dev/zero: $(cat "$TMP/out")"
expect_exit 2 "$SIOCRYPT" bench --seconds 1e300
grep -q "seconds: must be a number in \[0.001, 3600\]" "$TMP/out" || fail "bench --seconds: $(cat "$TMP/out")"
[ "$(elapsed_ms)" -lt 30000 ] || fail "the bounded reads took $(elapsed_ms) ms"
echo "ok exit 2: decrypt/encrypt </dev/zero, merge and vectors /dev/zero, bench --seconds 1e300"

# an option missing its value (last on the line, so nothing follows that it could take)
expect_exit 2 "$SIOCRYPT" run "$S" -q --clients
[ "$(cat "$TMP/out")" = "siocrypt run: option '--clients' needs a value (siocrypt run --help)" ] ||
    fail "--clients without a value: $(cat "$TMP/out")"
echo "ok exit 2: --clients without a value"

# --out where a folder cannot be made, or that cannot take files: exit 2 before anything runs (the
# scenario's url would be refused, so reaching the run would show as another error)
F=harness/tests/scenarios/faults.json
: >"$TMP/a-file"
expect_exit 2 "$SIOCRYPT" run "$F" --out "$TMP/a-file/sub" -q
grep -q "cannot create" "$TMP/out" || fail "--out under a file: $(cat "$TMP/out")"
echo "ok exit 2: --out under a file"
expect_exit 2 "$SIOCRYPT" run "$F" --out "$TMP/a-file" -q
grep -qx "siocrypt run: --out: $TMP/a-file: not a directory" "$TMP/out" || fail "--out a file: $(cat "$TMP/out")"
echo "ok exit 2: --out an existing file"
long="$TMP/$(printf 'd/%.0s' $(seq 500))x"
expect_exit 2 "$SIOCRYPT" run "$F" --out "$long" -q
grep -q "path too long (.* bytes; at most 960)" "$TMP/out" || fail "--out too long: $(cat "$TMP/out")"
[ ! -e "$TMP/d" ] || fail "--out too long made folders"
expect_exit 2 "$SIOCRYPT" run "$F" --out "$TMP/$(printf 'n%.0s' $(seq 300))" -q
grep -q "a path component is longer than 255 bytes" "$TMP/out" || fail "--out long name: $(cat "$TMP/out")"
echo "ok exit 2: --out too long (whole, one component)"

# more than 256 arguments: every one counts (the 257th and later were cut, and --out with them)
start_server
many=()
for _ in $(seq 150); do many+=(--threshold 'p99_ms<60000'); done
expect_exit 0 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --clients 1 --messages 2 -q "${many[@]}" --out "$TMP/many"
[ "$(jq '.thresholds | length' "$TMP/many/report.json")" = 151 ] ||
    fail "not every --threshold counted: $(jq '.thresholds | length' "$TMP/many/report.json")"
many=()
for _ in $(seq 150); do many+=(--clients 1); done
expect_exit 2 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --messages 2 -q "${many[@]}" --clients 0 --out "$TMP/many2"
grep -q "clients: must be" "$TMP/out" || fail "the last --clients after 300 arguments was not read"
echo "ok: 300+ arguments all read (151 thresholds, the last --clients, the --out after them)"

# folders root can not write to although the mode bits say nothing: a read-only mount, a full disk
M="$TMP/mnt"
mkdir -p "$M"
if mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
    trap 'umount "$M" 2>/dev/null || true; kill $SERVER_PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
    mount -o remount,ro "$M"
    expect_exit 2 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --out "$M" -q
    grep -q "^siocrypt run: --out: $M: cannot write a file there (.*Read-only file system)" "$TMP/out" ||
        fail "read-only --out: $(cat "$TMP/out")"
    expect_exit 2 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --out "$M/sub" -q
    grep -q "cannot create directory: Read-only file system" "$TMP/out" || fail "read-only parent: $(cat "$TMP/out")"
    echo "ok exit 2: --out on a read-only mount (the folder itself, a folder under it)"
    # full before the run: the probe file cannot be written
    mount -o remount,rw,size=4k "$M"
    dd if=/dev/zero of="$M/fill" bs=4k count=1 2>/dev/null || true
    expect_exit 2 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --out "$M/full" -q
    grep -q "cannot write a file there (.*No space left on device)" "$TMP/out" || fail "full disk: $(cat "$TMP/out")"
    [ ! -e "$M/full" ] || fail "the refused --out folder was left on the full disk"
    echo "ok exit 2: --out on a full disk"
    # full during the writing: the run fails with the reason, lists no report file, and none is left
    rm -f "$M/fill"
    mount -o remount,size=12k "$M"
    expect_exit 1 "$SIOCRYPT" run "$S" --url "$SERVER_URL" --out "$M/late" -q
    grep -q "^siocrypt run: writing reports: .*No space left on device" "$TMP/out" || fail "no reason: $(cat "$TMP/out")"
    grep -q "report-not-written" "$TMP/out" || fail "no finding in the summary: $(cat "$TMP/out")"
    grep -q "Result       FAIL" "$TMP/out" || fail "the summary does not say FAIL: $(cat "$TMP/out")"
    ! grep -q "Reports  \|report.html" "$TMP/out" || fail "the summary lists report files: $(cat "$TMP/out")"
    [ -z "$(ls -A "$M/late")" ] || fail "a partial report set was left: $(ls -A "$M/late")"
    echo "ok exit 1: the disk fills while the reports are written: FAIL with the reason, no file listed or left"
    umount "$M"
else
    echo "skip: cannot mount a tmpfs here (not root?): read-only and full-disk --out not tested"
fi

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
