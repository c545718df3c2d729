import { describe, expect, test } from 'vitest';

import { InputError, isTrawlError } from '../../src/errors.js';
import { CookieParseError } from '../../src/session-pool/errors.js';
import { Session } from '../../src/session-pool/session.js';

const START = Date.parse('2024-03-01T12:00:00.000Z');

function sessionWithClock(options: { maxAgeSecs?: number } = {}) {
  let nowMillis = START;
  const session = new Session({ ...options, now: () => nowMillis });
  const advanceSecs = (secs: number) => {
    nowMillis += secs * 1000;
  };
  return { session, advanceSecs };
}

describe('Session cookies', () => {
  test('setCookie stores a cookie that getCookieString sends back', () => {
    const { session } = sessionWithClock();

    session.setCookie('a=1; Path=/', 'https://example.com/login');
    session.setCookie('b=2; Path=/', 'https://example.com/login');

    expect(session.getCookieString('https://example.com/shop')).toBe('a=1; b=2');
    expect(session.getCookieString('https://other.com/')).toBe('');
  });

  test('a cookie without Domain is host-only; one with Domain reaches subdomains', () => {
    const { session } = sessionWithClock();

    session.setCookie('host=1; Path=/', 'https://example.com/');
    session.setCookie('wide=2; Domain=example.com; Path=/', 'https://example.com/');

    expect(session.getCookieString('https://example.com/')).toBe('host=1; wide=2');
    expect(session.getCookieString('https://shop.example.com/')).toBe('wide=2');
  });

  test('setCookies treats a leading dot as a domain cookie and no dot as host-only', () => {
    const { session } = sessionWithClock();

    session.setCookies(
      [
        { name: 'host', value: 'h', domain: 'abc.example.com' },
        { name: 'wide', value: 'w', domain: '.example.com' },
      ],
      'https://abc.example.com/',
    );

    expect(session.getCookieString('https://abc.example.com/')).toBe('host=h; wide=w');
    expect(session.getCookieString('https://example.com/')).toBe('wide=w');
    expect(session.getCookieString('https://www.abc.example.com/')).toBe('wide=w');
  });

  test('getCookies describes cookies browser-style, with the leading dot of domain cookies', () => {
    const { session } = sessionWithClock();
    const expires = START / 1000 + 3600;

    session.setCookies(
      [
        { name: 'host', value: 'h', domain: 'example.com', httpOnly: true, secure: true, expires },
        { name: 'wide', value: 'w', domain: '.example.com', sameSite: 'Lax' },
      ],
      'https://example.com/',
    );
    const cookies = session.getCookies('https://example.com/');

    expect(cookies).toEqual([
      {
        name: 'host',
        value: 'h',
        domain: 'example.com',
        path: '/',
        secure: true,
        httpOnly: true,
        expires,
      },
      {
        name: 'wide',
        value: 'w',
        domain: '.example.com',
        path: '/',
        secure: false,
        httpOnly: false,
        // Without expires a cookie lives as long as the session: maxAgeSecs from now.
        expires: START / 1000 + 3000,
        sameSite: 'Lax',
      },
    ]);
  });

  test('a cookie with Max-Age disappears once that time has passed on the session clock', () => {
    const { session, advanceSecs } = sessionWithClock();
    session.setCookie('short=1; Max-Age=60; Path=/', 'https://example.com/');

    advanceSecs(59);
    // Reading the cookie must not extend its life.
    expect(session.getCookieString('https://example.com/')).toBe('short=1');
    advanceSecs(1);

    expect(session.getCookieString('https://example.com/')).toBe('');
    expect(session.getCookies('https://example.com/')).toEqual([]);
  });

  test('a cookie whose Expires has passed is not sent', () => {
    const { session, advanceSecs } = sessionWithClock();
    const expires = new Date(START + 10_000).toUTCString();
    session.setCookie(`soon=1; Expires=${expires}; Path=/`, 'https://example.com/');

    expect(session.getCookieString('https://example.com/')).toBe('soon=1');
    advanceSecs(10);

    expect(session.getCookieString('https://example.com/')).toBe('');
  });

  test('setCookiesFromResponse stores every Set-Cookie header of a response', () => {
    const { session } = sessionWithClock();
    const response = {
      url: 'https://example.com/start',
      headers: { 'set-cookie': ['a=1; Path=/', 'b=2; Domain=example.com; Path=/'] },
    };

    session.setCookiesFromResponse(response);

    expect(session.getCookieString('https://example.com/')).toBe('a=1; b=2');
    expect(session.getCookieString('https://www.example.com/')).toBe('b=2');
    expect(session.ignoredCookiesCount).toBe(0);
  });

  test('setCookiesFromResponse reads a single header and Playwright-style responses', () => {
    const { session } = sessionWithClock();

    session.setCookiesFromResponse({
      url: 'https://example.com/',
      headers: { 'set-cookie': 'one=1; Path=/' },
    });
    session.setCookiesFromResponse({
      url: () => 'https://example.com/',
      headers: () => ({ 'set-cookie': 'two=2; Path=/\nthree=3; Path=/' }),
    });
    session.setCookiesFromResponse({ url: 'https://example.com/', headers: {} });

    expect(session.getCookieString('https://example.com/')).toBe('one=1; two=2; three=3');
  });

  test('setCookiesFromResponse skips and counts cookies that are invalid or foreign', () => {
    const { session } = sessionWithClock();

    session.setCookiesFromResponse({
      url: 'https://example.com/',
      headers: { 'set-cookie': ['good=1; Path=/', '=', 'foreign=1; Domain=other.com'] },
    });

    expect(session.getCookieString('https://example.com/')).toBe('good=1');
    expect(session.ignoredCookiesCount).toBe(2);
  });

  test('setCookies skips and counts a cookie for another domain', () => {
    const { session } = sessionWithClock();

    session.setCookies(
      [
        { name: 'ok', value: '1' },
        { name: 'foreign', value: '1', domain: '.other.com' },
      ],
      'https://example.com/',
    );

    expect(session.getCookieString('https://example.com/')).toBe('ok=1');
    expect(session.ignoredCookiesCount).toBe(1);
  });

  test('setCookie throws CookieParseError for a value that does not parse', () => {
    const { session } = sessionWithClock();

    let caught: unknown;
    try {
      session.setCookie('=', 'https://example.com/');
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(CookieParseError);
    expect(caught).toBeInstanceOf(InputError);
    expect(isTrawlError(caught, 'TRAWL_COOKIE_PARSE')).toBe(true);
    expect((caught as CookieParseError).url).toBe('https://example.com/');
  });

  test('setCookie throws CookieParseError naming the cookie but not its value', () => {
    const { session } = sessionWithClock();

    let caught: CookieParseError | undefined;
    try {
      session.setCookie('sid=secret-value; Domain=other.com', 'https://example.com/');
    } catch (error) {
      caught = error as CookieParseError;
    }

    expect(caught).toBeInstanceOf(CookieParseError);
    expect(caught?.cookieName).toBe('sid');
    expect(caught?.message).toContain('Cookie "sid" could not be set for https://example.com/');
    expect(caught?.message).not.toContain('secret-value');
    expect(caught?.cause).toBeInstanceOf(Error);
  });

  test('cookies survive getState and a new session built from it', () => {
    const { session } = sessionWithClock();
    session.setCookies(
      [{ name: 'wide', value: 'w', domain: '.example.com' }],
      'https://example.com',
    );
    session.setCookie('host=h; Path=/', 'https://example.com/');

    const copy = new Session({ ...session.getState(), now: () => START });

    expect(copy.getCookieString('https://example.com/')).toBe('wide=w; host=h');
    expect(copy.getCookieString('https://a.example.com/')).toBe('wide=w');
  });
});
