// The forward output's keys (fluentd out_forward / Fluent Bit `forward`): the aggregators to send to,
// the shared-key handshake, acks, compression, heartbeats and client TLS. Its type is derived from the
// schema; registered with one line in src/config/outputs.ts.
import { hostname } from 'node:os';
import { z } from 'zod';
import { clientTlsSchema, type ClientTlsConfig } from '../../config/tls.js';
import { choice, count, duration, flag, port, strict, text } from '../../config/keys.js';
import { common, resolveCommon, type Unnamed } from '../../config/output-common.js';

const server = strict({
  host: text().describe('aggregator host name or address'),
  port: port(24224).describe('its forward port'),
  weight: count(60, 1, 1000).describe('share of the chunks it gets among the servers that are up'),
  standby: flag(false).describe('used only when no non-standby server is up'),
}).transform((s) => ({ host: s.host, port: s.port, weight: s.weight, standby: s.standby }));

/** The same client `tls` keys as the td and http outputs (src/config/tls.ts). */
export const forwardTls = clientTlsSchema;

export type ForwardTlsConfig = ClientTlsConfig;

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
