// A server that tries to make the harness hold, follow or send what it should not. Modes:
//   open       the open packet never ends: websocket, one text frame announcing 2^40 bytes, streamed;
//              polling, a 200 without a length (close-delimited) whose body starts "0{"sid":" and goes on
//   body       good handshake and CONNECT; the answer to the first event never ends: websocket, a frame
//              announcing 2^40 bytes; polling, a body with Content-Length 10^12, streamed
//   chunked    as body, polling: a chunked body that never ends (no length for curl to refuse)
//   fragments  as body, websocket: a text message in continuation frames, none of them final
//   noread     good handshake and CONNECT, then never reads again (websocket: the socket is paused;
//              polling: POSTs are left unread and unanswered) while it pings with 60 KB payloads as
//              fast as the harness takes them: the pongs can only queue up
//   sid        the open packet's sid carries CR LF and a header ("abc\r\nX-Injected: 1"); any request
//              that arrives with that header is reported on stderr as INJECTED
//   redirect   the handshake (websocket upgrade and polling GET) gets a 302 to a second port of this
//              process, which reports any connection on stderr as FOLLOWED
//   empty      good handshake and CONNECT, then every GET is answered at once with an empty 200; each one
//              is counted on stderr as "empty N"
// Node built-ins only; the first line on stdout is the port.
'use strict';
const net = require('net');
const http = require('http');
const { listen, eioServer, wsAccept, wsFrame, eioOpen } = require('./common');
const mode = process.argv[2] || 'open';

// A frame header: fin 0/1, opcode, announced length (any size, for frames that never end).
function wsHeader(fin, opcode, n) {
    const h = Buffer.alloc(10);
    h[0] = (fin ? 0x80 : 0) | opcode;
    h[1] = 127;
    h.writeBigUInt64BE(BigInt(n), 2);
    return h;
}

// Write chunk (or what next() returns) for as long as the peer takes it, then whenever it drains.
function pump(stream, next) {
    let stopped = false;
    stream.on('close', () => { stopped = true; });
    stream.on('error', () => { stopped = true; });
    (function go() {
        while (!stopped && stream.write(next()));
        if (!stopped) stream.once('drain', go);
    })();
}

const filler = Buffer.alloc(64 * 1024, 'x');

// The pending long-poll GET, now or as soon as the client makes one.
function withGet(s, fn) {
    const res = s.takeGet();
    if (res) fn(res);
    else setTimeout(() => withGet(s, fn), 10);
}

function endlessAnswer(chunked) {
    return (s) => {
        if (s.ws) {
            if (mode === 'fragments') {
                s.ws.write(Buffer.concat([Buffer.from([0x01, 14]), Buffer.from('42["counter","')]));
                const frag = Buffer.concat([Buffer.from([0x00, 126, 0xff, 0xff]), filler.subarray(0, 65535)]);
                pump(s.ws, () => frag);
            } else {
                s.ws.write(Buffer.concat([wsHeader(1, 1, 2 ** 40), Buffer.from('42["counter","')]));
                pump(s.ws, () => filler);
            }
            return;
        }
        withGet(s, (res) => {
            res.writeHead(200, chunked ? {} : { 'Content-Length': String(1e12) });
            res.write('42["counter","');
            pump(res, () => filler);
        });
    };
}

function endlessOpen() {
    const server = http.createServer((req, res) => {
        // close-delimited: no length and no chunking, the body ends only when the connection does
        res.socket.on('error', () => {});
        res.socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n0{"sid":"');
        pump(res.socket, () => filler);
    });
    server.on('upgrade', (req, socket) => {
        socket.on('error', () => {});
        wsAccept(req, socket);
        socket.write(Buffer.concat([wsHeader(1, 1, 2 ** 40), Buffer.from('0{"sid":"')]));
        pump(socket, () => filler);
    });
    return server;
}

function noRead() {
    const ping = '2' + 'p'.repeat(60000);
    const batch = Array(200).fill(ping).join('\x1e');   // 12 MB: under the harness's 16 MiB body limit
    return eioServer({
        onConnect(s) {
            s.send('40' + JSON.stringify({ sid: s.sid + 'io' }));
            s.connected = true;
            if (s.ws) {
                s.ws.pause();                                     // never read again
                const frame = wsFrame(1, ping);
                pump(s.ws, () => frame);
            }
        },
        onPost(s, req) {
            if (!s.connected) return false;                        // the CONNECT is read and answered
            req.pause();                                           // the rest is never read
            return true;
        },
        onGet(s, res) {
            if (!s.connected || s.queue.length) return false;     // the CONNECT's answer goes out first
            res.end(batch);
            return true;
        }
    });
}

function badSid() {
    const server = eioServer({
        onHandshake(s, req, res) {
            const open = JSON.parse(eioOpen(['websocket']).slice(1));
            open.sid = 'abc\r\nX-Injected: 1';
            const pkt = '0' + JSON.stringify(open);
            if (res) res.end(pkt);
            else s.ws.write(wsFrame(1, pkt));
            return true;
        }
    });
    const report = (req) => { if (req.headers['x-injected']) process.stderr.write('INJECTED ' + req.url + '\n'); };
    server.prependListener('request', report);
    server.prependListener('upgrade', report);
    return server;
}

function redirect() {
    const other = net.createServer((sock) => {
        process.stderr.write('FOLLOWED\n');
        sock.on('error', () => {});
        sock.on('data', () => {});                                 // hold it: a follower would hang here
    });
    other.listen(0, '127.0.0.1');
    const where = (req) => 'http://127.0.0.1:' + other.address().port + req.url;
    const server = http.createServer((req, res) => {
        res.writeHead(302, { Location: where(req) });
        res.end();
    });
    server.on('upgrade', (req, socket) => {
        socket.on('error', () => {});
        socket.end('HTTP/1.1 302 Found\r\nLocation: ' + where(req).replace('http:', 'ws:') +
                   '\r\nContent-Length: 0\r\n\r\n');
    });
    return server;
}

function emptyReplies() {
    let n = 0;
    return eioServer({
        onConnect(s) { s.send('40' + JSON.stringify({ sid: s.sid + 'io' })); s.connected = true; },
        onGet(s, res) {
            if (!s.connected || s.queue.length) return false;
            process.stderr.write('empty ' + ++n + '\n');
            res.end();
            return true;
        }
    });
}

const modes = {
    open: endlessOpen,
    body: () => eioServer({ onEvent: endlessAnswer(false) }),
    chunked: () => eioServer({ onEvent: endlessAnswer(true) }),
    fragments: () => eioServer({ onEvent: endlessAnswer(false) }),
    noread: noRead,
    sid: badSid,
    redirect,
    empty: emptyReplies
};
if (!modes[mode]) {
    console.error('hostile.js: unknown mode ' + mode);
    process.exit(2);
}
listen(modes[mode]());
