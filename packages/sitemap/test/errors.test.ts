import { describe, expect, test } from 'vitest';

import { RobotsTxtError, SitemapError, SitemapLoadError } from '../src/index.js';

const TRAWL_ERROR = Symbol.for('trawl.error');

describe('errors', () => {
  test('carry the marker that @trawl/core isTrawlError() looks for', () => {
    const errors = [
      new SitemapError('TRAWL_SITEMAP_PARSE', 'Broken', 'https://a.example/s.xml'),
      new SitemapLoadError([new SitemapError('TRAWL_SITEMAP_FETCH', 'Gone', 'https://a.example')]),
      new RobotsTxtError('TRAWL_ROBOTS_UNAVAILABLE', 'Down', 'https://a.example/robots.txt'),
    ];

    for (const error of errors) {
      expect((error as unknown as Record<symbol, unknown>)[TRAWL_ERROR]).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
    expect(errors.map((error) => [error.name, error.code])).toEqual([
      ['SitemapError', 'TRAWL_SITEMAP_PARSE'],
      ['SitemapLoadError', 'TRAWL_SITEMAP_LOAD'],
      ['RobotsTxtError', 'TRAWL_ROBOTS_UNAVAILABLE'],
    ]);
  });

  test('keep the wrapped error as cause', () => {
    const cause = new Error('socket hang up');

    const error = new SitemapError('TRAWL_SITEMAP_FETCH', 'Failed', 'https://a.example', { cause });

    expect(error.cause).toBe(cause);
  });

  test('a load error takes the message of its only failure, or counts several', () => {
    const first = new SitemapError('TRAWL_SITEMAP_FETCH', 'First failed', 'https://a.example/1');
    const second = new SitemapError('TRAWL_SITEMAP_PARSE', 'Second failed', 'https://a.example/2');

    expect(new SitemapLoadError([first]).message).toBe('First failed');
    const both = new SitemapLoadError([first, second], ['https://a.example/page']);
    expect(both.message).toBe('2 sitemaps could not be read, the first: First failed');
    expect(both.sitemapUrl).toBe('https://a.example/1');
    expect(both.urls).toEqual(['https://a.example/page']);
  });
});
