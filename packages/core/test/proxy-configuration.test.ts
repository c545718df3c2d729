import { describe, expect, test } from 'vitest';

import { ConfigurationError } from '../src/errors.js';
import {
  ProxyConfiguration,
  toSafeString,
  type ProxyConfigurationOptions,
} from '../src/proxy-configuration.js';
import { Request } from '../src/request.js';

const TIERS = [
  ['http://tier0-a.example:8000', 'http://tier0-b.example:8000'],
  ['http://tier1.example:8000'],
  ['http://tier2.example:8000'],
];

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw');
}

describe('ProxyConfiguration options', () => {
  test('rejects combining two proxy sources', () => {
    const error = catchError(
      () =>
        new ProxyConfiguration({
          proxyUrls: ['http://proxy.example:8000'],
          newUrlFunction: () => null,
        }),
    );

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/only one of proxyUrls, newUrlFunction/);
  });

  test('rejects an unknown option with a suggestion', () => {
    const options = { proxyUrl: ['http://proxy.example:8000'] } as ProxyConfigurationOptions;

    expect(() => new ProxyConfiguration(options)).toThrow(/did you mean "proxyUrls"/);
  });

  test('rejects an invalid URL without showing its password', () => {
    const urls = ['ftp://alice:s3cret@proxy.example:21', 'alice:s3cret@proxy.example:8000'];

    for (const url of urls) {
      const error = catchError(() => new ProxyConfiguration({ proxyUrls: [url] }));

      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('alice:***@proxy.example');
      expect((error as Error).message).not.toContain('s3cret');
    }
  });

  test('rejects an empty list and a non-positive maxSessions', () => {
    expect(() => new ProxyConfiguration({ proxyUrls: [] })).toThrow(ConfigurationError);
    expect(() => new ProxyConfiguration({ tieredProxyUrls: [[]] })).toThrow(ConfigurationError);
    expect(() => new ProxyConfiguration({ maxSessions: 0 })).toThrow(/maxSessions/);
  });

  test('accepts http, https and socks URLs', () => {
    const proxyUrls = ['http://a.example', 'https://b.example', 'socks5://c.example:1080'];

    expect(() => new ProxyConfiguration({ proxyUrls })).not.toThrow();
  });
});

describe('toSafeString', () => {
  test('hides the password and keeps the rest', () => {
    expect(toSafeString('http://user:pass@proxy.example:8000')).toBe(
      'http://user:***@proxy.example:8000',
    );
    expect(toSafeString('http://user@proxy.example:8000')).toBe('http://user@proxy.example:8000');
    expect(toSafeString('http://proxy.example:8000')).toBe('http://proxy.example:8000');
  });
});

describe('ProxyConfiguration.newUrl with proxyUrls', () => {
  test('rotates the URLs round-robin', async () => {
    const proxyUrls = ['http://a.example:1', 'http://b.example:2', 'http://c.example:3'];
    const proxies = new ProxyConfiguration({ proxyUrls });

    const picked = [];
    for (let i = 0; i < 4; i++) {
      picked.push(await proxies.newUrl());
    }

    expect(picked).toEqual([...proxyUrls, proxyUrls[0]]);
  });

  test('gives a session the URL it was first given', async () => {
    const proxies = new ProxyConfiguration({
      proxyUrls: ['http://a.example:1', 'http://b.example:2'],
    });

    expect(await proxies.newUrl('one')).toBe('http://a.example:1');
    expect(await proxies.newUrl(2)).toBe('http://b.example:2');
    expect(await proxies.newUrl('one')).toBe('http://a.example:1');
    expect(await proxies.newUrl('2')).toBe('http://b.example:2');
  });

  test('forgets the least recently used session past maxSessions', async () => {
    const proxies = new ProxyConfiguration({
      proxyUrls: ['http://a.example:1', 'http://b.example:2', 'http://c.example:3'],
      maxSessions: 2,
    });

    expect(await proxies.newUrl('one')).toBe('http://a.example:1');
    expect(await proxies.newUrl('two')).toBe('http://b.example:2');
    expect(await proxies.newUrl('one')).toBe('http://a.example:1');
    expect(await proxies.newUrl('three')).toBe('http://c.example:3');

    // "two" was the least recently used, so it was forgotten and gets the next URL in turn.
    expect(await proxies.newUrl('two')).toBe('http://a.example:1');
    expect(await proxies.newUrl('three')).toBe('http://c.example:3');
  });

  test('a null entry means no proxy', async () => {
    const proxies = new ProxyConfiguration({ proxyUrls: [null, 'http://a.example:1'] });

    expect(await proxies.newUrl()).toBeUndefined();
    expect(await proxies.newUrl()).toBe('http://a.example:1');
    expect(await proxies.newProxyInfo()).toBeUndefined();
  });

  test('answers no proxy when no source is configured', async () => {
    expect(await new ProxyConfiguration().newProxyInfo('one')).toBeUndefined();
  });
});

describe('ProxyConfiguration.newUrl with newUrlFunction', () => {
  test('awaits the function and passes the session id and request', async () => {
    const calls: unknown[] = [];
    const proxies = new ProxyConfiguration({
      newUrlFunction: async (sessionId, { request }) => {
        calls.push([sessionId, request?.url]);
        await Promise.resolve();
        return sessionId === 'direct' ? null : `http://session-${sessionId}:pw@proxy.example:9000`;
      },
    });
    const request = new Request({ url: 'https://shop.example/' });

    expect(await proxies.newUrl(7, { request })).toBe('http://session-7:pw@proxy.example:9000');
    expect(await proxies.newUrl('direct')).toBeUndefined();
    expect(calls).toEqual([
      ['7', 'https://shop.example/'],
      ['direct', undefined],
    ]);
  });

  test('rejects an invalid URL from the function without showing its password', async () => {
    const proxies = new ProxyConfiguration({ newUrlFunction: () => 'mailto://bob:hunter2@x' });

    const error: unknown = await proxies.newUrl('one').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('newUrlFunction');
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('ProxyConfiguration.newProxyInfo', () => {
  test('splits the URL and decodes the credentials', async () => {
    const url = 'http://us%40er:p%3Ass%20word@proxy.example:8000';
    const proxies = new ProxyConfiguration({ proxyUrls: [url] });

    const info = await proxies.newProxyInfo('one');

    expect(info).toEqual({
      sessionId: 'one',
      url,
      hostname: 'proxy.example',
      port: '8000',
      username: 'us@er',
      password: 'p:ss word',
    });
  });

  test('serialises to JSON with the password hidden', async () => {
    const proxies = new ProxyConfiguration({ proxyUrls: ['http://u:secret@proxy.example'] });

    const json = JSON.stringify(await proxies.newProxyInfo());

    expect(json).not.toContain('secret');
    expect(JSON.parse(json)).toMatchObject({ url: 'http://u:***@proxy.example', port: '80' });
  });
});

describe('ProxyConfiguration with tieredProxyUrls', () => {
  function requestFor(url: string): Request {
    return new Request({ url });
  }

  test('climbs one tier each time a request comes back, up to the last tier', async () => {
    const proxies = new ProxyConfiguration({ tieredProxyUrls: TIERS });
    const request = requestFor('https://shop.example/item');

    const tiers = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      tiers.push((await proxies.newProxyInfo(undefined, { request }))?.proxyTier);
    }

    expect(tiers).toEqual([0, 1, 2, 2]);
    expect(request.forefront).toBe(true);
  });

  test('steps down one tier after ten calls without a request coming back', async () => {
    const proxies = new ProxyConfiguration({ tieredProxyUrls: TIERS });
    const blocked = requestFor('https://shop.example/blocked');
    for (let attempt = 0; attempt < 3; attempt++) {
      await proxies.newUrl(undefined, { request: blocked });
    }

    const tiers = [];
    for (let page = 0; page < 20; page++) {
      const request = requestFor(`https://shop.example/page-${page}`);
      tiers.push((await proxies.newProxyInfo(undefined, { request }))?.proxyTier);
    }

    expect(tiers.slice(0, 9)).toEqual(Array<number>(9).fill(2));
    expect(tiers.slice(9, 19)).toEqual(Array<number>(10).fill(1));
    expect(tiers[19]).toBe(0);
  });

  test('tracks each hostname on its own', async () => {
    const proxies = new ProxyConfiguration({ tieredProxyUrls: TIERS });
    const blocked = requestFor('https://strict.example/');
    await proxies.newUrl(undefined, { request: blocked });
    await proxies.newUrl(undefined, { request: blocked });

    const other = await proxies.newProxyInfo(undefined, {
      request: requestFor('https://relaxed.example/'),
    });
    const strict = await proxies.newProxyInfo(undefined, {
      request: requestFor('https://strict.example/other'),
    });

    expect(other?.proxyTier).toBe(0);
    expect(strict?.proxyTier).toBe(1);
  });

  test('rotates round-robin within a tier and honours an explicit proxyTier', async () => {
    const proxies = new ProxyConfiguration({ tieredProxyUrls: TIERS });

    expect(await proxies.newUrl()).toBe(TIERS[0][0]);
    expect(await proxies.newUrl()).toBe(TIERS[0][1]);
    expect(await proxies.newUrl()).toBe(TIERS[0][0]);
    expect(await proxies.newUrl(undefined, { proxyTier: 2 })).toBe(TIERS[2][0]);
    await expect(proxies.newUrl(undefined, { proxyTier: 3 })).rejects.toThrow(/proxyTier/);
  });
});

describe('ProxyConfiguration proxy health', () => {
  const A = 'http://a.example:8000';
  const B = 'http://b.example:8000';
  const C = 'http://c.example:8000';

  function withClock(options: Omit<ProxyConfigurationOptions, 'proxyHealth'>) {
    const clock = { now: 0 };
    const proxies = new ProxyConfiguration({
      ...options,
      proxyHealth: { failuresToBench: 2, benchMillis: 1_000, now: () => clock.now },
    });
    return { clock, proxies };
  }

  test('a proxy a host blocked twice in a row is not chosen for it, then tried again', async () => {
    const { clock, proxies } = withClock({ proxyUrls: [A, B, C] });
    const shop = new Request({ url: 'https://shop.example/1' });
    const blog = new Request({ url: 'https://blog.example/1' });
    proxies.reportOutcome(A, 'shop.example', 'blocked');
    proxies.reportOutcome(A, 'shop.example', 'blocked');

    const forShop = [];
    for (let i = 0; i < 6; i += 1) {
      forShop.push(await proxies.newUrl(undefined, { request: shop }));
    }
    expect(forShop).toEqual([B, C, B, C, B, C]);
    // Other hosts still use it.
    expect(await proxies.newUrl(undefined, { request: blog })).toBe(A);

    clock.now = 1_000;
    const later = [];
    for (let i = 0; i < 3; i += 1) {
      later.push(await proxies.newUrl(undefined, { request: shop }));
    }
    expect(later).toContain(A);
  });

  test('a further failure benches a proxy twice as long; a success clears it', async () => {
    const { clock, proxies } = withClock({ proxyUrls: [A, B] });
    const shop = new Request({ url: 'https://shop.example/1' });
    const bench = () => {
      proxies.reportOutcome(A, 'shop.example', 'error');
      proxies.reportOutcome(A, 'shop.example', 'error');
    };
    const picks = async () => {
      const urls = [];
      for (let i = 0; i < 4; i += 1) {
        urls.push(await proxies.newUrl(undefined, { request: shop }));
      }
      return urls;
    };

    bench();
    clock.now = 1_000;
    bench();
    clock.now = 2_500;
    expect(await picks()).not.toContain(A);
    clock.now = 3_000;
    expect(await picks()).toContain(A);

    proxies.reportOutcome(A, 'shop.example', 'success');
    bench();
    clock.now = 4_000;
    expect(await picks()).toContain(A);
  });

  test('a session whose proxy is benched for the host moves to another proxy', async () => {
    const { proxies } = withClock({ proxyUrls: [A, B] });
    const shop = new Request({ url: 'https://shop.example/1' });
    expect(await proxies.newUrl('s1', { request: shop })).toBe(A);
    proxies.reportOutcome(A, 'shop.example', 'blocked');
    proxies.reportOutcome(A, 'shop.example', 'blocked');

    expect(await proxies.newUrl('s1', { request: shop })).toBe(B);
    expect(await proxies.newUrl('s1', { request: shop })).toBe(B);
  });

  test('when every proxy is benched, the one back soonest is chosen', async () => {
    const { clock, proxies } = withClock({ proxyUrls: [A, B] });
    const shop = new Request({ url: 'https://shop.example/1' });
    proxies.reportOutcome(A, 'shop.example', 'blocked');
    proxies.reportOutcome(A, 'shop.example', 'blocked');
    clock.now = 100;
    proxies.reportOutcome(B, 'shop.example', 'blocked');
    proxies.reportOutcome(B, 'shop.example', 'blocked');

    expect(await proxies.newUrl(undefined, { request: shop })).toBe(A);
    expect(await proxies.newUrl(undefined, { request: shop })).toBe(A);
  });
});
