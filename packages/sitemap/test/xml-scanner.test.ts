import { describe, expect, test } from 'vitest';

import { ScanError, type ScannedEntry, XmlSitemapScanner } from '../src/xml-scanner.js';
import { fixture } from './fixtures.js';

/** Scans `text` cut into pieces of `size` characters. */
function scan(text: string, size = text.length || 1, maxFieldChars = 10_000): ScannedEntry[] {
  const scanner = new XmlSitemapScanner(maxFieldChars);
  const out: ScannedEntry[] = [];
  for (let i = 0; i < text.length; i += size) {
    scanner.write(text.slice(i, i + size), out);
  }
  scanner.end();
  return out;
}

/** The message of the ScanError that scanning `text` throws. */
function failure(text: string): string {
  try {
    scan(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ScanError);
    return (error as Error).message;
  }
  throw new Error('expected the scan to fail');
}

describe('XmlSitemapScanner', () => {
  test('reads the same entries however the text is cut into chunks', () => {
    const text = [fixture('plain.xml', 'https://a.example'), '<!-- end -->'].join('\n');
    const whole = scan(text);

    for (const size of [1, 2, 3, 5, 7, 13, 64]) {
      expect(scan(text, size)).toEqual(whole);
    }
    expect(whole).toEqual([
      {
        kind: 'url',
        loc: 'https://a.example/plain/1',
        lastmod: '2024-03-15T10:20:30+00:00',
        changefreq: 'weekly',
        priority: '0.8',
      },
      { kind: 'url', loc: 'https://a.example/plain/2?color=red&size=m' },
      { kind: 'url', loc: 'https://elsewhere.example/plain/3' },
    ]);
  });

  test('reads namespace-prefixed tags and CDATA', () => {
    const text = fixture('prefixed.xml', 'https://a.example');

    expect(scan(text)).toEqual([
      {
        kind: 'url',
        loc: 'https://a.example/prefixed/1?a=1&b=2',
        lastmod: '2024-01-02',
        changefreq: 'DAILY',
        priority: '0.3',
      },
    ]);
  });

  test('reads the children of a sitemap index as sitemaps', () => {
    const text =
      '<sitemapindex><sitemap><loc> https://a.example/1.xml </loc></sitemap></sitemapindex>';

    expect(scan(text)).toEqual([{ kind: 'sitemap', loc: 'https://a.example/1.xml' }]);
  });

  test('takes the kind of an entry from the root, whatever the entry is called', () => {
    const index = '<sitemapindex><url><loc>https://a.example/1.xml</loc></url></sitemapindex>';
    const urlset = '<urlset><sitemap><loc>https://a.example/page</loc></sitemap></urlset>';

    expect(scan(index)).toEqual([{ kind: 'sitemap', loc: 'https://a.example/1.xml' }]);
    expect(scan(urlset)).toEqual([{ kind: 'url', loc: 'https://a.example/page' }]);
  });

  test('decodes predefined entities and character references, keeping unknown ones', () => {
    const loc = 'https://a.example/?a=1&amp;b=&#50;&amp;c=&#x33;&amp;d=&nbsp;&amp;e=1&f';
    const entries = scan(`<urlset><url><loc>${loc}</loc></url></urlset>`, 3);

    expect(entries[0]?.loc).toBe('https://a.example/?a=1&b=2&c=3&d=&nbsp;&e=1&f');
  });

  test('keeps CDATA content as written', () => {
    const entries = scan(
      '<urlset><url><loc><![CDATA[https://a.example/?a&amp;b]]></loc></url></urlset>',
    );

    expect(entries[0]?.loc).toBe('https://a.example/?a&amp;b');
  });

  test('ignores comments, instructions and elements it does not know', () => {
    const text = [
      '<?xml version="1.0"?>',
      '<?xml-stylesheet href="style.xsl"?>',
      '<urlset note="a > b">',
      '<!-- <url><loc>https://a.example/commented</loc></url> -->',
      '<extra><url><loc>https://a.example/nested-too-deep</loc></url></extra>',
      '<url><loc>https://a.example/1</loc><news:news><news:title>T</news:title></news:news></url>',
      '</urlset>',
    ].join('\n');

    expect(scan(text, 4).map((entry) => entry.loc)).toEqual(['https://a.example/1']);
  });

  test('skips a DOCTYPE without expanding its entities', () => {
    const text =
      '<!DOCTYPE urlset [<!ENTITY boom "boom">]><urlset><url><loc>&boom;</loc></url></urlset>';

    expect(scan(text)[0]?.loc).toBe('&boom;');
  });

  test('reads an empty element as an entry with an empty loc', () => {
    expect(scan('<urlset><url/><url><loc/></url></urlset>')).toEqual([
      { kind: 'url', loc: '' },
      { kind: 'url', loc: '' },
    ]);
  });

  test('cuts field text at maxFieldChars', () => {
    const long = `https://a.example/${'x'.repeat(500)}`;

    expect(scan(`<urlset><url><loc>${long}</loc></url></urlset>`, 7, 40)[0]?.loc).toBe(
      long.slice(0, 40),
    );
  });

  test('keeps the entries read before a fault', () => {
    const scanner = new XmlSitemapScanner(100);
    const out: ScannedEntry[] = [];

    expect(() =>
      scanner.write('<urlset><url><loc>a</loc></url><url><loc>b</lo></url>', out),
    ).toThrow('</lo> closes <loc>');
    expect(out.map((entry) => entry.loc)).toEqual(['a']);
  });

  test.each([
    ['<urlset><url></loc></url></urlset>', '</loc> closes <url>, near character 13'],
    ['<urlset></urlset></urlset>', '</urlset> closes nothing'],
    ['<urlset></urlset><urlset></urlset>', 'a second root element <urlset>'],
    ['<urlset></urlset>trailing', 'text outside the root element'],
    ['<urlset><url><loc>a</loc>', 'the document ends before <url> is closed (truncated?)'],
    ['<urlset><url><loc>a</lo', 'the document ends inside a tag, comment or CDATA section'],
    ['<urlset>< url></urlset>', '"< url>" is not a valid tag'],
    ['<urlset><!-x></urlset>', 'a "<!" that starts no comment, CDATA section or DOCTYPE'],
  ])('rejects %s', (text, message) => {
    expect(failure(text)).toContain(message);
  });

  test('says a document with another root element is not a sitemap', () => {
    const scanner = new XmlSitemapScanner(100);

    const write = () => scanner.write('<?xml version="1.0"?><rss><channel/></rss>', []);

    expect(write).toThrow(
      expect.objectContaining({
        isNotSitemap: true,
        message: 'the root element is <rss>, not <urlset> or <sitemapindex>',
      }),
    );
  });

  test('refuses to buffer a tag or comment longer than 1 Mi characters', () => {
    const scanner = new XmlSitemapScanner(100);
    const piece = ' '.repeat(64 * 1024);

    const write = () => {
      scanner.write('<urlset><!--', []);
      for (let i = 0; i < 20; i++) {
        scanner.write(piece, []);
      }
    };

    expect(write).toThrow('a tag, comment or text run longer than 1048576 characters');
  });
});
