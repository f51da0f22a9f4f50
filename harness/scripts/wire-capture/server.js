// usage: node server.js <dir-with-node_modules> <port>
const dir = process.argv[2], port = +process.argv[3];
const sio = require(dir + '/node_modules/socket.io');
const major = +require(dir + '/node_modules/socket.io/package.json').version.split('.')[0];
const io = major >= 3 ? new sio.Server(port, { pingInterval: 25000 }) : sio(port);
const WEIRD = 'he said "hi"\n\tcafé 😀 \u0001 back\\slash /';
io.on('connection', (socket) => {
  socket.on('counter', (d) => socket.emit('counter', d));
  socket.on('ack-me', (x, cb) => cb(x));
  socket.on('burst', () => { socket.emit('a', 1); socket.emit('b', 'two'); socket.emit('echo', WEIRD); });
  socket.on('emoji', () => socket.emit('e', '😀'));
  socket.on('ask', () => socket.emit('q', 'x', (r) => socket.emit('got', r)));
  socket.on('bin', () => socket.emit('bin', Buffer.from([1, 2, 3])));
  socket.on('kick', () => socket.disconnect(true));
  socket.on('isweird', (s) => socket.emit('isweird', s === WEIRD));
});
io.of('/admin').on('connection', (s) => {
  s.on('ev', (a, cb) => cb && cb('ok'));
  s.on('bye', () => s.disconnect());
});
io.of('/auth').use((s, next) => next(new Error('Not authorized')));
console.log('listening', port, major);
