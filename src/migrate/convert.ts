// A parsed td-agent.conf → a Migration: its sources, filters and matches converted in file order,
// one buffer collected from the outputs' buffer sections, and a `not converted:` note for every
// directive or parameter that has no tdfwd equivalent (labels, <system>, other plugins...).
import type { Directive, ParsedConfig } from './fluentd-config.js';
import { SharedBuffer } from './convert-buffer.js';
import { convertFilter } from './convert-filters.js';
import { convertMatch } from './convert-matches.js';
import { convertSource } from './convert-sources.js';
import type { Entry, Migration } from './model.js';
import { mayOverlap } from './patterns.js';
import { describe, Notes, Places } from './section.js';

const TOP_LEVEL_WHY: Readonly<Record<string, string>> = {
  system: 'process settings; tdfwd takes --log-level, and its service file sets the user',
  label: 'label routing is not converted',
  worker: 'tdfwd runs one process',
};

export function convert(parsed: ParsedConfig, mainFile: string): Migration {
  const places = new Places(mainFile);
  const header = new Notes(places);
  const buffer = new SharedBuffer(places);
  const m: Migration = {
    header: header.lines,
    buffer: buffer.values,
    bufferComments: [],
    routing: 'first_match',
    routingComments: [],
    inputs: [],
    filters: [],
    outputs: [],
    posFiles: [],
    notConverted: 0,
  };
  for (const inc of parsed.skippedIncludes) header.notConverted(inc, `@include ${inc.target} (${inc.reason})`);
  for (const p of parsed.root.params) header.notConverted(p, `${p.key} outside any directive`);
  /** Comment lines of parts that produced nothing: they go above the next entry of their section. */
  const pending = { inputs: [] as string[], filters: [] as string[], outputs: [] as string[] };
  const push = (list: Entry[], carry: string[], value: Record<string, unknown>, comments: string[]) => {
    list.push({ value, comments: [...carry.splice(0), ...comments] });
  };
  const matchOf = new Map<Entry, Directive>();
  for (const d of parsed.root.children) {
    if (d.name === 'source') {
      const r = convertSource(d, places);
      if (r.value === null) pending.inputs.push(...r.comments);
      else {
        push(m.inputs, pending.inputs, r.value, r.comments);
        if (r.posFile) m.posFiles.push({ posFile: r.posFile.path, file: d.file, line: d.line, input: m.inputs.length - 1 });
      }
    } else if (d.name === 'filter') {
      const r = convertFilter(d, places);
      if (r.value === null) pending.filters.push(...r.comments);
      else push(m.filters, pending.filters, r.value, r.comments);
    } else if (d.name === 'match') {
      const r = convertMatch(d, places, buffer);
      if (r.outputs.length === 0) pending.outputs.push(...r.comments);
      for (const o of r.outputs) {
        push(m.outputs, pending.outputs, o.value, o.comments);
        matchOf.set(m.outputs[m.outputs.length - 1]!, d);
      }
      if (r.copy) m.routing = 'copy';
    } else {
      const inner = d.name === 'label' ? `, with ${d.children.length} directive${d.children.length === 1 ? '' : 's'} inside` : '';
      header.notConverted(d, `${describe(d)} (${TOP_LEVEL_WHY[d.name] ?? 'not a directive tdfwd knows'}${inner})`);
    }
  }
  // Parts that produced nothing and had no entry after them: a comment at the end of their section.
  for (const section of ['inputs', 'filters', 'outputs'] as const) {
    if (pending[section].length > 0) m[section].push({ value: null, comments: pending[section] });
  }
  if (m.routing === 'copy') routingNotes(m, matchOf, places);
  m.notConverted = places.count;
  return m;
}

/**
 * With `routing: copy` every output whose match accepts a tag gets it; in fluentd only the first
 * <match> did (a copy's stores all got it). Pairs of outputs from different <match> blocks whose
 * patterns can accept the same tag are noted: there the converted config sends to both.
 */
function routingNotes(m: Migration, matchOf: ReadonlyMap<Entry, Directive>, places: Places): void {
  m.routingComments.push('from <match> @type copy: each output whose match accepts a tag gets every record of it');
  const matches = [...new Set(matchOf.values())];
  for (let i = 0; i < matches.length; i++) {
    for (let j = i + 1; j < matches.length; j++) {
      const a = matches[i]!;
      const b = matches[j]!;
      if (!mayOverlap(a.arg || '**', b.arg || '**')) continue;
      m.routingComments.push(
        `not converted: fluentd's first-match order between <match ${a.arg || '**'}> (${places.at(a)}) and <match ${b.arg || '**'}> (${places.at(b)}): a tag both accept now goes to both`,
      );
      places.count++;
    }
  }
}
