#!/usr/bin/env node
// Writes N JSON lines of ~200 bytes each (realistic access-log-like records) to a file; with --time
// each record starts with its own ISO 8601 `time` string (bench/access-record.js).
// usage: node bench/gen-lines.js FILE N [--time]
import { createWriteStream } from 'node:fs';
import { accessRecord } from './access-record.js';

const [file, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 1_000_000);
const shape = { time: process.argv.includes('--time') };
const out = createWriteStream(file);
let i = 0;
function write() {
  let ok = true;
  while (i < n && ok) {
    ok = out.write(JSON.stringify(accessRecord(i, shape)) + '\n');
    i++;
  }
  if (i < n) out.once('drain', write);
  else out.end();
}
write();
