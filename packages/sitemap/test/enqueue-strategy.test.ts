import { describe, expect, test } from 'vitest';

import { UrlFilter } from '../src/enqueue-strategy.js';

const PARENT = new URL('https://www.example.co.uk/sitemaps/sitemap.xml');

describe('UrlFilter', () => {
  test.each([
    ['https://www.example.co.uk/a', 'kept'],
    ['http://www.example.co.uk/a', 'kept'],
    ['https://www.example.co.uk:8443/a', 'kept'],
    ['https://WWW.Example.co.uk/a', 'kept'],
    ['https://www.example.co.uk./a', 'kept'],
    ['https://shop.example.co.uk/a', 'filtered'],
    ['https://user@evil.example/www.example.co.uk/', 'filtered'],
    ['ftp://www.example.co.uk/a', 'invalid'],
    ['/relative/path', 'invalid'],
    ['https://', 'invalid'],
  ])('same-hostname: %s is %s', (url, verdict) => {
    expect(new UrlFilter(PARENT, 'same-hostname').check(url)).toBe(verdict);
  });

  test.each([
    ['https://shop.example.co.uk/a', 'kept'],
    ['http://example.co.uk/a', 'kept'],
    ['https://example.com/a', 'filtered'],
    ['https://other.co.uk/a', 'filtered'],
  ])('same-domain: %s is %s', (url, verdict) => {
    expect(new UrlFilter(PARENT, 'same-domain').check(url)).toBe(verdict);
  });

  test('same-domain compares origins for an IP address', () => {
    const filter = new UrlFilter(new URL('http://127.0.0.1:8080/sitemap.xml'), 'same-domain');

    expect(filter.check('http://127.0.0.1:8080/a')).toBe('kept');
    expect(filter.check('http://127.0.0.1:9090/a')).toBe('filtered');
    expect(filter.check('http://127.0.0.2:8080/a')).toBe('filtered');
  });

  test.each([
    ['https://www.example.co.uk/a', 'kept'],
    ['https://www.example.co.uk:443/a', 'kept'],
    ['http://www.example.co.uk/a', 'filtered'],
    ['https://www.example.co.uk:8443/a', 'filtered'],
  ])('same-origin: %s is %s', (url, verdict) => {
    expect(new UrlFilter(PARENT, 'same-origin').check(url)).toBe(verdict);
  });

  test('all keeps any http(s) URL and nothing else', () => {
    const filter = new UrlFilter(PARENT, 'all');

    expect(filter.check('https://anywhere.example/a')).toBe('kept');
    expect(filter.check('javascript:alert(1)')).toBe('invalid');
  });

  test('a source without a URL keeps every http(s) URL', () => {
    const filter = new UrlFilter(undefined, 'same-origin');

    expect(filter.check('https://anywhere.example/a')).toBe('kept');
    expect(filter.check('data:text/plain,x')).toBe('invalid');
  });
});
