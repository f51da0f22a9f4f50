// An HTTP proxy that only tunnels (CONNECT host:port), as corporate proxies do, for t_39. Each tunnel is
// counted on stderr ("CONNECT host:port"); anything else gets a 405 and is counted ("REFUSED method url").
// Tunnels go to loopback only (a test must not reach out): any other host gets a 403, and so does every
// CONNECT with the argument `refuse` (a proxy that says no).
// Node built-ins only; the first line on stdout is the port.
'use strict';
const http = require('http');
const net = require('net');
const { listen } = require('./common');
const refuse = process.argv[2] === 'refuse';

const server = http.createServer((req, res) => {
    process.stderr.write('REFUSED ' + req.method + ' ' + req.url + '\n');
    res.writeHead(405, { 'Content-Length': 0 });
    res.end();
});
server.on('connect', (req, client, head) => {
    const m = /^(127\.0\.0\.1|\[::1\]|localhost):(\d+)$/.exec(req.url);
    client.on('error', () => {});
    if (!m || refuse) {
        process.stderr.write('FORBIDDEN ' + req.url + '\n');
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
    }
    process.stderr.write('CONNECT ' + req.url + '\n');
    const host = m[1] === '[::1]' ? '::1' : m[1];
    const up = net.connect(+m[2], host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head && head.length) up.write(head);
        up.pipe(client);
        client.pipe(up);
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
});
listen(server);
