import { describe, expect, test } from 'vitest';
import { createParser } from '../../src/parsers/index.js';

const NOW = 1_700_000_000;
// 10/Oct/2023:13:55:36 -0700 = 2023-10-10T20:55:36Z
const T = 1696971336;

describe('nginx (combined)', () => {
  const p = createParser('nginx');

  test('a default combined line: fields as fluentd names them, code/size numbers, time from the line', () => {
    const line = '203.0.113.7 - alice [10/Oct/2023:13:55:36 -0700] "GET /index.html?q=1 HTTP/1.1" 200 2326 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36"';
    const r = p(line, NOW);
    expect(r.error).toBeUndefined();
    expect(r.record).toEqual({
      remote: '203.0.113.7', host: '-', user: 'alice', time: T, method: 'GET', path: '/index.html?q=1',
      code: 200, size: 2326, referer: 'https://example.com/start',
      agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36',
    });
  });

  test('IPv6 remote, "-" fields kept as written, escaped quotes inside the agent', () => {
    const r = p('2001:db8::1 - - [10/Oct/2023:13:55:36 -0700] "POST /api/v1/items HTTP/2.0" 201 0 "-" "curl/8.1 \\"quoted\\" \\x22hex\\x22"', NOW);
    expect(r.record).toEqual({
      remote: '2001:db8::1', host: '-', user: '-', time: T, method: 'POST', path: '/api/v1/items',
      code: 201, size: 0, referer: '-', agent: 'curl/8.1 \\"quoted\\" \\x22hex\\x22',
    });
  });

  test('http_x_forwarded_for when present, bare or quoted', () => {
    const base = '10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 304 0 "-" "Opera/12.0"';
    expect(p(`${base} -`, NOW).record.http_x_forwarded_for).toBe('-');
    expect(p(`${base} 198.51.100.1`, NOW).record.http_x_forwarded_for).toBe('198.51.100.1');
    expect(p(`${base} "198.51.100.1, 192.0.2.44"`, NOW).record.http_x_forwarded_for).toBe('198.51.100.1, 192.0.2.44');
    expect(p(base, NOW).record).not.toHaveProperty('http_x_forwarded_for');
    expect(p(base, NOW).record.time).toBe(1696946136);
  });

  test('a common-format line (no referer/agent) and a malformed request line', () => {
    expect(p('10.0.0.1 - - [10/Oct/2023:13:55:36 -0700] "GET /health" 200 2', NOW).record).toEqual({
      remote: '10.0.0.1', host: '-', user: '-', time: T, method: 'GET', path: '/health', code: 200, size: 2,
    });
    expect(p('10.0.0.1 - - [10/Oct/2023:13:55:36 -0700] "-" 400 0 "-" "-"', NOW).record).toEqual({
      remote: '10.0.0.1', host: '-', user: '-', time: T, method: '-', code: 400, size: 0, referer: '-', agent: '-',
    });
  });

  test('a line that is not an access log line is kept with _parse_error', () => {
    const line = '2023/10/10 13:55:36 [error] 1234#0: *1 open() "/x" failed';
    expect(p(line, NOW)).toEqual({
      record: { message: line, _parse_error: 'line is not an nginx "combined" access log line', time: NOW },
      error: 'line is not an nginx "combined" access log line',
    });
  });

  test('an unparseable [time] gives now, keeps the text under _time and says why', () => {
    const r = p('10.0.0.1 - - [yesterday] "GET / HTTP/1.1" 200 1 "-" "-"', NOW);
    expect(r.error).toBeUndefined();
    expect(r.record.time).toBe(NOW);
    expect(r.record._time).toBe('yesterday');
    expect(r.record._time_error).toMatch(/^time "yesterday" is not/);
  });
});

describe('apache2 (combined)', () => {
  const p = createParser('apache2');

  test('a combined line, "-" becomes null as in fluentd', () => {
    const line = '192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 777 "-" "Opera/12.0"';
    expect(p(line, NOW).record).toEqual({
      host: '192.168.0.1', user: null, time: 1362020400, method: 'GET', path: '/', code: 200, size: 777,
      referer: null, agent: 'Opera/12.0',
    });
  });

  test('IPv6 host, a user, size "-", escaped quotes inside the agent', () => {
    const line = '::1 - frank [10/Oct/2023:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 304 - "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav) \\"beta\\""';
    expect(p(line, NOW).record).toEqual({
      host: '::1', user: 'frank', time: T, method: 'GET', path: '/apache_pb.gif', code: 304, size: null,
      referer: 'http://www.example.com/start.html', agent: 'Mozilla/4.08 [en] (Win98; I ;Nav) \\"beta\\"',
    });
  });

  test('common log format without referer and agent', () => {
    expect(p('127.0.0.1 - - [10/Oct/2023:13:55:36 -0700] "GET / HTTP/1.1" 200 12', NOW).record).toEqual({
      host: '127.0.0.1', user: null, time: T, method: 'GET', path: '/', code: 200, size: 12, referer: null, agent: null,
    });
  });

  test('a bad line is kept with _parse_error', () => {
    expect(p('[Tue Oct 10 13:55:36 2023] [error] client denied', NOW).error).toBe('line is not an apache2 "combined" access log line');
  });
});
