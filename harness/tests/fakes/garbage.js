// A server that answers with garbage. Modes:
//   nothttp  answers the first bytes of any connection with binary noise (not HTTP at all), then closes
//   http     HTTP 200 whose body is noise, to every request, including the WebSocket upgrade request
//   frames   accepts the WebSocket upgrade, then sends frames with a reserved opcode and noise
//            (polling: the handshake GET gets a payload that is not Engine.IO)
//   session  a good handshake and socket.io CONNECT; the first event is answered with a malformed
//            Engine.IO packet
'use strict';
const net = require('net');
const http = require('http');
const { listen, eioServer, wsAccept } = require('./common');
const noise = Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80, 0x81, 0xfe, 0x0a, 0x0d, 0x0a, 0x7f, 0x00]);
const mode = process.argv[2] || 'http';
if (mode === 'nothttp') {
    listen(net.createServer((s) => {
        s.on('error', () => {});
        s.once('data', () => { s.end(Buffer.concat([noise, noise, noise])); });
    }));
} else if (mode === 'http') {
    const server = http.createServer((req, res) => { res.writeHead(200); res.end(noise); });
    server.on('upgrade', (req, socket) => {
        socket.on('error', () => {});
        socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n'), noise]));
    });
    listen(server);
} else if (mode === 'frames') {
    const server = http.createServer((req, res) => { res.writeHead(200); res.end('not an engine.io payload'); });
    server.on('upgrade', (req, socket) => {
        socket.on('error', () => {});
        socket.on('data', () => {});
        wsAccept(req, socket);
        socket.write(Buffer.concat([Buffer.from([0x83, noise.length]), noise]));   // opcode 3 is reserved
    });
    listen(server);
} else if (mode === 'session') {
    listen(eioServer({ onEvent(s) { s.send('9garbage'); } }));
} else {
    console.error('garbage.js: unknown mode ' + mode);
    process.exit(2);
}
