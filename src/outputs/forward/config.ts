// The forward output's keys (fluentd out_forward / Fluent Bit `forward`): the aggregators to send to,
// the shared-key handshake, acks, compression, heartbeats and client TLS. Its type is derived from the
// schema; registered with one line in src/config/outputs.ts.
import { hostname } from 'node:os';
import { z } from 'zod';
import { outputTlsKey, type ClientTlsConfig } from '../../config/tls.js';
import { choice, count, duration, flag, port, secret, section, text } from '../../config/keys.js';
import { outputDelivery, outputHead, type Named } from '../../config/output-common.js';

const server = section({
  host: text().describe('aggregator host name or address'),
  port: port(24224).describe('its forward port'),
  weight: count(60, 1, 1000).describe('share of the chunks it gets among the servers that are up'),
  standby: flag(false).describe('used only when no non-standby server is up'),
});

/** The same client `tls` keys as the td and http outputs (src/config/tls.ts). */
export type ForwardTlsConfig = ClientTlsConfig;

export const forwardOutputSchema = section({
  type: z.literal('forward'),
  ...outputHead,
  match: outputHead.match.meta({ example: '**' }),
  servers: z
    .array(server)
    .min(1)
    .describe('aggregators: weighted choice per chunk among those up; standby ones only when no other is up')
    .meta({ example: [{ host: 'agg1.internal', port: 24224, weight: 60 }, { host: 'agg2.internal', port: 24224, standby: true }] }),
  shared_key: secret(text())
    .optional()
    .describe('HELO/PING/PONG handshake key, as the server has it')
    .meta({ example: '${FORWARD_KEY:-change-me-forward-key}', commented: true }),
  self_hostname: text()
    .prefault(() => hostname())
    .describe('hostname sent in the handshake; default: this host')
    .meta({ example: 'web-1', commented: true }),
  require_ack_response: flag(true).describe('wait for {ack: chunk id}; false: done once written'),
  ack_response_timeout: duration('190s', { positive: true }).describe('no ack this long after writing: in doubt, re-sent with the same chunk id'),
  compress: choice(['gzip', 'none'], 'gzip').describe('gzip: CompressedPackedForward; none: PackedForward'),
  heartbeat_interval: duration('1s', { positive: true }).describe('connect probe of each server (a TLS handshake with tls); a failing one is skipped'),
  ...outputTlsKey,
  ...outputDelivery,
})
  .superRefine((c, ctx) => {
    if (c.servers.length > 0 && c.servers.every((s) => s.standby)) {
      ctx.addIssue({ code: 'custom', path: ['servers'], message: 'every server is a standby: mark at least one without standby: true' });
    }
  })
  .describe('The fluent forward protocol to aggregators (fluentd, Fluent Bit, another tdfwd): one CompressedPackedForward frame per chunk, the chunk key as ack id.');

export type ForwardOutputConfig = Named<z.output<typeof forwardOutputSchema>>;
export type ForwardServerConfig = ForwardOutputConfig['servers'][number];
