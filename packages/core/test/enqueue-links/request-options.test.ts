import { describe, expect, test } from 'vitest';

import {
  constructGlobObjectsFromGlobs,
  constructRegExpObjectsFromPseudoUrls,
} from '../../src/enqueue-links/patterns.js';
import {
  createRequestOptions,
  createRequests,
  filterRequestsByPatterns,
} from '../../src/enqueue-links/request-options.js';
import { Request } from '../../src/request.js';

describe('createRequestOptions', () => {
  test('resolves links against the base URL and reports the unusable ones', () => {
    const skipped: string[] = [];
    const options = createRequestOptions(
      ['/top', 'next?page=2', '//cdn.example/app.js', 'http://', 'mailto:a@b.c', 'javascript:x()'],
      { baseUrl: 'https://shop.example/catalog/' },
      (url) => skipped.push(url),
    );

    expect(options.map((option) => option.url)).toEqual([
      'https://shop.example/top',
      'https://shop.example/catalog/next?page=2',
      'https://cdn.example/app.js',
    ]);
    expect(skipped).toEqual(['http://', 'mailto:a@b.c', 'javascript:x()']);
  });

  test('skips relative links when there is no base URL', () => {
    const skipped: string[] = [];
    const options = createRequestOptions(['/a', 'https://a.example/b'], {}, (url) =>
      skipped.push(url),
    );
    expect(options.map((option) => option.url)).toEqual(['https://a.example/b']);
    expect(skipped).toEqual(['/a']);
  });

  test('gives every link its own copy of userData, with the label written in', () => {
    const userData = { source: 'menu', label: 'OLD' };
    const [first, second] = createRequestOptions(['https://a.example/1', 'https://a.example/2'], {
      userData,
      label: 'LIST',
    });

    expect(first.userData).toEqual({ source: 'menu', label: 'LIST' });
    first.userData!.source = 'changed';
    expect(second.userData).toEqual({ source: 'menu', label: 'LIST' });
    expect(userData).toEqual({ source: 'menu', label: 'OLD' });
  });

  test('stamps the strategy and skipNavigation on every link', () => {
    const [options] = createRequestOptions(['https://a.example/'], {
      strategy: 'same-domain',
      skipNavigation: true,
    });
    expect(options).toEqual({
      url: 'https://a.example/',
      userData: {},
      enqueueStrategy: 'same-domain',
      skipNavigation: true,
    });
  });
});

describe('createRequests', () => {
  test('applies the first matching pattern and drops links no pattern matches', () => {
    const patterns = constructRegExpObjectsFromPseudoUrls([
      { purl: 'http[s?]://example.com/[.*]', userData: { one: 1 } },
    ]);
    const sources = [
      'http://example.com/foo',
      { url: 'https://example.com/bar', method: 'POST' as const, label: 'FORM' },
      'https://elsewhere.example/',
    ];
    const skipped: string[] = [];

    const requests = createRequests(createRequestOptions(sources), patterns, [], 'all', (url) =>
      skipped.push(url),
    );

    expect(requests.every((request) => request instanceof Request)).toBe(true);
    expect(requests.map((request) => [request.url, request.method])).toEqual([
      ['http://example.com/foo', 'GET'],
      ['https://example.com/bar', 'POST'],
    ]);
    expect(requests[0].userData).toEqual({ one: 1 });
    expect(requests[1].userData).toEqual({ one: 1, label: 'FORM' });
    expect(requests[0].enqueueStrategy).toBe('all');
    expect(skipped).toEqual(['https://elsewhere.example/']);
  });

  test('an exclude pattern wins over a matching pattern', () => {
    const patterns = constructGlobObjectsFromGlobs(['https://a.example/**']);
    const exclude = constructGlobObjectsFromGlobs(['**/private/**']);
    const requests = createRequests(
      ['https://a.example/public/1', 'https://a.example/private/1'],
      patterns,
      exclude,
    );
    expect(requests.map((request) => request.url)).toEqual(['https://a.example/public/1']);
  });

  test('without patterns every link that is not excluded becomes a request', () => {
    const requests = createRequests(['https://a.example/1', 'https://b.example/2']);
    expect(requests).toHaveLength(2);
    expect(requests[0].enqueueStrategy).toBeUndefined();
  });
});

describe('filterRequestsByPatterns', () => {
  test('keeps the requests matching any pattern, or all without patterns', () => {
    const requests = ['https://a.example/x', 'https://b.example/y'].map(
      (url) => new Request({ url }),
    );
    const skipped: string[] = [];

    const kept = filterRequestsByPatterns(requests, [{ glob: 'https://a.example/**' }], (url) =>
      skipped.push(url),
    );

    expect(kept.map((request) => request.url)).toEqual(['https://a.example/x']);
    expect(skipped).toEqual(['https://b.example/y']);
    expect(filterRequestsByPatterns(requests)).toHaveLength(2);
  });
});
