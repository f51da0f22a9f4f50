// A server that stops answering. Modes:
//   tcp      (default) accepts TCP connections, reads everything, never writes a byte
//   session  completes the Engine.IO handshake and the socket.io CONNECT, then swallows every event
//            and ignores the client's close
// The harness must give up on its own (connect and message timeouts, close grace), never hang.
'use strict';
const net = require('net');
const { listen, eioServer } = require('./common');
const mode = process.argv[2] || 'tcp';
if (mode === 'tcp') {
    const held = [];
    listen(net.createServer((s) => { held.push(s); s.on('data', () => {}); s.on('error', () => {}); }));
} else if (mode === 'session') {
    listen(eioServer({ onEvent() {}, onClose() {} }));
} else {
    console.error('silent.js: unknown mode ' + mode);
    process.exit(2);
}
