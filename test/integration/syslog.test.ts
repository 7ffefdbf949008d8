// The syslog input with real UDP and TCP clients on loopback into a real SQLite buffer.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/core/record.js';
import type { EventSink, PositionUpdate } from '../../src/core/sink.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createSyslogInput } from '../../src/inputs/syslog/index.js';
import type { SyslogInputConfig } from '../../src/inputs/syslog/config.js';
import { waitFor } from '../helpers/cli.js';
import { openStore, records } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface Setup {
  config?: Partial<SyslogInputConfig>;
  /** Wraps the real writer (e.g. to hold writes back). */
  sink?: (w: BufferWriter) => EventSink;
}

async function setup(opts: Setup = {}) {
  const t = tempDir();
  const store = openStore(t.dir);
  const writer = new BufferWriter(store);
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  let parseErrors = 0;
  const cfg: SyslogInputConfig = {
    type: 'syslog',
    protocol: 'udp',
    bind: '127.0.0.1',
    port: 0,
    tag: 'system',
    format: 'auto',
    framing: 'auto',
    maxMessageSize: 64 * 1024,
    maxConnections: 100,
    ...opts.config,
  };
  const input = createSyslogInput(cfg, {
    sink: opts.sink ? opts.sink(writer) : writer,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }),
    configPath: 'inputs[0]',
    onParseErrors: (n) => (parseErrors += n),
  });
  await input.start();
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await input.stop();
    await store.close();
    t.cleanup();
  });
  const stop = async () => {
    stopped = true;
    await input.stop();
  };
  const stored = () => records(store);
  const count = () => store.stats().pendingRecords;
  return { store, input, logs, stored, count, stop, parseErrors: () => parseErrors };
}

function udpSend(port: number, messages: (string | Buffer)[]): Promise<void> {
  const sock = createSocket('udp4');
  return (async () => {
    for (const m of messages) await new Promise<void>((resolve, reject) => sock.send(m, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((r) => sock.close(() => r()));
  })();
}

function tcpClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    cleanups.push(() => {
      s.destroy();
    });
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));
const octet = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

const RFC3164 = "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8";
const RFC5424_SD = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...';
const RFC5424_NIL = '<14>1 - - - - - -';
const RFC5424_NOSD = '<13>1 2024-03-09T22:14:15+09:00 web1 app 42 login - user logged in';

describe('syslog over UDP', () => {
  it('3164 and 5424 samples (SD, BOM, nil values) become tagged records; a malformed one is kept and counted', async () => {
    const { input, stored, count, parseErrors } = await setup();
    await udpSend(input.port, [RFC3164 + '\n', RFC5424_SD, RFC5424_NIL, RFC5424_NOSD, 'not syslog at all']);
    await waitFor(() => count() === 5, 10_000);
    const rows = await stored();
    const byTag = new Map(rows.map((r) => [r.tag, r.record]));
    expect([...byTag.keys()].sort()).toEqual(['system.auth.crit', 'system.local4.notice', 'system.user.info', 'system.user.notice']);
    expect(byTag.get('system.auth.crit')).toMatchObject({ host: 'mymachine', ident: 'su', pid: '230', facility: 'auth', severity: 'crit', pri: 34 });
    expect(byTag.get('system.local4.notice')).toMatchObject({
      time: Math.floor(Date.parse('2003-10-11T22:14:15.003Z') / 1000),
      host: 'mymachine.example.com',
      ident: 'evntslog',
      msgid: 'ID47',
      sd: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } },
      message: 'An application event log entry...',
    });
    const nil = byTag.get('system.user.info') as Record<string, unknown>;
    expect(Object.keys(nil).sort()).toEqual(['facility', 'message', 'pri', 'severity', 'time']);
    const notices = rows.filter((r) => r.tag === 'system.user.notice').map((r) => r.record);
    expect(notices.find((r) => r.host === 'web1')).toMatchObject({ ident: 'app', pid: '42', msgid: 'login', message: 'user logged in' });
    expect(notices.find((r) => r._parse_error !== undefined)).toMatchObject({ message: 'not syslog at all', _parse_error: expect.stringContaining('<PRI>') });
    await waitFor(() => parseErrors() === 1, 10_000); // counted once durable, just after the records are visible
    for (const r of rows) expect(Number.isInteger(r.record.time)).toBe(true);
  });

  it('a datagram over max_message_size is truncated and marked', async () => {
    const { input, stored, count, parseErrors } = await setup({ config: { maxMessageSize: 64 } });
    await udpSend(input.port, [`<13>Oct 11 22:14:15 h app: ${'x'.repeat(200)}`]);
    await waitFor(() => count() === 1, 10_000);
    const [row] = await stored();
    expect(row?.record).toMatchObject({ host: 'h', ident: 'app', _parse_error: expect.stringContaining('longer than max_message_size (64)') });
    expect(String(row?.record.message).length).toBe(64 - '<13>Oct 11 22:14:15 h app: '.length);
    await waitFor(() => parseErrors() === 1, 10_000); // counted once durable, just after the records are visible
  });

  it('while the sink blocks, datagrams past the 8 MiB backlog are dropped, counted and logged', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { input, count, logs } = await setup({
      sink: (w) => ({
        async write(events: readonly LogEvent[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
          await gate;
          await w.write(events, positions, signal);
        },
        writeParts: (parts, positions, signal) => w.writeParts(parts, positions, signal),
      }),
    });
    cleanups.push(() => release());
    const big = (i: number) => `<13>Oct 11 22:14:15 h app[${i}]: ${'d'.repeat(60_000)}`;
    // 200 x 60 kB = 12 MB, one at a time with a pause for the receiver to read it: the kernel's
    // receive buffer holds only a few datagrams this size, and what it drops is never known.
    for (let i = 0; i < 200; i++) {
      await udpSend(input.port, [big(i)]);
      await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor(() => logs.some((l) => l.msg.includes('dropped UDP messages')), 10_000);
    release();
    const accepted = Math.ceil((8 * 1024 * 1024) / Buffer.byteLength(big(0)));
    await waitFor(() => count() >= accepted, 20_000);
    await new Promise<void>((r) => setImmediate(r));
    expect(count()).toBeLessThan(200);
    expect(count()).toBeLessThanOrEqual(accepted + 1);
    expect(Number(logs.find((l) => l.msg.includes('dropped UDP messages'))?.fields?.dropped)).toBeGreaterThan(0);
  });
});

describe('syslog over TCP', () => {
  it('octet counting: messages holding newlines, split across writes at every byte', async () => {
    const { input, stored, count } = await setup({ config: { protocol: 'tcp', framing: 'octet_counting' } });
    const multi = '<11>1 2024-03-09T22:14:15Z h java - - - Exception in thread "main"\n\tat A.b(A.java:1)\n\tat C.d(C.java:2)';
    const stream = Buffer.from(octet(multi) + octet(RFC5424_SD) + octet(RFC3164));
    const c = await tcpClient(input.port);
    for (let i = 0; i < stream.length; i += 7) c.write(stream.subarray(i, i + 7));
    await waitFor(() => count() === 3, 10_000);
    const rows = await stored();
    expect(rows.map((r) => r.tag)).toEqual(['system.user.err', 'system.local4.notice', 'system.auth.crit']);
    expect(rows[0]?.record.message).toBe('Exception in thread "main"\n\tat A.b(A.java:1)\n\tat C.d(C.java:2)');
    expect(rows[1]?.record.message).toBe('An application event log entry...');
  });

  it('newline framing (auto): one message per line, CRLF trimmed, the last line without LF kept when the sender closes', async () => {
    const { input, stored, count } = await setup({ config: { protocol: 'tcp' } });
    const c = await tcpClient(input.port);
    c.write(`${RFC3164}\r\n\n${RFC5424_NOSD}\n${octet(RFC5424_NIL)}<13>Oct 11 22:14:15 h last: no newline`);
    c.end();
    await closed(c);
    await waitFor(() => count() === 4, 10_000);
    const rows = await stored();
    // Chunks are per tag: compare as a set.
    expect(rows.map((r) => r.record.message).sort()).toEqual(['', "'su root' failed for lonvick on /dev/pts/8", 'no newline', 'user logged in']);
  });

  it('a connection reset mid-frame keeps the complete messages, loses the partial one, and the input keeps serving', async () => {
    const { input, stored, count, logs } = await setup({ config: { protocol: 'tcp' } });
    const c = await tcpClient(input.port);
    c.write(octet('<13>Oct 11 22:14:15 h app: complete one') + '200 <13>Oct 11 22:14:15 h app: cut');
    await waitFor(() => count() === 1, 10_000);
    c.resetAndDestroy();
    await waitFor(() => logs.some((l) => l.msg.includes('unfinished message is lost')), 10_000);
    const c2 = await tcpClient(input.port);
    c2.write(`<13>Oct 11 22:14:15 h app: after the reset\n`);
    await waitFor(() => count() === 2, 10_000);
    expect((await stored()).map((r) => r.record.message)).toEqual(['complete one', 'after the reset']);
  });

  it('octet_counting closes a connection that sends something else, with a logged reason', async () => {
    const { input, logs, count } = await setup({ config: { protocol: 'tcp', framing: 'octet_counting' } });
    const c = await tcpClient(input.port);
    c.write('<13>Oct 11 22:14:15 h app: newline framed\n');
    await closed(c);
    expect(logs.find((l) => l.level === 'warn')?.msg).toMatch(/not syslog over TCP: expected an octet-counted frame.*set framing: newline/);
    expect(count()).toBe(0);
  });

  it('an oversize octet-counted frame is truncated and marked; the next frame is intact', async () => {
    const { input, stored, count, parseErrors } = await setup({ config: { protocol: 'tcp', maxMessageSize: 100 } });
    const c = await tcpClient(input.port);
    c.write(octet(`<13>Oct 11 22:14:15 h app: ${'y'.repeat(5000)}`) + octet('<13>Oct 11 22:14:15 h app: small'));
    await waitFor(() => count() === 2, 10_000);
    const rows = await stored();
    expect(rows[0]?.record._parse_error).toMatch(/was 5027 bytes, longer than max_message_size \(100\)/);
    expect(rows[1]?.record).toMatchObject({ message: 'small' });
    expect(rows[1]?.record._parse_error).toBeUndefined();
    await waitFor(() => parseErrors() === 1, 10_000); // counted once durable, just after the records are visible
  });

  it('pauses the socket while the sink blocks (backpressure), then catches up with nothing lost', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { input, count } = await setup({
      config: { protocol: 'tcp' },
      sink: (w) => ({
        async write(events: readonly LogEvent[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
          await gate;
          await w.write(events, positions, signal);
        },
        writeParts: (parts, positions, signal) => w.writeParts(parts, positions, signal),
      }),
    });
    cleanups.push(() => release()); // a failed assertion must not leave stop() waiting on the gate
    const c = await tcpClient(input.port);
    const n = 30_000;
    const line = (i: number) => `<13>Oct 11 22:14:15 h app[${i}]: ${'p'.repeat(600)}\n`;
    const all = Buffer.from(Array.from({ length: n }, (_, i) => line(i)).join(''));
    // In pieces: a single write stays whole in writableLength until all of it is sent.
    for (let i = 0; i < all.length; i += 65_536) c.write(all.subarray(i, i + 65_536));
    // Wait until the client's queue stops shrinking: the server has stopped reading.
    let last = -1;
    await waitFor(() => {
      const now = c.writableLength;
      const stable = now === last;
      last = now;
      return stable && now > 0;
    }, 10_000, 200);
    // ~19 MB sent; the server holds at most ~1 MiB plus the kernel's socket buffers.
    expect(c.writableLength).toBeGreaterThan(4 * 1024 * 1024);
    expect(count()).toBe(0);
    release();
    await waitFor(() => count() === n, 30_000);
    expect(c.writableLength).toBe(0);
  });

  it('max_connections: a connection over the limit is refused and logged', async () => {
    const { input, logs, count } = await setup({ config: { protocol: 'tcp', maxConnections: 1 } });
    const first = await tcpClient(input.port);
    first.write('<13>Oct 11 22:14:15 h app: first\n');
    await waitFor(() => count() === 1, 10_000);
    const second = await tcpClient(input.port);
    await closed(second);
    expect(logs.find((l) => l.msg.includes('refused a connection'))?.msg).toContain('raise inputs[0].max_connections');
    expect(first.destroyed).toBe(false);
  });

  it('stop() commits what was received, closes open connections and returns promptly', async () => {
    const { input, count, stop } = await setup({ config: { protocol: 'tcp' } });
    const c = await tcpClient(input.port);
    c.write('<13>Oct 11 22:14:15 h app: before stop\n');
    await waitFor(() => count() === 1, 10_000);
    const t0 = Date.now();
    await stop();
    await closed(c);
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(tcpClient(input.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
