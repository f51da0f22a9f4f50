// Shared by the fake servers: listen on 127.0.0.1 port 0, print the port, and a few raw WebSocket and
// Engine.IO helpers. Node built-ins only. The fakes misbehave on purpose; tests start and kill them.
'use strict';
const crypto = require('crypto');

// Print "PORT\n" once listening: the test reads the first line.
function listen(server) {
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'));
    // a test that dies must not leave us behind: stdin closes when the test's pipe goes away
    process.on('SIGTERM', () => process.exit(0));
}

// The server side of a WebSocket opening handshake (RFC 6455 4.2.2).
function wsAccept(req, socket) {
    const key = req.headers['sec-websocket-key'] || '';
    const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
                 'Sec-WebSocket-Accept: ' + accept + '\r\n\r\n');
}

// One unmasked server frame; opcode 1 text, 2 binary. `claim` overrides the length written in the header
// (for frames cut short).
function wsFrame(opcode, payload, claim) {
    const p = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const n = claim === undefined ? p.length : claim;
    let h;
    if (n < 126) h = Buffer.from([0x80 | opcode, n]);
    else if (n < 65536) { h = Buffer.alloc(4); h[0] = 0x80 | opcode; h[1] = 126; h.writeUInt16BE(n, 2); }
    else { h = Buffer.alloc(10); h[0] = 0x80 | opcode; h[1] = 127; h.writeBigUInt64BE(BigInt(n), 2); }
    return Buffer.concat([h, p]);
}

// Text payloads of the client's frames (masked, as clients must send them). Enough for small frames.
// decode(body, firstByte), when given, turns a frame's payload into the message (deflate.js inflates
// the frames whose RSV1 bit says they are compressed).
function wsReader(onText, decode) {
    let acc = Buffer.alloc(0);
    return (chunk) => {
        acc = Buffer.concat([acc, chunk]);
        for (;;) {
            if (acc.length < 2) return;
            let n = acc[1] & 0x7f, off = 2;
            if (n === 126) { if (acc.length < 4) return; n = acc.readUInt16BE(2); off = 4; }
            else if (n === 127) { if (acc.length < 10) return; n = Number(acc.readBigUInt64BE(2)); off = 10; }
            const masked = acc[1] & 0x80;
            const need = off + (masked ? 4 : 0) + n;
            if (acc.length < need) return;
            const mask = masked ? acc.subarray(off, off + 4) : null;
            let body = Buffer.from(acc.subarray(off + (masked ? 4 : 0), need));
            if (mask) for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
            const head = acc[0];
            acc = acc.subarray(need);
            if (decode) body = decode(body, head);
            if ((head & 0x0f) === 1) onText(body.toString());
        }
    };
}

// An Engine.IO 4 open packet; long ping interval so heartbeats never interfere with a test.
function eioOpen(upgrades) {
    return '0' + JSON.stringify({ sid: crypto.randomBytes(8).toString('hex'), upgrades: upgrades || [],
                                  pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
}

module.exports = { listen, wsAccept, wsFrame, wsReader, eioOpen };

// A minimal Engine.IO 4 / Socket.IO 5 server over polling and websocket, for fakes that behave until a
// chosen moment. hooks.onEvent(session, packet) gets each `42...` packet; hooks.onConnect(session) each
// socket.io CONNECT (default: acknowledge it); hooks.onClose(session) a client's `1` (default: end).
// session.send(packet) queues an Engine.IO packet; session.ws is the raw socket of a websocket session;
// session.takeGet() hands out the pending long-poll response (then nobody else answers it).
// hooks.onGet(session, res) / hooks.onPost(session, req, res) may take a polling request after the
// handshake (return true: handled, the default handling is skipped).
function eioServer(hooks) {
    const http = require('http');
    const sessions = new Map();
    function newSession(transport) {
        const s = { sid: crypto.randomBytes(8).toString('hex'), transport, queue: [], get: null, ws: null };
        s.send = (pkt) => {
            if (s.ws) { if (!s.ws.destroyed) s.ws.write(wsFrame(1, pkt)); return; }
            s.queue.push(pkt);
            flush(s);
        };
        s.takeGet = () => { const g = s.get; s.get = null; return g; };
        sessions.set(s.sid, s);
        return s;
    }
    function flush(s) {
        if (!s.get || !s.queue.length) return;
        const res = s.takeGet();
        res.end(s.queue.splice(0).join('\x1e'));
    }
    function onPacket(s, pkt) {
        if (pkt === '40' || pkt.startsWith('40{')) {
            if (hooks.onConnect) hooks.onConnect(s);
            else s.send('40' + JSON.stringify({ sid: s.sid + 'io' }));
        } else if (pkt.startsWith('42')) {
            if (hooks.onEvent) hooks.onEvent(s, pkt);
        } else if (pkt === '1') {
            if (hooks.onClose) hooks.onClose(s);
            else if (s.ws) s.ws.end(); else sessions.delete(s.sid);
        }
    }
    const server = http.createServer((req, res) => {
        const u = new URL(req.url, 'http://x');
        const sid = u.searchParams.get('sid');
        res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
        if (!sid) {
            const s = newSession('polling');
            const open = JSON.parse(eioOpen().slice(1));
            open.sid = s.sid;
            if (hooks.onHandshake && hooks.onHandshake(s, req, res)) return;
            res.end('0' + JSON.stringify(open));
            return;
        }
        const s = sessions.get(sid);
        if (!s) { res.writeHead(400); res.end('{"code":1,"message":"Session ID unknown"}'); return; }
        if (req.method === 'POST') {
            if (hooks.onPost && hooks.onPost(s, req, res)) return;
            let body = '';
            req.on('data', (d) => { body += d; });
            req.on('end', () => { res.end('ok'); body.split('\x1e').forEach((p) => onPacket(s, p)); });
            return;
        }
        if (hooks.onGet && hooks.onGet(s, res)) return;
        s.get = res;
        req.on('close', () => { if (s.get === res) s.get = null; });
        flush(s);
    });
    server.on('upgrade', (req, socket) => {
        socket.on('error', () => {});
        const s = newSession('websocket');
        wsAccept(req, socket);
        s.ws = socket;
        if (hooks.onHandshake && hooks.onHandshake(s, req, null)) return;
        const open = JSON.parse(eioOpen().slice(1));
        open.sid = s.sid;
        socket.write(wsFrame(1, '0' + JSON.stringify(open)));
        socket.on('data', wsReader((t) => onPacket(s, t)));
    });
    return server;
}

module.exports.eioServer = eioServer;
