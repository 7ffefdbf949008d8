import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createParser, FORMATS } from '../../src/parsers/index.js';

const NOW = 1_700_000_000;

describe('createParser', () => {
  test('lists the formats of PRODUCT.md', () => {
    expect(FORMATS).toEqual(['none', 'json', 'ltsv', 'nginx', 'apache2', 'regexp:<pattern>']);
  });

  test('an unknown format is a ConfigError without a key path, for the caller to re-wrap', () => {
    let err: unknown;
    try {
      createParser('xml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).path).toBe('');
    expect((err as ConfigError).message).toBe('unknown format "xml": expected none, json, ltsv, nginx, apache2 or regexp:<pattern>');
  });

  test('regexp errors are ConfigErrors that say what to write', () => {
    expect(() => createParser('regexp:(?<a>[')).toThrow(ConfigError);
    expect(() => createParser('regexp:(?<a>[')).toThrow(/invalid regexp "\(\?<a>\[": .*named groups/);
    expect(() => createParser('regexp:^(\\w+) (.*)$')).toThrow(/has no named groups/);
    expect(() => createParser('regexp:')).toThrow(/needs a pattern/);
    expect(() => createParser('json', { timeFormat: '%Q' })).toThrow(/unsupported directive "%Q"/);
  });
});

describe('regexp on joined multi-line events', () => {
  test('multiline: true adds the s flag, so . crosses newlines; without it the event does not match', () => {
    const event = 'ERROR boom\n  at a()';
    expect(createParser('regexp:^(?<level>[A-Z]+) (?<msg>.*)$', { multiline: true })(event, NOW).record).toEqual({ level: 'ERROR', msg: 'boom\n  at a()', time: NOW });
    expect(createParser('regexp:^(?<level>[A-Z]+) (?<msg>.*)$')(event, NOW).record).toHaveProperty('_parse_error');
    // a /pattern/flags form keeps its own flags and gains s once
    expect(createParser('regexp:/^(?<level>[a-z]+) (?<msg>.*)$/is', { multiline: true })(event, NOW).record).toMatchObject({ level: 'ERROR' });
  });
});

describe('none', () => {
  test('keeps the line as message, time is now', () => {
    const p = createParser('none');
    expect(p('hello "world"\t{', NOW)).toEqual({ record: { message: 'hello "world"\t{', time: NOW } });
    expect(p('', NOW).record).toEqual({ message: '', time: NOW });
  });
});

describe('json', () => {
  const p = createParser('json');

  test('an object line is the record, time is now', () => {
    const r = p('{"a":1,"b":{"c":[1,2]},"s":"x"}', NOW);
    expect(r.error).toBeUndefined();
    expect(r.record).toEqual({ a: 1, b: { c: [1, 2] }, s: 'x', time: NOW });
  });

  test('invalid JSON and non-object JSON are kept with _parse_error', () => {
    for (const line of ['{"a":1', 'not json', '[1,2]', '42', '"str"', 'null', 'true', '']) {
      const r = p(line, NOW);
      expect(r.error, line).toBeTypeOf('string');
      expect(r.record).toEqual({ message: line, _parse_error: r.error, time: NOW });
    }
    expect(p('[1,2]', NOW).error).toBe('expected a JSON object, got an array');
    expect(p('null', NOW).error).toBe('expected a JSON object, got null');
    expect(p('42', NOW).error).toBe('expected a JSON object, got a number');
    expect(p('{"a":', NOW).error).toMatch(/^invalid JSON: /);
  });

  test('without a time key: an integer own time is kept, any other own time moves to _time', () => {
    expect(p('{"time":1600000000,"a":1}', NOW).record).toEqual({ time: 1600000000, a: 1 });
    expect(p('{"time":"2024-01-01T00:00:00Z"}', NOW).record).toEqual({ time: NOW, _time: '2024-01-01T00:00:00Z' });
    expect(p('{"time":1.5}', NOW).record).toEqual({ time: NOW, _time: 1.5 });
    expect(p('{"time":null}', NOW).record).toEqual({ time: NOW, _time: null });
  });

  test('a UTF-8 byte order mark before the object is ignored', () => {
    expect(p('\uFEFF{"a":1}', NOW)).toEqual({ record: { a: 1, time: NOW } });
    expect(p('\uFEFFnope', NOW).error).toMatch(/^invalid JSON/);
  });

  test('a __proto__ key stays a plain field', () => {
    const r = p('{"__proto__":{"polluted":1}}', NOW).record;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toContain('__proto__');
  });
});

describe('ltsv', () => {
  const p = createParser('ltsv');

  test('label:value fields separated by tabs; values keep their colons', () => {
    expect(p('host:127.0.0.1\tident:-\treq:GET /a?b=c:d HTTP/1.1\tstatus:200\tempty:', NOW).record).toEqual({
      host: '127.0.0.1', ident: '-', req: 'GET /a?b=c:d HTTP/1.1', status: '200', empty: '', time: NOW,
    });
    expect(p('a:1\t\tb:2\t', NOW).record).toEqual({ a: '1', b: '2', time: NOW });
  });

  test('a line that is not ltsv is kept with _parse_error', () => {
    expect(p('just some text', NOW)).toEqual({
      record: { message: 'just some text', _parse_error: 'ltsv field 1 has no "label:value" form', time: NOW },
      error: 'ltsv field 1 has no "label:value" form',
    });
    expect(p('a:1\t:2', NOW).error).toBe('ltsv field 2 has an empty label');
    expect(p('', NOW).error).toBe('ltsv line has no "label:value" fields');
  });

  test('a __proto__ label is a plain field', () => {
    const r = p('__proto__:x\ta:1', NOW).record;
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(r['__proto__' as 'a']).toBe('x');
  });
});

describe('regexp', () => {
  test('named groups become string fields; groups that did not match are left out', () => {
    const p = createParser('regexp:^(?<level>[A-Z]+) (?<msg>.*?)(?: code=(?<code>\\d+))?$');
    expect(p('ERROR disk full code=28', NOW).record).toEqual({ level: 'ERROR', msg: 'disk full', code: '28', time: NOW });
    expect(p('INFO started', NOW).record).toEqual({ level: 'INFO', msg: 'started', time: NOW });
  });

  test('a line that does not match is kept with _parse_error', () => {
    const p = createParser('regexp:^(?<level>[A-Z]+) ');
    expect(p('lowercase line', NOW).record).toEqual({ message: 'lowercase line', _parse_error: 'line does not match the regexp', time: NOW });
  });

  test('/pattern/flags form; g and y are ignored so lines do not depend on each other', () => {
    const p = createParser('regexp:/^(?<word>hello)/gi');
    expect(p('HELLO there', NOW).record).toEqual({ word: 'HELLO', time: NOW });
    expect(p('Hello again', NOW).record).toEqual({ word: 'Hello', time: NOW });
  });

  test('a time group is parsed with the time key', () => {
    const p = createParser('regexp:^(?<time>\\S+) (?<msg>.*)$', { timeKey: 'time' });
    expect(p('2024-03-01T10:00:00Z hi', NOW).record).toEqual({ time: 1709287200, msg: 'hi' });
  });
});
