/**
 * Enqueue strategies: which links count as "the same site" as the page they were found on. The
 * rules match what Crawlee's `enqueueLinks()` enforces, so a ported crawl follows the same links.
 */

import { getDomain } from 'tldts';

import { ConfigurationError } from '../errors.js';
import { describeValue } from '../utils/options.js';
import { parseSharedUrl } from '../utils/url.js';

/**
 * How far `enqueueLinks()` may follow links, compared with the base URL (the page's URL):
 *
 * - `all`: any http or https URL.
 * - `same-hostname`: the same hostname (`shop.example.com` only); scheme ignored.
 * - `same-domain`: the same registrable domain, so any subdomain of `example.com`; scheme ignored.
 * - `same-origin`: the same scheme, hostname and port.
 *
 * Except for `all`, the port must match too (`localhost:3000` is not `localhost:3001`), as in
 * Crawlee's `enqueueLinks()`. A trailing dot in a hostname (`example.com.`) is ignored.
 */
export enum EnqueueStrategy {
  /** Any http or https URL. */
  All = 'all',
  /** URLs on the same hostname and port; `http` and `https` both match. */
  SameHostname = 'same-hostname',
  /** URLs on the same registrable domain (any subdomain) and port; `http` and `https` match. */
  SameDomain = 'same-domain',
  /** URLs with the same scheme, hostname and port. */
  SameOrigin = 'same-origin',
}

/** A strategy as the enum member or its string value (`'same-domain'`). */
export type EnqueueStrategyLike = EnqueueStrategy | `${EnqueueStrategy}`;

const STRATEGIES: ReadonlySet<string> = new Set(Object.values(EnqueueStrategy));
const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/** Tells whether `value` names an enqueue strategy. */
export function isEnqueueStrategy(value: unknown): value is EnqueueStrategyLike {
  return typeof value === 'string' && STRATEGIES.has(value);
}

/**
 * Returns the registrable domain of `hostname` (`shop.example.co.uk` → `example.co.uk`), from the
 * public suffix list. IP addresses and names without one (`localhost`) return the hostname itself,
 * so for them `same-domain` behaves as `same-hostname`. A trailing dot is dropped.
 */
export function registrableDomain(hostname: string): string {
  const host = stripTrailingDot(hostname.toLowerCase());
  return getDomain(host, { mixedInputs: false }) ?? host;
}

/**
 * Tells whether `target` may be enqueued from a page at `base` under `strategy`. Only `http` and
 * `https` targets ever match; a URL that does not parse never matches.
 *
 * @example
 * matchesEnqueueStrategy('same-domain', 'http://blog.example.com/', 'https://example.com'); // true
 * matchesEnqueueStrategy('same-origin', 'http://example.com/', 'https://example.com/'); // false
 *
 * @throws ConfigurationError when `strategy` is not one of the four strategies.
 */
export function matchesEnqueueStrategy(
  strategy: EnqueueStrategyLike,
  target: URL | string,
  base: URL | string,
): boolean {
  assertStrategy(strategy);
  const targetUrl = toUrl(target);
  const baseUrl = toUrl(base);
  if (targetUrl === null || baseUrl === null || !HTTP_PROTOCOLS.has(targetUrl.protocol)) {
    return false;
  }
  if (strategy === EnqueueStrategy.All) {
    return true;
  }

  // The port counts for every strategy but `all`: Crawlee builds its patterns from the origin.
  if (targetUrl.port !== baseUrl.port) {
    return false;
  }
  return matchesHost(strategy, targetUrl, baseUrl);
}

/** What {@link filterUrl} decided. */
export interface FilterUrlResult {
  /** Whether the URL may be enqueued. */
  allowed: boolean;
  /** Why it may not, for a log line; absent when allowed. */
  reason?: string;
}

/**
 * Checks `target` against `strategy` relative to `base`, like {@link matchesEnqueueStrategy}, and
 * says why a URL was refused. Never throws on bad URLs.
 *
 * @throws ConfigurationError when `strategy` is not one of the four strategies.
 */
export function filterUrl(
  target: URL | string,
  base: URL | string,
  strategy: EnqueueStrategyLike,
): FilterUrlResult {
  assertStrategy(strategy);
  const targetUrl = toUrl(target);
  if (targetUrl === null || !HTTP_PROTOCOLS.has(targetUrl.protocol)) {
    return { allowed: false, reason: 'not an http or https URL' };
  }
  if (toUrl(base) === null) {
    return { allowed: false, reason: 'the base URL does not parse' };
  }
  if (!matchesEnqueueStrategy(strategy, targetUrl, base)) {
    return { allowed: false, reason: `outside the ${strategy} strategy` };
  }
  return { allowed: true };
}

function matchesHost(strategy: EnqueueStrategyLike, target: URL, base: URL): boolean {
  const targetHost = stripTrailingDot(target.hostname);
  const baseHost = stripTrailingDot(base.hostname);

  switch (strategy) {
    case EnqueueStrategy.SameHostname:
      return targetHost === baseHost;
    case EnqueueStrategy.SameDomain:
      return registrableDomain(targetHost) === registrableDomain(baseHost);
    default:
      return target.protocol === base.protocol && targetHost === baseHost;
  }
}

function assertStrategy(strategy: unknown): asserts strategy is EnqueueStrategyLike {
  if (!isEnqueueStrategy(strategy)) {
    throw new ConfigurationError(
      `Unknown enqueue strategy ${describeValue(strategy)}; ` +
        `use one of ${[...STRATEGIES].join(', ')}`,
      { option: 'strategy' },
    );
  }
}

function stripTrailingDot(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

function toUrl(value: URL | string): URL | null {
  return value instanceof URL ? value : parseSharedUrl(value);
}
