// usage: node client.js <dir> <port> <websocket|polling>: the real socket.io-client, printing every raw
// WebSocket frame (> sent, < received) as a C string literal.
const [dir, port, mode] = [process.argv[2], +process.argv[3], process.argv[4]];
const major = +require(dir + '/node_modules/socket.io-client/package.json').version.split('.')[0];
let wsPath = dir + '/node_modules/ws';
try { require.resolve(dir + '/node_modules/engine.io-client/node_modules/ws'); wsPath = dir + '/node_modules/engine.io-client/node_modules/ws'; } catch (e) {}
const WS = require(wsPath);
function cstr(buf) {
  if (typeof buf === 'string') buf = Buffer.from(buf, 'utf8');
  else if (!Buffer.isBuffer(buf)) buf = Buffer.from(buf);
  let s = '"';
  for (const c of buf) {
    if (c === 0x22) s += '\\"'; else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + c.toString(8).padStart(3, '0');
  }
  return s + '"';
}
const origSend = WS.prototype.send;
WS.prototype.send = function (d, ...a) { console.log('> ' + (typeof d === 'string' ? 'text ' : 'bin  ') + cstr(d)); return origSend.call(this, d, ...a); };
const origEmit = WS.prototype.emit;
WS.prototype.emit = function (ev, ...a) {
  if (ev === 'message') { const [d, isBin] = a; console.log('< ' + ((isBin === true || (isBin === undefined && typeof d !== 'string')) ? 'bin  ' : 'text ') + cstr(d)); }
  return origEmit.call(this, ev, ...a);
};
const io = require(dir + '/node_modules/socket.io-client');
const url = `http://127.0.0.1:${port}`;
const opts = { transports: mode === 'websocket' ? ['websocket'] : ['polling', 'websocket'], forceNew: true };
const WEIRD = 'he said "hi"\n\tcafé 😀 \u0001 back\\slash /';
const s = io(url, opts);
const admin = io(url + '/admin', major >= 3 ? { ...opts, auth: { token: 'abc' } } : { ...opts, query: { token: 'abc' } });
const bad = io(url + '/random', opts);
bad.on('connect_error', (e) => console.log('# /random connect_error', JSON.stringify(e.message)));
bad.on('error', (e) => console.log('# /random error', JSON.stringify(e)));
s.on('connect', () => {
  setTimeout(() => {
    s.emit('counter', WEIRD);
    s.emit('ack-me', 'x', (r) => console.log('# ack reply', JSON.stringify(r)));
    admin.emit('ev', 1, (r) => console.log('# admin ack', JSON.stringify(r)));
  }, 300);
  setTimeout(() => { admin.disconnect(); s.disconnect(); setTimeout(() => process.exit(0), 300); }, 800);
});
