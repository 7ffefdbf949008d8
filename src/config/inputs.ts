// One schema per input type, discriminated on `type`: the declared table of keys, their defaults
// (PRODUCT.md's example values) and what each means. Each schema resolves to its camelCase type.
import { hostname } from 'node:os';
import { z } from 'zod';
import type {
  ForwardInputConfig,
  HttpInputConfig,
  InputConfig,
  StdinInputConfig,
  TailInputConfig,
} from './types.js';
import { duration, flag, got, pattern, port, size, strict, stringList, text } from './keys.js';
// eslint-disable-next-line no-restricted-imports -- a type's schema lives next to its code (common.md); src/config assembles them
import { syslogInputSchema } from '../inputs/syslog/config.js';

export const PARSER_FORMATS = ['none', 'json', 'ltsv', 'nginx', 'apache2'] as const;

/** none | json | ltsv | nginx | apache2 | regexp:<pattern with named groups>. */
export function parserFormat() {
  return z
    .string()
    .superRefine((v, ctx) => {
      if ((PARSER_FORMATS as readonly string[]).includes(v)) return;
      if (v.startsWith('regexp:')) {
        try {
          const re = new RegExp(v.slice('regexp:'.length));
          if (!/\(\?<[A-Za-z_]/.test(re.source)) {
            ctx.addIssue({ code: 'custom', message: 'regexp: needs at least one named group like (?<message>.*)', input: v });
          }
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `regexp: does not compile: ${(err as Error).message}`, input: v });
        }
        return;
      }
      ctx.addIssue({
        code: 'custom',
        message: `expected one of: ${PARSER_FORMATS.join(', ')}, regexp:<pattern> (got ${got(v)})`,
        input: v,
      });
    })
    .prefault('none');
}

const stdin = strict({
  type: z.literal('stdin'),
  tag: text().describe('tag given to every record read from stdin'),
  format: parserFormat().describe('how a line becomes a record'),
  time_key: text().optional().describe('field holding the event time (number or date); else now'),
}).transform(
  (c): StdinInputConfig => ({ type: 'stdin', tag: c.tag, format: c.format, timeKey: c.time_key }),
);

const tail = strict({
  type: z.literal('tail'),
  path: stringList({ nonEmpty: true }).describe('file path or glob, or a list of them'),
  exclude: stringList({ nonEmpty: false }).optional().describe('globs of paths never to follow'),
  tag: text().describe('tag given to every record read from these files'),
  format: parserFormat().describe('how a line becomes a record'),
  time_key: text().optional().describe('field holding the event time (number or date); else now'),
  read_from_head: flag(false).describe('read a newly found file from its start instead of its end'),
  rotate_wait: duration('5s').describe('keep reading a rotated-away file this long'),
  refresh_interval: duration('10s', { positive: true }).describe('how often globs are re-expanded'),
  max_line_size: size('1MiB').describe('a longer line is truncated and counted'),
  multiline_start: pattern().optional().describe('regexp matching the first line of a multi-line event'),
  multiline_flush_interval: duration('1s', { positive: true }).describe('emit a pending multi-line event after this'),
}).transform(
  (c): TailInputConfig => ({
    type: 'tail',
    path: c.path,
    exclude: c.exclude ?? [],
    tag: c.tag,
    format: c.format,
    timeKey: c.time_key,
    readFromHead: c.read_from_head,
    rotateWait: c.rotate_wait,
    refreshInterval: c.refresh_interval,
    maxLineSize: c.max_line_size,
    multilineStart: c.multiline_start,
    multilineFlushInterval: c.multiline_flush_interval,
  }),
);

const forward = strict({
  type: z.literal('forward'),
  bind: text().prefault('127.0.0.1').describe('address to listen on'),
  port: port(24224).describe('TCP port (fluent forward protocol)'),
  shared_key: text().optional().describe('enables the HELO/PING/PONG handshake'),
  self_hostname: text().optional().describe('hostname sent in the handshake; default: this host'),
}).transform(
  (c): ForwardInputConfig => ({
    type: 'forward',
    bind: c.bind,
    port: c.port,
    sharedKey: c.shared_key,
    selfHostname: c.self_hostname ?? hostname(),
  }),
);

const http = strict({
  type: z.literal('http'),
  bind: text().prefault('127.0.0.1').describe('address to listen on'),
  port: port(9880).describe('TCP port; POST /{tag}'),
  max_body_size: size('8MiB').describe('larger requests get 413'),
}).transform(
  (c): HttpInputConfig => ({ type: 'http', bind: c.bind, port: c.port, maxBodySize: c.max_body_size }),
);

export const INPUT_TYPES = ['stdin', 'tail', 'forward', 'http', 'syslog'] as const;

export const inputSchema: z.ZodType<InputConfig, unknown> = z.discriminatedUnion('type', [stdin, tail, forward, http, syslogInputSchema]);
