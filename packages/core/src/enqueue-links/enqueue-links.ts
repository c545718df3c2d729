/**
 * `enqueueLinks()`: filters found links and adds them to a request queue, in Crawlee's order so
 * a ported crawl enqueues the same requests: resolve against the base URL, robots.txt, the
 * transform function, exclude patterns, user patterns, the strategy, then the limit.
 */

import { log } from '../log.js';
import { Request, type RequestOptions, type Source } from '../request.js';
import type {
  AddRequestsBatchedOptions,
  AddRequestsBatchedResult,
} from '../storages/request-queue-types.js';
import type { BatchAddRequestsResult, ProcessedRequest } from '../storages/storage-client.js';
import { normalizeUrl, parseHttpUrl, parseSharedUrl } from '../utils/url.js';
import {
  validateEnqueueLinksOptions,
  type EnqueueLinksOptions,
  type SkippedRequestReason,
} from './options.js';
import {
  constructExcludePatternObjects,
  constructGlobObjectsFromGlobs,
  constructRegExpObjectsFromPseudoUrls,
  constructRegExpObjectsFromRegExps,
  type UrlPatternObject,
} from './patterns.js';
import { createRequestOptions, selectRequestOptions, withStrategy } from './request-options.js';
import {
  EnqueueStrategy,
  matchesEnqueueStrategy,
  registrableDomain,
  type EnqueueStrategyLike,
} from './strategy.js';

export type {
  EnqueueLinksOptions,
  RobotsTxtFileLike,
  SkippedRequestCallback,
  SkippedRequestReason,
} from './options.js';
export { EnqueueStrategy } from './strategy.js';

/** The compiled filters of one call. */
interface Filters {
  patterns: UrlPatternObject[];
  excludes: UrlPatternObject[];
  strategy: EnqueueStrategyLike;
  base?: URL;
}

type Skipped = { url: string; reason: SkippedRequestReason };

const EMPTY: readonly never[] = [];

/**
 * Adds links to a request queue, keeping those the patterns and the strategy allow. Links that
 * are left out are reported to `onSkippedRequest` with the reason. Inside a request handler,
 * use `context.enqueueLinks()`, which supplies the queue and the page's URL as `baseUrl`.
 *
 * @example
 * await enqueueLinks({
 *   urls: ['/products?page=2', 'https://shop.example/item/1', 'https://elsewhere.example/'],
 *   baseUrl: 'https://shop.example/products',
 *   requestQueue: await RequestQueue.open(),
 *   globs: [{ glob: 'https://shop.example/item/*', label: 'DETAIL' }],
 * });
 * // enqueues https://shop.example/item/1 with the label DETAIL
 *
 * @returns The queue's outcome for each request added (before background batches, unless
 *   `waitForAllRequestsToBeAdded`); `unprocessedRequests` is always empty.
 * @throws ConfigurationError for a missing, unknown or mistyped option.
 * @throws InvalidPatternError for an unusable glob, regexp, pseudo-URL or exclude entry.
 */
export async function enqueueLinks(options: EnqueueLinksOptions): Promise<BatchAddRequestsResult> {
  validateEnqueueLinksOptions(options);
  const filters = compileFilters(options);
  const skipped: Skipped[] = [];
  const skip = (reason: SkippedRequestReason) => (url: string) => skipped.push({ url, reason });

  let requestOptions = createRequestOptions(
    options.urls,
    { ...options, strategy: filters.strategy },
    skip('filters'),
  );
  requestOptions = filterByRobotsTxt(requestOptions, options, skip('robotsTxt'));
  requestOptions = transform(requestOptions, options, skip('filters'));
  const selected = selectByFilters(requestOptions, filters, skip('filters'));
  await report(skipped.splice(0), options);

  // Links the queue remembers need no Request: most links of a page were enqueued before.
  const known = knownLookup(options);
  const answers = selected.map((item) => known?.(item));
  const requests: Request[] = [];
  for (const [i, item] of selected.entries()) {
    if (answers[i] === undefined) {
      requests.push(new Request(withStrategy(item, filters.strategy)));
    }
  }
  // Most pages of a crawl hold no link the queue does not know already.
  const result: Pick<AddRequestsBatchedResult, 'addedRequests' | 'requestsOverLimit'> =
    requests.length === 0
      ? { addedRequests: [] }
      : await options.requestQueue.addRequestsBatched(requests, batchOptions(options));
  const overLimit = (result.requestsOverLimit ?? []).map((source) => urlOf(source));
  await report(
    overLimit.map((url) => ({ url, reason: 'enqueueLimit' as const })),
    options,
  );

  if (requests.length === selected.length) {
    return { processedRequests: result.addedRequests, unprocessedRequests: [] };
  }
  const added = result.addedRequests[Symbol.iterator]();
  const processedRequests: ProcessedRequest[] = [];
  for (const answer of answers) {
    const next = answer ?? added.next().value;
    if (next !== undefined) {
      processedRequests.push(next);
    }
  }
  return { processedRequests, unprocessedRequests: [] };
}

/**
 * What the queue remembers of a link, when asking it is exact: the queue offers it, no limit is
 * set (a limit reports links past it, known ones too), and the link's unique key is its
 * normalized URL (no unique-key options).
 */
function knownLookup(
  options: EnqueueLinksOptions,
): ((item: RequestOptions) => ProcessedRequest | undefined) | undefined {
  const queue = options.requestQueue;
  if (queue.knownRequest === undefined || (options.limit ?? Infinity) !== Infinity) {
    return undefined;
  }
  const forefront = options.forefront ?? false;
  return (item) => {
    if (
      item.uniqueKey !== undefined ||
      item.useExtendedUniqueKey ||
      item.keepUrlFragment ||
      item.id !== undefined
    ) {
      return undefined;
    }
    const uniqueKey = normalizeUrl(item.url);
    const known = uniqueKey === null ? undefined : queue.knownRequest!(uniqueKey);
    return known && { ...known, forefront };
  };
}

/** Inputs of {@link resolveBaseUrlForEnqueueLinksFiltering}. */
export interface ResolveBaseUrl {
  /** The `baseUrl` the user passed to `enqueueLinks()`, if any. */
  userProvidedBaseUrl?: string;
  /** The strategy of the call. */
  enqueueStrategy?: EnqueueStrategyLike;
  /** The URL of the request, before redirects. */
  originalRequestUrl: string;
  /** The URL finally loaded, after redirects. */
  finalRequestUrl?: string;
}

/**
 * Picks the base URL a crawler's `enqueueLinks()` filters links against: the user's `baseUrl`
 * when given; for `all`, the origin the page was finally loaded from; for `same-domain`, that
 * origin when the redirects stayed on the registrable domain, else the original request's
 * origin; otherwise the original request's origin, so a redirect never widens the crawl.
 *
 * @throws InvalidUrlError when a request URL is not an absolute http or https URL.
 */
export function resolveBaseUrlForEnqueueLinksFiltering(options: ResolveBaseUrl): string {
  const { userProvidedBaseUrl, enqueueStrategy, originalRequestUrl, finalRequestUrl } = options;
  if (userProvidedBaseUrl) {
    return userProvidedBaseUrl;
  }

  const original = parseCrawlableUrl(originalRequestUrl);
  const final = parseCrawlableUrl(finalRequestUrl ?? originalRequestUrl);
  if (enqueueStrategy === EnqueueStrategy.All) {
    return final.origin;
  }
  if (enqueueStrategy === EnqueueStrategy.SameDomain) {
    const sameDomain = registrableDomain(original.hostname) === registrableDomain(final.hostname);
    return sameDomain ? final.origin : original.origin;
  }
  return original.origin;
}

/**
 * `url` parsed once for every caller (read it, never change it); with `httpOnly`, a URL that is
 * not http or https fails as {@link parseHttpUrl} fails.
 */
function parseCrawlableUrl(url: string, httpOnly = true): URL {
  const shared = parseSharedUrl(url);
  if (
    shared !== null &&
    (!httpOnly || shared.protocol === 'http:' || shared.protocol === 'https:')
  ) {
    return shared;
  }
  return httpOnly ? parseHttpUrl(url) : new URL(url);
}

function compileFilters(options: EnqueueLinksOptions): Filters {
  const excludes = constructExcludePatternObjects(options.exclude ?? EMPTY);
  const pseudoUrls = constructRegExpObjectsFromPseudoUrls(options.pseudoUrls ?? EMPTY);
  const globs = constructGlobObjectsFromGlobs(options.globs ?? EMPTY);
  const regexps = constructRegExpObjectsFromRegExps(options.regexps ?? EMPTY);
  if (pseudoUrls.length > 0) {
    log.deprecated('enqueueLinks option pseudoUrls is deprecated; use globs or regexps instead');
  }
  const patterns: UrlPatternObject[] = [...pseudoUrls, ...globs, ...regexps];

  // Crawlee's rule: only a call without user patterns defaults to staying on the hostname.
  const fallback = patterns.length > 0 ? EnqueueStrategy.All : EnqueueStrategy.SameHostname;
  const strategy = options.strategy ?? fallback;
  const base =
    options.baseUrl === undefined ? undefined : parseCrawlableUrl(options.baseUrl, false);
  return { patterns, excludes, strategy, base };
}

function filterByRobotsTxt(
  requestOptions: RequestOptions[],
  options: EnqueueLinksOptions,
  onSkipped: (url: string) => void,
): RequestOptions[] {
  const { robotsTxtFile, respectRobotsTxtFile } = options;
  if (robotsTxtFile === undefined || respectRobotsTxtFile === false) {
    return requestOptions;
  }

  const userAgent =
    typeof respectRobotsTxtFile === 'object' ? respectRobotsTxtFile.userAgent : undefined;
  return requestOptions.filter((request) => {
    const allowed =
      userAgent === undefined
        ? robotsTxtFile.isAllowed(request.url)
        : robotsTxtFile.isAllowed(request.url, userAgent);
    if (!allowed) {
      onSkipped(request.url);
    }
    return allowed;
  });
}

function transform(
  requestOptions: RequestOptions[],
  options: EnqueueLinksOptions,
  onSkipped: (url: string) => void,
): RequestOptions[] {
  const transformRequest = options.transformRequestFunction;
  if (transformRequest === undefined) {
    return requestOptions;
  }

  const kept: RequestOptions[] = [];
  for (const original of requestOptions) {
    const transformed = transformRequest(original);
    if (transformed) {
      kept.push(transformed);
    } else {
      onSkipped(original.url);
    }
  }
  return kept;
}

function selectByFilters(
  requestOptions: RequestOptions[],
  filters: Filters,
  onSkipped: (url: string) => void,
): RequestOptions[] {
  const { patterns, excludes, strategy, base } = filters;
  const selected = selectRequestOptions(requestOptions, patterns, excludes, onSkipped);
  if (base === undefined) {
    return selected;
  }
  // Patterns and strategy are AND-ed; the strategy is enforced only against a base URL.
  return selected.filter((item) => {
    const matches = matchesEnqueueStrategy(strategy, item.url, base);
    if (!matches) {
      onSkipped(item.url);
    }
    return matches;
  });
}

function batchOptions(options: EnqueueLinksOptions): AddRequestsBatchedOptions {
  const { forefront, waitForAllRequestsToBeAdded, limit } = options;
  const batched: AddRequestsBatchedOptions = {};
  if (forefront !== undefined) {
    batched.forefront = forefront;
  }
  if (waitForAllRequestsToBeAdded !== undefined) {
    batched.waitForAllRequestsToBeAdded = waitForAllRequestsToBeAdded;
  }
  // The queue applies the limit, so links it already holds do not use it up.
  if (limit !== undefined && limit !== Infinity) {
    batched.maxNewRequests = limit;
  }
  return batched;
}

async function report(skipped: Skipped[], options: EnqueueLinksOptions): Promise<void> {
  const callback = options.onSkippedRequest;
  if (callback === undefined) {
    return;
  }
  for (const entry of skipped) {
    await callback(entry);
  }
}

function urlOf(source: Source | string): string {
  return typeof source === 'string' ? source : source.url;
}
