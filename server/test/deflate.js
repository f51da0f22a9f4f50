// Does the server negotiate permessage-deflate on its Engine.IO websocket? A raw websocket (the ws package of
// the server's own engine.io) offering it, as browsers do; prints the negotiated extensions and the open
// packet. usage: node deflate.js <folder with node_modules> <ws url>   exit 0 when the open packet came.
'use strict';
const path = require('path');
const { createRequire } = require('module');
const [dir, url] = process.argv.slice(2);
const WebSocket = createRequire(path.resolve(dir, 'package.json'))('ws');
const ws = new WebSocket(url, { perMessageDeflate: true });
const timer = setTimeout(() => { console.log('timeout'); process.exit(1); }, 5000);
ws.on('error', (e) => { console.log('error: ' + e.message); process.exit(1); });
ws.on('message', (m) => {
    console.log('extensions: ' + (ws.extensions || '(none)'));
    console.log('open packet: ' + String(m).slice(0, 40));
    clearTimeout(timer);
    ws.close();
    process.exit(0);
});
