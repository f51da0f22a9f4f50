// The encrypted chat app on socket.io 2 (Engine.IO 3, Socket.IO protocol 4). Events and settings: ../chat.js.
// socket.io and g-crypt resolve from this folder's node_modules; ALLOW_EIO3 means nothing here.
var run = require('../chat');

run(require('socket.io'), require('g-crypt'), function () {
    return {}; // 2.x accepts every origin by default (origins '*:*')
}, {
    // 2.x joins through the adapter's callback (a tick later); rooms are {sockets, length} objects
    join: function (socket, room, cb) { socket.join(room, function () { cb(); }); },
    size: function (io, room) { var r = io.sockets.adapter.rooms[room]; return r ? r.length : 0; }
});
