'use strict';
// crypto-js timing on the payloads siocrypt bench uses, through g-crypt's format (the seed's code path):
// encrypt and decrypt of the counter message {"id":0} and of 256 B, 4 KiB and 64 KiB JSON texts.
//   node bench-cryptojs.js [--seconds S] [--version 3.3.0]
// Prints {"results":[{"op","payload_bytes","ops_per_s","ns_per_op","mb_per_s"},...]} like siocrypt bench --json.
const Crypt = require('./gcrypt-format');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const seconds = Number(opt('--seconds', '1'));
const version = opt('--version', '3.3.0');
const C = require(`cryptojs-${version}`);
const cr = Crypt(C, 'super-secret-passphrase');

function payload(n) {                       // same text as siocrypt bench: {"data":"abc..."} of n bytes
    if (!n) return '{"id":0}';
    let s = '{"data":"';
    while (s.length < n - 2) s += String.fromCharCode(97 + s.length % 26);
    return s + '"}';
}

function time(fn) {
    let n = 0, batch = 1;
    const t0 = process.hrtime.bigint();
    let t;
    do {
        for (let i = 0; i < batch; i++) fn();
        n += batch;
        if (batch < 1024) batch *= 2;
        t = process.hrtime.bigint();
    } while (Number(t - t0) / 1e9 < seconds);
    return n / (Number(t - t0) / 1e9);
}

const results = [];
for (const size of [0, 256, 4096, 65536]) {
    const text = payload(size);
    const env = cr.encryptRaw(text);
    for (const [op, fn] of [['encrypt', () => cr.encryptRaw(text)], ['decrypt', () => JSON.parse(cr.decryptText(env))]]) {
        const ops = time(fn);
        results.push({op, payload_bytes: Buffer.byteLength(text), ops_per_s: ops, ns_per_op: 1e9 / ops,
                      mb_per_s: ops * Buffer.byteLength(text) / 1e6});
    }
}
console.log(JSON.stringify({cryptojs: version, results}));
