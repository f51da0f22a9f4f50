// The seed's server on socket.io 2 (Engine.IO 3, Socket.IO protocol 4). Settings: see ../counter.js.
// socket.io and g-crypt resolve from this folder's node_modules; ALLOW_EIO3 means nothing here.
var run = require('../counter');

run(require('socket.io'), require('g-crypt'), function () {
    return {}; // 2.x accepts every origin by default (origins '*:*')
});
