// A counter server that answers correctly but puts hostile text where the harness stores or prints it:
// multi-byte characters across the harness's length limits, bytes that are not UTF-8, ESC / CSI / OSC
// sequences and C1 controls. It speaks g-crypt's envelope (crypto-js passphrase format) with node's
// crypto, passphrase "super-secret-passphrase". Modes:
//   counter-error  valid envelopes are answered with the right counter; anything else gets counter_error
//                  {error: "decrypt", message: <hostile>} (the hardened server's shape; robustness runs)
//   iv-cut         every answer's `iv` field is 60 euro signs (3 bytes each): the stored start of the
//                  envelope is cut inside one
//   iv-bytes       every answer's `iv` field holds bytes that are not UTF-8 and a raw ESC sequence
//   http-error     polling: the handshake is fine, then every GET is answered 400 with a hostile body: ESC
//                  sequences, then a character across its 100th byte (where the error detail is cut)
'use strict';
const crypto = require('crypto');
const { listen, eioServer, eioOpen } = require('./common');
const mode = process.argv[2] || 'counter-error';
const PASS = Buffer.from('super-secret-passphrase');
const ESC = '\x1b[31mred\x1b[0m\x1b[2J\x1b]0;owned\x07\u009b31m';

// EVP_BytesToKey with MD5, one round: 32 bytes of key, 16 of IV (what crypto-js does with a passphrase)
function derive(salt) {
    let out = Buffer.alloc(0), prev = Buffer.alloc(0);
    while (out.length < 48) {
        prev = crypto.createHash('md5').update(Buffer.concat([prev, PASS, salt])).digest();
        out = Buffer.concat([out, prev]);
    }
    return { key: out.subarray(0, 32), iv: out.subarray(32, 48) };
}

function decrypt(text) {
    try {
        const env = JSON.parse(text);
        const k = derive(Buffer.from(env.s, 'hex'));
        const d = crypto.createDecipheriv('aes-256-cbc', k.key, k.iv);
        return JSON.parse(Buffer.concat([d.update(Buffer.from(env.ct, 'base64')), d.final()]).toString());
    } catch (e) {
        return null;
    }
}

// The envelope of obj with the given text in place of the iv field (a Buffer: it may not be UTF-8).
function encrypt(obj, ivText) {
    const salt = crypto.randomBytes(8), k = derive(salt);
    const c = crypto.createCipheriv('aes-256-cbc', k.key, k.iv);
    const ct = Buffer.concat([c.update(JSON.stringify(obj)), c.final()]).toString('base64');
    const iv = ivText || Buffer.from(k.iv.toString('hex'));
    return Buffer.concat([Buffer.from('{"ct":"' + ct + '","iv":"'), iv, Buffer.from('","s":"' + salt.toString('hex') + '"}')]);
}

// 42["counter","<envelope>"] with the envelope JSON-escaped by hand (so its raw bytes stay raw)
function counterPacket(env) {
    const parts = [];
    for (const b of env) {
        if (b === 0x22 || b === 0x5c) parts.push(0x5c, b);      // " and \ inside the outer string
        else parts.push(b);
    }
    return Buffer.concat([Buffer.from('42["counter","'), Buffer.from(parts), Buffer.from('"]')]);
}

// A packet as raw bytes over either transport (session.send would re-encode a string as UTF-8).
function sendRaw(s, bytes) {
    if (s.ws) { s.send(bytes); return; }
    const res = s.takeGet();
    if (!res) { setTimeout(() => sendRaw(s, bytes), 10); return; }
    res.end(bytes);
}

function ivFor() {
    if (mode === 'iv-cut') return Buffer.from('\u20ac'.repeat(60));
    if (mode === 'iv-bytes') return Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xc2, 0x9b]);
    if (mode === 'iv-esc') return Buffer.from(JSON.stringify(ESC).slice(1, -1));   // escaped: raw in the envelope
    return null;
}

function onEvent(s, pkt) {
    let args;
    try { args = JSON.parse(pkt.slice(2)); } catch (e) { return; }
    const msg = typeof args[1] === 'string' ? decrypt(args[1]) : null;
    if (msg && typeof msg.id === 'number') {
        sendRaw(s, counterPacket(encrypt({ id: msg.id + 1 }, ivFor())));
        return;
    }
    // escape sequences, then euro signs (3 bytes each) across the 159-byte limit of the stored message
    const message = ESC + 'x'.repeat(151 - Buffer.byteLength(ESC)) + '\u20ac'.repeat(10);
    s.send('42' + JSON.stringify(['counter_error', { error: 'decrypt', message }]));
}

if (mode === 'http-error') {
    // polling only: a good handshake, then every GET of the session is answered 400 with the hostile body
    const head = ESC + 'y'.repeat(98 - Buffer.byteLength(ESC));   // the euro sign takes bytes 98..100
    const body = Buffer.concat([Buffer.from(head + '\u20ac tail'), Buffer.from([0xff, 0x0d, 0x0a])]);
    listen(require('http').createServer((req, res) => {
        if (req.method === 'POST') { req.resume(); req.on('end', () => res.end('ok')); return; }
        if (/[?&]sid=/.test(req.url)) { res.writeHead(400); res.end(body); return; }
        res.end(eioOpen());
    }));
} else if (['counter-error', 'iv-cut', 'iv-bytes', 'iv-esc'].includes(mode)) {
    listen(eioServer({ onEvent }));
} else {
    console.error('hostile.js: unknown mode ' + mode);
    process.exit(2);
}
