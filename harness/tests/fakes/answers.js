// Answers each counter message with a chosen wrong (or tricky) answer, encrypted with the real g-crypt and
// crypto-js of server/ (the same passphrase as the harness), so that only the plaintext is at fault.
// Modes (argv[2]):
//   undecryptable  an envelope made with another passphrase
//   fraction       {"id": N+1.5}                      JSON.parse: not an integer, not the answer
//   dupkeys        {"id": N+1, "id": 0}               JSON.parse keeps the last: 0, the wrong id
//   dupkeys-ok     {"id": 0, "id": N+1}               JSON.parse keeps the last: the right id
//   huge           {"id": 1e308}                      beyond any id
//   slow           the right answer after SLOW_MS (default 1500): answers after the harness's timeout
//   kick           a CONNECT_ERROR instead of an answer, after the namespace was connected
'use strict';
const path = require('path');
const { listen, eioServer } = require('./common');
const Crypt = require(path.join(__dirname, '../../../server/node_modules/g-crypt'));
const mode = process.argv[2];
const right = Crypt(process.env.PASSPHRASE || 'super-secret-passphrase');
const wrong = Crypt('not-the-passphrase');
const slowMs = +(process.env.SLOW_MS || 1500);

function answer(id) {
    switch (mode) {
    case 'undecryptable': return wrong.encrypt({ id: id + 1 });
    case 'fraction': return right.encrypt({ id: id + 1.5 });
    case 'huge': return encryptText('{"id":1e308}');
    case 'dupkeys': return encryptText('{"id":' + (id + 1) + ',"id":0}');
    case 'dupkeys-ok': return encryptText('{"id":0,"id":' + (id + 1) + '}');
    case 'slow': return right.encrypt({ id: id + 1 });
    default: console.error('answers.js: unknown mode ' + mode); process.exit(2);
    }
}

// g-crypt encrypts JSON.stringify(data): plaintexts JSON.stringify cannot write (duplicate keys, 1e308
// written as such) go to crypto-js directly, in g-crypt's envelope format.
function encryptText(text) {
    const CryptoJS = require(path.join(__dirname, '../../../server/node_modules/crypto-js'));
    const c = CryptoJS.AES.encrypt(text, process.env.PASSPHRASE || 'super-secret-passphrase');
    return JSON.stringify({ ct: c.ciphertext.toString(CryptoJS.enc.Base64), iv: c.iv.toString(), s: c.salt.toString() });
}

listen(eioServer({
    onEvent(s, pkt) {
        const args = JSON.parse(pkt.slice(2));
        const id = right.decrypt(args[1]).id;
        if (mode === 'kick') { s.send('44' + JSON.stringify({ message: 'kicked out' })); return; }
        const send = () => s.send('42' + JSON.stringify(['counter', answer(id)]));
        if (mode === 'slow') setTimeout(send, slowMs); else send();
    }
}));
