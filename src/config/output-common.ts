// The keys every output type shares: `name` and `match` first, the delivery keys (timeout, dedup
// window, concurrency, retry) last. An output's schema spreads both around its own keys:
// `section({ type: z.literal('td'), ...outputHead, <its keys>, ...outputDelivery })`.
import { choice, count, countOrNull, duration, flag, ratio, section, text } from './keys.js';
import type { z } from 'zod';

export const concurrencySchema = section({
  max: count(8, 1, 1024).describe('most requests in flight to this output'),
  adaptive: flag(true).describe('AIMD: start at 1 after recovery, grow by 1, shrink on 429/503/timeouts'),
  decrease_ratio: ratio(0.5, 0, 1, { above: true }).describe('multiply concurrency by this on overload'),
});

export const retrySchema = section({
  type: choice(['exponential', 'periodic'], 'exponential').describe('exponential backoff, or a fixed interval'),
  wait: duration('1s', { positive: true }).describe('first wait, or the fixed interval'),
  max_wait: duration('5m', { positive: true }).describe('cap on the wait, applied before jitter'),
  jitter: choice(['full', 'equal', 'none'], 'full').describe('jitter of exponential waits'),
  randomize: ratio(0.5, 0, 1).describe('± fraction applied to periodic waits'),
  timeout: duration('72h', { positive: true }).describe('a chunk failing this long is parked'),
  max_attempts: countOrNull(1).describe('park a chunk after this many attempts; null: no limit'),
});

export type ConcurrencyConfig = z.output<typeof concurrencySchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type RetryType = RetryConfig['type'];
export type JitterMode = RetryConfig['jitter'];

/** Keys every output has, before its own. */
export const outputHead = {
  name: text().optional().describe('shown in status and metrics; default <type>.<index>').meta({ example: 'td' }),
  match: text().describe('fluentd tag pattern: * one part, ** any parts, {a,b}').meta({ example: 'td.**' }),
};

/** Keys every output has, after its own. */
export const outputDelivery = {
  timeout: duration('60s', { positive: true }).describe('request timeout; after it the chunk is in doubt'),
  dedup_window: duration('20m').describe("the endpoint's de-duplication window"),
  concurrency: concurrencySchema.prefault({}),
  retry: retrySchema.prefault({}),
};

/**
 * An output config as the rest of tdfwd sees it: the loader names every output (`td.0` when the file
 * does not), so `name` is always set. Distributes over a union of output types.
 */
export type Named<T> = T extends unknown ? Omit<T, 'name'> & { name: string } : never;
