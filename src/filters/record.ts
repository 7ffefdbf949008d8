// `type: record` compiled for one tag: `set` values with their placeholders filled in for that tag,
// packed once into the pool; then `remove`. A key set that exists keeps its place; a new one is
// appended (as assigning to an object does).
import type { LogRecord } from '../core/record.js';
import { isIndexKey } from './keys.js';
import { POOL, type MapView } from './map-view.js';
import { fillPlaceholders, type PlaceholderValues } from './placeholders.js';
import type { RecordFilterConfig } from './record-config.js';
import { DECODE, KEEP, utf8, type Packed, type Pool, type Step, type Verdict } from './step.js';

interface SetKey {
  name: string;
  utf8: Buffer;
  value: string | number | boolean | null;
  key: Packed;
  packed: Packed;
}

export function compileRecordFilter(cfg: RecordFilterConfig, label: string, values: PlaceholderValues, pool: Pool): Step {
  const sets: SetKey[] = Object.entries(cfg.set).map(([name, raw]) => {
    const value = typeof raw === 'string' ? fillPlaceholders(raw, values) : raw;
    return { name, utf8: utf8(name), value, key: pool.add(name), packed: pool.add(value) };
  });
  const removes = cfg.remove.map((name) => ({ name, keys: [utf8(name)] }));
  return {
    label,
    objectOnly: sets.some((s) => isIndexKey(s.name)),
    record(r: LogRecord): LogRecord {
      for (const s of sets) (r as Record<string, unknown>)[s.name] = s.value;
      for (const k of removes) delete (r as Record<string, unknown>)[k.name];
      return r;
    },
    pairs(v: MapView): Verdict {
      for (const s of sets) {
        const i = v.find(s.utf8);
        if (i >= 0) v.setValue(i, POOL, s.packed.start, s.packed.end);
        else if (i === -1) v.append(s.key.start, s.key.content, s.key.end, POOL, s.packed.start, s.packed.end);
        else return DECODE;
      }
      for (const k of removes) {
        for (let i = 0; i < v.n; i++) if (v.dead[i] === 0 && v.keyIn(i, k.keys)) v.remove(i);
      }
      return KEEP;
    },
  };
}
