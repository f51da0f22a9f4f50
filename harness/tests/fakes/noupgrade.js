// Offers the websocket upgrade in its open packet, then refuses the upgrade request with HTTP 400 and
// engine.io's error body, as a server behind a proxy that does not pass websockets does. Polling works.
'use strict';

const { listen, eioServer } = require('./common');
const server = eioServer({
    onHandshake(s, req, res) {
        if (!res) return false;
        res.end('0' + JSON.stringify({ sid: s.sid, upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 20000,
                                       maxPayload: 1000000 }));
        return true;
    },
    onEvent(s, pkt) { s.send(pkt); }   // an echo: the counter is not the point here
});
server.removeAllListeners('upgrade');
server.on('upgrade', (req, socket) => {
    socket.on('error', () => {});
    const body = '{"code":3,"message":"Bad request"}';
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ' + body.length +
               '\r\n\r\n' + body);
});
listen(server);
