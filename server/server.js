// The seed's server on socket.io 4 (Engine.IO 4, Socket.IO protocol 5). Settings: see counter.js.
var run = require('./counter');

run(require('socket.io'), require('g-crypt'), function (cfg) {
    return {
        // Socket.IO 4 refuses cross-origin browsers unless told; the seed page is served from elsewhere.
        cors: { origin: true, credentials: true },
        allowEIO3: cfg.allowEIO3,
        // COOKIE=1: the `io` cookie on the handshake, as socket.io 2 always set it (4 only when asked)
        cookie: cfg.cookie ? { name: 'io', httpOnly: true, path: '/' } : false
    };
});
