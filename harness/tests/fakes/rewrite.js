// The project's real server (server/server.js: socket.io 4.8, the seed's counter; HARDENED etc. from the
// environment as usual) with one lie: the numbers in its Engine.IO open packet are replaced before they
// are sent. The server itself keeps its own heartbeat and buffer size; only what it announces changes.
// Modes (what is announced):
//   ping13     pingInterval 1e13, pingTimeout 1e13  (ms; times 1e6 is past int64)
//   ping9e12   pingInterval 9e12, pingTimeout 9e12
//   maxpayload maxPayload 300000000                 (the real one stays 1e6)
// The first line on stdout is the port, as for the other fakes.
'use strict';
const path = require('path');
const root = path.join(__dirname, '..', '..', '..', 'server');
const { Socket } = require(path.join(root, 'node_modules', 'engine.io', 'build', 'socket'));

const lies = {
    ping13: { pingInterval: 1e13, pingTimeout: 1e13 },
    ping9e12: { pingInterval: 9e12, pingTimeout: 9e12 },
    maxpayload: { maxPayload: 300000000 }
};
const mode = process.argv[2] || 'ping13';
if (!lies[mode]) {
    console.error('rewrite.js: unknown mode ' + mode);
    process.exit(2);
}

const send = Socket.prototype.sendPacket;
Socket.prototype.sendPacket = function (type, data, options, callback) {
    if (type === 'open') data = JSON.stringify(Object.assign(JSON.parse(data), lies[mode]));
    return send.call(this, type, data, options, callback);
};

// server.js prints "listening on HOST:PORT": print the port alone, as the fakes do
const log = console.log;
console.log = (...args) => {
    const m = /^listening on .*:(\d+)$/.exec(String(args[0]));
    if (m) process.stdout.write(m[1] + '\n');
    else log(...args);
};
process.env.PORT = '0';
process.env.HOST = '127.0.0.1';
if (process.env.LOG === undefined) process.env.LOG = '0';
if (process.env.DELAY_MS === undefined) process.env.DELAY_MS = '0';
require(path.join(root, 'server.js'));
