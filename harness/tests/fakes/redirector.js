// A server that answers every request, polling and websocket upgrade alike, with a redirect (t_39). Usage:
//   node redirector.js MODE REAL_PORT
//   to     a 307 to the same path and query on 127.0.0.1:REAL_PORT (the real server): followed, the
//          counter works there
//   loop   a 307 back to this server, for ever (the harness must stop after a few)
//   https  a 307 to https://127.0.0.1:REAL_PORT (another scheme: never followed)
// Every redirect sets the cookie hop=1 (a server with REQUIRE_COOKIE=hop=1 then refuses whatever lacks it).
// Each redirect is counted on stderr ("redirect <method> <ws|http>"). Node built-ins only; the first
// line on stdout is the port.
'use strict';
const http = require('http');
const { listen } = require('./common');
const mode = process.argv[2] || 'to';
const real = process.argv[3] || '1';

function where(req, ws) {
    const self = server.address().port;
    if (mode === 'loop') return (ws ? 'ws' : 'http') + '://127.0.0.1:' + self + req.url;
    if (mode === 'https') return (ws ? 'wss' : 'https') + '://127.0.0.1:' + real + req.url;
    return (ws ? 'ws' : 'http') + '://127.0.0.1:' + real + req.url;
}

const server = http.createServer((req, res) => {
    process.stderr.write('redirect ' + req.method + ' http\n');
    req.resume();
    res.writeHead(307, { Location: where(req, false), 'Content-Length': 0, 'Set-Cookie': 'hop=1; Path=/' });
    res.end();
});
server.on('upgrade', (req, socket) => {
    process.stderr.write('redirect ' + req.method + ' ws\n');
    socket.on('error', () => {});
    socket.end('HTTP/1.1 307 Temporary Redirect\r\nLocation: ' + where(req, true) +
               '\r\nSet-Cookie: hop=1; Path=/\r\nContent-Length: 0\r\n\r\n');
});
listen(server);
