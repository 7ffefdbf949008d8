// `tdfwd send --tag TAG [--format F] [--time-key K] [--flush]`: stdin lines → buffer. Exits 0 once
// every line read is committed. A line that does not parse is kept ({message, _parse_error}) and
// counted, never dropped.
import type { Command } from 'commander';
import { RecordBatch } from '../codec/msgpack.js';
import { ConfigError, TdfwdError, UsageError } from '../core/errors.js';
import { isValidTag } from '../core/record.js';
import { formatBytes } from '../core/units.js';
import { BufferWriter } from '../ingest/writer.js';
import { createParser, LineSplitter, type LineParser } from '../parsers/index.js';
import { openStore } from '../daemon/compose.js';
import { action } from './action.js';
import { loadForCommand } from './context.js';
import { runFlush } from './flush.js';
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
  let parse: LineParser;
  try {
    parse = createParser(opts.format, opts.timeKey !== undefined ? { timeKey: opts.timeKey } : {});
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`--format: ${err.message}`);
    throw err;
  }
  const ctx = loadForCommand(globalsOf(cmd));
  const store = openStore(ctx.config.buffer);
  const writer = new BufferWriter(store, { onBlocked: (m) => process.stderr.write(`tdfwd send: ${m} (run \`tdfwd flush\` or the daemon)\n`) });
  const started = performance.now();
  const stats = { lines: 0, bytes: 0, parseErrors: 0, committed: 0 };
  const partBytes = Math.max(64 * 1024, Math.min(2 * 1024 * 1024, Math.floor(ctx.config.buffer.chunkLimitSize / 4)));
  const partRecords = Math.max(1, Math.floor(ctx.config.buffer.chunkLimitRecords / 4));
  const batch = new RecordBatch(partBytes + 64 * 1024);
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    process.stdin.destroy();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const commit = async (): Promise<void> => {
    if (batch.count === 0) return;
    const records = batch.count;
    await writer.commit([{ tag: opts.tag, records, data: batch.take() }]);
    stats.committed += records;
  };
  const add = (line: string, nowSec: number): void => {
    if (line.length === 0) return;
    const r = parse(line, nowSec);
    if (r.error !== undefined) stats.parseErrors++;
    batch.add(r.record);
    stats.lines++;
  };

  try {
    const splitter = new LineSplitter();
    try {
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
        stats.bytes += chunk.length;
        const nowSec = Math.floor(Date.now() / 1000);
        for (const line of splitter.push(chunk)) {
          add(line, nowSec);
          if (batch.bytes >= partBytes || batch.count >= partRecords) await commit();
        }
      }
    } catch (err) {
      if (!interrupted) throw new TdfwdError('IO', `reading stdin failed: ${(err as Error).message}`);
    }
    const rest = splitter.end();
    if (rest !== null) add(rest, Math.floor(Date.now() / 1000));
    await commit();
    await store.drainSeals();
    if (splitter.truncatedLines > 0) process.stderr.write(`tdfwd send: ${splitter.truncatedLines} lines longer than 1 MiB were truncated\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  const secs = (performance.now() - started) / 1000;
  const rate = secs > 0 ? Math.round(stats.committed / secs) : stats.committed;
  process.stderr.write(
    `tdfwd send: ${stats.committed} records committed to ${ctx.config.buffer.path}` +
      ` (${formatBytes(stats.bytes)} read, ${stats.parseErrors} parse errors) in ${secs.toFixed(2)}s, ${rate} records/s\n`,
  );
  if (interrupted) {
    process.stderr.write('tdfwd send: interrupted; every line read before the signal is committed\n');
    return 1;
  }
  if (opts.flush) return runFlush(ctx, { timeout: opts.timeout ?? '5m' });
  return 0;
}
