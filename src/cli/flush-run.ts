// `tdfwd flush`, the work: seal open chunks and deliver everything buffered,
// oldest first, through the same delivery engine as the daemon. Exit 0 when nothing deliverable is
// left; 1 when chunks remain (endpoint unreachable until the timeout, parked, or matching no output).
import { EXIT_INCOMPLETE, EXIT_OK, UsageError } from '../core/errors.js';
import { systemClock, systemRandom } from '../core/clock.js';
import { formatBytes } from '../core/units.js';
import { DeliveryEngine } from '../delivery/engine.js';
import { combineObservers } from '../delivery/events.js';
import { persistOutputState } from '../delivery/persist-state.js';
import { buildOutputs } from '../daemon/compose.js';
import { openStore } from '../daemon/open-store.js';
import { compilePattern, type TagMatcher } from '../router/pattern.js';
import type { CommandContext } from './context.js';
import { deliveryLog } from './delivery-log.js';
import { durationFlag } from './flags.js';
import { drainEndLine } from './flush-end.js';
import { FlushProgress } from './progress.js';

export interface FlushOptions {
  timeout: string;
  match?: string;
}

export async function runFlush(ctx: CommandContext, opts: FlushOptions): Promise<number> {
  const timeoutMs = durationFlag('--timeout', opts.timeout);
  let filter: TagMatcher | undefined;
  if (opts.match !== undefined) {
    try {
      filter = compilePattern(opts.match);
    } catch (err) {
      throw new UsageError(`--match: ${(err as Error).message}`);
    }
  }
  const say = (line: string): void => void process.stderr.write(`tdfwd flush: ${line}\n`);
  const outputs = buildOutputs(ctx.config.outputs, ctx.fromFile, (n) => say(n.level === 'warn' ? `warning: ${n.message}` : n.message));
  const store = openStore(ctx.config.buffer);
  try {
    await store.sealOpen();
    store.reclaimLeases();
    const progress = new FlushProgress(Boolean(process.stderr.isTTY));
    const engine = new DeliveryEngine({
      queue: store,
      outputs,
      clock: systemClock,
      random: systemRandom,
      observer: combineObservers(progress, deliveryLog(say), persistOutputState(store, outputs.map((o) => ({ name: o.name, concurrency: 1 })))),
      pollMs: 200,
      routing: ctx.config.routing,
      ...(filter ? { tagFilter: filter } : {}),
    });
    const toDeliver = engine.deliveriesOf(store.pendingByRoute());
    progress.start(toDeliver.records, toDeliver.chunks);
    const sigint = new AbortController();
    const onSignal = (): void => sigint.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result;
    try {
      result = await engine.drain(timeoutMs, sigint.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await engine.stop(0);
      progress.stop();
    }
    const after = store.stats();
    const t = progress.tally;
    const secs = progress.elapsedSeconds();
    say(
      `delivered ${t.deliveredRecords} records (${formatBytes(t.deliveredBytes)}) in ${t.deliveredChunks} chunks in ${secs.toFixed(2)}s` +
        ` (${secs > 0 ? Math.round(t.deliveredRecords / secs) : 0} records/s; ${t.requests} requests, ${t.retries} retried, ${t.inDoubt} in doubt)` +
        `; ${after.pendingRecords} records pending, ${after.chunks.parked} chunks parked`,
    );
    let code = EXIT_OK;
    if (result.unrouted.length > 0) {
      say(`no output matches tag(s) ${result.unrouted.join(', ')}: those chunks stay buffered`);
      code = EXIT_INCOMPLETE;
    }
    const end = drainEndLine(result, opts.timeout, secs);
    if (end !== null) {
      say(end);
      code = EXIT_INCOMPLETE;
    }
    if (t.parkedChunks > 0) {
      say(`${t.parkedChunks} chunks were parked: \`tdfwd chunks list --state parked\` shows why`);
      code = EXIT_INCOMPLETE;
    }
    return code;
  } finally {
    await store.close();
  }
}
