// `ltsv`: Labeled Tab-separated Values (http://ltsv.org): `label:value` fields separated by tabs.
// Values stay strings (as fluentd's ltsv parser leaves them).

import { setField, type FieldParser } from './types.js';

export const parseLtsvFields: FieldParser = (line) => {
  const rec: Record<string, unknown> = {};
  let start = 0;
  let n = 0;
  while (start <= line.length) {
    let end = line.indexOf('\t', start);
    if (end === -1) end = line.length;
    if (end > start) {
      n++;
      const colon = line.indexOf(':', start);
      if (colon === -1 || colon >= end) return `ltsv field ${n} has no "label:value" form`;
      if (colon === start) return `ltsv field ${n} has an empty label`;
      setField(rec, line.slice(start, colon), line.slice(colon + 1, end));
    }
    start = end + 1;
  }
  if (n === 0) return 'ltsv line has no "label:value" fields';
  return rec;
};
