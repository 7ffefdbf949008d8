// Whether records of a tag known in advance (`send --tag`, a stdin or tail input's `tag`) can be
// delivered: the first output whose `match` accepts the tag (the router's rule) and, for a td output,
// a database and table from the tag (src/router/td-destination.ts). Checked before anything is
// buffered, so a bad tag is a usage or config error (exit 2), not a parked chunk found later.
import { compilePattern } from '../router/pattern.js';
import { tdDestination } from '../router/td-destination.js';
import type { OutputConfig } from './types.js';

/** Why records tagged `tag` could not be delivered by `outputs`, or null when they can. */
export function tagDestinationProblem(tag: string, outputs: readonly OutputConfig[]): string | null {
  const output = outputs.find((o) => compilePattern(o.match)(tag));
  if (output === undefined || output.type !== 'td') return null;
  const dest = tdDestination(tag, output);
  return typeof dest === 'string' ? `output ${output.name} (match "${output.match}") cannot send it: ${dest}` : null;
}
