/**
 * The options of `parseSitemap()`: Crawlee 3.18's, plus trawl's limits, abort signal and
 * callbacks. Unknown names are rejected with a suggestion, as everywhere in trawl.
 */
import { ENQUEUE_STRATEGIES, type SitemapEnqueueStrategy } from './enqueue-strategy.js';
import { SitemapError } from './errors.js';
import type { SitemapWarning } from './warnings.js';

/** got timeouts for one sitemap request, each in milliseconds (got's `Delays`). */
export interface NetworkTimeouts {
  lookup?: number;
  socket?: number;
  connect?: number;
  secureConnect?: number;
  send?: number;
  response?: number;
  read?: number;
  request?: number;
}

/** Options of {@link parseSitemap}; all optional. */
export interface ParseSitemapOptions {
  /**
   * Also yield each nested sitemap found in a sitemap index, as `{ loc, originSitemapUrl: null }`.
   * @default false
   */
  emitNestedSitemaps?: boolean;
  /**
   * How deep to follow sitemap indexes: 0 reads only the sources given, 1 also their children.
   * @default Infinity
   */
  maxDepth?: number;
  /**
   * Extra attempts for a sitemap whose fetch failed with a network error, a timeout, or status
   * 408, 429 or 5xx. Other statuses and parse errors are not retried.
   * @default 3
   */
  sitemapRetries?: number;
  /**
   * Wait before the first retry, in seconds; it doubles for each further retry. 0 retries at once.
   * @default 1
   */
  sitemapRetryDelaySecs?: number;
  /**
   * got timeouts for each sitemap request, in milliseconds. `socket` bounds the silence while a
   * body downloads, so a large sitemap still has all the time it needs.
   * @default { response: 30_000, socket: 30_000 }
   */
  networkTimeouts?: NetworkTimeouts;
  /**
   * Report sitemaps that could not be fetched (status, network). `false` skips them silently,
   * as `Sitemap.tryCommonNames()` does for the locations it guesses; parse errors are still
   * reported.
   * @default true
   */
  reportNetworkErrors?: boolean;
  /** Follow only the nested sitemaps for which this returns true. Every one when undefined. */
  nestedSitemapFilter?: (sitemapUrl: string) => boolean;
  /**
   * Which URLs and nested sitemaps to keep, relative to the URL of the sitemap listing them.
   * String sources have no URL, so nothing of theirs is filtered.
   * @default 'same-hostname'
   */
  enqueueStrategy?: SitemapEnqueueStrategy;
  /**
   * Most bytes of one sitemap after decompression (of the gzip file and of the HTTP
   * `Content-Encoding`). Past it the sitemap stops with a `TRAWL_SITEMAP_TOO_LARGE` error, which
   * stops gzip bombs; the URLs read before stay yielded.
   * @default 209_715_200 (200 MiB; the protocol allows 50 MB)
   */
  maxDecompressedBytes?: number;
  /**
   * Longest URL kept, in characters; longer entries are skipped and reported with a
   * `TRAWL_SITEMAP_URLS_TOO_LONG` warning. The protocol allows 2,047, but longer URLs that work
   * are common; 8,192 is about what web servers accept in a request line.
   * @default 8192
   */
  maxUrlLength?: number;
  /** Stops parsing: the iteration throws a `TRAWL_SITEMAP_ABORTED` error. */
  signal?: AbortSignal;
  /**
   * Receives each sitemap that failed, and parsing goes on with the others. Without it the
   * failures are collected and thrown together as a `SitemapLoadError` once everything that
   * could be read was yielded.
   */
  onError?: (error: SitemapError) => void;
  /** Receives each warning; see `SitemapWarningCode`. Warnings are dropped when undefined. */
  onWarning?: (warning: SitemapWarning) => void;
}

/** The options with their defaults applied. */
export type ParseSitemapSettings = Required<
  Omit<ParseSitemapOptions, 'nestedSitemapFilter' | 'signal' | 'onError' | 'onWarning'>
> &
  Pick<ParseSitemapOptions, 'nestedSitemapFilter' | 'signal' | 'onError' | 'onWarning'>;

const DEFAULTS = {
  emitNestedSitemaps: false,
  maxDepth: Infinity,
  sitemapRetries: 3,
  sitemapRetryDelaySecs: 1,
  networkTimeouts: { response: 30_000, socket: 30_000 },
  reportNetworkErrors: true,
  enqueueStrategy: 'same-hostname' as SitemapEnqueueStrategy,
  maxDecompressedBytes: 200 * 2 ** 20,
  maxUrlLength: 8192,
};

const KNOWN = [...Object.keys(DEFAULTS), 'nestedSitemapFilter', 'signal', 'onError', 'onWarning'];

function invalid(message: string): SitemapError {
  return new SitemapError('TRAWL_SITEMAP_INVALID_OPTION', message, undefined);
}

/** Number of single-character edits between `a` and `b`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

function checkNames(options: object): void {
  const known = KNOWN;
  for (const name of Object.keys(options)) {
    if (known.includes(name)) {
      continue;
    }
    const closest = known.reduce((best, candidate) =>
      distance(name, candidate) < distance(name, best) ? candidate : best,
    );
    const hint = distance(name, closest) <= 3 ? `; did you mean "${closest}"?` : '';
    throw invalid(`Unknown option "${name}" for parseSitemap${hint}`);
  }
}

function checkCount(name: string, value: number, isInfinityAllowed: boolean): void {
  const isValid =
    value >= 0 && (Number.isInteger(value) || (isInfinityAllowed && value === Infinity));
  if (!isValid) {
    throw invalid(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/**
 * Applies the defaults and checks every option.
 * @throws SitemapError `TRAWL_SITEMAP_INVALID_OPTION` naming the first bad option.
 */
export function resolveParseSitemapOptions(
  options: ParseSitemapOptions = {},
): ParseSitemapSettings {
  checkNames(options);
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as ParseSitemapOptions;
  const settings = { ...DEFAULTS, networkTimeouts: { ...DEFAULTS.networkTimeouts }, ...defined };
  checkCount('maxDepth', settings.maxDepth, true);
  checkCount('sitemapRetries', settings.sitemapRetries, false);
  checkCount('maxDecompressedBytes', settings.maxDecompressedBytes, true);
  checkCount('maxUrlLength', settings.maxUrlLength, false);
  if (!(settings.sitemapRetryDelaySecs >= 0 && Number.isFinite(settings.sitemapRetryDelaySecs))) {
    throw invalid(
      `sitemapRetryDelaySecs must be a non-negative number, got ${settings.sitemapRetryDelaySecs}`,
    );
  }
  if (!ENQUEUE_STRATEGIES.includes(settings.enqueueStrategy)) {
    throw invalid(
      `enqueueStrategy must be one of ${ENQUEUE_STRATEGIES.join(', ')}, ` +
        `got "${String(settings.enqueueStrategy)}"`,
    );
  }
  return settings;
}
