// usage: node drive.js <port> <EIO 3|4>: raw HTTP long-polling, prints every body as a C string literal.
const http = require('http');
const [port, eio] = [+process.argv[2], +process.argv[3]];
const b64 = process.argv[4] === 'b64' ? '&b64=1' : '';
function cstr(buf) {
  let s = '"';
  for (const c of buf) {
    if (c === 0x22) s += '\\"'; else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + c.toString(8).padStart(3, '0');
  }
  return s + '"';
}
function req(method, q, body) {
  return new Promise((res, rej) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: '/socket.io/?' + q,
      headers: body !== undefined ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {} }, (resp) => {
      const chunks = []; resp.on('data', (c) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode, ct: resp.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    r.on('error', rej);
    r.setTimeout(3000, () => { r.destroy(); res({ status: 'timeout', ct: '', body: Buffer.alloc(0) }); });
    if (body !== undefined) r.write(Buffer.from(body, 'utf8'));
    r.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function show(label, r) { console.log(`${label}: ${r.status} [${r.ct}] ${cstr(r.body)}`); return r; }
// frame a client payload: EIO4 joins with \x1e, EIO3 prefixes UTF-16 lengths
const pay = (...ps) => eio === 4 ? ps.join('\x1e') : ps.map((p) => p.length + ':' + p).join('');
(async () => {
  const base = `EIO=${eio}&transport=polling${b64}`;
  const open = show('GET open', await req('GET', base));
  const txt = open.body.toString('utf8');
  const sid = JSON.parse(txt.slice(txt.indexOf('{'), txt.indexOf('}') + 1)).sid;
  const q = base + '&sid=' + sid;
  async function step(label, ...packets) {
    if (packets.length) show('POST ' + label, await req('POST', q, pay(...packets)));
    await sleep(80);
    return show('GET  ' + label, await req('GET', q));
  }
  if (eio === 4) await step('connect /', '40');
  await step('connect ns', '40/admin,', '40/random,', '40/auth,');
  await step('burst', '42["burst"]');
  await step('emoji', '42["emoji"]');
  await step('ack', '42456["ack-me",1]');
  await step('ns ack', '42/admin,17["ev","x"]');
  const asked = (await step('server ack', '42["ask"]')).body.toString();
  const askId = /42(\d+)\[/.exec(asked)[1];
  await step('server ack reply', `43${askId}["r"]`);
  const W = JSON.stringify('he said "hi"\n\tcafé 😀 \u0001 back\\slash /');
  await step('weird echo', `42["isweird",${W}]`);
  await step('bin', '42["bin"]');
  await step('ns bye', '42/admin,["bye"]');
  show('GET bad sid', await req('GET', `EIO=${eio}&transport=polling&sid=nope`));
  show('GET EIO=5', await req('GET', `EIO=5&transport=polling`));
  show('GET bad transport', await req('GET', `EIO=${eio}&transport=carrier`));
  if (eio === 3) {
    // the emoji counted in UTF-8 bytes instead of UTF-16 units: does the server refuse?
    for (const [label, len] of [['utf16-len', 16], ['byte-len', 18]]) {
      const o = (await req('GET', base)).body.toString('utf8');
      const q2 = base + '&sid=' + JSON.parse(o.slice(o.indexOf('{'), o.indexOf('}') + 1)).sid;
      show('POST ' + label, await req('POST', q2, len + ':42["emoji","😀"]'));
      await sleep(80); show('GET  ' + label, await req('GET', q2));
    }
  }
  await step('close', '1');
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
