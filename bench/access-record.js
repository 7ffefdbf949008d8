// The benchmarks' record: an access-log-like JSON object of ~200 bytes once serialized, varied by i.
const paths = ['/api/v1/users', '/api/v1/orders', '/static/app.js', '/login', '/health'];
const agents = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'Go-http-client/1.1'];

export function accessRecord(i) {
  return {
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
}
