// The Treasure Data destination of a tag: td.<database>.<table> exactly, names normalized as
// fluent-plugin-td / td-client do (normalize_database_name, normalize_table_name).
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { tagDestinationProblem } from '../../src/config/tag-routes.js';
import { normalizeTdName, tdDestination, validTdName } from '../../src/router/td-destination.js';

describe('normalizeTdName (td-client normalize_database_name)', () => {
  it('lowercases, turns every other character into _, pads to 3 and cuts at 255 (253 + __)', () => {
    expect(normalizeTdName('access')).toBe('access');
    expect(normalizeTdName('Web-Logs')).toBe('web_logs');
    expect(normalizeTdName('a')).toBe('a__');
    expect(normalizeTdName('ab')).toBe('ab_');
    expect(normalizeTdName('x:y@z')).toBe('x_y_z');
    expect(normalizeTdName('日本')).toBe('___'); // two characters, padded, then replaced
    const long = 'a'.repeat(300);
    expect(normalizeTdName(long)).toBe(`${'a'.repeat(253)}__`);
    expect(normalizeTdName('a'.repeat(255))).toBe('a'.repeat(255));
    for (const n of ['Web-Logs', 'a', '日本', long]) expect(validTdName(normalizeTdName(n))).toBe(true);
  });

  it('valid names are 3 to 255 of a-z 0-9 _', () => {
    for (const ok of ['web', 'a_1', 'x'.repeat(255)]) expect(validTdName(ok)).toBe(true);
    for (const bad of ['ab', 'Web', 'a-b', 'x'.repeat(256), '']) expect(validTdName(bad)).toBe(false);
  });
});

describe('tdDestination', () => {
  it('td.<database>.<table>, normalized', () => {
    expect(tdDestination('td.web.access')).toEqual({ database: 'web', table: 'access' });
    expect(tdDestination('td.Web-Logs.a')).toEqual({ database: 'web_logs', table: 'a__' });
  });

  it('td.web has no table: an error, not a database named td', () => {
    expect(tdDestination('td.web')).toBe(
      'tag "td.web" has no table: a td output takes the database and table from tags td.<database>.<table>; write td.web.<table>, or set table on the output',
    );
    expect(tdDestination('td')).toMatch(/has no table: .*write td\.mydb\.mytable/);
  });

  it('td.a.b.c is an error that says what fluent-plugin-td would have done, not a silent database b', () => {
    const why = tdDestination('td.a.b.c');
    expect(typeof why).toBe('string');
    expect(why).toMatch(/^tag "td\.a\.b\.c" has 4 parts: .*exactly three; .*database "b" and table "c"/);
  });

  it('a tag that does not start with td. needs database and table on the output', () => {
    expect(tdDestination('app.web.access')).toMatch(/does not start with td\.: .*set database and table on the output/);
    expect(tdDestination('app.web.access', { database: 'app', table: 'web' })).toEqual({ database: 'app', table: 'web' });
  });

  it('database or table on the output replaces that part of the tag', () => {
    expect(tdDestination('td.web.access', { database: 'prod' })).toEqual({ database: 'prod', table: 'access' });
    expect(tdDestination('td.web.access', { table: 'all_events' })).toEqual({ database: 'web', table: 'all_events' });
    expect(typeof tdDestination('td.web', { database: 'prod' })).toBe('string');
  });
});

describe('tags checked where they are known', () => {
  const env = { HOME: '/h', KEY: 'k-0123456789' };
  const outputs = parseConfigText('outputs:\n  - { type: td, match: "td.**", apikey: "${KEY}" }\n  - { type: stdout, match: "**" }', { env, source: 'f.yaml' }).outputs;

  it('the tag routed to a td output must name a table; other outputs take any tag', () => {
    expect(tagDestinationProblem('td.web.access', outputs)).toBeNull();
    expect(tagDestinationProblem('app.web', outputs)).toBeNull(); // goes to stdout
    expect(tagDestinationProblem('td.web', outputs)).toMatch(/^output td\.0 \(match "td\.\*\*"\) cannot send it: tag "td\.web" has no table/);
  });

  it('under routing: copy every td output the tag matches must have a table for it', () => {
    const two = parseConfigText('routing: copy\noutputs:\n  - { type: stdout, match: "**" }\n  - { type: td, match: "td.**", apikey: "${KEY}" }', { env, source: 'f.yaml' });
    expect(tagDestinationProblem('td.web', two.outputs)).toBeNull(); // first match: stdout only
    expect(tagDestinationProblem('td.web', two.outputs, two.routing)).toMatch(/^output td\.1 .*cannot send it: tag "td\.web" has no table/);
    expect(tagDestinationProblem('td.web.access', two.outputs, two.routing)).toBeNull();
  });

  it('a stdin or tail input whose tag has no destination is a config error of the daemon, with its key path', () => {
    const text = [
      'inputs:',
      '  - { type: stdin, tag: td.web }',
      '  - { type: tail, path: /l/*.log, tag: td.a.b.c }',
      '  - { type: http }',
      '  - { type: tail, path: /l/*.log, tag: "td.*" }', // the * becomes each file's path: known only then
      'outputs:',
      '  - { type: td, match: "td.**", apikey: "${KEY}" }',
    ].join('\n');
    expect(() => parseConfigText(text, { env, source: 'f.yaml' })).not.toThrow(); // send/flush do not read inputs
    expect(() => parseConfigText(text, { env, source: 'f.yaml', forDaemon: true })).toThrow(
      /^inputs\[0\]\.tag: output td\.0 \(match "td\.\*\*"\) cannot send it: tag "td\.web" has no table.*\ninputs\[1\]\.tag: output td\.0 .* has 4 parts/s,
    );
  });

  it('database and table given on a td output must be valid names; the error suggests the normalized one', () => {
    expect(() => parseConfigText('outputs:\n  - { type: td, match: "x", apikey: k, database: My-DB, table: ok_table }', { env, source: 'f.yaml' })).toThrow(
      'outputs[0].database: "My-DB" is not a Treasure Data name (3 to 255 characters of a-z, 0-9 and _); write "my_db"',
    );
  });
});
