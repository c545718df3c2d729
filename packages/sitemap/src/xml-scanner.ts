/**
 * A streaming reader for XML sitemaps (`urlset`, `sitemapindex`). It takes the document as text
 * in chunks of any size, keeps only the unfinished tag between chunks, and hands back each
 * `<url>` or `<sitemap>` entry as soon as it is closed, so memory stays flat whatever the size.
 *
 * It checks what a sitemap needs to be trusted: tags nest and match, one root element, nothing
 * but markup around it. Namespace prefixes are ignored (`<sm:loc>` reads as `<loc>`); `loc`,
 * `lastmod`, `changefreq` and `priority` count only as direct children of an entry, so
 * `<image:loc>` inside `<image:image>` is not taken for the page URL. Entities are never
 * expanded from a DTD: the five predefined ones and character references are decoded, anything
 * else (a bare `&` in a URL, say) is kept as written.
 */

/** An entry read from a sitemap, its fields as written (trimmed, entities decoded). */
export interface ScannedEntry {
  /** `url` for an entry of a `urlset`, `sitemap` for a child of a `sitemapindex`. */
  kind: 'url' | 'sitemap';
  loc: string;
  lastmod?: string;
  changefreq?: string;
  priority?: string;
}

/** Why a scanner stopped: the document is not well formed, or is not a sitemap at all. */
export class ScanError extends Error {
  constructor(
    message: string,
    readonly isNotSitemap = false,
  ) {
    super(message);
  }
}

type Field = 'loc' | 'lastmod' | 'changefreq' | 'priority';

const FIELDS = new Set<string>(['loc', 'lastmod', 'changefreq', 'priority']);

/**
 * An unfinished piece of markup is kept between chunks; past this many characters the document
 * is rejected rather than buffered further.
 */
const MAX_TOKEN_CHARS = 1 << 20;

const LT = 60; // <
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?

/** The character an entity or character reference stands for, or undefined if unknown. */
function entityValue(name: string): string | undefined {
  switch (name) {
    case 'amp':
      return '&';
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  if (name.charCodeAt(0) !== 35 /* # */) {
    return undefined;
  }
  const isHex = name[1] === 'x' || name[1] === 'X';
  const digits = name.slice(isHex ? 2 : 1);
  const code = digits.length === 0 ? NaN : Number(isHex ? `0x${digits}` : digits);
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff
    ? String.fromCodePoint(code)
    : undefined;
}

/** `text` with entity and character references decoded; unknown ones are kept as written. */
function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) {
    return text;
  }
  let decoded = '';
  let copied = 0;
  while (amp !== -1) {
    const semicolon = text.indexOf(';', amp + 1);
    const value =
      semicolon === -1 || semicolon - amp > 12
        ? undefined
        : entityValue(text.slice(amp + 1, semicolon));
    if (value === undefined) {
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    decoded += text.slice(copied, amp) + value;
    copied = semicolon + 1;
    amp = text.indexOf('&', copied);
  }
  return decoded + text.slice(copied);
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

function isNameStart(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    code === 95 ||
    code === 58 ||
    code > 127
  );
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** Index of the `>` closing the tag that starts at `from`, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let gt = text.indexOf('>', from);
  for (let i = from; gt !== -1 && i < gt; i++) {
    const code = text.charCodeAt(i);
    if (code !== 34 && code !== 39) {
      continue;
    }
    const quote = text.indexOf(text[i]!, i + 1);
    if (quote === -1) {
      return -1;
    }
    i = quote;
    if (quote > gt) {
      gt = text.indexOf('>', quote + 1);
    }
  }
  return gt;
}

/** Reads one XML sitemap; see the file comment. Not reusable across documents. */
export class XmlSitemapScanner {
  #tail = '';
  #consumed = 0;
  /** Where in the current text the token being read starts, for error messages. */
  #at = 0;
  readonly #stack: string[] = [];
  #root: 'urlset' | 'sitemapindex' | undefined;
  #isRootClosed = false;
  #entry: ScannedEntry | undefined;
  #field: Field | undefined;
  #fieldText = '';

  /**
   * @param maxFieldChars field text past this length is dropped, so an absurdly long `<loc>`
   *   costs no memory; the entry still comes out, its field cut at this length.
   */
  constructor(readonly maxFieldChars: number) {}

  /**
   * Reads `chunk`, the next piece of the document, and appends each entry it completes to `out`.
   * @throws ScanError when the document is not well formed or not a sitemap; the entries
   *   completed before the fault are in `out` already.
   */
  write(chunk: string, out: ScannedEntry[]): void {
    const text = this.#tail.length === 0 ? chunk : this.#tail + chunk;
    const end = this.#scan(text, out);
    this.#consumed += end;
    this.#at = 0;
    this.#tail = end === text.length ? '' : text.slice(end);
    if (this.#tail.length > MAX_TOKEN_CHARS) {
      this.#fail(`a tag, comment or text run longer than ${MAX_TOKEN_CHARS} characters`);
    }
  }

  /**
   * Ends the document.
   * @throws ScanError when it stopped inside a tag or before the root element was closed.
   */
  end(): void {
    if (this.#tail.trim().length > 0) {
      this.#fail('the document ends inside a tag, comment or CDATA section');
    }
    if (this.#root === undefined) {
      this.#fail('the document has no root element', true);
    }
    const open = this.#stack.at(-1);
    if (open !== undefined) {
      this.#fail(`the document ends before <${open}> is closed (truncated?)`);
    }
  }

  #fail(reason: string, isNotSitemap = false): never {
    const where = isNotSitemap ? '' : `, near character ${this.#consumed + this.#at}`;
    throw new ScanError(`${reason}${where}`, isNotSitemap);
  }

  /** Scans `text` from the start; returns how far it got (the rest waits for more input). */
  #scan(text: string, out: ScannedEntry[]): number {
    const length = text.length;
    let i = 0;
    while (i < length) {
      this.#at = i;
      if (text.charCodeAt(i) !== LT) {
        const lt = text.indexOf('<', i);
        if (lt === -1 && this.#field !== undefined) {
          // Keep captured text whole so an entity split across chunks decodes.
          return i;
        }
        const stop = lt === -1 ? length : lt;
        this.#text(text, i, stop);
        i = stop;
        continue;
      }
      const next = i + 1 < length ? text.charCodeAt(i + 1) : -1;
      const after =
        next === SLASH
          ? this.#closeTag(text, i, out)
          : next === BANG
            ? this.#declaration(text, i)
            : next === QUESTION
              ? this.#instruction(text, i)
              : next === -1
                ? -1
                : this.#openTag(text, i, out);
      if (after === -1) {
        return i;
      }
      i = after;
    }
    return i;
  }

  #text(text: string, from: number, to: number): void {
    if (this.#field !== undefined) {
      this.#capture(decodeEntities(text.slice(from, to)));
      return;
    }
    if (this.#stack.length > 0) {
      return;
    }
    for (let i = from; i < to; i++) {
      if (!isSpace(text.charCodeAt(i))) {
        this.#fail('text outside the root element', this.#root === undefined);
      }
    }
  }

  #capture(piece: string): void {
    if (this.#fieldText.length < this.maxFieldChars) {
      this.#fieldText += piece;
    }
  }

  #instruction(text: string, at: number): number {
    const end = text.indexOf('?>', at + 2);
    return end === -1 ? -1 : end + 2;
  }

  #declaration(text: string, at: number): number {
    if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      return end === -1 ? -1 : end + 3;
    }
    if (text.startsWith('<![CDATA[', at)) {
      const end = text.indexOf(']]>', at + 9);
      if (end === -1) {
        return -1;
      }
      if (this.#field !== undefined) {
        this.#capture(text.slice(at + 9, end));
      }
      return end + 3;
    }
    // Upper case in XML; HTML pages served as sitemaps often say `<!doctype html>`.
    const rest = text.slice(at, at + 9).toUpperCase();
    if (rest === '<!DOCTYPE') {
      return this.#doctype(text, at);
    }
    if (['<!--', '<![CDATA[', '<!DOCTYPE'].some((start) => start.startsWith(rest))) {
      return -1;
    }
    this.#fail('a "<!" that starts no comment, CDATA section or DOCTYPE');
  }

  /** Skips a DOCTYPE, internal subset included; its entity declarations are never applied. */
  #doctype(text: string, at: number): number {
    // Limitation: a `]` inside a quoted value of the internal subset ends the subset early, and
    // the rest of the DOCTYPE is then read as a tag; sitemaps have no reason to carry one.
    if (this.#stack.length > 0 || this.#root !== undefined) {
      this.#fail('a DOCTYPE inside the document');
    }
    const gt = text.indexOf('>', at);
    const bracket = text.indexOf('[', at);
    if (bracket === -1 || (gt !== -1 && gt < bracket)) {
      return gt === -1 ? -1 : gt + 1;
    }
    const close = text.indexOf(']', bracket);
    const end = close === -1 ? -1 : text.indexOf('>', close);
    return end === -1 ? -1 : end + 1;
  }

  #openTag(text: string, at: number, out: ScannedEntry[]): number {
    const gt = tagEnd(text, at + 1);
    if (gt === -1) {
      return -1;
    }
    if (!isNameStart(text.charCodeAt(at + 1))) {
      this.#fail(`"${text.slice(at, Math.min(gt + 1, at + 20))}" is not a valid tag`);
    }
    let nameEnd = at + 1;
    while (nameEnd < gt) {
      const code = text.charCodeAt(nameEnd);
      if (isSpace(code) || code === SLASH) {
        break;
      }
      nameEnd++;
    }
    const name = text.slice(at + 1, nameEnd);
    this.#open(name);
    if (text.charCodeAt(gt - 1) === SLASH) {
      this.#close(name, out);
    }
    return gt + 1;
  }

  #open(name: string): void {
    const depth = this.#stack.length;
    this.#stack.push(name);
    if (depth === 0) {
      this.#openRoot(name);
      return;
    }
    const local = localName(name);
    if (depth === 1) {
      // The root says what an entry is: generators that write <url> in an index (or the
      // reverse) still mean their root's kind.
      const isEntry = local === 'url' || local === 'sitemap';
      const kind = this.#root === 'urlset' ? 'url' : 'sitemap';
      this.#entry = isEntry ? { kind, loc: '' } : undefined;
    } else if (depth === 2 && this.#entry !== undefined && FIELDS.has(local)) {
      this.#field = local as Field;
      this.#fieldText = '';
    }
  }

  #openRoot(name: string): void {
    if (this.#isRootClosed) {
      this.#fail(`a second root element <${name}>`);
    }
    const local = localName(name);
    if (local !== 'urlset' && local !== 'sitemapindex') {
      this.#fail(`the root element is <${name}>, not <urlset> or <sitemapindex>`, true);
    }
    this.#root = local;
  }

  #closeTag(text: string, at: number, out: ScannedEntry[]): number {
    const gt = text.indexOf('>', at + 2);
    if (gt === -1) {
      return -1;
    }
    let nameEnd = gt;
    while (nameEnd > at + 2 && isSpace(text.charCodeAt(nameEnd - 1))) {
      nameEnd--;
    }
    this.#close(text.slice(at + 2, nameEnd), out);
    return gt + 1;
  }

  #close(name: string, out: ScannedEntry[]): void {
    const open = this.#stack.pop();
    if (open !== name) {
      this.#fail(open === undefined ? `</${name}> closes nothing` : `</${name}> closes <${open}>`);
    }
    const depth = this.#stack.length;
    if (depth === 2 && this.#field !== undefined) {
      this.#entry![this.#field] = this.#fieldText.trim().slice(0, this.maxFieldChars);
      this.#field = undefined;
    } else if (depth === 1 && this.#entry !== undefined) {
      out.push(this.#entry);
      this.#entry = undefined;
    } else if (depth === 0) {
      this.#isRootClosed = true;
    }
  }
}
