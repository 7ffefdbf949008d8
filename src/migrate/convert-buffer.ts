// An output's `<buffer>` section (or, in td-agent 2 configs, the buffer_* parameters on the match)
// → tdfwd's one `buffer:` section plus the output's own `retry` and `concurrency`. fluentd has a
// buffer per output and tdfwd one for all: the first output that sets a buffer key sets it, and a
// later output with another value for it gets a `not converted:` note naming the value kept.
import type { Param, Where } from './fluentd-config.js';
import { bool, duration, integer, size, type Converted } from './fluentd-values.js';
import type { Places } from './section.js';
import { Section } from './section.js';

/** The buffer keys collected from every output, with where each was set. */
export class SharedBuffer {
  readonly values: Record<string, unknown> = {};
  readonly #from = new Map<string, Where>();

  constructor(readonly places: Places) {}

  set(sec: Section, key: string, value: unknown, p: Param): void {
    const prior = this.#from.get(key);
    if (prior === undefined) {
      this.values[key] = value;
      this.#from.set(key, p);
    } else if (this.values[key] !== value) {
      sec.notes.notConverted(p, `${p.key} ${p.value} (tdfwd has one buffer for all outputs; its ${key} is ${String(this.values[key])}, from ${this.places.at(prior)})`);
    }
  }
}

const OVERFLOW: Readonly<Record<string, string>> = {
  block: 'block',
  drop_oldest_chunk: 'drop_oldest_chunk',
  throw_exception: 'throw_exception',
  exception: 'throw_exception',
};

/** Fills `out.retry` / `out.concurrency` and the shared buffer from the output `sec`. */
export function convertBuffer(sec: Section, out: Record<string, unknown>, shared: SharedBuffer): void {
  const block = sec.children('buffer')[0];
  const b = block ? new Section(block, sec.notes) : sec;
  const v1 = block !== undefined;
  const k = (newName: string, oldName: string) => (v1 ? newName : oldName);

  const type = v1 ? b.take('@type', 'type') : b.take('buffer_type');
  if (type && type.value === 'memory') b.reject(type, "tdfwd's buffer is always on disk (SQLite in buffer.path)");
  b.take(k('path', 'buffer_path')); // tdfwd's buffer lives in buffer.path, for every output
  const shared1 = <T>(key: string, names: string[], conv: (raw: string) => Converted<T>, map: (x: T) => unknown = (x) => x) => {
    const p = b.take(...names);
    if (!p) return;
    const r = conv(p.value);
    if (r.ok) shared.set(b, key, map(r.value), p);
    else b.notes.notConverted(p, `${p.key}: ${r.why}`);
  };
  shared1('chunk_limit_size', [k('chunk_limit_size', 'buffer_chunk_limit')], size);
  if (v1) shared1('chunk_limit_records', ['chunk_limit_records'], integer);
  if (v1) shared1('total_limit_size', ['total_limit_size'], size);
  shared1('flush_interval', ['flush_interval'], duration);
  const overflow = b.take(k('overflow_action', 'buffer_queue_full_action'));
  if (overflow) {
    const action = OVERFLOW[overflow.value];
    if (action) shared.set(b, 'overflow_action', action, overflow);
    else b.reject(overflow, 'tdfwd takes block, drop_oldest_chunk or throw_exception');
  }
  const threads = b.convert(k('flush_thread_count', 'num_threads'), integer);
  if (threads !== undefined) out.concurrency = { max: Math.max(1, threads) };

  const retry: Record<string, unknown> = {};
  const retryType = b.take('retry_type');
  if (retryType) {
    if (retryType.value === 'exponential_backoff') retry.type = 'exponential';
    else if (retryType.value === 'periodic') retry.type = 'periodic';
    else b.reject(retryType, 'tdfwd takes exponential_backoff or periodic');
  }
  const wait = b.convert('retry_wait', duration);
  if (wait !== undefined) retry.wait = wait;
  const maxWait = b.convert(k('retry_max_interval', 'max_retry_wait'), duration);
  if (maxWait !== undefined) retry.max_wait = maxWait;
  const timeout = b.convert('retry_timeout', duration);
  if (timeout !== undefined) retry.timeout = timeout;
  // fluentd counts retries after the first attempt; tdfwd counts attempts.
  const maxTimes = b.convert(k('retry_max_times', 'retry_limit'), integer);
  if (maxTimes !== undefined) retry.max_attempts = maxTimes + 1;
  const randomize = b.convert('retry_randomize', bool);
  if (randomize === false) {
    if (retry.type === 'periodic') retry.randomize = 0;
    else retry.jitter = 'none';
  }
  const forever = b.take(k('retry_forever', 'disable_retry_limit'));
  if (forever && (bool(forever.value) as { value?: boolean }).value === true) {
    b.reject(forever, 'tdfwd parks a chunk that fails longer than retry.timeout (72h by default) instead of retrying it forever; raise retry.timeout if you need longer');
  }
  const base = b.take('retry_exponential_backoff_base');
  if (base && Number(base.value) !== 2) b.reject(base, 'tdfwd doubles the wait at each retry');
  if (Object.keys(retry).length > 0) out.retry = retry;

  const mode = b.take('flush_mode');
  if (mode && mode.value !== 'interval' && mode.value !== 'default') b.reject(mode, 'tdfwd seals chunks by size, record count or buffer.flush_interval');
  b.take('flush_at_shutdown'); // tdfwd seals and delivers at shutdown anyway
  const reasons = {
    timekey: 'tdfwd chunks by tag and time of arrival, not by event time',
    timekey_wait: 'tdfwd chunks by tag and time of arrival, not by event time',
    queue_limit_length: 'tdfwd bounds the buffer by buffer.total_limit_size',
    buffer_queue_limit: 'tdfwd bounds the buffer by buffer.total_limit_size',
    queued_chunks_limit_size: 'tdfwd bounds the buffer by buffer.total_limit_size',
    compress: 'tdfwd stores every chunk gzip-compressed',
    retry_secondary_threshold: 'tdfwd parks chunks instead of writing them to a <secondary>',
  };
  if (block) {
    const keys = block.arg.split(',').map((x) => x.trim()).filter(Boolean);
    if (keys.some((x) => x !== 'tag')) sec.notes.notConverted(block, `<buffer ${block.arg}> (tdfwd chunks by tag only)`);
    b.finish(reasons);
  } else {
    for (const key of Object.keys(reasons)) {
      const p = sec.take(key);
      if (p) sec.reject(p, reasons[key as keyof typeof reasons]);
    }
  }
}
