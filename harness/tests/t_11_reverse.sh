#!/usr/bin/env bash
# Reverse check: envelopes made by `siocrypt encrypt` (with --salt and without) for a spread of values and
# passphrases are decrypted by each pinned crypto-js version (vectors/reverse-check.js, one node process per
# version); every plaintext must come back exactly. Fails if any differs or if nothing was checked.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIOCRYPT=${SIOCRYPT:-$PWD/build/siocrypt}
[ -d vectors/node_modules ] || { echo "vectors/node_modules missing: run make deps"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The values: JSON texts, one per line (JSON.stringify never writes a raw newline).
node -e '
const v = [{id: 0}, {id: 1}, {id: 2147483647}, null, true, false, 0, -0.5, 1e300, "", "x", [], {},
  {text: "héllo wörld ключ 中文 ☃"}, {emoji: "😀👩‍👩‍👧𝄞"}, {ctl: "\u0000\u001f\t\n\r\"\\/"}, {ls: "\u2028\u2029"},
  {nested: {a: [1, [2, [3, {b: null}]]]}}];
for (let n = 1; n <= 40; n++) v.push("y".repeat(n));
for (const n of [255, 256, 1000, 4096, 65536, 70000]) v.push({data: "z".repeat(n)});
for (let i = 0; i < 200; i++) v.push({id: i, r: Math.random().toString(36).slice(2, 2 + (i % 30))});
for (const x of v) console.log(JSON.stringify(x));
' > "$tmp/values"

passphrases=("super-secret-passphrase" "" "pässwörd ключ 密码" "🔑🗝️😀" "$(printf 'abcdefghij%.0s' {1..100})")
for i in "${!passphrases[@]}"; do
    p=${passphrases[$i]}
    # many envelopes at once, fresh salts from the C CSPRNG pool
    "$SIOCRYPT" encrypt --lines -p "$p" < "$tmp/values" > "$tmp/env.$i"
    # and with fixed salts, one process per value for the first few
    head -n 20 "$tmp/values" | while IFS= read -r line; do
        "$SIOCRYPT" encrypt -p "$p" --salt 0123456789abcdef -- "$line"
    done > "$tmp/envs.$i"
    head -n 20 "$tmp/values" > "$tmp/values.20"
    P="$p" node -e '
const fs = require("fs");
const [vals, envs, envs2, vals2] = process.argv.slice(1).map(f => fs.readFileSync(f, "utf8").split("\n").filter(Boolean));
if (vals.length !== envs.length || vals2.length !== envs2.length) { console.error("count mismatch"); process.exit(1); }
for (let i = 0; i < vals.length; i++) console.log(JSON.stringify({passphrase: process.env.P, plaintext: vals[i], envelope: envs[i]}));
for (let i = 0; i < vals2.length; i++) console.log(JSON.stringify({passphrase: process.env.P, plaintext: vals2[i], envelope: envs2[i]}));
' "$tmp/values" "$tmp/env.$i" "$tmp/envs.$i" "$tmp/values.20" >> "$tmp/cases.jsonl"
done
echo "$(wc -l < "$tmp/cases.jsonl") envelopes from the C code"

rc=0
for v in 3.1.6 3.3.0 4.2.0; do
    echo "crypto-js $v:"
    node vectors/reverse-check.js "$v" < "$tmp/cases.jsonl" | tail -n 20 || rc=1
done
exit $rc
