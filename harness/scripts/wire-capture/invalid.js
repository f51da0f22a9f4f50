// usage: node invalid.js <port> <eio>: does the server close the session on invalid socket.io packets?
const http = require('http');
const [port, eio] = [+process.argv[2], +process.argv[3]];
function req(method, q, body) {
  return new Promise((res) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: '/socket.io/?' + q }, (resp) => {
      const c = []; resp.on('data', (d) => c.push(d)); resp.on('end', () => res(resp.statusCode + ' ' + JSON.stringify(Buffer.concat(c).toString())));
    });
    r.on('error', () => res('conn-error'));
    r.setTimeout(1500, () => { r.destroy(); res('timeout'); });
    if (body !== undefined) r.write(body); r.end();
  });
}
const pay = (p) => eio === 4 ? p : p.length + ':' + p;
(async () => {
  for (const bad of ['42{}', '42abc["x"]', '4abc', '42["x"', '451-["x",{"_placeholder":true,"num":0}]', '42/admin["x"]', '2', '3']) {
    const o = await req('GET', `EIO=${eio}&transport=polling`);
    const sid = /sid\\":\\"([^\\]+)/.exec(o)[1];
    const q = `EIO=${eio}&transport=polling&sid=${sid}`;
    if (eio === 4) { await req('POST', q, '40'); await req('GET', q); }
    const post = await req('POST', q, pay(bad));
    await new Promise((r) => setTimeout(r, 100));
    const get = await req('GET', q);
    console.log(JSON.stringify(bad), 'POST', post, 'GET', get);
  }
})();
