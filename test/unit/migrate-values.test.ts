// fluentd values → tdfwd values, and fluentd's pos_file format.
import { describe, expect, it } from 'vitest';
import { parseFluentdConfig, type Param } from '../../src/migrate/fluentd-config.js';
import { bool, duration, list, regexp, size, textValue } from '../../src/migrate/fluentd-values.js';
import { mayOverlap } from '../../src/migrate/patterns.js';
import { parsePosFile } from '../../src/migrate/pos-file.js';

function param(value: string): Param {
  return parseFluentdConfig(`<source>\n  k ${value}\n</source>\n`, 'x.conf').root.children[0]!.params[0]!;
}

describe('fluentd values', () => {
  it.each([
    ['60', '60s'],
    ['0.5', '500ms'],
    ['30s', '30s'],
    ['5m', '5m'],
    ['1h', '1h'],
    ['1d', '1d'],
  ])('time %s → %s', (raw, want) => expect(duration(raw)).toEqual({ ok: true, value: want }));

  it('refuses a time it cannot read', () => expect(duration('soon').ok).toBe(false));

  it.each([
    ['8m', '8MiB'],
    ['256k', '256KiB'],
    ['1g', '1GiB'],
    ['2t', '2TiB'],
    ['1048576', 1048576],
  ])('size %s → %s', (raw, want) => expect(size(raw)).toEqual({ ok: true, value: want }));

  it.each([
    ['', true],
    ['true', true],
    ['yes', true],
    ['false', false],
    ['no', false],
  ])('bool %j → %s', (raw, want) => expect(bool(raw)).toEqual({ ok: true, value: want }));

  it('reads lists as JSON or comma-separated', () => {
    expect(list('["a", "b"]')).toEqual(['a', 'b']);
    expect(list('a, b,c')).toEqual(['a', 'b', 'c']);
  });

  it('turns Ruby regexps into JavaScript ones, and says why when it cannot', () => {
    expect(regexp('/^\\A(?<a>\\h+)\\z/')).toEqual({ ok: true, value: '^^(?<a>[0-9a-fA-F]+)$' });
    expect(regexp('^bare$')).toEqual({ ok: true, value: '^bare$' });
    expect(regexp('/x/m')).toEqual({ ok: true, value: 'x' });
    expect(regexp('/x/i')).toEqual({ ok: false, why: expect.stringContaining('/i have no equivalent') });
    expect(regexp('/(?<a>x/')).toEqual({ ok: false, why: expect.stringContaining('does not compile') });
  });

  it('rewrites the embedded Ruby of environment variables to ${VAR}', () => {
    expect(textValue(param(`"#{ENV['TD_API_KEY']}"`))).toEqual({ ok: true, value: '${TD_API_KEY}' });
    expect(textValue(param(`"k-#{ENV["X"]}"`))).toEqual({ ok: true, value: 'k-${X}' });
    expect(textValue(param(`"#{ENV.fetch('P', '8888')}"`))).toEqual({ ok: true, value: '${P:-8888}' });
    expect(textValue(param(`"#{File.read('/k')}"`)).ok).toBe(false);
  });

  it('keeps record placeholders only in a record, and writes a literal ${ elsewhere as $${', () => {
    expect(textValue(param('"#{Socket.gethostname}"'), 'record')).toEqual({ ok: true, value: '${hostname}' });
    expect(textValue(param('"#{Socket.gethostname}"'), 'config').ok).toBe(false);
    expect(textValue(param('${tag_parts[-1]}.${tag}'), 'record')).toEqual({ ok: true, value: '${tag_parts[-1]}.${tag}' });
    expect(textValue(param('${record["a"]}'), 'record')).toEqual({ ok: false, why: expect.stringContaining('${record["a"]} has no tdfwd equivalent') });
    expect(textValue(param('/var/${x}'), 'config')).toEqual({ ok: true, value: '/var/$${x}' });
  });

  it('tells tag patterns that may accept the same tag from those that cannot', () => {
    expect(mayOverlap('td.*.*', 'debug.**')).toBe(false);
    expect(mayOverlap('td.*.*', '**')).toBe(true);
    expect(mayOverlap('td.*.*', 'td.a.b')).toBe(true);
    expect(mayOverlap('td.*.*', 'td.a')).toBe(false);
    expect(mayOverlap('a.** b.**', 'b.c')).toBe(true);
    expect(mayOverlap('{a,b}.x', 'c.x')).toBe(true); // unsure: said to overlap
  });
});

describe('pos_file', () => {
  it('reads path, offset and inode in hexadecimal; skips unwatched entries; the last line of a path wins', () => {
    const text = [
      '/var/log/a.log\t0000000000000010\t0000000000abcdef',
      '/var/log/b.log\tffffffffffffffff\t0000000000000002',
      '/var/log/a.log\t0000000000000020\t0000000000abcdef',
      '',
    ].join('\n');
    expect(parsePosFile(text)).toEqual({
      entries: [{ path: '/var/log/a.log', offset: 32, inode: String(0xabcdef), line: 3 }],
      problems: [],
    });
  });

  it('reports lines it cannot read and goes on', () => {
    const r = parsePosFile('garbage\n/x\t0000000000000001\t0000000000000001\n');
    expect(r.entries.map((e) => e.path)).toEqual(['/x']);
    expect(r.problems).toEqual(['line 1 is not "path<TAB>offset<TAB>inode" in hexadecimal; skipped']);
  });
});
