// The whole file's schema: buffer, inputs, filters, outputs, routing, admin, shutdown_timeout. Parsing it yields
// the resolved config minus what needs the outside world (the buffer directory's precedence, output
// names, secrets): the loader (load.ts) adds those.
import { z } from 'zod';
import { choice, count, duration, got, section, size, text } from './keys.js';
import { filterSchema } from '../filters/config.js';
import { inputSchema } from './inputs.js';
import { outputSchema } from './outputs.js';
import { ROUTINGS } from '../router/router.js';

export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:24220';

export const bufferSchema = section({
  path: text()
    .optional()
    .describe('directory holding buffer.db; relative paths are from the config file; overridden by --buffer and TDFWD_BUFFER; default $XDG_STATE_HOME/tdfwd, else ~/.local/state/tdfwd')
    .meta({ example: '/var/lib/tdfwd' }),
  chunk_limit_size: size('8MiB').describe('seal a chunk at this size...'),
  chunk_limit_records: count(100_000, 1).describe('...or this many records...'),
  flush_interval: duration('10s', { positive: true }).describe('...or this age (timer jittered ±10%)'),
  total_limit_size: size('2GiB').describe('most bytes the buffer holds before the overflow action'),
  overflow_action: choice(['block', 'drop_oldest_chunk', 'throw_exception'], 'block').describe(
    'what a full buffer does to new data',
  ),
  sync: choice(['full', 'normal'], 'full').describe('SQLite synchronous mode'),
});

/** "host:port" (IPv6 as "[::1]:port"), or null / "off" / false to disable the admin server. */
function listenAddress() {
  return z
    .unknown()
    .transform((v, ctx): string | null => {
      if (v === null || v === false || v === 'off' || v === 'false') return null;
      const m = typeof v === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(v) : null;
      if (!m || Number(m[2]) > 65535) {
        ctx.issues.push({
          code: 'custom',
          message: `expected host:port like "127.0.0.1:24220", or off (got ${got(v)})`,
          input: v,
        });
        return z.NEVER;
      }
      return v as string;
    })
    .prefault(DEFAULT_ADMIN_LISTEN);
}

export const adminSchema = section({
  listen: listenAddress().describe('GET /metrics, GET /api/status, POST /api/flush; off disables'),
});

export const fileSchema = section({
  buffer: bufferSchema.prefault({}),
  inputs: z.array(inputSchema).prefault([]),
  filters: z.array(filterSchema).prefault([]),
  outputs: z.array(outputSchema).prefault([]),
  routing: choice(ROUTINGS, 'first_match').describe('first_match: a tag goes to the first output that matches it; copy: to every one'),
  admin: adminSchema.prefault({}),
  shutdown_timeout: duration('10s').describe('on SIGTERM, deliver for up to this long, then exit'),
});

export type ParsedFile = z.output<typeof fileSchema>;
