// A Migration → the text of a tdfwd YAML config: each section in the order of the contract, each
// entry preceded by its comments (where it came from, what was not converted). Pure.
import YAML from 'yaml';
import type { Entry, Migration } from './model.js';

export interface EmitOptions {
  source: string;
  version: string;
  /** The file the YAML goes to, if any (named in the header's check command). */
  out?: string;
  /** buffer.path to write (when positions were imported into that buffer). */
  bufferPath?: string;
}

export function emitYaml(m: Migration, opts: EmitOptions): string {
  const out: string[] = [];
  out.push(`# tdfwd config converted from ${opts.source} by tdfwd migrate ${opts.version}.`);
  out.push(`# Check it with: tdfwd -c ${opts.out ?? 'FILE'} config check`);
  out.push(...comments(m.header, ''));
  const buffer = { ...(opts.bufferPath ? { path: opts.bufferPath } : {}), ...m.buffer };
  if (Object.keys(buffer).length > 0 || m.bufferComments.length > 0) {
    out.push(...comments(m.bufferComments, ''));
    out.push('buffer:', indent(block(buffer), '  '));
  }
  if (m.routing === 'copy') {
    out.push(...comments(m.routingComments, ''));
    out.push('routing: copy');
  }
  section(out, 'inputs', m.inputs, true);
  section(out, 'filters', m.filters, false);
  section(out, 'outputs', m.outputs, true);
  return `${out.join('\n')}\n`;
}

function section(out: string[], name: string, entries: readonly Entry[], always: boolean): void {
  const real = entries.filter((e) => e.value !== null);
  if (real.length === 0 && !always && entries.length === 0) return;
  out.push(real.length === 0 ? `${name}: []` : `${name}:`);
  for (const e of entries) {
    out.push(...comments(e.comments, '  '));
    if (e.value !== null) out.push(indent(block([e.value]), '  '));
  }
}

function block(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0, indentSeq: true }).replace(/\n$/, '');
}

function indent(text: string, pad: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : pad + l))
    .join('\n');
}

function comments(lines: readonly string[], pad: string): string[] {
  return lines.map((l) => `${pad}# ${l.replace(/[\r\n]+/g, ' ')}`);
}
