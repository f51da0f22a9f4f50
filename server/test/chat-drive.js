// Real socket.io clients (node socket.io-client + g-crypt) that prove the chat app (server/chat.js).
// usage: node chat-drive.js <folder with node_modules> <url> <mode> [transport]
//   folder:    server/ (socket.io-client 4) or server/v2/ (socket.io-client 2)
//   mode:      rooms     three clients, two rooms: join acks with members, say's ack and its broadcast to
//                        both members and not to the other room, echo with 3 arguments, the plain form
//              push      the news push arrives, decrypts, counts up (server with a short PUSH_MS)
//              garbage   envelopes that do not decrypt get {error: "decrypt"} acks, then a good join works
//              faults    a server with SILENT=say BAD_ACK=echo BAD_PUSH=1 SAY_SKIP_SENDER=1 ACK_DELAY_MS=200
//                        PUSH_MS short: say never acked, the sender left out of its broadcast, echo's ack and
//                        the push undecryptable, the join ack not before 200 ms
//   transport: websocket (default) | polling | upgrade
// Environment: PASSPHRASE. Prints one line per fact; exit 0 when every expectation holds, 1 at the first
// that does not. Bounded by a 10 s timer.
'use strict';
const path = require('path');
const assert = require('assert');
const { createRequire } = require('module');

const [dir, url, mode, transport = 'websocket'] = process.argv.slice(2);
if (!dir || !url || !mode) {
    console.error('usage: node chat-drive.js <dir> <url> rooms|push|garbage|faults [websocket|polling|upgrade]');
    process.exit(2);
}
const req = createRequire(path.resolve(dir, 'package.json'));
const ioMod = req('socket.io-client');
const connectFn = ioMod.io || ioMod;
const crypter = req('g-crypt')(process.env.PASSPHRASE || 'super-secret-passphrase');
const transports = { websocket: ['websocket'], polling: ['polling'], upgrade: ['polling', 'websocket'] }[transport];
const sockets = [];
// rooms of this run only: a previous run's polling clients may linger on the server until their ping timeout
const R1 = 'r1-' + process.pid, R2 = 'r2-' + process.pid;

setTimeout(() => finish(1, 'timeout in mode ' + mode), 10000).unref();

function finish(code, msg) {
    console.log(msg);
    sockets.forEach((s) => s.close());
    process.exit(code);
}

function connect() {
    return new Promise((resolve, reject) => {
        const s = connectFn(url, { transports, reconnection: false, timeout: 4000, forceNew: true });
        sockets.push(s);
        s.events = [];            // every 'said' and 'news' this client received, in order
        s.on('said', (v) => s.events.push(['said', v]));
        s.on('news', (v) => s.events.push(['news', v]));
        s.on('connect', () => resolve(s));
        s.on('connect_error', (e) => reject(new Error('connect_error: ' + (e && e.message || e))));
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// emit with an ack; resolves to the raw ack value, or to NO_ACK after ms
const NO_ACK = Symbol('no ack');
function call(s, ev, args, ms = 3000) {
    return new Promise((resolve) => {
        const t = setTimeout(() => resolve(NO_ACK), ms);
        s.emit(ev, ...args, (v) => { clearTimeout(t); resolve(v); });
    });
}

// the next event of that name in s.events (consumed), within ms
async function next(s, ev, ms = 3000) {
    for (let waited = 0; waited <= ms; waited += 20) {
        const i = s.events.findIndex((e) => e[0] === ev);
        if (i >= 0) return s.events.splice(i, 1)[0][1];
        await sleep(20);
    }
    throw new Error('no ' + ev + ' event within ' + ms + ' ms');
}

function open(v) {
    assert.notStrictEqual(v, NO_ACK, 'no ack within 3 s');
    assert.strictEqual(typeof v, 'string', 'expected an envelope string, got ' + JSON.stringify(v));
    return crypter.decrypt(v);
}

function undecryptable(v, what) {
    assert.strictEqual(typeof v, 'string', what + ': not a string: ' + JSON.stringify(v));
    const j = JSON.parse(v);
    assert.ok(typeof j.ct === 'string' && typeof j.iv === 'string' && typeof j.s === 'string',
              what + ': not an {ct, iv, s} envelope: ' + v);
    assert.throws(() => crypter.decrypt(v), what + ' decrypted: ' + v);
    console.log(what + ': valid envelope JSON that does not decrypt');
}

async function rooms() {
    const [a, b, c] = [await connect(), await connect(), await connect()];
    console.log('connected (' + a.io.engine.transport.name + ')');
    assert.deepStrictEqual(open(await call(a, 'join', [crypter.encrypt({ room: R1 })])), { room: R1, members: 1 });
    assert.deepStrictEqual(open(await call(b, 'join', [crypter.encrypt({ room: R1 })])), { room: R1, members: 2 });
    assert.deepStrictEqual(open(await call(c, 'join', [crypter.encrypt({ room: R2 })])), { room: R2, members: 1 });
    console.log('join acks: members 1, 2 in r1, 1 in r2');

    const t = 1234567890123;
    const ack = open(await call(a, 'say', [crypter.encrypt({ room: R1, text: 'hi there', t })]));
    assert.deepStrictEqual(ack, { ok: true, room: R1, members: 2 });
    const want = { room: R1, from: a.id, text: 'hi there', t };
    assert.deepStrictEqual(open(await next(a, 'said')), want);
    assert.deepStrictEqual(open(await next(b, 'said')), want);
    await sleep(300);
    assert.ok(!c.events.some((e) => e[0] === 'said'), 'a client in r2 got r1\'s broadcast');
    console.log('say ack ' + JSON.stringify(ack) + '; said reached both r1 members (from, t intact), not r2');

    const echoed = open(await call(a, 'echo', [crypter.encrypt({ x: [1, 'two'] }), 'plain string', 7]));
    assert.deepStrictEqual(echoed, { args: [{ x: [1, 'two'] }, 'plain string', 7] });
    console.log('echo of 3 arguments: ' + JSON.stringify(echoed));

    // the plain form: objects in, objects out
    assert.deepStrictEqual(await call(c, 'join', [{ room: 'p-' + process.pid }]), { room: 'p-' + process.pid, members: 1 });
    assert.deepStrictEqual(await call(c, 'say', [{ room: 'p-' + process.pid, text: 'plain', t: 5 }]), { ok: true, room: 'p-' + process.pid, members: 1 });
    assert.deepStrictEqual(await next(c, 'said'), { room: 'p-' + process.pid, from: c.id, text: 'plain', t: 5 });
    assert.deepStrictEqual(await call(c, 'echo', [{ k: 1 }, 2]), { args: [{ k: 1 }, 2] });
    console.log('plain objects are answered plainly (join, say, said, echo)');
}

async function push() {
    const a = await connect();
    assert.deepStrictEqual(open(await call(a, 'join', [crypter.encrypt({ room: 'news-' + process.pid })])), { room: 'news-' + process.pid, members: 1 });
    const n1 = open(await next(a, 'news')), n2 = open(await next(a, 'news'));
    for (const n of [n1, n2]) {
        assert.strictEqual(n.room, 'news-' + process.pid);
        assert.ok(Math.abs(n.t_unix_us - Date.now() * 1000) < 60e6, 't_unix_us far from now: ' + n.t_unix_us);
    }
    assert.ok(Number.isInteger(n1.n) && n1.n >= 1 && n2.n === n1.n + 1, 'n does not count up: ' + n1.n + ', ' + n2.n);
    console.log('news pushed: ' + JSON.stringify(n1) + ', then n ' + n2.n);
}

async function garbage() {
    const a = await connect();
    const bad = JSON.parse(crypter.encrypt({ room: R1 }));
    bad.ct = 'A' + bad.ct.slice(1);
    for (const [ev, args] of [['join', ['not an envelope']], ['join', [JSON.stringify(bad)]],
                              ['say', ['{"ct":"AAAA","iv":"00","s":"00"}']], ['echo', [1, JSON.stringify(bad)]]]) {
        const e = open(await call(a, ev, args));
        assert.strictEqual(e.error, 'decrypt', ev + ': ' + JSON.stringify(e));
        assert.strictEqual(typeof e.message, 'string');
        console.log(ev + ' ' + JSON.stringify(args[args.length - 1]).slice(0, 30) + ' -> ' + JSON.stringify(e));
    }
    const p = open(await call(a, 'join', [crypter.encrypt({ nothing: 1 })]));
    assert.strictEqual(p.error, 'payload');
    assert.deepStrictEqual(await call(a, 'join', [42]), { error: 'payload', message: 'join needs an object with a non-empty string room' });
    assert.deepStrictEqual(open(await call(a, 'join', [crypter.encrypt({ room: 'after-' + process.pid })])), { room: 'after-' + process.pid, members: 1 });
    console.log('payload errors too; then a good join is answered: the server is still up');
}

async function faults() {
    const [a, b] = [await connect(), await connect()];
    const t0 = Date.now();
    assert.deepStrictEqual(open(await call(a, 'join', [crypter.encrypt({ room: R1 })])), { room: R1, members: 1 });
    assert.ok(Date.now() - t0 >= 190, 'ACK_DELAY_MS=200, but the join ack came after ' + (Date.now() - t0) + ' ms');
    assert.deepStrictEqual(open(await call(b, 'join', [crypter.encrypt({ room: R1 })])), { room: R1, members: 2 });
    console.log('ACK_DELAY_MS: join acked after ' + (Date.now() - t0) + ' ms for two joins');
    assert.strictEqual(await call(a, 'say', [crypter.encrypt({ room: R1, text: 'x', t: 1 })], 1000), NO_ACK);
    assert.deepStrictEqual(open(await next(b, 'said')), { room: R1, from: a.id, text: 'x', t: 1 });
    assert.ok(!a.events.some((e) => e[0] === 'said'), 'SAY_SKIP_SENDER: the sender got its own broadcast');
    console.log('SILENT=say: no ack in 1 s, the broadcast still went out; SAY_SKIP_SENDER: not to the sender');
    undecryptable(await call(a, 'echo', [crypter.encrypt({ x: 1 })]), 'BAD_ACK=echo: the echo ack');
    undecryptable(await next(a, 'news'), 'BAD_PUSH=1: the news push');
}

({ rooms, push, garbage, faults }[mode] || (() => Promise.reject(new Error('unknown mode ' + mode))))()
    .then(() => finish(0, 'ok: ' + mode), (e) => finish(1, 'FAIL: ' + (e && e.message || e)));
