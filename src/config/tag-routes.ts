// Whether records of a tag known in advance (`send --tag`, a stdin or tail input's `tag`) can be
// delivered: the first output whose `match` accepts the tag (the router's rule; under `routing: copy`
// every one that does) and, for a td output, a database and table from the tag
// (src/router/td-destination.ts). Checked before anything is
// buffered, so a bad tag is a usage or config error (exit 2), not a parked chunk found later.
import { compilePattern } from '../router/pattern.js';
import type { Routing } from '../router/router.js';
import { tdDestination } from '../router/td-destination.js';
import type { OutputConfig } from './types.js';

/** Why records tagged `tag` could not be delivered by `outputs`, or null when they can. */
export function tagDestinationProblem(tag: string, outputs: readonly OutputConfig[], routing: Routing = 'first_match'): string | null {
  const matching = outputs.filter((o) => compilePattern(o.match)(tag));
  for (const output of routing === 'copy' ? matching : matching.slice(0, 1)) {
    if (output.type !== 'td') continue;
    const dest = tdDestination(tag, output);
    if (typeof dest === 'string') return `output ${output.name} (match "${output.match}") cannot send it: ${dest}`;
  }
  return null;
}
