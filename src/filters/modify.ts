// `type: modify` compiled: `rename` (old: new; the pair keeps its place under the new key, and a
// pair already named new goes), then `copy` (from: to; to is overwritten in place or appended), then
// `keep` (only the listed keys and time remain, in their order). Each applies only when its source
// key is there.
import type { LogRecord } from '../core/record.js';
import { isIndexKey } from './keys.js';
import { DUPLICATE, type MapView } from './map-view.js';
import type { ModifyFilterConfig } from './modify-config.js';
import { DECODE, KEEP, hasOwn, utf8, type Packed, type Pool, type Step, type Verdict } from './step.js';

interface Move {
  from: string;
  to: string;
  fromUtf8: Buffer;
  toUtf8: Buffer;
  toKey: Packed;
}

function moves(map: Record<string, string>, pool: Pool): Move[] {
  return Object.entries(map).map(([from, to]) => ({ from, to, fromUtf8: utf8(from), toUtf8: utf8(to), toKey: pool.add(to) }));
}

function renamed(r: LogRecord, m: Move): LogRecord {
  if (!hasOwn(r, m.from) || m.from === m.to) return r;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r)) {
    if (k === m.from) out[m.to] = r[k];
    else if (k !== m.to) out[k] = r[k];
  }
  return out as LogRecord;
}

export function compileModifyFilter(cfg: ModifyFilterConfig, label: string, pool: Pool): Step {
  const renames = moves(cfg.rename, pool);
  const copies = moves(cfg.copy, pool);
  const keep = cfg.keep === undefined ? null : new Set(['time', ...cfg.keep]);
  const keepUtf8 = keep === null ? [] : [...keep].map(utf8);
  return {
    label,
    objectOnly: renames.some((m) => isIndexKey(m.from) || isIndexKey(m.to)) || copies.some((m) => isIndexKey(m.to)),
    record(r: LogRecord): LogRecord {
      for (const m of renames) r = renamed(r, m);
      for (const m of copies) if (hasOwn(r, m.from)) (r as Record<string, unknown>)[m.to] = r[m.from];
      if (keep === null) return r;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(r)) if (keep.has(k)) out[k] = r[k];
      return out as LogRecord;
    },
    pairs(v: MapView): Verdict {
      for (const m of renames) {
        const i = v.find(m.fromUtf8);
        if (i === -1 || m.from === m.to) continue;
        const j = v.find(m.toUtf8);
        if (i === DUPLICATE || j === DUPLICATE) return DECODE;
        if (j >= 0) v.remove(j);
        v.setKey(i, m.toKey.start, m.toKey.content, m.toKey.end);
      }
      for (const m of copies) {
        const i = v.find(m.fromUtf8);
        if (i === -1) continue;
        const j = v.find(m.toUtf8);
        if (i === DUPLICATE || j === DUPLICATE) return DECODE;
        const w = v.vw[i] as number;
        const s = v.vs[i] as number;
        const e = v.ve[i] as number;
        if (j >= 0) v.setValue(j, w, s, e);
        else v.append(m.toKey.start, m.toKey.content, m.toKey.end, w, s, e);
      }
      if (keep !== null) {
        for (let i = 0; i < v.n; i++) if (v.dead[i] === 0 && !v.keyIn(i, keepUtf8)) v.remove(i);
      }
      return KEEP;
    },
  };
}
