import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { maskSecret, maskSecrets, secretMasker, isSecretHeader, collectSecrets, MIN_SEARCHED_LENGTH } from '../../src/config/secrets.js';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfig, durationText, sizeText } from '../../src/config/render.js';

describe('maskSecrets', () => {
  it('short secrets become ****, long ones keep their last 4 characters', () => {
    expect(maskSecret('abcdefghijkl')).toBe('****'); // 12: not longer than 12
    expect(maskSecret('abcdefghijklm')).toBe('****jklm');
    expect(maskSecrets('key=short123 other', ['short123'])).toBe('key=**** other');
    expect(maskSecrets('Authorization: TD1 1/0123456789abcdef', ['1/0123456789abcdef'])).toBe('Authorization: TD1 ****cdef');
  });

  it('masks every occurrence, the longest secret first, and never re-masks', () => {
    expect(maskSecrets('a=token123 b=token123', ['token123'])).toBe('a=**** b=****');
    expect(maskSecrets('Bearer tok-0123456789', ['tok-0123456789', 'Bearer tok-0123456789'])).toBe('****6789');
    expect(maskSecrets('x********y', ['********'])).toBe('x****y');
  });

  it('leaves text alone without secrets; ignores empty ones; regex characters are literal', () => {
    expect(maskSecrets('plain', [])).toBe('plain');
    expect(maskSecrets('plain', [''])).toBe('plain');
    expect(maskSecrets('a.b*c+d?e a_b_c', ['a.b*c+d?e'])).toBe('**** a_b_c');
  });

  it('searches text only for secrets of at least 8 characters: a key "td" leaves td.web alone', () => {
    expect(MIN_SEARCHED_LENGTH).toBe(8);
    expect(maskSecrets('tag td.web matched td.**', ['td'])).toBe('tag td.web matched td.**');
    expect(maskSecrets('key 1234567 and 12345678', ['1234567', '12345678'])).toBe('key 1234567 and ****');
  });

  it('secretMasker compiles once and masks like maskSecrets', () => {
    const mask = secretMasker(['0123456789abcdef', 'k']);
    expect(mask('a 0123456789abcdef k')).toBe('a ****cdef k');
    expect(mask('again 0123456789abcdef')).toBe('again ****cdef');
    expect(secretMasker([])('as is')).toBe('as is');
  });

  it('credential header names', () => {
    for (const h of ['Authorization', 'proxy-authorization', 'X-Api-Key', 'X-Auth-Token', 'Client-Secret']) expect(isSecretHeader(h)).toBe(true);
    for (const h of ['Content-Type', 'X-Trace', 'User-Agent']) expect(isSecretHeader(h)).toBe(false);
  });
});

describe('renderConfig', () => {
  const env = { HOME: '/h', TD_API_KEY: '1/abcdef0123456789abcdef', FWD: 'fwdkey', TOKEN: 'short' };
  const text = [
    'inputs:',
    '  - { type: forward, shared_key: "${FWD}" }',
    'outputs:',
    '  - { type: td, match: "td.**", apikey: "${TD_API_KEY}" }',
    '  - type: http',
    '    match: "app.**"',
    '    url: "https://user:pa55word@c.example/in"',
    '    headers: { Authorization: "Bearer ${TOKEN}", X-Trace: visible }',
  ].join('\n');
  const cfg = parseConfigText(text, { env, source: 'f.yaml' });
  const out = renderConfig(cfg);

  it('masks apikey, shared_key, credential headers and URL passwords', () => {
    expect(out).not.toContain(env.TD_API_KEY);
    expect(out).not.toContain('fwdkey');
    expect(out).not.toContain('short');
    expect(out).not.toContain('pa55word');
    const doc = YAML.parse(out);
    expect(doc.outputs[0].apikey).toBe('****cdef');
    expect(doc.inputs[0].shared_key).toBe('****');
    expect(doc.outputs[1].headers).toEqual({ Authorization: '****', 'X-Trace': 'visible' });
    expect(doc.outputs[1].url).toBe('https://user:****@c.example/in');
  });

  it('a short API key is masked in its field only: match "td.**" and tags stay readable', () => {
    const short = parseConfigText(
      [
        'inputs:',
        '  - { type: forward, shared_key: "${FWD}" }',
        '  - { type: stdin, tag: td.fwd.events }',
        'outputs:',
        '  - { type: td, match: "td.**", apikey: "${TD_API_KEY}" }',
        '  - { type: http, match: "app.**", url: "https://u:pw@c.example/in?auth=longsecret99", headers: { X-Api-Key: "${TD_API_KEY}", Authorization: "Bearer longsecret99" } }',
      ].join('\n'),
      { env: { HOME: '/h', TD_API_KEY: 'td', FWD: 'fwd' }, source: 'f.yaml' },
    );
    const doc = YAML.parse(renderConfig(short));
    expect(doc.outputs[0].match).toBe('td.**');
    expect(doc.outputs[0].apikey).toBe('****');
    expect(doc.inputs[0].shared_key).toBe('****');
    expect(doc.inputs[1].tag).toBe('td.fwd.events');
    expect(doc.outputs[1].headers).toEqual({ 'X-Api-Key': '****', Authorization: '****et99' });
    // the token after "Bearer " is a secret of its own: masked wherever it appears
    expect(doc.outputs[1].url).toBe('https://u:****@c.example/in?auth=****');
  });

  it('collects the credential after an auth scheme as a secret of its own', () => {
    const [out] = parseConfigText('outputs:\n  - { type: http, match: "**", url: "http://c/in", headers: { Authorization: "Bearer abcdefgh1234" } }', {
      env: { HOME: '/h' },
      source: 'f.yaml',
    }).outputs;
    expect(collectSecrets([], out ? [out] : [])).toEqual(['Bearer abcdefgh1234', 'abcdefgh1234']);
  });

  it('uses the file key style: snake_case, durations and sizes as people write them', () => {
    const doc = YAML.parse(out);
    expect(doc.buffer).toEqual({
      path: '/h/.local/state/tdfwd',
      chunk_limit_size: '8MiB',
      chunk_limit_records: 100000,
      flush_interval: '10s',
      total_limit_size: '2GiB',
      overflow_action: 'block',
      sync: 'full',
    });
    expect(doc.outputs[0]).toMatchObject({
      name: 'td.0',
      timeout: '60s',
      dedup_window: '20m',
      concurrency: { max: 8, adaptive: true, decrease_ratio: 0.5 },
      retry: { type: 'exponential', wait: '1s', max_wait: '5m', jitter: 'full', randomize: 0.5, timeout: '72h', max_attempts: null },
    });
    expect(doc.admin).toEqual({ listen: '127.0.0.1:24220' });
    expect(doc.shutdown_timeout).toBe('10s');
  });

  it('parses back to the same config when there are no secrets', () => {
    const plain = parseConfigText(
      [
        'buffer: { path: /var/lib/tdfwd, chunk_limit_size: 1GB, flush_interval: 1500ms, total_limit_size: 100 }',
        'inputs:',
        '  - { type: tail, path: "/l/*.log", tag: "t.$${X}", multiline_start: "^\\\\S", rotate_wait: 90s }',
        '  - { type: stdin, tag: s, format: "regexp:^(?<message>.*)$" }',
        'outputs:',
        '  - { type: stdout, match: "**", retry: { max_attempts: 3, wait: 2h } }',
        'admin: { listen: off }',
      ].join('\n'),
      { env: { HOME: '/h' }, source: 'f.yaml' },
    );
    expect(parseConfigText(renderConfig(plain), { env: {}, source: 'rendered.yaml' })).toEqual(plain);
  });

  it('duration and size text', () => {
    expect([0, 500, 1000, 1500, 60_000, 90_000, 120_000, 3_600_000, 7_200_000, 72 * 3_600_000].map(durationText)).toEqual([
      '0s', '500ms', '1s', '1500ms', '60s', '90s', '2m', '60m', '2h', '72h',
    ]);
    expect([100, 1024, 8 * 1024 ** 2, 2 * 1024 ** 3, 1e9, 1500].map(sizeText)).toEqual([100, '1KiB', '8MiB', '2GiB', '1GB', 1500]);
  });
});
