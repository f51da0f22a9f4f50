// A websocket server that accepts permessage-deflate (RFC 7692) and answers the first counter event with
// one compressed message that inflates far past the harness's limit: a few KB on the wire, BYTES once
// inflated (argv[3], default 8 MiB). Modes:
//   bomb     that answer, in one compressed frame
//   mixed    as bomb, but the open packet and the CONNECT go uncompressed (ws below its threshold)
//   plain    the same, but accepts no extension and sends it uncompressed (the limit as before)
// Each upgrade request's Sec-WebSocket-Extensions is reported on stderr as "offer: ...".
// Node built-ins only; the first line on stdout is the port.
'use strict';
const http = require('http');
const zlib = require('zlib');
const crypto = require('crypto');
const { listen, wsFrame, wsReader, eioOpen } = require('./common');
const mode = process.argv[2] || 'bomb';
const bytes = Number(process.argv[3] || 8 * 1024 * 1024);

// One compressed text message: RSV1 set, the raw deflate stream without its final 00 00 ff ff (7692 7.2.1).
function deflatedFrame(text) {
    const z = zlib.deflateRawSync(Buffer.from(text), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const f = wsFrame(1, z.subarray(0, z.length - 4));
    f[0] |= 0x40;
    return f;
}

// The client's frames, inflated when RSV1 says so (no context takeover: each one stands alone).
function inflated(body, head) {
    if (!(head & 0x40)) return body;
    return zlib.inflateRawSync(Buffer.concat([body, Buffer.from([0, 0, 0xff, 0xff])]),
                               { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

const server = http.createServer((req, res) => { res.writeHead(400); res.end(); });
server.on('upgrade', (req, socket) => {
    socket.on('error', () => {});
    const offer = req.headers['sec-websocket-extensions'] || '';
    process.stderr.write('offer: ' + offer + '\n');
    const key = req.headers['sec-websocket-key'] || '';
    const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    const deflate = mode !== 'plain' && /permessage-deflate/.test(offer);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
                 'Sec-WebSocket-Accept: ' + accept + '\r\n' +
                 (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n' : '') +
                 '\r\n');
    // mixed: small packets uncompressed, as ws does below its threshold (socket.io's default is 1024 bytes)
    const send = (t) => socket.write(deflate && mode !== 'mixed' ? deflatedFrame(t) : wsFrame(1, t));
    send(eioOpen());
    socket.on('data', wsReader((t) => {
        if (t === '40' || t.startsWith('40{')) send('40{"sid":"x"}');
        else if (t.startsWith('42')) {
            const answer = '42["counter","' + 'x'.repeat(bytes) + '"]';
            socket.write(deflate ? deflatedFrame(answer) : wsFrame(1, answer));
        }
    }, inflated));
});
listen(server);
