// A real socket.io client (node socket.io-client + g-crypt) that drives the counter server once.
// usage: node drive.js <folder with node_modules> <url> <mode> [transport]
//   folder:    server/ (socket.io-client 4) or server/v2/ (socket.io-client 2), so each side tests its own pair
//   mode:      counter   emit {id:41}, expect the decrypted answer 42
//              garbage   emit a non-envelope, expect counter_error, then a good round trip (HARDENED=1)
//              crash     emit a non-envelope, expect the connection to drop (the default server dies)
//   transport: websocket (default) | polling | upgrade
// Environment: PASSPHRASE, BEARER (an Authorization: Bearer header), NODE_EXTRA_CA_CERTS (a test CA).
// Prints one line per fact; exit 0 when the expectation holds, 1 otherwise. Bounded by a 5 s timer.
'use strict';
const path = require('path');
const { createRequire } = require('module');

const [dir, url, mode, transport = 'websocket'] = process.argv.slice(2);
if (!dir || !url || !mode) {
    console.error('usage: node drive.js <dir> <url> counter|garbage|crash [websocket|polling|upgrade]');
    process.exit(2);
}
const req = createRequire(path.resolve(dir, 'package.json'));
const ioMod = req('socket.io-client');
const connect = ioMod.io || ioMod;
const Crypt = req('g-crypt');
const crypter = Crypt(process.env.PASSPHRASE || 'super-secret-passphrase');

const transports = { websocket: ['websocket'], polling: ['polling'], upgrade: ['polling', 'websocket'] }[transport];
// BEARER: an Authorization header on every request (polling) and on the upgrade (websocket), as apps
// behind an auth proxy send it. https URLs verify against the system store plus NODE_EXTRA_CA_CERTS.
const extraHeaders = process.env.BEARER ? { Authorization: 'Bearer ' + process.env.BEARER } : undefined;
const socket = connect(url, { transports, reconnection: false, timeout: 4000, forceNew: true, extraHeaders });
const timer = setTimeout(() => done(1, 'timeout in mode ' + mode), 5000);

let finished = false;
function done(code, msg) {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    console.log(msg);
    socket.close();
    process.exit(code);
}

function roundTrip() {
    socket.emit('counter', crypter.encrypt({ id: 41 }));
}

let phase = 'start';
socket.on('connect_error', (e) => done(1, 'connect_error: ' + (e && e.message || e)));
socket.on('connect', () => {
    console.log('connected (' + socket.io.engine.transport.name + ')');
    if (mode === 'counter') { phase = 'counter'; roundTrip(); }
    else { phase = 'garbage'; socket.emit('counter', 'this is not an envelope'); }
});
socket.on('counter', (data) => {
    let v;
    try { v = crypter.decrypt(data); } catch (e) { return done(1, 'undecryptable answer: ' + data); }
    if (phase !== 'counter') return done(1, 'unexpected counter answer in phase ' + phase);
    done(v && v.id === 42 ? 0 : 1, 'counter answer ' + JSON.stringify(v));
});
socket.on('counter_error', (e) => {
    console.log('counter_error ' + JSON.stringify(e));
    if (mode !== 'garbage') return done(1, 'unexpected counter_error');
    phase = 'counter';
    roundTrip(); // the server must still work after the bad envelope
});
socket.on('disconnect', (reason) => {
    if (mode === 'crash' && phase === 'garbage') done(0, 'disconnected: ' + reason);
    else done(1, 'unexpected disconnect: ' + reason);
});
