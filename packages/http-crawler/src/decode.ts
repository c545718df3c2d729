/**
 * Turning a response body into text: which encoding applies (forced, byte-order mark, header,
 * the page's own declaration, suggested, UTF-8), and decoding legacy charsets with iconv-lite.
 */
import iconv from 'iconv-lite';

import type { ParsedContentType } from './content-type.js';
import { isMarkupType } from './content-type.js';

/** Where the encoding of a body comes from, besides the response itself. */
export interface EncodingOptions {
  /** Used whatever the response says (`forceResponseEncoding`). */
  forceEncoding?: string;
  /** Used when neither the headers nor the page say (`suggestResponseEncoding`). */
  suggestEncoding?: string;
}

// Browsers decode these labels as windows-1252 (WHATWG Encoding, section 4.2), and so do we, so
// the text matches what a user sees in the page.
const WINDOWS_1252_LABELS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'us-ascii', 'ascii']);

/** The page's declaration is looked for in the first bytes only, as browsers do. */
const SNIFF_BYTES = 4096;
const META_CHARSET = /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i;
const XML_DECLARATION = /^\s*<\?xml\b[^>]*?encoding\s*=\s*["']([\w.:-]+)["']/i;

/**
 * The canonical name of an encoding label (`UTF8` → `utf-8`, `latin1` → `windows-1252`), or
 * `undefined` when iconv-lite cannot decode it.
 */
export function normalizeEncoding(label: string): string | undefined {
  const lower = label.trim().toLowerCase();
  if (lower === 'utf-8' || lower === 'utf8') {
    return 'utf-8';
  }
  if (WINDOWS_1252_LABELS.has(lower)) {
    return 'windows-1252';
  }
  return iconv.encodingExists(lower) ? lower : undefined;
}

/**
 * Picks the encoding of `body`: the forced one; else a byte-order mark; else the `charset` of
 * the Content-Type header; else, for HTML and XML, the page's `<meta charset>` or XML
 * declaration; else the suggested one; else UTF-8. Labels iconv-lite does not know are passed
 * over.
 */
export function detectEncoding(
  body: Buffer,
  contentType: ParsedContentType,
  options: EncodingOptions = {},
): string {
  // In order of precedence; each is looked for only when those before it gave nothing usable.
  const candidates = [
    () => options.forceEncoding,
    () => byteOrderMark(body),
    () => contentType.charset,
    () => (isMarkupType(contentType.type) ? declaredEncoding(body) : undefined),
    () => options.suggestEncoding,
  ];
  for (const candidate of candidates) {
    const label = candidate();
    const encoding = label === undefined ? undefined : normalizeEncoding(label);
    if (encoding !== undefined) {
      return encoding;
    }
  }
  return 'utf-8';
}

/** Decodes `body` from `encoding` (a name {@link normalizeEncoding} returned); drops a BOM. */
export function decodeBody(body: Buffer, encoding: string): string {
  if (encoding === 'utf-8') {
    const hasBom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    return (hasBom ? body.subarray(3) : body).toString('utf8');
  }
  return iconv.decode(body, encoding);
}

function byteOrderMark(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return 'utf-8';
  }
  if (body[0] === 0xff && body[1] === 0xfe) {
    return 'utf-16le';
  }
  if (body[0] === 0xfe && body[1] === 0xff) {
    return 'utf-16be';
  }
  return undefined;
}

function declaredEncoding(body: Buffer): string | undefined {
  // Declarations are ASCII, so reading the bytes as latin1 finds them whatever the encoding.
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  const declared = XML_DECLARATION.exec(head)?.[1] ?? META_CHARSET.exec(head)?.[1];
  // A page cannot declare itself UTF-16 in ASCII; browsers read such a declaration as UTF-8.
  return declared?.toLowerCase().startsWith('utf-16') ? 'utf-8' : declared;
}
