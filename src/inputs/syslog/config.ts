// The syslog input's keys (fluentd in_syslog / Fluent Bit `syslog`): protocol, address, the tag prefix,
// the message format and TCP framing. Its type is derived from the schema; registered with one line in
// src/config/inputs.ts.
import { z } from 'zod';
import { choice, count, port, section, size, text } from '../../config/keys.js';
import { isValidTag } from '../../core/record.js';

const FRAMINGS = ['auto', 'octet_counting', 'newline'] as const;

export const syslogInputSchema = section({
  type: z.literal('syslog'),
  protocol: choice(['udp', 'tcp'], 'udp').describe('udp (one datagram = one message, no delivery guarantee) or tcp'),
  bind: text().prefault('127.0.0.1').describe('address to listen on'),
  port: port(5140).describe('UDP or TCP port'),
  tag: text()
    .refine(isValidTag, { message: 'expected a tag like "system" (dot-separated parts, no spaces or wildcards)' })
    .describe('records are tagged <tag>.<facility>.<severity>, like fluentd in_syslog')
    .meta({ example: 'system' }),
  format: choice(['auto', 'rfc3164', 'rfc5424'], 'auto').describe('auto tells RFC 5424 (a version after the PRI) from RFC 3164'),
  framing: choice(FRAMINGS, 'auto').describe('tcp only: auto (per frame) | octet_counting | newline (RFC 6587)'),
  max_message_size: size('64KiB').describe('a longer message is truncated and marked with _parse_error'),
  max_connections: count(1000, 1).describe('tcp only: further connections are refused while this many are open'),
})
  .superRefine((c, ctx) => {
    if (c.protocol === 'udp' && c.framing !== 'auto') {
      ctx.addIssue({ code: 'custom', message: 'framing applies to protocol tcp only; remove it or set protocol: tcp', input: c.framing, path: ['framing'] });
    }
  })
  .describe('Syslog messages (RFC 3164 and 5424) over UDP or TCP (octet counting or newline framing).');

export type SyslogInputConfig = z.output<typeof syslogInputSchema>;
