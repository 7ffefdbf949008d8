// The syslog input in the real daemon (bin/tdfwd run): UDP datagrams and TCP octet-counted frames
// from real sockets reach the endpoint tagged <tag>.<facility>.<severity>; a malformed message is
// delivered with _parse_error and counted in tdfwd_input_parse_errors_total.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, metric, onCleanup, startDaemon, storedRows, tdOutput, work, writeConfig } from './daemon-harness.js';

describe('tdfwd run: syslog input', () => {
  it('UDP and TCP messages are delivered with their facility and severity in the tag', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '300ms' },
        inputs: [
          { type: 'syslog', protocol: 'udp', bind: '127.0.0.1', port: 0, tag: 'td' },
          { type: 'syslog', protocol: 'tcp', bind: '127.0.0.1', port: 0, tag: 'td', framing: 'octet_counting' },
        ],
        outputs: [tdOutput(ep.url)],
        admin: { listen: '127.0.0.1:0' },
      }),
    );
    const udp = createSocket('udp4');
    onCleanup(() => new Promise<void>((r) => udp.close(() => r())));
    const datagrams = ['<34>Oct 11 22:14:15 mymachine su[230]: udp one', '<14>1 2024-03-09T22:14:15Z web1 app - - [x@1 k="v"] udp two', 'no pri here'];
    for (const m of datagrams) await new Promise<void>((resolve, reject) => udp.send(m, d.inputPort('syslog', 0), '127.0.0.1', (e) => (e ? reject(e) : resolve())));

    const tcp = connect(d.inputPort('syslog', 1), '127.0.0.1');
    onCleanup(() => {
      tcp.destroy();
    });
    const frames = ['<86>Oct 11 22:14:15 host sshd[1]: tcp one\nsecond line', '<86>1 - host sshd - - - tcp two'];
    tcp.end(frames.map((m) => `${Buffer.byteLength(m)} ${m}`).join(''));

    await waitFor(() => storedRows(store).length >= 5, 20_000);
    const rows = storedRows(store);
    const where = rows.map((r) => `${r.database}.${r.table}:${String(r.record.message)}`).sort();
    expect(where).toEqual(['auth.crit:udp one', 'authpriv.info:tcp one\nsecond line', 'authpriv.info:tcp two', 'user.info:udp two', 'user.notice:no pri here']);
    expect(rows.find((r) => r.record.message === 'udp two')?.record).toMatchObject({ host: 'web1', ident: 'app', sd: { 'x@1': { k: 'v' } } });
    expect(rows.find((r) => r.record.message === 'no pri here')?.record._parse_error).toMatch(/<PRI>/);
    await waitFor(async () => (await metric(d.adminUrl(), 'tdfwd_input_parse_errors_total', { input: 'syslog.0' })) === 1, 10_000);
    expect(await metric(d.adminUrl(), 'tdfwd_input_parse_errors_total', { input: 'syslog.1' })).toBe(0);
    expect((await d.stop()).code).toBe(0);
  });

  it('a port in use is a clear error naming the key', async () => {
    const dir = work();
    const first = await startDaemon(
      writeConfig(join(dir, 'a.yaml'), { buffer: { path: join(dir, 'a') }, inputs: [{ type: 'syslog', protocol: 'tcp', port: 0, tag: 's' }], outputs: [{ type: 'stdout', match: '**' }], admin: { listen: 'off' } }),
    );
    const port = first.inputPort('syslog', 0);
    const second = await startDaemon(
      writeConfig(join(dir, 'b.yaml'), { buffer: { path: join(dir, 'b') }, inputs: [{ type: 'syslog', protocol: 'tcp', port, tag: 's' }], outputs: [{ type: 'stdout', match: '**' }], admin: { listen: 'off' } }),
    ).catch((err: Error) => err);
    expect(second).toBeInstanceOf(Error);
    expect(String(second)).toContain(`the syslog input cannot listen on tcp 127.0.0.1:${port} (EADDRINUSE); free the port or change inputs[0].port`);
    expect((await first.stop()).code).toBe(0);
  });
});
