/**
 * A streaming reader for plain-text sitemaps: one absolute URL per line, blank lines ignored.
 * Only the current line is kept between chunks, and a line is cut at the length limit, so a
 * file without line breaks costs no memory.
 */
import { ScanError, type ScannedEntry } from './xml-scanner.js';

const URL_START = /^https?:\/\//i;

/** Reads one text sitemap. Not reusable across documents. */
export class TextSitemapScanner {
  #line = '';
  #hasUrl = false;

  /** @param maxLineChars a longer line comes out cut at this length (and is found too long). */
  constructor(readonly maxLineChars: number) {}

  /**
   * Reads `chunk`, the next piece of the file, and appends an entry per complete line to `out`.
   * @throws ScanError when the first line is not an http(s) URL: the file is not a sitemap.
   */
  write(chunk: string, out: ScannedEntry[]): void {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      this.#append(chunk, start, newline);
      this.#finishLine(out);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    this.#append(chunk, start, chunk.length);
  }

  /** Ends the file, reading its last line. */
  end(out: ScannedEntry[]): void {
    this.#finishLine(out);
  }

  #append(chunk: string, from: number, to: number): void {
    const room = this.maxLineChars - this.#line.length;
    if (room > 0 && to > from) {
      this.#line += chunk.slice(from, Math.min(to, from + room));
    }
  }

  #finishLine(out: ScannedEntry[]): void {
    const loc = this.#line.trim();
    this.#line = '';
    if (loc.length === 0) {
      return;
    }
    if (!this.#hasUrl && !URL_START.test(loc)) {
      throw new ScanError('its first line is not an http(s) URL', true);
    }
    this.#hasUrl = true;
    out.push({ kind: 'url', loc });
  }
}
