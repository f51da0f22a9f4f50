// The seed's server on socket.io 1.7 (Engine.IO 3 through engine.io 1.8, Socket.IO protocol 4), the
// version the seed was written against (2016). Settings: see ../counter.js; ALLOW_EIO3 means nothing here.
// socket.io and g-crypt resolve from this folder's node_modules. engine.io 1.8 frames every polling
// payload in binary unless the client asks b64=1, which siocrypt does on Engine.IO 3 polling.
var run = require('../counter');

run(require('socket.io'), require('g-crypt'), function () {
    return {}; // 1.x accepts every origin by default (origins '*:*')
});
