// `tdfwd send --tag TAG [--format F] [--time-key K] [--flush]`: stdin lines → buffer. Exits 0 once
// every line read is committed. A line that does not parse is kept ({message, _parse_error}) and
// counted, never dropped.
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../core/errors.js';
import { tagDestinationProblem } from '../config/tag-routes.js';
import { isValidTag } from '../core/record.js';
import { formatBytes } from '../core/units.js';
import { BufferWriter } from '../ingest/writer.js';
import { readLines, type LineReadTotals } from '../ingest/line-reader.js';
import { createParser } from '../parsers/index.js';
import { openStore } from '../daemon/open-store.js';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { globalsOf } from './globals.js';

interface SendOptions {
  tag: string;
  format: string;
  timeKey?: string;
  flush?: boolean;
  timeout?: string;
}

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('read lines from stdin into the buffer; exit 0 once every line read is committed')
    .requiredOption('-t, --tag <tag>', 'tag of the records, e.g. td.mydb.mytable')
    .option('-f, --format <format>', 'none | json | ltsv | nginx | apache2 | regexp:<pattern>', 'none')
    .option('--time-key <key>', 'field holding the event time (number or date); default: now')
    .option('--flush', 'deliver everything buffered after reading (as `tdfwd flush`)')
    .option('--timeout <duration>', 'with --flush: how long to keep trying', '5m')
    .action(action(async (opts: SendOptions, cmd: Command) => send(opts, cmd)));
}

async function send(opts: SendOptions, cmd: Command): Promise<number> {
  if (!isValidTag(opts.tag)) throw new UsageError(`--tag: "${opts.tag}" is not a valid tag (dot-separated parts, no spaces or * { })`);
  try {
    createParser(opts.format, opts.timeKey !== undefined ? { timeKey: opts.timeKey } : {}); // validate here: exit 2
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`--format: ${err.message}`);
    throw err;
  }
  const ctx = loadForCommand(globalsOf(cmd));
  const undeliverable = tagDestinationProblem(opts.tag, ctx.config.outputs, ctx.config.routing); // before anything is buffered: exit 2
  if (undeliverable !== null) throw new UsageError(`--tag: ${undeliverable}`);
  const store = openStore(ctx.config.buffer);
  const writer = new BufferWriter(store, { onBlocked: (m) => process.stderr.write(`tdfwd send: ${m} (run \`tdfwd flush\` or the daemon)\n`) });
  const started = performance.now();
  let committed = 0;
  const reader = readLines(
    process.stdin,
    {
      tag: opts.tag,
      format: opts.format,
      ...(opts.timeKey !== undefined ? { timeKey: opts.timeKey } : {}),
      partBytes: Math.max(64 * 1024, Math.min(1024 * 1024, Math.floor(ctx.config.buffer.chunkLimitSize / 8))),
      partRecords: Math.max(1, Math.floor(ctx.config.buffer.chunkLimitRecords / 4)),
    },
    async (parts) => {
      await writer.commit(parts);
      for (const p of parts) committed += p.records;
    },
  );
  const onSignal = (): void => reader.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let totals: LineReadTotals;
  try {
    totals = await reader.done;
    await store.drainSeals();
    if (totals.truncatedLines > 0) process.stderr.write(`tdfwd send: ${totals.truncatedLines} lines longer than 1 MiB were truncated\n`);
  } catch (err) {
    process.stderr.write(`tdfwd send: ${committed} records were committed before the failure\n`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  const secs = (performance.now() - started) / 1000;
  const rate = secs > 0 ? Math.round(committed / secs) : committed;
  process.stderr.write(
    `tdfwd send: ${committed} records committed to ${ctx.config.buffer.path}` +
      ` (${formatBytes(totals.bytes)} read, ${totals.parseErrors} parse errors) in ${secs.toFixed(2)}s, ${rate} records/s\n`,
  );
  if (totals.interrupted) {
    process.stderr.write('tdfwd send: interrupted; every line read before the signal is committed\n');
    return 1;
  }
  if (opts.flush) return (await import('./flush-run.js')).runFlush(ctx, { timeout: opts.timeout ?? '5m' });
  return 0;
}
