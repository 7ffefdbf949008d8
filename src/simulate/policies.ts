// The delivery policies compared. `tdfwd` and `fluentd` are output configs for the REAL delivery
// engine, resolved through the real config schema (so `tdfwd` is exactly the PRODUCT.md defaults);
// `periodic` is the 2019 behaviour, which tdfwd's scheduler cannot express (it retries per output,
// never per chunk), so it has its own small scheduler (periodic-fleet.ts).
import { outputSchema } from '../config/outputs.js';
import type { OutputConfig } from '../config/types.js';
import { TdfwdError } from '../core/errors.js';

export type PolicyName = 'tdfwd' | 'periodic' | 'fluentd';
export const POLICIES: readonly PolicyName[] = ['tdfwd', 'periodic', 'fluentd'];

export interface PolicyOptions {
  /** The agents' idea of the endpoint's dedup window (config `dedup_window`). */
  dedupWindowMs: number;
}

/**
 * fluentd v1 (`retry_type exponential_backoff`, `retry_wait 1s`, no `retry_max_interval`,
 * `retry_randomize` ±12.5%, 2 flush threads): one retry state per output, a fixed number of
 * requests in flight. The real backoff cannot randomize exponential waits by ±12.5% (`randomize`
 * only applies to `type: periodic`), so the waits are exact powers of two (`jitter: none`): the same
 * mean as fluentd's, without its ±12.5% spread. `max_wait: 72h` stands for "no cap" (fluentd's
 * default; 72h is also its retry_timeout).
 */
const FLUENTD = {
  retry: { type: 'exponential', wait: '1s', max_wait: '72h', jitter: 'none', randomize: 0.125 },
  concurrency: { max: 2, adaptive: false },
};

export function policyOutputConfig(policy: Exclude<PolicyName, 'periodic'>, o: PolicyOptions): OutputConfig {
  const raw = {
    type: 'td',
    match: 'td.**',
    apikey: 'simulated',
    dedup_window: `${Math.round(o.dedupWindowMs)}ms`,
    ...(policy === 'fluentd' ? FLUENTD : {}),
  };
  const parsed = outputSchema.safeParse(raw);
  if (!parsed.success) throw new TdfwdError('CONFIG', `the ${policy} policy does not resolve to a valid output config: ${parsed.error.message}`);
  return { ...parsed.data, name: `${policy}.0` } as OutputConfig;
}

export function parsePolicies(text: string): PolicyName[] | string {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return 'name at least one policy';
  for (const n of names) if (!POLICIES.includes(n as PolicyName)) return `unknown policy "${n}"`;
  return [...new Set(names)] as PolicyName[];
}
