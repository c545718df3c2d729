import { describe, expect, test } from 'vitest';

import { normalizeUrl, parseSharedUrl, resolveSharedUrl } from '../../src/utils/url.js';

const BASE = 'https://shop.example/dir/page.html';

describe('resolveSharedUrl', () => {
  test('resolves every kind of link as new URL(link, base) does', () => {
    const links = [
      'https://other.example/a',
      'http://other.example:8080/b?q=1#top',
      '/root',
      'relative',
      '../up',
      '//cdn.example/x',
      '?page=2',
      '#frag',
      'http:relative-with-scheme',
      '  https://padded.example/  ',
      'HTTPS://UPPER.example/Path',
      'mailto:shop@example.com',
      'http://',
      'https://[bad',
    ];
    for (const link of links) {
      let expected: string | null;
      try {
        expected = new URL(link, BASE).href;
      } catch {
        expected = null;
      }
      expect(resolveSharedUrl(link, BASE)?.href ?? null, link).toBe(expected);
    }
    expect(resolveSharedUrl('/root')).toBeNull();
  });

  test('parses an absolute URL once for every caller', () => {
    const url = 'https://shop.example/shared/once';
    expect(parseSharedUrl(url)).toBe(parseSharedUrl(url));
    expect(resolveSharedUrl(url, BASE)).toBe(parseSharedUrl(url));
    expect(parseSharedUrl('not a url')).toBeNull();
  });

  test('normalizing a URL with a query leaves the shared parse unchanged', () => {
    const url = 'https://shop.example/list?utm_source=x&b=2&a=1';
    const shared = parseSharedUrl(url)!;
    expect(normalizeUrl(url)).toBe('https://shop.example/list?a=1&b=2');
    expect(shared.search).toBe('?utm_source=x&b=2&a=1');
    expect(normalizeUrl(url)).toBe('https://shop.example/list?a=1&b=2');
  });
});
