import { describe, expect, test } from 'vitest';
import { createParser, parseTimeValue } from '../../src/parsers/index.js';

const NOW = 1_700_000_000;

describe('time key', () => {
  const p = createParser('json', { timeKey: 'ts' });

  test('a number of seconds; a float is floored; milliseconds are divided', () => {
    expect(p('{"ts":1600000000,"a":1}', NOW).record).toEqual({ ts: 1600000000, a: 1, time: 1600000000 });
    expect(p('{"ts":1600000000.9}', NOW).record.time).toBe(1600000000);
    expect(p('{"ts":1600000000123}', NOW).record.time).toBe(1600000000);
    expect(p('{"ts":1600000000123456}', NOW).record.time).toBe(1600000000);
    expect(p('{"ts":1600000000123456789}', NOW).record.time).toBe(1600000000);
  });

  test('a numeric string', () => {
    expect(p('{"ts":"1600000000"}', NOW).record.time).toBe(1600000000);
    expect(p('{"ts":" 1600000000.5 "}', NOW).record.time).toBe(1600000000);
    expect(p('{"ts":"1600000000999"}', NOW).record.time).toBe(1600000000);
  });

  test('date strings: ISO 8601, RFC 2822, the access-log form', () => {
    const cases: [string, number][] = [
      ['2020-09-13T12:26:40Z', 1600000000],
      ['2020-09-13T12:26:40.750Z', 1600000000],
      ['2020-09-13T12:26:40,750Z', 1600000000],
      ['2020-09-13T21:26:40+09:00', 1600000000],
      ['2020-09-13T21:26:40+0900', 1600000000],
      ['2020-09-13 12:26:40Z', 1600000000],
      ['Sun, 13 Sep 2020 12:26:40 GMT', 1600000000],
      ['Sun, 13 Sep 2020 05:26:40 -0700', 1600000000],
      ['13/Sep/2020:05:26:40 -0700', 1600000000],
      ['13/Sep/2020:12:26:40 +0000', 1600000000],
    ];
    for (const [s, want] of cases) expect(p(JSON.stringify({ ts: s }), NOW).record.time, s).toBe(want);
  });

  test('missing (or null) time key: now, and no error', () => {
    expect(p('{"a":1}', NOW).record).toEqual({ a: 1, time: NOW });
    expect(p('{"ts":null}', NOW).record).toEqual({ ts: null, time: NOW });
  });

  test('an unparseable value: now plus _time_error; the line still parsed', () => {
    for (const v of ['"yesterday"', '"12 monkeys"', 'true', '{"s":1}', '"2020-13-45T99:00:00Z"', '""']) {
      const r = p(`{"ts":${v}}`, NOW);
      expect(r.error, v).toBeUndefined();
      expect(r.record.time, v).toBe(NOW);
      expect(r.record._time_error, v).toBeTypeOf('string');
      expect(r.record).not.toHaveProperty('_parse_error');
    }
    expect(p('{"ts":"yesterday"}', NOW).record._time_error).toBe(
      'time "yesterday" is not a unix time or a date (ISO 8601, RFC 2822 or 10/Oct/2000:13:55:36 -0700)',
    );
    expect(p('{"ts":true}', NOW).record._time_error).toBe('time value of type boolean is not a number or a date string');
  });

  test('the time key can be "time" itself; an own time is not lost when another key wins', () => {
    const q = createParser('json', { timeKey: 'time' });
    expect(q('{"time":"2020-09-13T12:26:40Z"}', NOW).record).toEqual({ time: 1600000000 });
    expect(q('{"time":"soon"}', NOW).record).toMatchObject({ time: NOW, _time: 'soon' });
    expect(p('{"ts":1600000000,"time":"local"}', NOW).record).toEqual({ ts: 1600000000, time: 1600000000, _time: 'local' });
    expect(p('{"ts":"bad","time":"local"}', NOW).record).toMatchObject({ time: NOW, _time: 'local' });
  });

  test('ltsv and none honour the time key too', () => {
    expect(createParser('ltsv', { timeKey: 'ts' })('ts:1600000000\tm:x', NOW).record).toEqual({ ts: '1600000000', m: 'x', time: 1600000000 });
    expect(createParser('none', { timeKey: 'message' })('1600000000', NOW).record).toEqual({ message: '1600000000', time: 1600000000 });
    expect(createParser('none', { timeKey: 'ts' })('1600000000', NOW).record).toEqual({ message: '1600000000', time: NOW });
  });

  test('a time format reads the time key with strptime directives', () => {
    const q = createParser('json', { timeKey: 'ts', timeFormat: '%Y/%m/%d %H:%M:%S %z' });
    expect(q('{"ts":"2020/09/13 21:26:40 +0900"}', NOW).record.time).toBe(1600000000);
    expect(q('{"ts":"2020-09-13T12:26:40Z"}', NOW).record).toMatchObject({ time: NOW, _time_error: expect.stringMatching(/does not match the time format/) });
    const local = createParser('json', { timeKey: 'ts', timeFormat: '%d/%b/%Y %T.%L' });
    expect(local('{"ts":"13/Sep/2020 12:26:40.123"}', NOW).record.time).toBe(Math.floor(new Date(2020, 8, 13, 12, 26, 40).getTime() / 1000));
    expect(createParser('json', { timeKey: 'ts', timeFormat: '%s' })('{"ts":"1600000000"}', NOW).record.time).toBe(1600000000);
  });
});

describe('parseTimeValue', () => {
  test('non-finite and non-string values are errors', () => {
    expect(parseTimeValue(Number.NaN)).toMatch(/not a finite number/);
    expect(parseTimeValue(['x'])).toMatch(/type object/);
    expect(parseTimeValue(-5.5)).toBe(-6);
  });
});
