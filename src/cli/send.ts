// `tdfwd send --tag TAG [--format F] [--time-key K] [--flush]`: stdin lines → buffer. The daemon's
// stdin input run once, alone, with an encoder and a buffer writer of its own. Exits 0 once every line
// read is committed; on SIGINT/SIGTERM it stops reading, commits the complete lines read and exits 1.
// A line that does not parse is kept ({message, _parse_error}) and counted, never dropped.
import type { Command } from 'commander';
import { ConfigError, UsageError } from '../core/errors.js';
import { tagDestinationProblem } from '../config/tag-routes.js';
import { isValidTag } from '../core/record.js';
import { formatBytes } from '../core/units.js';
import { FilterChain } from '../filters/index.js';
import { PartEncoder } from '../ingest/encoder.js';
import { BufferWriter } from '../ingest/writer.js';
import { StdinInput, type StdinTotals } from '../inputs/stdin.js';
import { createParser } from '../parsers/index.js';
import { openStore } from '../daemon/open-store.js';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { globalsOf } from './globals.js';

/**
 * Blocks read and not yet committed: six, where the daemon's stdin input keeps two. A pipe into `send`
 * is the whole job, so it trades ~5–9 MB of peak RSS for keeping the disk busy (bench/run.js).
 */
const SEND_BLOCKS_OUT = 6;

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
  const writer = new BufferWriter(store, {
    onBlocked: (m) => process.stderr.write(`tdfwd send: ${m} (run \`tdfwd flush\` or the daemon)\n`),
    maxPartBytes: Math.max(64 * 1024, Math.min(1024 * 1024, Math.floor(ctx.config.buffer.chunkLimitSize / 8))),
  });
  // The config's filters apply to what `send` buffers, as to what the daemon's inputs read.
  let filtered = 0;
  const filter = new FilterChain(ctx.config.filters, { onDropped: (_label, n) => (filtered += n) });
  const encoder = new PartEncoder({ limits: writer.partLimits, filter });
  const input = new StdinInput(
    'send',
    { type: 'stdin', tag: opts.tag, format: opts.format, ...(opts.timeKey !== undefined ? { timeKey: opts.timeKey } : {}) },
    // send reports from the totals below: the input's own log lines are for the daemon's log.
    { sink: writer, log: () => {}, encoder, blocksOut: SEND_BLOCKS_OUT },
  );
  const started = performance.now();
  // A signal stops reading only: the complete lines read are committed, waiting for room if need be.
  const onSignal = (): void => input.stopReading();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let totals: StdinTotals;
  try {
    await input.start();
    totals = await input.ended;
    await store.drainSeals();
    if (totals.truncatedLines > 0) process.stderr.write(`tdfwd send: ${totals.truncatedLines} lines longer than 1 MiB were truncated\n`);
  } catch (err) {
    process.stderr.write(`tdfwd send: ${input.records} records were committed before the failure\n`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await encoder.close();
    await store.close();
  }
  const committed = input.records;
  const secs = (performance.now() - started) / 1000;
  const rate = secs > 0 ? Math.round(committed / secs) : committed;
  process.stderr.write(
    `tdfwd send: ${committed} records committed to ${ctx.config.buffer.path}` +
      ` (${formatBytes(totals.bytes)} read, ${totals.parseErrors} parse errors${filtered > 0 ? `, ${filtered} dropped by filters` : ''})` +
      ` in ${secs.toFixed(2)}s, ${rate} records/s\n`,
  );
  if (totals.interrupted) {
    process.stderr.write('tdfwd send: interrupted; every line read before the signal is committed\n');
    return 1;
  }
  if (opts.flush) return (await import('./flush-run.js')).runFlush(ctx, { timeout: opts.timeout ?? '5m' });
  return 0;
}
