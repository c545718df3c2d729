/**
 * Turns the text of a sitemap into batches of entries: XML when the first thing in it is markup,
 * a plain list of URLs otherwise. Each batch holds the entries of one chunk of text, so a
 * consumer holds at most one chunk's worth of entries at a time.
 */
import { SitemapFailure } from './sitemap-failure.js';
import { TextSitemapScanner } from './text-scanner.js';
import { ScanError, type ScannedEntry, XmlSitemapScanner } from './xml-scanner.js';

type Scanner = XmlSitemapScanner | TextSitemapScanner;

function failureOf(error: unknown, scanner: Scanner): unknown {
  if (!(error instanceof ScanError)) {
    return error;
  }
  if (error.isNotSitemap) {
    return new SitemapFailure('not-sitemap', `is not a sitemap: ${error.message}`);
  }
  const what = scanner instanceof XmlSitemapScanner ? 'well-formed XML' : 'a valid text sitemap';
  return new SitemapFailure('parse', `is not ${what}: ${error.message}`);
}

function chooseScanner(text: string, maxUrlLength: number): Scanner {
  // Limitation: .tar.gz, .tgz and .zip archives are not unpacked, so a sitemap inside one is
  // reported as binary data instead of being read.
  if (text.includes('\u0000')) {
    throw new SitemapFailure('not-sitemap', 'is binary data, not a sitemap (an archive?)');
  }
  return text.startsWith('<')
    ? new XmlSitemapScanner(maxUrlLength + 1)
    : new TextSitemapScanner(maxUrlLength + 1);
}

/**
 * Reads the entries of the sitemap whose text comes in `texts`.
 * @param maxUrlLength longer fields come out cut to one character more, to be found too long.
 * @throws SitemapFailure `parse` or `not-sitemap`, after the batches read before the fault.
 */
export async function* readEntries(
  texts: AsyncIterable<string> | Iterable<string>,
  maxUrlLength: number,
): AsyncGenerator<ScannedEntry[]> {
  let scanner: Scanner | undefined;
  let out: ScannedEntry[] = [];
  try {
    let head = '';
    for await (const text of texts) {
      let piece = text;
      if (scanner === undefined) {
        // Wait for the first non-blank character, which tells XML from a list of URLs.
        head = (head + text).replace(/^[\uFEFF\s]+/, '');
        if (head.length === 0) {
          continue;
        }
        scanner = chooseScanner(head, maxUrlLength);
        piece = head;
      }
      scanner.write(piece, out);
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    if (scanner === undefined) {
      throw new SitemapFailure('not-sitemap', 'is empty, not a sitemap');
    }
    if (scanner instanceof XmlSitemapScanner) {
      scanner.end();
    } else {
      scanner.end(out);
    }
  } catch (error) {
    if (out.length > 0) {
      yield out;
    }
    throw scanner === undefined ? error : failureOf(error, scanner);
  }
  if (out.length > 0) {
    yield out;
  }
}
