'use strict';
// Writes vectors/cryptojs-<version>.json for each pinned crypto-js version: every envelope is made by that
// real crypto-js through g-crypt's format (gcrypt-format.js, the seed's CryptoJSAesJson), with the salt
// crypto-js drew itself, and every `expect` is what that crypto-js + g-crypt's JSON.parse actually did
// with the envelope (run here, never assumed).
//   node generate.js [OUTDIR]
// Fields: cryptojs, case, passphrase, plaintext (the JSON text encrypted; for a tampered envelope that
// still decrypts: what it decrypts to), envelope, salt (the envelope's "s", "" if none), key and iv (hex,
// derived by crypto-js from passphrase and salt; "" when the salt is not 16 hex digits), expect (ok|error).
// The empty plaintext: g-crypt always encrypts JSON.stringify(x), never "", but crypto-js encrypts "" happily
// and g-crypt's JSON.parse("") throws; so case "empty-plaintext" has plaintext "" and expect "error".
const fs = require('fs');
const path = require('path');
const Crypt = require('./gcrypt-format');

const VERSIONS = ['3.1.6', '3.3.0', '4.2.0'];
const MAIN = 'super-secret-passphrase';
const PASSPHRASES = {
    'empty': '',
    'ascii': MAIN,
    'latin-cyrillic-cjk': 'pässwörd ключ 密码',
    'emoji': '🔑🗝️😀 key',
    'long-1000': 'abcdefghij'.repeat(100),
};

// A JSON text of exactly n UTF-8 bytes (n >= 1).
function textOfBytes(n) {
    if (n === 1) return '7';
    return JSON.stringify('x'.repeat(n - 2));
}

function plaintextValues() {
    const v = [];
    for (let n = 1; n <= 17; n++) v.push([`bytes-${n}`, JSON.parse(textOfBytes(n))]);
    for (const n of [31, 32, 33, 47, 48, 49, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097,
                     65535, 65536, 65537])
        v.push([`bytes-${n}`, JSON.parse(textOfBytes(n))]);
    v.push(['over-64k', {data: 'y'.repeat(70000), n: 1}]);
    v.push(['counter', {id: 0}], ['counter-big', {id: 123456789}]);
    v.push(['bmp', {text: 'héllo wörld — ñandú, 中文, ключ, ☃'}]);
    v.push(['astral', {text: '😀 𝄞 🀄 𠀋', emoji: '👩‍👩‍👧'}]);
    v.push(['controls', {c: '\u0000\u0001\u0007\b\t\n\u000b\f\r\u001b\u001f\u007f'}]);
    v.push(['escapes', {q: 'quote " backslash \\ slash / tab \t', u: '\u2028\u2029'}]);
    v.push(['null', null], ['true', true], ['false', false], ['zero', 0], ['negative-float', -1.5e-10],
           ['big-number', 1e21], ['string', 'just a string'], ['empty-string', ''], ['empty-array', []],
           ['empty-object', {}], ['array', [1, 'two', null, true, {three: 3}, [4]]],
           ['nested', {a: {b: {c: {d: [1, [2, [3, {e: 'f'}]]]}}}}]);
    return v;
}

// What g-crypt's crypter.decrypt does with this envelope: 'ok' (and the text) or 'error' (and the reason).
function run(C, pass, env) {
    const cr = Crypt(C, pass);
    try {
        const text = cr.decryptText(env);
        JSON.parse(text);
        return {expect: 'ok', text};
    } catch (e) {
        return {expect: 'error', reason: e.message};
    }
}

function derived(C, pass, salt) {
    if (typeof salt !== 'string' || !/^[0-9a-fA-F]{16}$/.test(salt)) return {key: '', iv: ''};
    const p = C.kdf.OpenSSL.execute(pass, 256 / 32, 128 / 32, C.enc.Hex.parse(salt));
    return {key: p.key.toString(), iv: p.iv.toString()};
}

function vector(C, version, name, pass, plaintext, env, wantOk) {
    const r = run(C, pass, env);
    let s = '';
    try { const j = JSON.parse(env); if (j && typeof j.s === 'string') s = j.s; } catch (e) { /* not JSON */ }
    if (wantOk !== undefined && (r.expect === 'ok') !== wantOk)
        console.error(`note: ${version} ${name}: crypto-js says ${r.expect}${r.reason ? ' (' + r.reason + ')' : ''}`);
    const d = derived(C, pass, s);
    return {cryptojs: version, case: name, passphrase: pass, plaintext: r.expect === 'ok' ? r.text : plaintext,
            envelope: env, salt: s, key: d.key, iv: d.iv, expect: r.expect};
}

// Rewrite an envelope's members (undefined deletes).
function tamper(env, changes) {
    const j = JSON.parse(env);
    for (const [k, v] of Object.entries(changes)) { if (v === undefined) delete j[k]; else j[k] = v; }
    return JSON.stringify(j);
}

function b64(C, bytes) { return C.enc.Base64.stringify(C.enc.Latin1.parse(bytes)); }
function ctBytes(C, env) { return C.enc.Latin1.stringify(C.enc.Base64.parse(JSON.parse(env).ct)); }

function casesFor(C, version) {
    const out = [];
    const main = Crypt(C, MAIN);
    const add = (name, pass, plaintext, env, wantOk) => out.push(vector(C, version, name, pass, plaintext, env, wantOk));

    // Positive: every plaintext with the main passphrase, a few with each other passphrase.
    for (const [name, value] of plaintextValues())
        add(`pt-${name}`, MAIN, JSON.stringify(value), main.encrypt(value), true);
    for (const [pname, pass] of Object.entries(PASSPHRASES)) {
        const cr = Crypt(C, pass);
        for (const [name, value] of [['counter', {id: 0}], ['bytes-16', JSON.parse(textOfBytes(16))],
                                     ['astral', {t: '😀'}], ['bytes-1000', JSON.parse(textOfBytes(1000))]])
            add(`pass-${pname}-${name}`, pass, JSON.stringify(value), cr.encrypt(value), true);
    }
    add('empty-plaintext', MAIN, '', main.encryptRaw(''), false);

    // Negative and lenient cases, from real envelopes.
    const base = main.encrypt({id: 0});
    const base3 = main.encrypt({data: 'z'.repeat(36)});          // 3 blocks
    const j = JSON.parse(base), j3 = JSON.parse(base3);
    const pt = '{"id":0}', pt3 = JSON.stringify({data: 'z'.repeat(36)});
    add('wrong-passphrase', 'not-the-passphrase', pt, base, false);
    add('wrong-passphrase-3-blocks', MAIN + 'x', pt3, base3, false);
    add('missing-salt', MAIN, pt, tamper(base, {s: undefined}), false);
    add('empty-salt', MAIN, pt, tamper(base, {s: ''}), false);
    add('salt-number', MAIN, pt, tamper(base, {s: 12345}), false);
    add('salt-array', MAIN, pt, tamper(base, {s: ['ab']}), false);
    add('odd-length-salt-short', MAIN, pt, tamper(base, {s: j.s.slice(0, 15)}), false);
    add('odd-length-salt-long', MAIN, pt, tamper(base, {s: j.s + 'a'}), false);
    add('salt-uppercase', MAIN, pt, tamper(base, {s: j.s.toUpperCase()}), true);
    add('salt-other', MAIN, pt, tamper(base, {s: '0011223344556677'}), false);
    add('missing-ct', MAIN, pt, tamper(base, {ct: undefined}), false);
    add('ct-number', MAIN, pt, tamper(base, {ct: 12345}), false);
    add('ct-null', MAIN, pt, tamper(base, {ct: null}), false);
    add('ct-empty-array', MAIN, pt, tamper(base, {ct: []}), false);
    add('ct-object', MAIN, pt, tamper(base, {ct: {}}), false);
    add('ct-empty', MAIN, pt, tamper(base, {ct: ''}), false);
    add('truncated-ct-4-chars', MAIN, pt3, tamper(base3, {ct: j3.ct.slice(0, -4)}), false);
    add('truncated-ct-2-chars', MAIN, pt, tamper(base, {ct: j.ct.slice(0, -3) + '='}), false);
    add('ct-last-block-dropped', MAIN, pt3, tamper(base3, {ct: b64(C, ctBytes(C, base3).slice(0, 32))}), false);
    add('ct-first-block-only', MAIN, pt3, tamper(base3, {ct: b64(C, ctBytes(C, base3).slice(0, 16))}), false);
    add('bad-base64-char', MAIN, pt3, tamper(base3, {ct: j3.ct.slice(0, 10) + '!' + j3.ct.slice(11)}), false);
    add('bad-base64-non-ascii', MAIN, pt3, tamper(base3, {ct: j3.ct.slice(0, 10) + 'é' + j3.ct.slice(11)}), false);
    add('ct-trailing-newline', MAIN, pt3, tamper(base3, {ct: j3.ct + '\n'}), true);
    add('ct-padding-stripped', MAIN, pt, tamper(base, {ct: j.ct.replace(/=+$/, '')}), true);
    add('ct-junk-after-padding', MAIN, pt, tamper(base, {ct: j.ct + 'junk'}), true);
    const ctb = ctBytes(C, base3);
    const flip = (i, bit) => ctb.slice(0, i) + String.fromCharCode(ctb.charCodeAt(i) ^ bit) + ctb.slice(i + 1);
    add('flipped-bit-last-byte', MAIN, pt3, tamper(base3, {ct: b64(C, flip(47, 1))}), false);
    add('flipped-bit-first-block', MAIN, pt3, tamper(base3, {ct: b64(C, flip(3, 0x10))}), false);
    add('flipped-bit-middle-block', MAIN, pt3, tamper(base3, {ct: b64(C, flip(20, 0x40))}), false);
    add('not-json', MAIN, pt, 'this is not JSON', false);
    add('truncated-envelope', MAIN, pt, base.slice(0, -2), false);
    add('envelope-empty', MAIN, pt, '', false);
    add('envelope-array', MAIN, pt, '[' + base + ']', false);
    add('envelope-null', MAIN, pt, 'null', false);
    add('envelope-string', MAIN, pt, JSON.stringify(base), false);

    // Accepted by crypto-js, refused by a strict reader.
    add('iv-altered', MAIN, pt, tamper(base, {iv: '00'.repeat(16)}), true);
    add('iv-missing', MAIN, pt, tamper(base, {iv: undefined}), true);
    add('iv-not-hex', MAIN, pt, tamper(base, {iv: 'zz'}), true);
    add('iv-number', MAIN, pt, tamper(base, {iv: 5}), true);
    add('iv-array', MAIN, pt, tamper(base, {iv: ['a']}), false);
    add('members-reordered', MAIN, pt, JSON.stringify({s: j.s, iv: j.iv, ct: j.ct}), true);
    add('extra-member-and-spaces', MAIN, pt, `{ "v" : 1 , "ct" : "${j.ct}" , "iv" : "${j.iv}" , "s" : "${j.s}" }\n`, true);
    add('duplicate-ct-last-wins', MAIN, pt, `{"ct":"AAAA","ct":"${j.ct}","iv":"${j.iv}","s":"${j.s}"}`, true);
    add('escaped-key-and-value', MAIN, pt,
        `{"\\u0063t":"\\u00${j.ct.charCodeAt(0).toString(16)}${j.ct.slice(1).replace(/\//g, '\\/')}","iv":"${j.iv}","s":"${j.s}"}`, true);
    const raw = (name, message, cfg, plaintext, wantOk) => add(name, MAIN, plaintext, main.encryptRaw(message, cfg), wantOk);
    const L1 = s => C.enc.Latin1.parse(s);
    const nopad = {padding: C.pad.NoPadding};
    raw('padding-noncanonical-3', L1('1234567890123\x00\x00\x03'), nopad, '1234567890123', true);
    raw('padding-over-16', L1('123456789012345' + '\x00'.repeat(16) + '\x11'), nopad, '123456789012345', true);
    raw('padding-zero', L1('[1]' + ' '.repeat(12) + '\x00'), nopad, '[1]', false);
    raw('padding-too-long', L1('"abc"' + ' '.repeat(10) + '\x40'), nopad, '"abc"', false);
    raw('plaintext-bad-utf8', L1('"\xff"'), undefined, '"\u00ff"', false);
    raw('plaintext-utf8-surrogate', L1('"\xed\xa0\x80"'), undefined, '"\u00ed\u00a0\u0080"', false);
    raw('plaintext-utf8-overlong', L1('"\xc0\xaf"'), undefined, '"\u00c0\u00af"', false);
    raw('plaintext-not-json', 'hello, world', undefined, 'hello, world', false);
    raw('plaintext-bom', '\ufeff1', undefined, '\ufeff1', false);
    raw('plaintext-trailing-comma', '[1,]', undefined, '[1,]', false);
    raw('plaintext-json-whitespace', ' \t\n{"id":0}\r\n', undefined, ' \t\n{"id":0}\r\n', true);
    raw('plaintext-lone-surrogate-escape', '"\\ud800"', undefined, '"\\ud800"', true);
    return out;
}

function crossCheckGcrypt(vectors) {
    // The 3.3.0 vectors again through the real g-crypt package (which wraps crypto-js 3.3.0).
    const GCrypt = require('g-crypt');
    let bad = 0;
    for (const v of vectors) {
        let ok;
        try { GCrypt(v.passphrase).decrypt(v.envelope); ok = true; } catch (e) { ok = false; }
        if (ok !== (v.expect === 'ok')) { bad++; console.error(`g-crypt disagrees on ${v.case}`); }
    }
    if (bad) throw new Error(`g-crypt disagrees with the format copy on ${bad} vectors`);
}

function main() {
    const outdir = process.argv[2] || __dirname;
    for (const version of VERSIONS) {
        const C = require(`cryptojs-${version}`);
        const vectors = casesFor(C, version);
        if (version === '3.3.0') crossCheckGcrypt(vectors);
        const file = path.join(outdir, `cryptojs-${version}.json`);
        fs.writeFileSync(file, '[\n' + vectors.map(v => JSON.stringify(v)).join(',\n') + '\n]\n');
        const ok = vectors.filter(v => v.expect === 'ok').length;
        console.log(`${file}: ${vectors.length} vectors (${ok} ok, ${vectors.length - ok} error)`);
    }
}

main();
