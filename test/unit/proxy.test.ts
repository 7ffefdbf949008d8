// Which proxy an output uses (src/outputs/proxy.ts): curl's environment rules, NO_PROXY forms, and
// the `proxy` key. Pure: no network.
import { describe, expect, it } from 'vitest';
import { bypassesProxy, chooseProxy } from '../../src/outputs/proxy.js';

const url = (d: ReturnType<typeof chooseProxy>) => (d !== null && 'url' in d ? d.url : d);

describe('chooseProxy', () => {
  it('https endpoints use https_proxy (lower case first), then HTTPS_PROXY, then all_proxy; http ones http_proxy', () => {
    expect(url(chooseProxy('https://api.example', undefined, {}))).toBeNull();
    expect(url(chooseProxy('https://api.example', undefined, { HTTPS_PROXY: 'http://up:1', https_proxy: 'http://low:1' }))).toBe('http://low:1');
    expect(url(chooseProxy('https://api.example', undefined, { HTTPS_PROXY: 'http://up:1', HTTP_PROXY: 'http://h:1' }))).toBe('http://up:1');
    expect(url(chooseProxy('https://api.example', undefined, { HTTP_PROXY: 'http://h:1' }))).toBeNull(); // as curl: no fallback
    expect(url(chooseProxy('https://api.example', undefined, { ALL_PROXY: 'http://all:1' }))).toBe('http://all:1');
    expect(url(chooseProxy('http://api.example', undefined, { HTTP_PROXY: 'http://h:1', HTTPS_PROXY: 'http://s:1' }))).toBe('http://h:1');
    expect(url(chooseProxy('https://api.example', undefined, { HTTPS_PROXY: '' }))).toBeNull();
    expect(chooseProxy('https://api.example', undefined, { HTTPS_PROXY: 'proxy:3128' })).toEqual({ url: 'http://proxy:3128', label: 'http://proxy:3128 (from HTTPS_PROXY)' });
  });

  it('the proxy key: used as written (NO_PROXY does not apply), off = direct; labels mask passwords', () => {
    expect(chooseProxy('https://api.example', 'http://u:pw@p:8080', { NO_PROXY: '*' })).toEqual({ url: 'http://u:pw@p:8080', label: 'http://u:****@p:8080 (the proxy key)' });
    expect(chooseProxy('https://api.example', 'off', { HTTPS_PROXY: 'http://p:1' })).toBeNull();
  });

  it('a bad variable is an error naming it', () => {
    expect(chooseProxy('https://api.example', undefined, { https_proxy: 'socks5://p:1' })).toEqual({
      variable: 'https_proxy',
      error: 'expected an http:// or https:// proxy URL, not socks5:// (got "socks5://p:1"); fix or unset it',
    });
  });

  it('loopback is proxied unless NO_PROXY lists it (as curl)', () => {
    expect(url(chooseProxy('http://127.0.0.1:8080', undefined, { HTTP_PROXY: 'http://p:1' }))).toBe('http://p:1');
    expect(url(chooseProxy('http://127.0.0.1:8080', undefined, { HTTP_PROXY: 'http://p:1', no_proxy: 'localhost,127.0.0.1,::1' }))).toBeNull();
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['api.example', 443, 'api.example', true],
    ['API.Example.', 443, 'api.example', true],
    ['a.api.example', 443, 'api.example', true],
    ['a.api.example', 443, '.api.example', true],
    ['a.api.example', 443, '*.api.example', true],
    ['notapi.example', 443, 'api.example', false],
    ['api.example', 443, 'api.example:443', true],
    ['api.example', 8443, 'api.example:443', false],
    ['anything', 80, '*', true],
    ['anything', 80, 'x.example *', false],
    ['10.1.2.3', 80, '10.0.0.0/8', true],
    ['11.1.2.3', 80, '10.0.0.0/8', false],
    ['[::1]', 80, '::1', true],
    ['[::1]', 8080, '[::1]:8080', true],
    ['[::1]', 80, '127.0.0.1', false],
    ['h.example', 80, ' a.example , h.example ', true],
    ['h.example', 80, '', false],
  ])('%s:%d with NO_PROXY=%j → %s', (host, port, list, expected) => {
    expect(bypassesProxy(host, port, list)).toBe(expected);
  });
});
