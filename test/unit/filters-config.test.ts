// The `filters:` key: the shapes of record / grep / modify, their errors (each naming its key), the
// `${VAR}` expansion leaving record placeholders alone, and `config check`'s rendering of them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { expandString } from '../../src/config/expand.js';
import type { Problem } from '../../src/config/issues.js';
import { renderConfig } from '../../src/config/render.js';
import { ConfigError } from '../../src/core/errors.js';

const base = `
buffer: { path: /tmp/tdfwd-filters-config-test }
inputs: [{ type: http, port: 0 }]
outputs: [{ type: stdout, match: "**" }]
`;

function parse(filters: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfigText(`${base}filters:\n${filters}`, { env, source: 'test.yaml' });
}

function problem(filters: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(filters, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('filters config', () => {
  it('parses the three types of shapes.md, env values expanded, placeholders kept', () => {
    const cfg = parse(
      `
  - type: record
    match: "td.**"
    set: { hostname: "\${hostname}", tag: "\${tag}", service: "\${tag_parts[1]}", last: "\${tag_parts[-1]}", env: "\${DEPLOY_ENV}", n: 3, ok: true, none: null }
    remove: [password, token]
  - type: grep
    match: "**"
    regexp: [{ key: level, pattern: "^(error|warn)$" }]
    exclude: [{ key: path, pattern: "^/health" }]
  - type: modify
    match: "**"
    rename: { msg: message }
    copy: { message: raw }
    keep: [time, message, level]
`,
      { DEPLOY_ENV: 'prod' },
    );
    expect(cfg.filters).toEqual([
      {
        type: 'record',
        match: 'td.**',
        set: { hostname: '${hostname}', tag: '${tag}', service: '${tag_parts[1]}', last: '${tag_parts[-1]}', env: 'prod', n: 3, ok: true, none: null },
        remove: ['password', 'token'],
      },
      { type: 'grep', match: '**', regexp: [{ key: 'level', pattern: '^(error|warn)$' }], exclude: [{ key: 'path', pattern: '^/health' }] },
      { type: 'modify', match: '**', rename: { msg: 'message' }, copy: { message: 'raw' }, keep: ['time', 'message', 'level'] },
    ]);
  });

  it('no filters key, or an empty one, is no filters', () => {
    expect(parseConfigText(base, { env: {}, source: 't.yaml' }).filters).toEqual([]);
    expect(parseConfigText(`${base}filters:\n`, { env: {}, source: 't.yaml' }).filters).toEqual([]);
  });

  it('each bad filter is a sentence naming its key', () => {
    expect(problem('  - { type: record, match: "**", set: { time: 1 } }')).toContain('filters[0].set.time: a filter cannot set time: every record keeps its integer event time');
    expect(problem('  - { type: record, match: "**", remove: [time] }')).toContain('filters[0].remove[0]: a filter cannot remove time');
    expect(problem('  - { type: modify, match: "**", rename: { time: t } }')).toContain('filters[0].rename.time: a filter cannot rename time');
    expect(problem('  - { type: modify, match: "**", rename: { ts: time } }')).toContain('filters[0].rename.ts: a filter cannot rename a key to time');
    expect(problem('  - { type: modify, match: "**", copy: { ts: time } }')).toContain('filters[0].copy.ts: a filter cannot copy a key to time');
    expect(problem('  - { type: record, match: "**" }')).toContain('filters[0]: a record filter needs set or remove');
    expect(problem('  - { type: grep, match: "**" }')).toContain('filters[0]: a grep filter needs regexp or exclude');
    expect(problem('  - { type: modify, match: "**" }')).toContain('filters[0]: a modify filter needs rename, copy or keep');
    expect(problem('  - { type: modify, match: "**", keep: [] }')).toContain('filters[0].keep: must not be empty');
    expect(problem('  - { type: grep, match: "**", exclude: [{ key: a, pattern: "(" }] }')).toMatch(/^filters\[0\]\.exclude\[0\]\.pattern: is not a valid regular expression/m);
    expect(problem('  - { type: grep, match: "**", exclude: [{ key: a, pattern: x, flags: i }] }')).toContain('filters[0].exclude[0].flags: unknown key (expected one of: key, pattern)');
    expect(problem('  - { type: grep, match: "a.{b", exclude: [{ key: a, pattern: x }] }')).toContain('filters[0].match: is not a valid tag pattern');
    expect(problem('  - { type: grep, exclude: [{ key: a, pattern: x }] }')).toContain('filters[0].match: required key is missing');
    expect(problem('  - { type: lua, match: "**" }')).toContain('filters[0].type: expected one of: record, grep, modify (got "lua")');
    expect(problem('  - { type: record, match: "**", set: { a: 1 }, renew_record: true }')).toContain('filters[0].renew_record: unknown key (expected one of: match, set, remove)');
    expect(problem('  - { type: record, match: "**", set: { a: [1] } }')).toContain('filters[0].set.a: expected a string, a number, true/false or null');
  });

  it('an unknown placeholder is refused with the key and the placeholders there are', () => {
    const msg = problem('  - { type: record, match: "**", set: { service: "${tag_parts[x]}" } }');
    expect(msg).toContain('filters[0].set.service: ${tag_parts[x]} is not a record placeholder (they are ${hostname}, ${tag}, ${tag_parts[N]}');
    expect(problem('  - { type: record, match: "**", set: { a: "${record[\\"x\\"]}" } }')).toContain('filters[0].set.a: ${record["x"]} is not a record placeholder');
    expect(problem('  - { type: record, match: "**", set: { a: "${tag_parts[01]}" } }')).toContain('is not a record placeholder');
  });
});

describe('${VAR} expansion and record placeholders', () => {
  const expand = (value: string, env: NodeJS.ProcessEnv = {}) => {
    const problems: Problem[] = [];
    return { value: expandString(value, env, ['outputs', 0, 'headers', 'X'], problems), problems };
  };

  it('leaves ${hostname}, ${tag} and ${tag_parts[N]} as written, everywhere, even when a variable has the name', () => {
    expect(expand('${hostname}-${tag}-${tag_parts[0]}-${tag_parts[-2]}', { hostname: 'env-host', tag: 'env-tag' })).toEqual({
      value: '${hostname}-${tag}-${tag_parts[0]}-${tag_parts[-2]}',
      problems: [],
    });
    expect(expand('${HOSTNAME} ${hostname}', { HOSTNAME: 'h1' }).value).toBe('h1 ${hostname}');
  });

  it('still refuses references that are neither', () => {
    expect(expand('${tag_parts[x]}').problems[0]?.message).toContain('is not a record placeholder');
    expect(expand('${a b}').problems[0]?.message).toBe('${a b} is not a valid variable reference; write $${...} for a literal "${"');
  });
});

describe('config check renders filters', () => {
  it('as written, placeholders unescaped, and the text parses back to the same filters', () => {
    const cfg = parse('  - { type: record, match: "td.**", set: { h: "${hostname}", lit: "$${NOT_A_VAR}" }, remove: [pw] }\n  - { type: grep, match: "**", exclude: [{ key: path, pattern: "^/health" }] }');
    const text = renderConfig(cfg);
    expect(text).toContain('h: ${hostname}');
    expect(text).toContain('lit: $${NOT_A_VAR}');
    const again = parseConfigText(text, { env: {}, source: 'rendered.yaml' });
    expect(again.filters).toEqual(cfg.filters);
  });
});

describe('the README', () => {
  it("Filters section's example is a valid config", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Filters\n'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(yaml).toContain('filters:');
    const cfg = parseConfigText(`${base}${yaml}`, { env: { DEPLOY_ENV: 'prod' }, source: 'README.md' });
    expect(cfg.filters.map((f) => f.type)).toEqual(['record', 'grep', 'modify']);
  });
});
