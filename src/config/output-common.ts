// The keys every output has (timeout, dedup window, concurrency, retry), shared by the schemas in
// src/config/outputs.ts and those next to their output's code (src/outputs/forward/config.ts). Types
// here are structural (no import of types.ts), so a schema file next to its output can derive its
// type without an import cycle.
import type { z } from 'zod';
import { choice, count, countOrNull, duration, flag, ratio, strict, text } from './keys.js';

export const concurrency = strict({
  max: count(8, 1, 1024).describe('most requests in flight to this output'),
  adaptive: flag(true).describe('AIMD: start at 1 after recovery, grow by 1, shrink on 429/503/timeouts'),
  decrease_ratio: ratio(0.5, 0, 1, { above: true }).describe('multiply concurrency by this on overload'),
}).transform((c) => ({ max: c.max, adaptive: c.adaptive, decreaseRatio: c.decrease_ratio }));

export const retry = strict({
  type: choice(['exponential', 'periodic'], 'exponential').describe('exponential backoff, or a fixed interval'),
  wait: duration('1s', { positive: true }).describe('first wait, or the fixed interval'),
  max_wait: duration('5m', { positive: true }).describe('cap on the wait, applied before jitter'),
  jitter: choice(['full', 'equal', 'none'], 'full').describe('jitter of exponential waits'),
  randomize: ratio(0.5, 0, 1).describe('± fraction applied to periodic waits'),
  timeout: duration('72h', { positive: true }).describe('a chunk failing this long is parked'),
  max_attempts: countOrNull(1).describe('park a chunk after this many attempts; null: no limit'),
}).transform(
  (r) => ({
    type: r.type,
    wait: r.wait,
    maxWait: r.max_wait,
    jitter: r.jitter,
    randomize: r.randomize,
    timeout: r.timeout,
    maxAttempts: r.max_attempts,
  }),
);

/** Keys every output has. */
export const common = {
  name: text().optional().describe('shown in status and metrics; default <type>.<index>'),
  match: text().describe('fluentd tag pattern: * one part, ** any parts, {a,b}'),
  timeout: duration('60s', { positive: true }).describe('request timeout; after it the chunk is in doubt'),
  dedup_window: duration('20m').describe("the endpoint's de-duplication window"),
  concurrency: concurrency.prefault({}),
  retry: retry.prefault({}),
};

export type Common = {
  name?: string;
  match: string;
  timeout: number;
  dedup_window: number;
  concurrency: z.output<typeof concurrency>;
  retry: z.output<typeof retry>;
};
export type Unnamed<T> = Omit<T, 'name'> & { name: string | undefined };

export function resolveCommon(c: Common) {
  return {
    name: c.name,
    match: c.match,
    timeout: c.timeout,
    dedupWindow: c.dedup_window,
    concurrency: c.concurrency,
    retry: c.retry,
  };
}

