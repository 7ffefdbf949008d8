// The benchmarks' record: an access-log-like JSON object of ~200 bytes once serialized, varied by i.
// With `time`, it starts with its own ISO 8601 `time` string (the most common log shape, ~30 bytes
// more), a thousand records a second from 2026-12-02T10:00:00Z.
const paths = ['/api/v1/users', '/api/v1/orders', '/static/app.js', '/login', '/health'];
const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Go-http-client/1.1'];
const START_MS = Date.UTC(2026, 11, 2, 10, 0, 0);

/** The two shapes the benchmarks run: the plain record, and the same record with a string `time` first. */
export const SHAPES = ['plain', 'time'];

export function accessRecord(i, { time = false } = {}) {
  const record = {
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
  return time ? { time: new Date(START_MS + Math.floor(i / 1000) * 1000).toISOString().replace('.000Z', 'Z'), ...record } : record;
}
