import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../src/inputs/syslog/parse.js';
import { priority, readPri } from '../../src/inputs/syslog/priority.js';

// 2024-03-10 12:00:00 local time.
const NOW = new Date(2024, 2, 10, 12, 0, 0).getTime();
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Math.floor(new Date(y, mo, d, h, mi, s).getTime() / 1000);

describe('PRI', () => {
  it('names facility and severity like fluentd in_syslog', () => {
    expect(priority(34)).toEqual({ pri: 34, facility: 'auth', severity: 'crit' });
    expect(priority(165)).toEqual({ pri: 165, facility: 'local4', severity: 'notice' });
    expect(priority(0)).toEqual({ pri: 0, facility: 'kern', severity: 'emerg' });
    expect(priority(191)).toEqual({ pri: 191, facility: 'local7', severity: 'debug' });
  });

  it('refuses PRI over 191, with leading zeros, empty or unclosed', () => {
    for (const bad of ['<192>x', '<034>x', '<>x', '<34x', '34>x', '<1234>x']) expect(readPri(bad), bad).toBeNull();
    expect(readPri('<0>x')).toEqual({ pri: 0, end: 3 });
  });
});

describe('RFC 3164', () => {
  it('reads the RFC example: host, ident, pid, message; time in local time, this year', () => {
    const p = parseSyslog('<34>Mar  9 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8\n', 'auto', NOW);
    expect(p.tagSuffix).toBe('auth.crit');
    expect(p.parseError).toBeUndefined();
    expect(p.record).toEqual({
      time: local(2024, 2, 9, 22, 14, 15),
      pri: 34,
      facility: 'auth',
      severity: 'crit',
      host: 'mymachine',
      ident: 'su',
      pid: '230',
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('a date more than a day in the future is last year (Dec 31 received in January)', () => {
    const jan1 = new Date(2024, 0, 1, 0, 0, 5).getTime();
    expect(parseSyslog('<13>Dec 31 23:59:59 h app: m', 'auto', jan1).record.time).toBe(local(2023, 11, 31, 23, 59, 59));
    // Up to a day ahead (a sender's clock slightly fast) stays this year.
    expect(parseSyslog('<13>Mar 10 23:00:00 h app: m', 'auto', NOW).record.time).toBe(local(2024, 2, 10, 23, 0, 0));
  });

  it('a message without TAG: is all message; without HOSTNAME (/dev/log style) the tag is still found', () => {
    expect(parseSyslog('<13>Mar  9 22:14:15 host just some words', 'auto', NOW).record).toMatchObject({ host: 'host', message: 'just some words' });
    expect(parseSyslog('<13>Mar  9 22:14:15 host just some words', 'auto', NOW).record.ident).toBeUndefined();
    const r = parseSyslog('<86>Mar  9 22:14:15 sshd[42]: Accepted publickey', 'auto', NOW).record;
    expect(r).toMatchObject({ facility: 'authpriv', severity: 'info', ident: 'sshd', pid: '42', message: 'Accepted publickey' });
    expect(r.host).toBeUndefined();
    expect(parseSyslog('<13>Mar  9 22:14:15 web1 postfix/smtpd[7]: connect', 'auto', NOW).record).toMatchObject({ host: 'web1', ident: 'postfix/smtpd', pid: '7', message: 'connect' });
  });

  it('accepts an RFC 3339 timestamp (rsyslog forward format)', () => {
    const r = parseSyslog('<30>2024-03-09T22:14:15.123456+01:00 web1 nginx: up', 'auto', NOW).record;
    expect(r).toMatchObject({ time: Math.floor(Date.parse('2024-03-09T21:14:15Z') / 1000), host: 'web1', ident: 'nginx', message: 'up' });
  });

  it('a message with no timestamp is kept with _parse_error, tagged from its PRI', () => {
    const p = parseSyslog('<11>this is not syslog', 'auto', NOW);
    expect(p.tagSuffix).toBe('user.err');
    expect(p.parseError).toMatch(/no RFC 3164 timestamp/);
    expect(p.record).toEqual({ time: Math.floor(NOW / 1000), pri: 11, facility: 'user', severity: 'err', message: '<11>this is not syslog', _parse_error: p.parseError });
  });

  it('a message without PRI is kept as user.notice (RFC 3164 4.3.3) with _parse_error', () => {
    const p = parseSyslog('hello world', 'auto', NOW);
    expect(p.tagSuffix).toBe('user.notice');
    expect(p.record).toEqual({ time: Math.floor(NOW / 1000), message: 'hello world', _parse_error: 'the message does not start with a <PRI> like <34>' });
  });

  it('an impossible date (Feb 30) is a parse error', () => {
    expect(parseSyslog('<13>Feb 30 10:00:00 h a: m', 'auto', NOW).parseError).toBeDefined();
  });
});

describe('RFC 5424', () => {
  it('reads the RFC example with structured data and a BOM before MSG', () => {
    const p = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
      'auto',
      NOW,
    );
    expect(p.tagSuffix).toBe('local4.notice');
    expect(p.record).toEqual({
      time: Math.floor(Date.parse('2003-10-11T22:14:15.003Z') / 1000),
      pri: 165,
      facility: 'local4',
      severity: 'notice',
      host: 'mymachine.example.com',
      ident: 'evntslog',
      msgid: 'ID47',
      sd: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } },
      message: 'An application event log entry...',
    });
  });

  it('nil values are left out; nil timestamp is now; no MSG is an empty message', () => {
    const p = parseSyslog('<34>1 - - - - - -', 'auto', NOW);
    expect(p.parseError).toBeUndefined();
    expect(p.record).toEqual({ time: Math.floor(NOW / 1000), pri: 34, facility: 'auth', severity: 'crit', message: '' });
  });

  it('several SD elements, escapes in values, a numeric offset, procid and msg with spaces', () => {
    const p = parseSyslog('<14>1 2024-03-09T22:14:15+09:00 h app 1234 - [a@1 x="q\\"uote" y="back\\\\slash" z="br\\]acket"][b@2] hello  there', 'auto', NOW);
    expect(p.record).toMatchObject({
      time: Math.floor(Date.parse('2024-03-09T13:14:15Z') / 1000),
      pid: '1234',
      sd: { 'a@1': { x: 'q"uote', y: 'back\\slash', z: 'br]acket' }, 'b@2': {} },
      message: 'hello  there',
    });
  });

  it('malformed headers are kept with a reason', () => {
    const cases: [string, RegExp][] = [
      ['<14>1 yesterday h a p m -', /timestamp "yesterday"/],
      ['<14>2 2024-03-09T22:14:15Z h a p m -', /version "2"/],
      ['<14>1 2024-03-09T22:14:15Z h a p m [id x="unclosed]', /not closed/],
      ['<14>1 2024-03-09T22:14:15Z h a p m [id x=3]', /="value"/],
      ['<14>1 2024-03-09T22:14:15Z h a', /header ends before PROCID/],
      ['<14>1 2024-03-09T22:14:15Z h a p m nosd', /structured data must be "-"/],
      ['<14>1 2024-03-09T22:14:15Z h a p m', /header ends before STRUCTURED-DATA/],
      ['<14>1 2024-03-09T22:14:15Z  h a p m -', /HOSTNAME is empty/],
      [`<14>1 2024-03-09T22:14:15Z h ${'a'.repeat(49)} p m -`, /APP-NAME is longer than 48/],
    ];
    for (const [text, why] of cases) {
      const p = parseSyslog(text, 'auto', NOW);
      expect(p.parseError, text).toMatch(why);
      expect(p.record.message).toBe(text);
      expect(p.tagSuffix).toBe('user.info');
    }
  });

  it('format: rfc5424 refuses a 3164 message; format: rfc3164 reads a 5424 one as 3164 (and fails)', () => {
    expect(parseSyslog('<34>Mar  9 22:14:15 h su: x', 'rfc5424', NOW).parseError).toMatch(/RFC 5424/);
    expect(parseSyslog('<34>1 2003-10-11T22:14:15.003Z h a - - -', 'rfc3164', NOW).parseError).toMatch(/no RFC 3164 timestamp/);
  });
});
