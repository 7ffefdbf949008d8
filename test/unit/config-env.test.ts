import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseConfigText } from '../../src/config/load.js';
import { expandString } from '../../src/config/expand.js';
import type { HttpOutputConfig, TdOutputConfig } from '../../src/config/types.js';
import type { Problem } from '../../src/config/issues.js';

function expand(value: string, env: NodeJS.ProcessEnv): { value: string; problems: Problem[] } {
  const problems: Problem[] = [];
  return { value: expandString(value, env, ['outputs', 0, 'apikey'], problems), problems };
}

describe('${VAR} expansion', () => {
  it('replaces whole values and references inside larger strings', () => {
    expect(expand('${A}', { A: 'x' }).value).toBe('x');
    expect(expand('Bearer ${TOKEN}', { TOKEN: 't0k' }).value).toBe('Bearer t0k');
    expect(expand('${A}-${B}/${A}', { A: '1', B: '2' }).value).toBe('1-2/1');
  });

  it('${VAR:-default} uses the default when unset or empty', () => {
    expect(expand('${A:-dflt}', {}).value).toBe('dflt');
    expect(expand('${A:-dflt}', { A: '' }).value).toBe('dflt');
    expect(expand('${A:-dflt}', { A: 'set' }).value).toBe('set');
    expect(expand('${A:-}', {}).value).toBe('');
    expect(expand('${A:-http://h:80/x}', {}).value).toBe('http://h:80/x');
  });

  it('a set but empty ${VAR} is the empty string, not an error', () => {
    expect(expand('${A}', { A: '' })).toEqual({ value: '', problems: [] });
  });

  it('$${VAR} is a literal ${VAR}', () => {
    expect(expand('$${A}', { A: 'x' }).value).toBe('${A}');
    expect(expand('cost: $5 and $${HOME} and ${A}', { A: 'x' }).value).toBe('cost: $5 and ${HOME} and x');
  });

  it('an unset variable without default is a problem naming the path and the variable', () => {
    const { problems } = expand('${TD_API_KEY}', {});
    expect(problems).toEqual([
      { path: 'outputs[0].apikey', message: 'environment variable TD_API_KEY is not set; set it, or write ${TD_API_KEY:-default}' },
    ]);
  });

  it('a malformed reference is a problem', () => {
    expect(expand('${1BAD}', {}).problems[0]?.message).toMatch(/^\$\{1BAD\} is not a valid variable reference/);
  });
});

describe('expansion in a config file', () => {
  const text = [
    'outputs:',
    '  - type: td',
    '    match: "td.**"',
    '    endpoint: ${TD_API_SERVER:-https://api-import.treasuredata.com}',
    '    apikey: ${TD_API_KEY}',
    '  - type: http',
    '    match: "app.**"',
    '    url: "https://${HOST}/ingest"',
    '    headers: { Authorization: "Bearer ${TOKEN}", X-Literal: "$${NOT_EXPANDED}" }',
    '# ${IN_A_COMMENT} is never looked at',
  ].join('\n');

  it('expands values after YAML parsing (quoting does not matter)', () => {
    const cfg = parseConfigText(text, { env: { TD_API_KEY: 'k1', HOST: 'c.example', TOKEN: 't' }, source: 'f.yaml' });
    const td = cfg.outputs[0] as TdOutputConfig;
    const http = cfg.outputs[1] as HttpOutputConfig;
    expect(td.endpoint).toBe('https://api-import.treasuredata.com');
    expect(td.apikey).toBe('k1');
    expect(http.url).toBe('https://c.example/ingest');
    expect(http.headers).toEqual({ Authorization: 'Bearer t', 'X-Literal': '${NOT_EXPANDED}' });
  });

  it('every unset variable is reported with its key path; exit code 2', () => {
    let err: unknown;
    try {
      parseConfigText(text, { env: {}, source: 'f.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.exitCode).toBe(2);
    expect(e.path).toBe('outputs[0].apikey');
    expect(e.message.split('\n')).toEqual([
      'outputs[0].apikey: environment variable TD_API_KEY is not set; set it, or write ${TD_API_KEY:-default}',
      'outputs[1].url: environment variable HOST is not set; set it, or write ${HOST:-default}',
      'outputs[1].headers.Authorization: environment variable TOKEN is not set; set it, or write ${TOKEN:-default}',
    ]);
  });

  it('keys are not expanded', () => {
    const cfg = parseConfigText('outputs:\n  - { type: http, match: a, url: "http://h/", headers: { "${K}": v } }\n', {
      env: { K: 'x' },
      source: 'f.yaml',
    });
    expect((cfg.outputs[0] as HttpOutputConfig).headers).toEqual({ '${K}': 'v' });
  });
});
