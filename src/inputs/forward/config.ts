// The forward input's config keys: where to listen and the optional shared-key handshake.
import { hostname } from 'node:os';
import { z } from 'zod';
import { port, secret, section, text } from '../../config/keys.js';
import { serverTlsSchema } from '../../config/tls.js';

export const forwardInputSchema = section({
  type: z.literal('forward'),
  bind: text().prefault('127.0.0.1').describe('address to listen on'),
  port: port(24224).describe('TCP port (fluent forward protocol)'),
  shared_key: secret(text())
    .optional()
    .describe('enables the HELO/PING/PONG handshake')
    .meta({ example: '${FORWARD_KEY:-change-me-forward-key}' }),
  self_hostname: text()
    .prefault(() => hostname())
    .describe('hostname sent in the handshake; default: this host')
    .meta({ example: 'collector-1', commented: true }),
  tls: serverTlsSchema.optional().describe('cert_file, key_file, ca_file (clients must then present a certificate signed by it); off when not set'),
}).describe('The fluent forward protocol: fluent-logger clients, fluentd / Fluent Bit out_forward.');

export type ForwardInputConfig = z.output<typeof forwardInputSchema>;
