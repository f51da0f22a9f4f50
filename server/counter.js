// The seed's encrypted counter server, shared by server.js (socket.io 4) and v2/server.js (socket.io 2).
// Each caller injects its own socket.io and g-crypt modules, so each folder's node_modules decides the
// versions under test. Settings come from the environment (see settings()).
//
// Faithful to the seed on purpose, weaknesses included: with HARDENED unset, a bad envelope makes
// crypter.decrypt throw inside the event handler, nothing catches it, and the process dies. That is the
// behaviour the harness's robustness probes look for. HARDENED=1 is the variant that survives.
// No 'use strict' here: the seed ran in sloppy mode, where `decriptedData.id++` on a primitive is a no-op.

var http = require('http');
var https = require('https');
var fs = require('fs');

function fail(msg) {
    console.error('server: ' + msg);
    process.exit(2);
}

function intEnv(env, name, dflt, min, max) {
    var v = env[name];
    if (v === undefined || v === '') return dflt;
    if (!/^[0-9]+$/.test(v) || +v < min || +v > max)
        fail(name + ': must be an integer in [' + min + ', ' + max + '], got "' + v + '"');
    return +v;
}

function boolEnv(env, name, dflt) {
    var v = env[name];
    if (v === undefined || v === '') return dflt;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    return fail(name + ': must be 1 or 0, got "' + v + '"');
}

function settings(env) {
    return {
        port: intEnv(env, 'PORT', 3000, 0, 65535),          // 0: any free port (the line below tells which)
        host: env.HOST || '0.0.0.0',                       // all interfaces, as the seed (Docker needs it)
        passphrase: env.PASSPHRASE !== undefined ? env.PASSPHRASE : 'super-secret-passphrase',
        delayMs: intEnv(env, 'DELAY_MS', 1000, 0, 3600000),  // the seed answers after one second
        allowEIO3: boolEnv(env, 'ALLOW_EIO3', false),
        hardened: boolEnv(env, 'HARDENED', false),
        log: boolEnv(env, 'LOG', true),
        // Engine.IO heartbeat; unset keeps the library defaults (25000 / 20000 in both versions).
        // Tests shorten them to see heartbeats across several intervals in seconds.
        pingInterval: intEnv(env, 'PING_INTERVAL_MS', 0, 0, 3600000),
        pingTimeout: intEnv(env, 'PING_TIMEOUT_MS', 0, 0, 3600000),
        // Targets as real deployments set them up: the socket.io path, a token in the query string (the
        // usual way to pass a JWT), the host name a virtual host answers to. Unset: none of them.
        path: env.SIO_PATH || '',
        requireToken: env.REQUIRE_TOKEN || '',
        requireHost: env.REQUIRE_HOST || '',
        // What staging servers have in front of them or switched on (issue 10's tests): a bearer token in the
        // Authorization header, https with a certificate and key (PEM files; tests make a throwaway CA),
        // websocket compression as browsers negotiate it, and socket.io's own `io` cookie.
        requireBearer: env.REQUIRE_BEARER || '',
        tlsCert: env.TLS_CERT || '',
        tlsKey: env.TLS_KEY || '',
        perMessageDeflate: boolEnv(env, 'PER_MESSAGE_DEFLATE', false),
        cookie: boolEnv(env, 'COOKIE', false),
        // Per-client credentials (issue 10's headers tests): a file of accepted bearer tokens, one a line;
        // a pattern the query's token must match whole (t0, t1, ... for token=t{{client}}); a pattern the
        // v5 auth object's token must match, else the socket.io middleware refuses with "Not authorized";
        // LOG_HANDSHAKE=1 prints one line per socket.io connection with what the client sent.
        requireBearerFile: env.REQUIRE_BEARER_FILE || '',
        requireTokenRe: env.REQUIRE_TOKEN_RE || '',
        requireAuthRe: env.REQUIRE_AUTH_RE || '',
        logHandshake: boolEnv(env, 'LOG_HANDSHAKE', false),
        // LOG_ADDRESS=1 prints "connection from <address>" per socket.io connection (--source's test)
        logAddress: boolEnv(env, 'LOG_ADDRESS', false),
        // REQUIRE_COOKIE=name=value: refuse (403) every request without that cookie (t_39_redirects: a cookie
        // set by a redirect must reach the redirected request, polling and websocket alike)
        requireCookie: env.REQUIRE_COOKIE || ''
    };
}

// The seed's handler, line for line: decrypt, wait, log, add one, encrypt, emit back.
function seedHandler(socket, crypter, cfg) {
    return function (data) {
        var decriptedData = crypter.decrypt(data);
        setTimeout(function () {
            if (cfg.log) console.log("counter status: " + decriptedData.id);
            decriptedData.id++;
            socket.emit('counter', crypter.encrypt(decriptedData));
        }, cfg.delayMs);
    };
}

// HARDENED=1: the same answer for good input; for input that would throw, an error event instead.
// counter_error carries {error: "decrypt" | "payload", message}.
function hardenedHandler(socket, crypter, cfg) {
    return function (data) {
        var decriptedData;
        try {
            decriptedData = crypter.decrypt(data);
        } catch (e) {
            socket.emit('counter_error', { error: 'decrypt', message: String(e && e.message || e) });
            return;
        }
        if (decriptedData === null || typeof decriptedData !== 'object') {
            socket.emit('counter_error', { error: 'payload', message: 'decrypted value is not an object' });
            return;
        }
        setTimeout(function () {
            if (cfg.log) console.log("counter status: " + decriptedData.id);
            decriptedData.id++;
            socket.emit('counter', crypter.encrypt(decriptedData));
        }, cfg.delayMs);
    };
}

function readPem(name, file) {
    try { return fs.readFileSync(file); } catch (e) { return fail(name + ': cannot read ' + file + ': ' + e.message); }
}

// The host part of a Host header: "[::1]" of "[::1]:3000", "localhost" of "localhost:3000".
function hostPart(h) {
    h = h || '';
    return h[0] === '[' ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0];
}

// REQUIRE_TOKEN, REQUIRE_HOST, REQUIRE_BEARER and REQUIRE_COOKIE on every HTTP request and websocket upgrade (each polling GET and POST,
// the upgrade too): a request without them gets 403 before socket.io sees it. socket.io 1.x and 2.x have
// no per-request middleware and allowRequest only sees handshakes, so the check sits in front of every
// listener of the server.
function gate(srv, cfg) {
    var emit = srv.emit;
    var bearers = null, tokenRe = cfg.requireTokenRe ? new RegExp('^(?:' + cfg.requireTokenRe + ')$') : null;
    if (cfg.requireBearerFile) {
        bearers = new Set(fs.readFileSync(cfg.requireBearerFile, 'utf8').split(/\r?\n/).filter(Boolean)
                          .map(function (t) { return 'Bearer ' + t; }));
    }
    function allowed(req) {
        var q = new URL(req.url, 'http://x').searchParams;
        return (!cfg.requireToken || q.get('token') === cfg.requireToken) &&
               (!tokenRe || tokenRe.test(q.get('token') || '')) &&
               (!bearers || bearers.has(req.headers.authorization)) &&
               (!cfg.requireHost || hostPart(req.headers.host) === cfg.requireHost) &&
               (!cfg.requireBearer || req.headers.authorization === 'Bearer ' + cfg.requireBearer) &&
               (!cfg.requireCookie || (req.headers.cookie || '').split(/;\s*/).indexOf(cfg.requireCookie) >= 0);
    }
    srv.emit = function (ev, req, resOrSocket) {
        if ((ev === 'request' || ev === 'upgrade') && !allowed(req)) {
            if (ev === 'request') {
                resOrSocket.writeHead(403, { 'Content-Type': 'text/plain' });
                resOrSocket.end('token or host refused');
            } else {
                resOrSocket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
            }
            return true;
        }
        return emit.apply(this, arguments);
    };
}

// socketio: the module's export (a function (httpServer, opts) in both 2.x and 4.x).
// extraOpts: version-specific server options (CORS in 4.x, allowEIO3).
module.exports = function run(socketio, Crypt, extraOpts) {
    var cfg = settings(process.env);
    var crypter = Crypt(cfg.passphrase);
    if (!cfg.tlsCert !== !cfg.tlsKey) fail('TLS_CERT and TLS_KEY go together');
    var srv = cfg.tlsCert ? https.createServer({ cert: readPem('TLS_CERT', cfg.tlsCert), key: readPem('TLS_KEY', cfg.tlsKey) })
                          : http.createServer();
    var opts = extraOpts(cfg);
    // threshold 0: every message is compressed once the extension is negotiated (engine.io's default
    // threshold of 1024 bytes would leave the counter's small frames alone)
    if (cfg.perMessageDeflate) opts.perMessageDeflate = { threshold: 0 };
    if (cfg.pingInterval) opts.pingInterval = cfg.pingInterval;
    if (cfg.pingTimeout) opts.pingTimeout = cfg.pingTimeout;
    if (cfg.path) opts.path = cfg.path;
    if (cfg.requireToken || cfg.requireHost || cfg.requireBearer || cfg.requireBearerFile || cfg.requireTokenRe ||
        cfg.requireCookie)
        gate(srv, cfg);
    var io = socketio(srv, opts);
    if (cfg.requireToken) {
        // and the query as the engine parsed it for the session: a wrong token is a CONNECT_ERROR
        io.use(function (socket, next) {
            next(socket.handshake.query.token === cfg.requireToken ? undefined : new Error('token required'));
        });
    }
    if (cfg.requireAuthRe) {
        var authRe = new RegExp('^(?:' + cfg.requireAuthRe + ')$');
        io.use(function (socket, next) {
            var auth = socket.handshake.auth || {};   // socket.io 2 has none: always refused
            next(typeof auth.token === 'string' && authRe.test(auth.token) ? undefined : new Error('Not authorized'));
        });
    }
    if (cfg.logAddress) {
        io.use(function (socket, next) {
            console.log('connection from ' + socket.handshake.address);
            next();
        });
    }
    if (cfg.logHandshake) {
        io.use(function (socket, next) {
            var h = socket.handshake;
            console.log('handshake token=' + (h.query.token || '') + ' authorization=' +
                        (h.headers.authorization || '') + ' x-client=' + (h.headers['x-client'] || '') +
                        ' auth=' + JSON.stringify(h.auth || null));
            next();
        });
    }
    var handler = cfg.hardened ? hardenedHandler : seedHandler;

    io.on('connection', function (socket) {
        socket.on('counter', handler(socket, crypter, cfg));
    });

    srv.on('error', function (e) { fail('cannot listen on ' + cfg.host + ':' + cfg.port + ': ' + e.message); });
    srv.listen(cfg.port, cfg.host, function () {
        // Exactly one line; harnesses wait for it and read the port from it (PORT=0).
        console.log('listening on ' + cfg.host + ':' + srv.address().port);
    });

    // Clean exit (code 0) for docker stop, Ctrl-C and the harness's SIGTERM.
    function stop() {
        try { io.close(); } catch (e) { /* exiting anyway */ }
        process.exit(0);
    }
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return io;
};

// chat.js reads its settings the same way (one parser of integers and flags for both apps).
module.exports.env = { intEnv: intEnv, boolEnv: boolEnv, fail: fail };
