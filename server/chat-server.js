// The encrypted chat app on socket.io 4 (Engine.IO 4, Socket.IO protocol 5). Events and settings: chat.js.
var run = require('./chat');

run(require('socket.io'), require('g-crypt'), function (cfg) {
    return { cors: { origin: true, credentials: true }, allowEIO3: cfg.allowEIO3 };
}, {
    // the in-memory adapter joins at once (join returns nothing); others return a promise
    join: function (socket, room, cb) { Promise.resolve(socket.join(room)).then(function () { cb(); }); },
    size: function (io, room) { var r = io.sockets.adapter.rooms.get(room); return r ? r.size : 0; }
});
