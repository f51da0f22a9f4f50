// The Node peer of `make bench`: what users write today, socket.io-client + g-crypt, running the seed's
// counter loop (emit the envelope of {id}, wait for counter, decrypt, check id + 1, send it back) on
// --clients sockets against --url for --seconds, over websocket. Prints one JSON line: the whole process's
// CPU (process.cpuUsage, setup included, as siocrypt's harness.cpu_s) per verified round trip.
'use strict';
const io = require('socket.io-client');
const Crypt = require('g-crypt');

function arg(name, dflt) {
    const i = process.argv.indexOf('--' + name);
    return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const url = arg('url', 'http://127.0.0.1:3000');
const clients = Number(arg('clients', 200));
const seconds = Number(arg('seconds', 10));
const crypter = Crypt(arg('passphrase', 'super-secret-passphrase'));
let verified = 0, errors = 0, sent = 0, connected = 0, stopping = false;
const sockets = [];
const t0 = process.hrtime.bigint();

function client() {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    let want = 0;
    const send = (id) => { want = id + 1; sent++; socket.emit('counter', crypter.encrypt({ id })); };
    socket.on('connect', () => { connected++; send(0); });
    socket.on('counter', (data) => {
        let d;
        try { d = crypter.decrypt(data); } catch (e) { errors++; return; }
        if (d && d.id === want) verified++; else errors++;
        if (!stopping) send(want);
    });
    socket.on('connect_error', () => { errors++; });
    sockets.push(socket);
}

for (let i = 0; i < clients; i++) client();
setTimeout(() => {
    stopping = true;
    const cpu = process.cpuUsage(), cpu_s = (cpu.user + cpu.system) / 1e6;
    const el = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({ clients, connected, seconds: el, sent, verified, errors, cpu_s,
        cpu_us_per_round_trip: verified ? cpu_s * 1e6 / verified : 0, round_trips_per_s: verified / el }));
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 200).unref();
}, seconds * 1000);
