// FilterChain: the config's `filters`, in order, between the inputs and the buffer. For each tag the
// filters whose `match` accepts it are compiled once (their placeholders filled in, their constant
// bytes packed into the tag's pool) and cached, as the router caches routes. Two ways in, with the
// same result: `applyRecord` for inputs that hold record objects, `applyBlock` for the encoders' msgpack
// blocks (records edited as bytes, see map-view.ts; a record the bytes cannot express exactly is
// decoded, filtered as an object and encoded again). Dropped records are reported per filter.
//
// Owns the per-tag cache (cleared past 10,000 tags) and the block scratch (one block at a time).
import { hostname as osHostname } from 'node:os';
import { valueEnd } from '../codec/forward-scan.js';
import { decodeOne, packOne } from '../codec/msgpack.js';
import type { BlockFilter } from '../core/record-filter.js';
import type { LogEvent, LogRecord } from '../core/record.js';
import { compilePattern, type TagMatcher } from '../router/pattern.js';
import { BlockWriter } from './block-writer.js';
import type { FilterConfig } from './config.js';
import { compileGrepFilter } from './grep.js';
import { MapView } from './map-view.js';
import { compileModifyFilter } from './modify.js';
import { compileRecordFilter } from './record.js';
import { DECODE, DROP, Pool, type Step } from './step.js';

export interface FilterChainOptions {
  /** `${hostname}`; default: this host's name. */
  hostname?: string;
  /** `n` records of a tag were dropped by the filter at `label` (`filters[1]`). */
  onDropped?: (label: string, n: number) => void;
}

interface TagChain {
  steps: Step[];
  pool: Buffer;
  /** Some step writes an array-index key: every record goes through the object path. */
  objectOnly: boolean;
}

const NONE: TagChain = { steps: [], pool: Buffer.alloc(0), objectOnly: false };
const MAX_CACHED_TAGS = 10_000;

export class FilterChain implements BlockFilter {
  readonly #filters: { cfg: FilterConfig; label: string; match: TagMatcher }[];
  readonly #hostname: string;
  readonly #onDropped: (label: string, n: number) => void;
  readonly #cache = new Map<string, TagChain>();
  readonly #view = new MapView();
  readonly #out = new BlockWriter();
  /** Drops of the current block, per step of its chain. */
  #drops: number[] = [];

  constructor(filters: readonly FilterConfig[], opts: FilterChainOptions = {}) {
    this.#filters = filters.map((cfg, i) => ({ cfg, label: `filters[${i}]`, match: compilePattern(cfg.match) }));
    this.#hostname = opts.hostname ?? osHostname();
    this.#onDropped = opts.onDropped ?? (() => {});
  }

  get active(): boolean {
    return this.#filters.length > 0;
  }

  /** The record after the filters for its tag, or null when one dropped it. */
  applyRecord(tag: string, record: LogRecord): LogRecord | null {
    const chain = this.#chain(tag);
    let r: LogRecord | null = record;
    for (const step of chain.steps) {
      r = step.record(r);
      if (r === null) {
        this.#onDropped(step.label, 1);
        return null;
      }
    }
    return r;
  }

  /** The events the filters keep, filtered (the same array when no filter applies to any of them). */
  applyEvents(events: readonly LogEvent[]): readonly LogEvent[] {
    if (!this.active) return events;
    const out: LogEvent[] = [];
    for (const e of events) {
      const record = this.applyRecord(e.tag, e.record);
      if (record !== null) out.push(record === e.record ? e : { tag: e.tag, record });
    }
    return out;
  }

  applyBlock(tag: string, entries: Buffer, records: number, copy?: (bytes: Uint8Array) => Buffer): { entries: Buffer; records: number } {
    const chain = this.#chain(tag);
    if (chain.steps.length === 0 || records === 0) return { entries, records };
    const drops = (this.#drops = chain.steps.map(() => 0));
    const view = this.#view;
    const out = this.#out;
    view.bufs[1] = chain.pool;
    out.begin();
    let kept = 0;
    let changed = false;
    let pos = 0;
    while (pos < entries.length) {
      const end = chain.objectOnly ? -1 : view.load(entries, pos);
      let verdict = end < 0 ? DECODE : this.#runPairs(chain.steps);
      if (verdict === DECODE) {
        const next = end >= 0 ? end : recordEnd(entries, pos);
        verdict = this.#decodeAndFilter(chain.steps, entries.subarray(pos, next), out);
        changed = true;
        pos = next;
      } else {
        if (verdict !== DROP) view.write(out);
        changed ||= verdict === DROP || view.modified;
        pos = end;
      }
      if (verdict !== DROP) kept++;
    }
    chain.steps.forEach((s, i) => {
      if ((drops[i] as number) > 0) this.#onDropped(s.label, drops[i] as number);
    });
    return changed ? { entries: out.take(copy), records: kept } : { entries, records };
  }

  #runPairs(steps: readonly Step[]): number {
    for (let i = 0; i < steps.length; i++) {
      const v = (steps[i] as Step).pairs(this.#view);
      if (v === DECODE) return DECODE;
      if (v === DROP) {
        this.#drops[i] = (this.#drops[i] as number) + 1;
        return DROP;
      }
    }
    return 0;
  }

  /** The record filtered as an object (exactly what applyRecord does), written re-encoded. */
  #decodeAndFilter(steps: readonly Step[], bytes: Buffer, out: BlockWriter): number {
    const decoded = decodeOne(bytes);
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      out.bytes(bytes); // not a record: not the filters' business
      return 0;
    }
    let r: LogRecord | null = decoded as LogRecord;
    for (let i = 0; i < steps.length; i++) {
      r = (steps[i] as Step).record(r);
      if (r === null) {
        this.#drops[i] = (this.#drops[i] as number) + 1;
        return DROP;
      }
    }
    out.bytes(packOne(r));
    return 0;
  }

  #chain(tag: string): TagChain {
    let chain = this.#cache.get(tag);
    if (chain === undefined) {
      chain = this.#compile(tag);
      if (this.#cache.size >= MAX_CACHED_TAGS) this.#cache.clear();
      this.#cache.set(tag, chain);
    }
    return chain;
  }

  #compile(tag: string): TagChain {
    const matching = this.#filters.filter((f) => f.match(tag));
    if (matching.length === 0) return NONE;
    const pool = new Pool();
    const values = { tag, hostname: this.#hostname };
    const steps = matching.map(({ cfg, label }): Step => {
      switch (cfg.type) {
        case 'record':
          return compileRecordFilter(cfg, label, values, pool);
        case 'grep':
          return compileGrepFilter(cfg, label);
        case 'modify':
          return compileModifyFilter(cfg, label, pool);
      }
    });
    return { steps, pool: pool.take(), objectOnly: steps.some((s) => s.objectOnly) };
  }
}

function recordEnd(buf: Buffer, pos: number): number {
  const end = valueEnd(buf, pos);
  if (end < 0) throw new Error('a record runs past the end of the block');
  return end;
}
