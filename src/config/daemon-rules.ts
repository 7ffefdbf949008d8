// What `tdfwd run` needs of a config beyond the schema: something to read, and static tags that can
// be delivered. `send`, `flush` and `status` use a config file for its buffer and outputs alone, so
// these rules apply only where a daemon will run it: `tdfwd run`, its reloads and `config check`.
import type { Problem } from './issues.js';
import { tagDestinationProblem } from './tag-routes.js';
import type { Routing } from '../router/router.js';
import type { InputConfig, OutputConfig } from './types.js';

export function daemonProblems(inputs: readonly InputConfig[], outputs: readonly OutputConfig[], routing: Routing = 'first_match'): Problem[] {
  const problems: Problem[] = [];
  if (inputs.length === 0) {
    problems.push({
      path: 'inputs',
      message: 'no inputs configured: `tdfwd run` would have nothing to read; add one, e.g. - { type: tail, path: /var/log/app/*.log, tag: td.app.events } (see examples/quickstart.yaml)',
    });
  }
  inputs.forEach((input, i) => {
    if (input.type === 'syslog') {
      // <tag>.<facility>.<severity>: every facility and severity name makes the same number of parts.
      const problem = tagDestinationProblem(`${input.tag}.user.notice`, outputs);
      if (problem !== null) problems.push({ path: `inputs[${i}].tag`, message: `records are tagged ${input.tag}.<facility>.<severity> (e.g. ${input.tag}.user.notice): ${problem}` });
      return;
    }
    if (input.type !== 'stdin' && input.type !== 'tail') return; // forward, http: tags come with the data
    if (input.type === 'tail' && input.tag.includes('*')) return; // expands to each file's path
    const problem = tagDestinationProblem(input.tag, outputs, routing);
    if (problem !== null) problems.push({ path: `inputs[${i}].tag`, message: problem });
  });
  return problems;
}
