// The forward output's keys (fluentd out_forward / Fluent Bit `forward`): the aggregators to send to,
// the shared-key handshake, acks, compression, heartbeats and client TLS. Its type is derived from the
// schema; registered with one line in src/config/outputs.ts.
import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { choice, count, duration, flag, port, strict, text } from '../../config/keys.js';
import { common, resolveCommon, type Unnamed } from '../../config/output-common.js';

/** A file the daemon must read at start: checked here, so `config check` names the key. */
function readableFile() {
  return text().superRefine((v, ctx) => {
    try {
      accessSync(v, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
      ctx.addIssue({ code: 'custom', message: `cannot read ${v}: ${why}`, input: v });
    }
  });
}

const server = strict({
  host: text().describe('aggregator host name or address'),
  port: port(24224).describe('its forward port'),
  weight: count(60, 1, 1000).describe('share of the chunks it gets among the servers that are up'),
  standby: flag(false).describe('used only when no non-standby server is up'),
}).transform((s) => ({ host: s.host, port: s.port, weight: s.weight, standby: s.standby }));

export const forwardTls = strict({
  ca_file: readableFile().optional().describe('PEM CA(s) trusted in addition to the system roots'),
  verify: flag(true).describe("check the server's certificate and name; false: no check at all"),
  cert_file: readableFile().optional().describe('client certificate (mTLS), with key_file'),
  key_file: readableFile().optional().describe('key of the client certificate'),
})
  .superRefine((t, ctx) => {
    if ((t.cert_file === undefined) !== (t.key_file === undefined)) {
      const missing = t.cert_file === undefined ? 'cert_file' : 'key_file';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'cert_file and key_file go together: set both for a client certificate, or neither' });
    }
  })
  .transform((t) => ({ caFile: t.ca_file, verify: t.verify, certFile: t.cert_file, keyFile: t.key_file }));

export type ForwardTlsConfig = z.output<typeof forwardTls>;

export const forwardOutputSchema = strict({
  type: z.literal('forward'),
  ...common,
  servers: z
    .array(server)
    .min(1)
    .describe('aggregators: weighted choice per chunk among those up; standby ones only when no other is up'),
  shared_key: text().optional().describe('HELO/PING/PONG handshake key, as the server has it'),
  self_hostname: text().optional().describe('hostname sent in the handshake; default: this host'),
  require_ack_response: flag(true).describe('wait for {ack: chunk id}; false: done once written'),
  ack_response_timeout: duration('190s', { positive: true }).describe('no ack this long after writing: in doubt, re-sent with the same chunk id'),
  compress: choice(['gzip', 'none'], 'gzip').describe('gzip: CompressedPackedForward; none: PackedForward'),
  heartbeat_interval: duration('1s', { positive: true }).describe('TCP connect probe of each server; a failing one is skipped'),
  tls: forwardTls.optional().describe('connect with TLS (off when not set)'),
})
  .superRefine((c, ctx) => {
    if (c.servers.length > 0 && c.servers.every((s) => s.standby)) {
      ctx.addIssue({ code: 'custom', path: ['servers'], message: 'every server is a standby: mark at least one without standby: true' });
    }
  })
  .transform((c) => ({
    type: 'forward' as const,
    ...resolveCommon(c),
    servers: c.servers,
    sharedKey: c.shared_key,
    selfHostname: c.self_hostname ?? hostname(),
    requireAckResponse: c.require_ack_response,
    ackResponseTimeout: c.ack_response_timeout,
    compress: c.compress,
    heartbeatInterval: c.heartbeat_interval,
    tls: c.tls,
  }));

export type ForwardOutputConfig = Omit<z.output<typeof forwardOutputSchema>, 'name'> & { name: string };
export type UnnamedForwardOutputConfig = Unnamed<ForwardOutputConfig>;
export type ForwardServerConfig = ForwardOutputConfig['servers'][number];
