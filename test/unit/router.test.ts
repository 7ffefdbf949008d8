import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/router/pattern.js';
import { Router } from '../../src/router/router.js';

describe('tag patterns', () => {
  const cases: [string, string, boolean][] = [
    ['td.*.*', 'td.db.table', true],
    ['td.*.*', 'td.db', false],
    ['td.*', 'td.db.table', false],
    ['td.**', 'td.db.table', true],
    ['td.**', 'td', true],
    ['td.**', 'tdx.a', false],
    ['**', 'anything.at.all', true],
    ['**.access', 'web.access', true],
    ['**.access', 'access', true],
    ['a.{b,c}.d', 'a.c.d', true],
    ['a.{b,c}.d', 'a.e.d', false],
    ['app.** td.**', 'td.x.y', true],
    ['app.log', 'app.log', true],
    ['app.log', 'appxlog', false],
  ];
  for (const [p, tag, want] of cases) {
    it(`${p} ${want ? 'matches' : 'does not match'} ${tag}`, () => expect(compilePattern(p)(tag)).toBe(want));
  }
  it('rejects unbalanced braces', () => expect(() => compilePattern('a.{b')).toThrow(/unbalanced/));
  it('routes to the first matching output', () => {
    const r = new Router([
      { pattern: 'td.**', target: 'td' },
      { pattern: '**', target: 'catchall' },
    ]);
    expect(r.route('td.a.b')).toBe('td');
    expect(r.route('app.x')).toBe('catchall');
    expect(new Router([{ pattern: 'td.**', target: 1 }]).route('x')).toBeNull();
  });
  it('routes to every matching output, in order, for routing: copy', () => {
    const r = new Router([
      { pattern: 'td.**', target: 'td' },
      { pattern: 'app.**', target: 'app' },
      { pattern: '**', target: 'catchall' },
    ]);
    expect(r.routeAll('td.a.b')).toEqual(['td', 'catchall']);
    expect(r.routeAll('x')).toEqual(['catchall']);
    expect(new Router([{ pattern: 'td.**', target: 1 }]).routeAll('x')).toEqual([]);
  });
});
