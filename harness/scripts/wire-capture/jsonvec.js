// JSON.stringify vectors for the sio escape tests (node 20)
function cstr(buf) {
  let s = '"';
  for (const c of buf) {
    if (c === 0x22) s += '\\"'; else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + c.toString(8).padStart(3, '0');
  }
  return s + '"';
}
let all = ''; for (let i = 0; i < 0x80; i++) all += String.fromCharCode(i);
console.log('ascii in ', cstr(Buffer.from(all)));
console.log('ascii out', cstr(Buffer.from(JSON.stringify(all))));
const u = 'é😀\u2028\u2029\ufeff/</script>';
console.log('uni in ', cstr(Buffer.from(u)));
console.log('uni out', cstr(Buffer.from(JSON.stringify(u))));
// a g-crypt style envelope as the seed sends it
const env = JSON.stringify({ ct: 'U2FsdGVkX1+abc/def==', iv: '0a1b', s: 'ff00' });
console.log('env out', cstr(Buffer.from(JSON.stringify(['counter', env]))));
// JSON.parse of escapes (what the extractor must produce)
const esc = '"\\ud83d\\ude00 \\u00e9 \\ud83d x \\ude00 \\/ \\u0000"';
console.log('parse in ', cstr(Buffer.from(esc)));
console.log('parse out', cstr(Buffer.from(JSON.parse(esc), 'utf8')));
