'use strict';
// Reverse check: envelopes written by the C code, decrypted by one real crypto-js version through g-crypt's
// format and JSON.parse. Reads JSON lines on stdin: {"passphrase":..,"plaintext":..,"envelope":..}; the
// decrypted text must equal plaintext exactly. Prints one line per mismatch, then "N passed, M failed";
// exits 1 if any failed.
//   node reverse-check.js VERSION < cases.jsonl
const readline = require('readline');
const Crypt = require('./gcrypt-format');

const version = process.argv[2];
if (!version) { console.error('usage: node reverse-check.js VERSION < cases.jsonl'); process.exit(2); }
const C = require(`cryptojs-${version}`);
const crypters = new Map();
let pass = 0, fail = 0, line = 0;

readline.createInterface({input: process.stdin, crlfDelay: Infinity}).on('line', (l) => {
    line++;
    if (!l.trim()) return;
    const c = JSON.parse(l);
    if (!crypters.has(c.passphrase)) crypters.set(c.passphrase, Crypt(C, c.passphrase));
    let got, err;
    try {
        got = crypters.get(c.passphrase).decryptText(c.envelope);
        JSON.parse(got);                                  // g-crypt's decrypt does this too
    } catch (e) { err = e.message; }
    if (err === undefined && got === c.plaintext) { pass++; return; }
    fail++;
    console.log(`crypto-js ${version} line ${line}: ${err ? 'error ' + err : 'got ' + JSON.stringify(got).slice(0, 80)}` +
                ` for ${c.envelope.slice(0, 80)}`);
}).on('close', () => {
    console.log(`${pass} passed, ${fail} failed`);
    process.exit(fail || !pass ? 1 : 0);
});
