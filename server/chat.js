// The encrypted chat app (issue 11's flows run against it), shared by chat-server.js (socket.io 4) and
// v2/chat-server.js (socket.io 2), as counter.js is for the counter. Each caller injects its socket.io,
// g-crypt and the two room calls that differ between the versions (join, room size).
//
// Events (every value a g-crypt envelope string, crypter.encrypt(obj); a client that sends plain objects
// instead gets plain objects back, so flows with "encrypt": false work too):
//   join {room}             ack {room, members}           members: the room's size after joining
//   say  {room, text, t}    broadcast 'said' {room, from, text, t} to the room (sender included), then
//                           ack {ok: true, room, members}  members: how many sockets the broadcast went to;
//                           text and t pass through untouched (the harness puts its clock in t)
//   echo a1, a2, ...        ack {args: [a1, a2, ...]}      each envelope string decrypted, others as given;
//                           the ack is plain only when some arguments came and none was an envelope
//   push 'news' {room, n, t_unix_us} every PUSH_MS to each room with members; n counts per room from 1
//                           (anew once the room has been empty); t_unix_us = Date.now() * 1000; plain
//                           when the room's latest join was plain
// An argument that does not decrypt gets the ack {error: "decrypt", message} (encrypted), one that is not
// an object with a string room {error: "payload", message} (in the argument's form); the server goes on.
// join and say without an ack callback do their work and answer nothing.
//
// Settings (environment): PORT, HOST, PASSPHRASE, ALLOW_EIO3, LOG, PING_INTERVAL_MS, PING_TIMEOUT_MS and
// SIO_PATH as in counter.js (LOG=1: one line per event), and
//   PUSH_MS=2000      the push period; 0: no push
// Fault knobs, for tests:
//   SILENT=ev1,ev2    these events are never acked (join and say still join and broadcast): ack timeouts
//   BAD_PUSH=1        each room's push carries an envelope that does not decrypt (valid JSON {ct, iv, s},
//                     ct corrupted): a pushed event's decrypt error
//   BAD_ACK=ev1,ev2   these events are acked with such an envelope: an ack's decrypt error
//   ACK_DELAY_MS=0    every ack waits this long (the broadcast does not): ack latency, timeouts by a margin
//   SAY_SKIP_SENDER=1 the broadcast leaves the sender out while the ack still counts it in members: one
//                     delivery lost per say, for the fan-out's expected-vs-received count
'use strict';
var http = require('http');
var env = require('./counter').env;

function listEnv(e, name) {
    var set = new Set();
    (e[name] || '').split(',').forEach(function (s) { if (s.trim()) set.add(s.trim()); });
    return set;
}

function settings(e) {
    return {
        port: env.intEnv(e, 'PORT', 3000, 0, 65535),
        host: e.HOST || '0.0.0.0',
        passphrase: e.PASSPHRASE !== undefined ? e.PASSPHRASE : 'super-secret-passphrase',
        allowEIO3: env.boolEnv(e, 'ALLOW_EIO3', false),
        log: env.boolEnv(e, 'LOG', true),
        pingInterval: env.intEnv(e, 'PING_INTERVAL_MS', 0, 0, 3600000),
        pingTimeout: env.intEnv(e, 'PING_TIMEOUT_MS', 0, 0, 3600000),
        path: e.SIO_PATH || '',
        pushMs: env.intEnv(e, 'PUSH_MS', 2000, 0, 3600000),
        silent: listEnv(e, 'SILENT'),
        badPush: env.boolEnv(e, 'BAD_PUSH', false),
        badAck: listEnv(e, 'BAD_ACK'),
        ackDelayMs: env.intEnv(e, 'ACK_DELAY_MS', 0, 0, 3600000),
        saySkipSender: env.boolEnv(e, 'SAY_SKIP_SENDER', false)
    };
}

function errText(e) {
    return String(e && e.message || e);
}

// An envelope of obj that this passphrase cannot open: one ct byte flipped, from the last one back, until
// g-crypt's decrypt throws (crypto-js does not check padding, so not every flip is fatal to it).
function badEnvelope(crypter, obj) {
    var j = JSON.parse(crypter.encrypt(obj));
    var ct = Buffer.from(j.ct, 'base64');
    for (var i = ct.length - 1; i >= 0; i--) {
        ct[i] ^= 0xff;
        var bad = JSON.stringify({ ct: ct.toString('base64'), iv: j.iv, s: j.s });
        try { crypter.decrypt(bad); } catch (e) { return bad; }
        ct[i] ^= 0xff;
    }
    return JSON.stringify({ ct: '', iv: j.iv, s: j.s });   // decrypts to "", which is not JSON
}

// A string that looks like a g-crypt envelope (JSON with a string ct): echo decrypts only those.
function isEnvelope(v) {
    if (typeof v !== 'string' || v[0] !== '{') return false;
    try { var j = JSON.parse(v); return j !== null && typeof j.ct === 'string'; } catch (e) { return false; }
}

// The first argument of join and say: {plain, value} or {plain, error}. A string must decrypt; anything
// else is taken as the plain value and answered plainly.
function opener(crypter) {
    return function (v, what) {
        var r = { plain: typeof v !== 'string' };
        if (!r.plain) {
            try { v = crypter.decrypt(v); } catch (e) { r.error = { error: 'decrypt', message: errText(e) }; return r; }
        }
        if (v === null || typeof v !== 'object' || typeof v.room !== 'string' || !v.room)
            r.error = { error: 'payload', message: what + ' needs an object with a non-empty string room' };
        else r.value = v;
        return r;
    };
}

// rooms: {join(socket, room, cb), size(io, room)}, the version's own calls.
module.exports = function run(socketio, Crypt, extraOpts, rooms) {
    var cfg = settings(process.env);
    var crypter = Crypt(cfg.passphrase);
    var open = opener(crypter);
    var srv = http.createServer();
    var opts = extraOpts(cfg);
    if (cfg.pingInterval) opts.pingInterval = cfg.pingInterval;
    if (cfg.pingTimeout) opts.pingTimeout = cfg.pingTimeout;
    if (cfg.path) opts.path = cfg.path;
    var io = socketio(srv, opts);
    var joined = new Map();   // room name -> {n: pushes so far, plain: form of its latest join}

    function seal(plain, obj) { return plain ? obj : crypter.encrypt(obj); }
    function log(line) { if (cfg.log) console.log(line); }

    // Every ack goes through here, so the fault knobs apply to all events alike.
    function answer(ev, ack, plain, obj) {
        if (typeof ack !== 'function' || cfg.silent.has(ev)) return;
        var v = cfg.badAck.has(ev) ? badEnvelope(crypter, obj) : seal(plain, obj);
        if (cfg.ackDelayMs) setTimeout(function () { ack(v); }, cfg.ackDelayMs);
        else ack(v);
    }

    function refuse(ev, ack, r) {
        log('error ' + ev + ': ' + r.error.error + ': ' + r.error.message);
        answer(ev, ack, r.plain, r.error);
    }

    function onJoin(socket) {
        return function (data, ack) {
            var r = open(data, 'join');
            if (r.error) return refuse('join', ack, r);
            var room = r.value.room;
            rooms.join(socket, room, function () {
                var n = rooms.size(io, room);
                var st = n > 1 && joined.get(room) || { n: 0 };   // a room that was empty counts anew
                st.plain = r.plain;
                joined.set(room, st);
                log('join ' + room + ' members ' + n);
                answer('join', ack, r.plain, { room: room, members: n });
            });
        };
    }

    function onSay(socket) {
        return function (data, ack) {
            var r = open(data, 'say');
            if (r.error) return refuse('say', ack, r);
            var v = r.value, n = rooms.size(io, v.room);
            var said = seal(r.plain, { room: v.room, from: socket.id, text: v.text, t: v.t });
            (cfg.saySkipSender ? socket.to(v.room) : io.to(v.room)).emit('said', said);
            log('say ' + v.room + ' members ' + n);
            answer('say', ack, r.plain, { ok: true, room: v.room, members: n });
        };
    }

    function onEcho() {
        var args = Array.prototype.slice.call(arguments);
        var ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
        var envelopes = 0, out = [];
        for (var i = 0; i < args.length; i++) {
            if (!isEnvelope(args[i])) { out.push(args[i]); continue; }
            envelopes++;
            try { out.push(crypter.decrypt(args[i])); } catch (e) {
                return refuse('echo', ack, { plain: false, error: { error: 'decrypt', message: 'argument ' + (i + 1) + ': ' + errText(e) } });
            }
        }
        log('echo ' + args.length + ' args');
        answer('echo', ack, args.length > 0 && envelopes === 0, { args: out });
    }

    function push() {
        joined.forEach(function (st, room) {
            if (!rooms.size(io, room)) { joined.delete(room); return; }
            var news = { room: room, n: ++st.n, t_unix_us: Date.now() * 1000 };
            io.to(room).emit('news', cfg.badPush ? badEnvelope(crypter, news) : seal(st.plain, news));
        });
    }

    io.on('connection', function (socket) {
        socket.on('join', onJoin(socket));
        socket.on('say', onSay(socket));
        socket.on('echo', onEcho);
    });
    var timer = cfg.pushMs ? setInterval(push, cfg.pushMs) : null;

    srv.on('error', function (e) { env.fail('cannot listen on ' + cfg.host + ':' + cfg.port + ': ' + e.message); });
    srv.listen(cfg.port, cfg.host, function () {
        // Exactly one line; harnesses wait for it and read the port from it (PORT=0).
        console.log('listening on ' + cfg.host + ':' + srv.address().port);
    });

    function stop() {
        if (timer) clearInterval(timer);
        try { io.close(); } catch (e) { /* exiting anyway */ }
        process.exit(0);
    }
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return io;
};
