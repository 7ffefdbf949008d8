// `tdfwd status [--json]`: buffer and output state. Reads the buffer without creating it.
import type { Command } from 'commander';
import { bufferFileExists } from '../buffer/access.js';
import type { BufferStats } from '../buffer/store.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { openStore } from '../daemon/open-store.js';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { someoneDelivering } from './delivering.js';
import { globalsOf } from './globals.js';
import { statusJson, type OutputStateView, type OutputStatusJson, type StatusJson } from '../daemon/status-json.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('buffer and output state')
    .option('--json', 'machine-readable JSON')
    .action(
      action(async (opts: { json?: boolean }, cmd: Command) => {
        const ctx = loadForCommand(globalsOf(cmd));
        const dir = ctx.config.buffer.path;
        let stats: BufferStats | null = null;
        let counters: Record<string, number> = {};
        let outputState: Map<string, OutputStateView> = new Map();
        let delivering = false;
        if (bufferFileExists(dir)) {
          const store = openStore(ctx.config.buffer);
          try {
            stats = store.stats();
            counters = store.counters();
            outputState = new Map(store.outputStates().map((s) => [s.name, s]));
            delivering = someoneDelivering(dir, store.listChunks('inflight', 1000).map((c) => c.lease_owner));
          } finally {
            await store.close();
          }
        }
        const json = statusJson(dir, stats, counters, ctx.config.outputs, outputState, { delivering });
        process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : render(json, stats === null));
        return 0;
      }),
    );
}

function render(j: StatusJson, missing: boolean, now = Date.now()): string {
  const lines: string[] = [];
  lines.push(`buffer   ${j.buffer}${missing ? '  (empty: no buffer.db yet)' : ''}`);
  lines.push(`chunks   open ${j.chunks.open}  queued ${j.chunks.queued + j.chunks.sealing}  inflight ${j.chunks.inflight}  parked ${j.chunks.parked}`);
  lines.push(`pending  ${j.pending_records} records, ${formatBytes(j.pending_bytes)}` + (j.oldest_pending_age_s !== null ? `, oldest ${formatDuration(j.oldest_pending_age_s * 1000)} ago` : ''));
  if (j.parked_records > 0) lines.push(`parked   ${j.parked_records} records  (tdfwd chunks list --state parked)`);
  if (j.dropped_records > 0) lines.push(`dropped  ${j.dropped_records} records (overflow action or chunks drop)`);
  lines.push('');
  lines.push('OUTPUT'.padEnd(16) + 'TYPE'.padEnd(8) + 'MATCH'.padEnd(16) + 'STATE'.padEnd(10) + 'CONC'.padEnd(6) + 'NEXT ATTEMPT'.padEnd(26) + 'AS OF');
  for (const o of j.outputs) {
    lines.push(
      o.name.padEnd(16) + o.type.padEnd(8) + o.match.padEnd(16) + o.state.padEnd(10) + String(o.concurrency).padEnd(6) +
        (o.next_attempt_at ?? '-').padEnd(26) + asOf(o, now),
    );
  }
  const copies = j.outputs.filter((o) => o.copies);
  if (copies.length > 0) {
    lines.push('', 'copies (routing: copy), by output:');
    for (const o of copies) lines.push(`  ${o.name.padEnd(14)}queued ${o.copies?.queued ?? 0}  inflight ${o.copies?.inflight ?? 0}  parked ${o.copies?.parked ?? 0}`);
  }
  const idle = j.outputs.filter((o) => o.state === 'idle');
  if (idle.length > 0) lines.push('', `idle: left ${idle.map((o) => `${o.name} in ${o.last_state ?? '?'}`).join(', ')} and no process is delivering; \`tdfwd flush\` or the daemon tries again`);
  if (j.outputs.some((o) => o.state === 'unknown')) lines.push('', 'unknown: no attempt has reached that output yet');
  return lines.join('\n') + '\n';
}

function asOf(o: OutputStatusJson, now: number): string {
  if (o.recorded_at === null) return '-';
  return `${o.recorded_at} (${formatDuration(Math.max(0, now - Date.parse(o.recorded_at)))} ago)`;
}
