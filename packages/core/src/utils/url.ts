/**
 * URL helpers shared by requests, queues and link extraction: checking that a URL can be crawled,
 * and normalising it into the default unique key.
 */

import { InvalidUrlError } from '../errors.js';

const CRAWLABLE_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/**
 * Parses `url` after trimming surrounding whitespace and checks that its scheme is http or https.
 *
 * @param url - The URL as the caller gave it.
 * @returns The parsed URL.
 * @throws InvalidUrlError when `url` is not a string, is empty, is not an absolute URL, or uses
 *   another scheme (`ftp:`, `file:`, `javascript:`, ...).
 */
export function parseHttpUrl(url: unknown): URL {
  if (typeof url !== 'string') {
    throw new InvalidUrlError(String(url), `a URL must be a string, got ${typeof url}`);
  }

  const trimmed = url.trim();
  if (trimmed === '') {
    throw new InvalidUrlError(url, 'the URL is empty; pass an absolute http or https URL');
  }

  const parsed = tryParseUrl(trimmed);
  if (parsed === null) {
    throw new InvalidUrlError(
      url,
      'it is not an absolute URL; include the scheme and host, as in "https://example.com/"',
    );
  }

  if (!CRAWLABLE_PROTOCOLS.has(parsed.protocol)) {
    throw new InvalidUrlError(
      url,
      `only http and https URLs can be crawled, got "${parsed.protocol}"`,
    );
  }

  return parsed;
}

/**
 * Tells whether `url`, once trimmed, is an absolute http or https URL. Never throws.
 */
export function isHttpUrl(url: unknown): boolean {
  if (typeof url !== 'string') {
    return false;
  }
  const parsed = tryParseUrl(url.trim());
  return parsed !== null && CRAWLABLE_PROTOCOLS.has(parsed.protocol);
}

/**
 * Normalises a URL into the form used as a request's default unique key, following Crawlee's
 * rules so both libraries deduplicate the same URLs: surrounding whitespace is trimmed, query
 * parameters named `utm_*` are dropped and the rest sorted by name, scheme and host are
 * lower-cased (the path keeps its case), one trailing `/` is removed from the path, user name and
 * password are dropped, and the fragment is dropped unless `keepUrlFragment` is set. The query is
 * re-encoded as form data, so `%20` becomes `+`.
 *
 * @example
 * normalizeUrl('HTTP://www.EXAMPLE.com/something/?b=2&utm_source=x&a=1');
 * // 'http://www.example.com/something?a=1&b=2'
 *
 * @param url - The URL to normalise; it may use any scheme.
 * @param keepUrlFragment - Keep the `#fragment`.
 * @returns The normalised URL, or `null` when `url` is not a string or cannot be parsed.
 */
export function normalizeUrl(url: string, keepUrlFragment = false): string | null {
  if (typeof url !== 'string' || url.length === 0) {
    return null;
  }

  const trimmed = url.trim();
  const shared = parseSharedUrl(trimmed);
  // Normalising a query changes the parsed URL, which must then be a copy of its own.
  const parsed = shared === null || shared.search === '' ? shared : new URL(trimmed);
  return parsed === null ? null : normalizeParsedUrl(parsed, keepUrlFragment);
}

/** {@link normalizeUrl} of a URL already parsed; changes `parsed`'s query. */
export function normalizeParsedUrl(parsed: URL, keepUrlFragment = false): string {
  const origin = `${parsed.protocol.toLowerCase()}//${parsed.host.toLowerCase()}`;
  const { pathname } = parsed;
  const path = pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  // Most URLs have no query: reading searchParams would build a parsed copy of it.
  const search = parsed.search === '' ? '' : normalizedSearch(parsed.searchParams);
  const hash = keepUrlFragment ? parsed.hash : '';

  return `${origin}${path}${search}${hash}`;
}

function normalizedSearch(searchParams: URLSearchParams): string {
  for (const name of [...searchParams.keys()]) {
    if (name.startsWith('utm_')) {
      searchParams.delete(name);
    }
  }
  searchParams.sort();
  const query = searchParams.toString();
  return query === '' ? '' : `?${query}`;
}

/** How many parsed URLs {@link parseSharedUrl} keeps before it starts over. */
const SHARED_URLS = 1_024;
let sharedUrls = new Map<string, URL | null>();

/**
 * `url` parsed (or `null` when it does not parse), shared with every caller that parsed the same
 * string lately: a link found on a page is read by the crawler, the filters, the strategy and the
 * queue, and parsing it once serves them all. Callers read the result and never change it.
 */
export function parseSharedUrl(url: string): URL | null {
  let parsed = sharedUrls.get(url);
  if (parsed === undefined) {
    parsed = tryParseUrl(url);
    if (sharedUrls.size >= SHARED_URLS) {
      sharedUrls = new Map();
    }
    sharedUrls.set(url, parsed);
  }
  return parsed;
}

/**
 * `url` resolved against `base` as `new URL(url, base)` resolves it; an `http://` or `https://`
 * URL, which ignores its base, comes from {@link parseSharedUrl}. Read the result, never change it.
 */
export function resolveSharedUrl(url: string, base?: string): URL | null {
  if (base === undefined || url.startsWith('https://') || url.startsWith('http://')) {
    return parseSharedUrl(url);
  }
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

function tryParseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
