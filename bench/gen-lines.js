#!/usr/bin/env node
// Writes N JSON lines of ~200 bytes each (realistic access-log-like records) to a file.
// usage: node bench/gen-lines.js FILE N
import { createWriteStream } from 'node:fs';

const [file, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 1_000_000);
const out = createWriteStream(file);
const paths = ['/api/v1/users', '/api/v1/orders', '/static/app.js', '/login', '/health'];
const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Go-http-client/1.1'];
let i = 0;
function write() {
  let ok = true;
  while (i < n && ok) {
    const rec = {
      host: `10.0.${i % 256}.${(i * 7) % 256}`,
      method: i % 5 === 0 ? 'POST' : 'GET',
      path: paths[i % paths.length],
      code: i % 50 === 0 ? 500 : 200,
      size: (i * 37) % 10000,
      agent: agents[i % agents.length],
      seq: i,
      referer: `https://www.example.com/catalog/item/${i % 1000}`,
      request_id: `req-${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}`,
    };
    ok = out.write(JSON.stringify(rec) + '\n');
    i++;
  }
  if (i < n) out.once('drain', write);
  else out.end();
}
write();
