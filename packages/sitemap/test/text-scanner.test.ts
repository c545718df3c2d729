import { describe, expect, test } from 'vitest';

import { TextSitemapScanner } from '../src/text-scanner.js';
import type { ScannedEntry } from '../src/xml-scanner.js';

function scan(text: string, size: number, maxLineChars = 100): string[] {
  const scanner = new TextSitemapScanner(maxLineChars);
  const out: ScannedEntry[] = [];
  for (let i = 0; i < text.length; i += size) {
    scanner.write(text.slice(i, i + size), out);
  }
  scanner.end(out);
  return out.map((entry) => entry.loc);
}

describe('TextSitemapScanner', () => {
  test('reads one URL per line, trimmed, skipping blank lines, whatever the chunking', () => {
    const text = 'https://a.example/1\r\n\r\n  https://a.example/2  \nhttps://a.example/3';

    for (const size of [1, 2, 5, text.length]) {
      expect(scan(text, size)).toEqual([
        'https://a.example/1',
        'https://a.example/2',
        'https://a.example/3',
      ]);
    }
  });

  test('cuts a line at maxLineChars without holding the rest', () => {
    const text = `https://a.example/${'x'.repeat(1_000)}\nhttps://a.example/2\n`;

    expect(scan(text, 10, 30)).toEqual([
      `https://a.example/${'x'.repeat(12)}`,
      'https://a.example/2',
    ]);
  });

  test('says a file whose first line is not a URL is not a sitemap', () => {
    const write = () => scan('Not Found\n', 100);

    expect(write).toThrow(
      expect.objectContaining({
        isNotSitemap: true,
        message: 'its first line is not an http(s) URL',
      }),
    );
  });

  test('passes lines after the first through, for the caller to judge', () => {
    expect(scan('https://a.example/1\nmailto:x@a.example\n', 100)).toEqual([
      'https://a.example/1',
      'mailto:x@a.example',
    ]);
  });
});
