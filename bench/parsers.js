// Parse and split speed of src/parsers: `npm run build && node bench/parsers.js [lines]`.
// Prints lines/s for the json and none parsers over ~200-byte lines, and MB/s for LineSplitter
// fed in 64 KiB chunks (as stdin delivers them), as CPU seconds (best of 3). TDFWD_DIST points at
// another build directory.

const dist = process.env.TDFWD_DIST ?? new URL('../dist', import.meta.url).href;
const { createParser, LineSplitter } = await import(`${dist}/parsers/index.js`);
const n = Number(process.argv[2] ?? 1_000_000);

function jsonLine(i) {
  return JSON.stringify({
    host: `web-${i % 50}.example.com`, method: 'GET', path: `/api/v1/items/${i}?page=${i % 7}`,
    status: 200, bytes: 1000 + (i % 5000), ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', req_id: `r${i}`, env: 'production',
  });
}
const lines = Array.from({ length: n }, (_, i) => jsonLine(i));
const avg = lines.reduce((s, l) => s + l.length, 0) / n;

// CPU time (user + system) of the best of 3 runs: the machine is shared, wall time is noisy.
function measure(name, fn) {
  fn(Math.min(n, 50_000)); // warm up the JIT
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const c0 = process.cpuUsage();
    fn(n);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return { name, seconds: best };
}

const results = [];
{
  let sink = 0;
  const r = measure('JSON.parse', (count) => {
    for (let i = 0; i < count; i++) sink += JSON.parse(lines[i]).status & 1;
  });
  results.push(`bare JSON.parse (baseline): ${Math.round(n / r.seconds).toLocaleString('en')} lines/s${sink < 0 ? '' : ''}`);
}
for (const format of ['json', 'none']) {
  const parse = createParser(format);
  let sink = 0;
  const r = measure(format, (count) => {
    for (let i = 0; i < count; i++) sink += parse(lines[i], 1_700_000_000).record.time & 1;
  });
  results.push(`${format.padEnd(5)} parse: ${Math.round(n / r.seconds).toLocaleString('en')} lines/s (${n} lines, avg ${avg.toFixed(0)} B)${sink < 0 ? '' : ''}`);
}

const blob = Buffer.from(lines.join('\n') + '\n');
const r = measure('split', (count) => {
  const sp = new LineSplitter();
  const end = count === n ? blob.length : Math.min(blob.length, count * 200);
  let got = 0;
  for (let off = 0; off < end; off += 65536) got += sp.push(blob.subarray(off, Math.min(end, off + 65536))).length;
  return got;
});
results.push(`split (64 KiB chunks): ${(blob.length / 1e6 / r.seconds).toFixed(0)} MB/s, ${(blob.length / 1e6).toFixed(0)} MB in ${r.seconds.toFixed(3)} s`);
const r2 = measure('split-one', () => new LineSplitter().push(blob).length);
results.push(`split (one ${(blob.length / 1e6).toFixed(0)} MB chunk): ${r2.seconds.toFixed(3)} s`);
console.log(results.join('\n'));
