// A server that closes the connection in the middle of a frame (websocket) or a response body (polling).
// Modes:
//   handshake  the Engine.IO open packet is cut short
//   session    a good handshake and socket.io CONNECT; the answer to the first event is cut short
'use strict';
const { listen, eioServer, wsFrame, eioOpen } = require('./common');
const mode = process.argv[2] || 'session';

// Send the first half of a frame or body that announces its full length, then drop the connection.
function cut(s, pkt) {
    if (s.ws) {
        const f = wsFrame(1, pkt);
        s.ws.write(f.subarray(0, Math.ceil(f.length / 2)));
        setTimeout(() => s.ws.destroy(), 50);
        return;
    }
    const res = s.get;
    if (!res) { setTimeout(() => cut(s, pkt), 20); return; }
    s.takeGet();
    res.writeHead(200, { 'Content-Length': String(pkt.length) });
    res.write(pkt.slice(0, Math.ceil(pkt.length / 2)));
    setTimeout(() => res.socket.destroy(), 50);
}

if (mode === 'handshake') {
    listen(eioServer({
        onHandshake(s, req, res) {
            const open = eioOpen();
            if (res) {
                res.writeHead(200, { 'Content-Length': String(open.length) });
                res.write(open.slice(0, 10));
                setTimeout(() => res.socket.destroy(), 50);
            } else {
                cut(s, open);
            }
            return true;
        }
    }));
} else if (mode === 'session') {
    listen(eioServer({ onEvent(s) { cut(s, '42["counter","{\\"ct\\":\\"abc'); } }));
} else {
    console.error('midframe.js: unknown mode ' + mode);
    process.exit(2);
}
