// The fluentd config reader of `tdfwd migrate`: the syntax td-agent.conf files use, and errors that
// name file:line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFluentdConfig, readFluentdConfig, type Directive } from '../../src/migrate/fluentd-config.js';
import { tempDir } from '../helpers/tmp.js';

const parse = (text: string) => parseFluentdConfig(text, '/etc/td-agent/td-agent.conf').root;
const params = (d: Directive) => Object.fromEntries(d.params.map((p) => [p.key, p.value]));

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

describe('fluentd config reader', () => {
  it('reads nested directives, their arguments, parameters and line numbers', () => {
    const root = parse(`# a comment
<match td.*.* other.**>
  @type tdlog
  apikey abc   # trailing comment
  <buffer tag>
    flush_interval 10s
  </buffer>
</match>
`);
    expect(root.children).toHaveLength(1);
    const m = root.children[0]!;
    expect([m.name, m.arg, m.line]).toEqual(['match', 'td.*.* other.**', 2]);
    expect(params(m)).toEqual({ '@type': 'tdlog', apikey: 'abc' });
    const b = m.children[0]!;
    expect([b.name, b.arg, b.line, params(b)]).toEqual(['buffer', 'tag', 5, { flush_interval: '10s' }]);
    expect(b.params[0]!.line).toBe(6);
  });

  it('takes a key without a value as an empty value (auto_create_table alone)', () => {
    const root = parse('<match **>\n  auto_create_table\n  port 1\n</match>\n');
    expect(params(root.children[0]!)).toEqual({ auto_create_table: '', port: '1' });
  });

  it('keeps # inside an unquoted value unless a blank comes before it', () => {
    const root = parse('<source>\n  a x#y\n  b x #y\n</source>\n');
    expect(params(root.children[0]!)).toEqual({ a: 'x#y', b: 'x' });
  });

  it('reads single- and double-quoted strings, escapes, and double-quoted strings over several lines', () => {
    const root = parse(`<source>
  s 'it\\'s # not a comment'
  d "tab\\there \\"q\\""
  m "line one
line two"
  after 1
</source>
`);
    const d = root.children[0]!;
    expect(params(d)).toEqual({ s: "it's # not a comment", d: 'tab\there "q"', m: 'line one\nline two', after: '1' });
    expect(d.params.find((p) => p.key === 'after')!.line).toBe(6);
  });

  it('splits embedded Ruby out of double-quoted strings only', () => {
    const root = parse(`<source>
  a "#{ENV['KEY']}"
  b "pre-#{Socket.gethostname}-post"
  c '#{ENV["X"]}'
  d "#{ {a: 1}.fetch(:a) }"
</source>
`);
    const [a, b, c, d] = root.children[0]!.params;
    expect(a!.parts).toEqual([{ ruby: "ENV['KEY']" }]);
    expect(b!.parts).toEqual([{ text: 'pre-' }, { ruby: 'Socket.gethostname' }, { text: '-post' }]);
    expect(c!.parts).toEqual([{ text: '#{ENV["X"]}' }]);
    expect(d!.parts).toEqual([{ ruby: '{a: 1}.fetch(:a)' }]);
  });

  it('reads JSON arrays and hashes over several lines, with comments between the lines', () => {
    const root = parse(`<source>
  exclude_path [
    "/var/log/*.gz",   # old ones
    "/var/log/#x"
  ]
  headers {"a": "b"}
</source>
`);
    expect(params(root.children[0]!)).toEqual({ exclude_path: '["/var/log/*.gz","/var/log/#x"]', headers: '{"a":"b"}' });
  });

  it.each([
    ['<source>\n  @type tail\n', 'td-agent.conf:3: expected </source> (opened at line 1) but the file ended'],
    ['<source>\n</match>\n', 'td-agent.conf:2: </match> does not close <source> (opened at line 1)'],
    ['</source>\n', 'td-agent.conf:1: </source> closes nothing'],
    ['<source\n', 'td-agent.conf:1: expected ">" to end <source'],
    ['<source>\n  path "abc\n</source>\n', 'td-agent.conf:4: a "..." string opened at line 2 never ends'],
    ['<source>\n  a [1, 2\n</source>\n', 'a JSON array opened at line 2 never ends'],
    ['<source>\n  a "\\q"\n</source>\n', 'td-agent.conf:2: unknown escape \\q'],
    ['<source> x\n', 'td-agent.conf:1: unexpected text "x" after a directive tag'],
  ])('refuses %j with file and line', (text, message) => {
    expect(() => parseFluentdConfig(text, '/etc/td-agent/td-agent.conf')).toThrow(message);
  });

  it('follows @include relative to the including file, globs sorted, and splices them in place', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'conf.d'));
    writeFileSync(join(t.dir, 'conf.d', 'b.conf'), '<source>\n  @type http\n</source>\n');
    writeFileSync(join(t.dir, 'conf.d', 'a.conf'), '<source>\n  @type forward\n</source>\n');
    writeFileSync(join(t.dir, 'one.conf'), '<match **>\n  @type stdout\n</match>\n');
    const main = join(t.dir, 'td-agent.conf');
    writeFileSync(main, '@include one.conf\n<source>\n  @type tail\n  @include conf.d/a.conf\n</source>\ninclude conf.d/*.conf\n@include https://example.com/x.conf\n');
    const { root, skippedIncludes } = readFluentdConfig(main);
    expect(root.children.map((c) => `${c.name}:${params(c)['@type']}`)).toEqual(['match:stdout', 'source:tail', 'source:forward', 'source:http']);
    expect(root.children[0]!.file).toBe(join(t.dir, 'one.conf'));
    // an @include inside a directive splices into that directive
    expect(root.children[1]!.children.map((c) => c.name)).toEqual(['source']);
    expect(skippedIncludes).toEqual([expect.objectContaining({ target: 'https://example.com/x.conf', line: 7 })]);
  });

  it('says which @include names a file that does not exist', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const main = join(t.dir, 'td-agent.conf');
    writeFileSync(main, '\n@include missing.conf\n');
    expect(() => readFluentdConfig(main)).toThrow(`td-agent.conf:2: @include ${join(t.dir, 'missing.conf')} does not exist`);
    expect(() => readFluentdConfig(join(t.dir, 'nope.conf'))).toThrow(/nope\.conf does not exist; give the path of a td-agent\.conf/);
  });

  it('stops a file that includes itself', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const main = join(t.dir, 'loop.conf');
    writeFileSync(main, '@include loop.conf\n');
    expect(() => readFluentdConfig(main)).toThrow(/nests deeper than 16 files/);
  });
});
