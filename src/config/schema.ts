// The whole file's schema: buffer, inputs, filters, outputs, admin, shutdown_timeout. Parsing it yields the
// resolved config minus what needs the outside world (the buffer directory's precedence, secrets).
import { z } from 'zod';
import { filterSchema, type FilterConfig } from '../filters/config.js';
import type { AdminConfig, BufferConfig, InputConfig } from './types.js';
import { choice, count, duration, got, size, strict, text } from './keys.js';
import { inputSchema } from './inputs.js';
import { outputSchema, type UnnamedOutput } from './outputs.js';

export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:24220';

const buffer = strict({
  path: text().optional().describe('directory holding buffer.db; relative paths are from the config file'),
  chunk_limit_size: size('8MiB').describe('seal a chunk at this size...'),
  chunk_limit_records: count(100_000, 1).describe('...or this many records...'),
  flush_interval: duration('10s', { positive: true }).describe('...or this age (timer jittered ±10%)'),
  total_limit_size: size('2GiB').describe('most bytes the buffer holds before the overflow action'),
  overflow_action: choice(['block', 'drop_oldest_chunk', 'throw_exception'], 'block').describe(
    'what a full buffer does to new data',
  ),
  sync: choice(['full', 'normal'], 'full').describe('SQLite synchronous mode'),
}).transform(
  (b): Omit<BufferConfig, 'path'> & { path: string | undefined } => ({
    path: b.path,
    chunkLimitSize: b.chunk_limit_size,
    chunkLimitRecords: b.chunk_limit_records,
    flushInterval: b.flush_interval,
    totalLimitSize: b.total_limit_size,
    overflowAction: b.overflow_action,
    sync: b.sync,
  }),
);

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

const admin = strict({
  listen: listenAddress().describe('GET /metrics, GET /api/status, POST /api/flush; off disables'),
}).transform((a): AdminConfig => ({ listen: a.listen }));

export const fileSchema = strict({
  buffer: buffer.prefault({}),
  inputs: z.array(inputSchema).prefault([]),
  filters: z.array(filterSchema).prefault([]),
  outputs: z.array(outputSchema).prefault([]),
  admin: admin.prefault({}),
  shutdown_timeout: duration('10s').describe('on SIGTERM, deliver for up to this long, then exit'),
});

export interface ParsedFile {
  buffer: Omit<BufferConfig, 'path'> & { path: string | undefined };
  inputs: InputConfig[];
  filters: FilterConfig[];
  outputs: UnnamedOutput[];
  admin: AdminConfig;
  shutdown_timeout: number;
}
