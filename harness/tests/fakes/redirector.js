// A server that answers every request, polling and websocket upgrade alike, with a redirect (t_39). Usage:
//   node redirector.js MODE REAL_PORT
//   to     a 307 to the same path and query on 127.0.0.1:REAL_PORT (the real server): followed, the
//          counter works there
//   loop   a 307 back to this server, for ever (the harness must stop after a few)
//   https  a 307 to https://127.0.0.1:REAL_PORT (another scheme: never followed)
// With TLS_CERT and TLS_KEY (PEM files) it serves https itself, and its redirects point to https:// and wss://
// (the same scheme for a TLS target: followed when target.follow_redirects allows it).
// Every redirect sets the cookie hop=1 (a server with REQUIRE_COOKIE=hop=1 then refuses whatever lacks it).
// Each redirect is counted on stderr ("redirect <method> <ws|http>"). Node built-ins only; the first
// line on stdout is the port.
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');
const { listen } = require('./common');
const tls = process.env.TLS_CERT ? { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) } : null;
const mode = process.argv[2] || 'to';
const real = process.argv[3] || '1';

function where(req, ws) {
    const self = server.address().port;
    if (mode === 'loop') return (ws ? 'ws' : 'http') + '://127.0.0.1:' + self + req.url;
    if (mode === 'https' || tls) return (ws ? 'wss' : 'https') + '://127.0.0.1:' + real + req.url;
    return (ws ? 'ws' : 'http') + '://127.0.0.1:' + real + req.url;
}

const onRequest = (req, res) => {
    process.stderr.write('redirect ' + req.method + ' http\n');
    req.resume();
    res.writeHead(307, { Location: where(req, false), 'Content-Length': 0, 'Set-Cookie': 'hop=1; Path=/' });
    res.end();
};
const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
server.on('upgrade', (req, socket) => {
    process.stderr.write('redirect ' + req.method + ' ws\n');
    socket.on('error', () => {});
    socket.end('HTTP/1.1 307 Temporary Redirect\r\nLocation: ' + where(req, true) +
               '\r\nSet-Cookie: hop=1; Path=/\r\nContent-Length: 0\r\n\r\n');
});
listen(server);
