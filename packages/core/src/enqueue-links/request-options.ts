/**
 * Turning found links into request options and requests: resolving them against the base URL,
 * applying the call's label and user data, and picking the links the patterns allow. Crawlee
 * exports the same helpers, so ported code that calls them directly keeps working.
 */

import { Request, type RequestEnqueueStrategy, type RequestOptions } from '../request.js';
import type { Dictionary } from '../utils/types.js';
import { resolveSharedUrl } from '../utils/url.js';
import { createPatternMatcher, type UrlPatternObject } from './patterns.js';
import type { EnqueueStrategyLike } from './strategy.js';

const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/**
 * Changes the request options of a link before it is enqueued; return a falsy value to skip the
 * link. It receives its own copy of the options (user data included), so it may mutate them.
 */
export type RequestTransform = (
  original: RequestOptions,
) => RequestOptions | false | null | undefined;

/** The options of {@link createRequestOptions}: what the enqueue call sets on every link. */
export interface CreateRequestOptionsSettings {
  /** Resolves relative links; without it they are skipped. */
  baseUrl?: string;
  /** Sets `userData.label`, overriding a label in `userData`. */
  label?: string;
  /** User data of every link; each link gets its own copy. */
  userData?: Dictionary;
  /** Marks every link to be handled without navigation. */
  skipNavigation?: boolean;
  /** Stamped on every link as its `enqueueStrategy`. */
  strategy?: EnqueueStrategyLike;
}

/**
 * Turns links (strings, or request options with a `url`) into request options: each URL is
 * resolved against `baseUrl`, and links that do not parse or are not http or https are skipped.
 * Every link gets its own copy of `userData` (the caller's object is never changed), with
 * `label` written into it when given.
 *
 * @param onSkippedUrl - Called with each link skipped because its URL is unusable.
 */
export function createRequestOptions(
  sources: readonly (string | RequestOptions)[],
  settings: CreateRequestOptionsSettings = {},
  onSkippedUrl?: (url: string) => void,
): RequestOptions[] {
  const created: RequestOptions[] = [];
  for (const source of sources) {
    const given: RequestOptions = typeof source === 'string' ? { url: source } : source;
    const url = resolveHttpUrl(given.url, settings.baseUrl);
    if (url === null) {
      onSkippedUrl?.(String(given.url));
      continue;
    }
    created.push(withSettings(given, url, settings));
  }
  return created;
}

/**
 * Picks the links to enqueue and applies the matching pattern's request options: a link that
 * matches an exclude pattern is skipped; otherwise, when patterns are given, the first one that
 * matches decides (a link matching none is skipped) and its method, payload and headers replace
 * the link's, its user data is merged into the link's, and its label wins.
 *
 * @param onSkippedUrl - Called with the URL of each link left out.
 */
export function selectRequestOptions(
  requestOptions: readonly RequestOptions[],
  patterns: readonly UrlPatternObject[] = [],
  excludePatterns: readonly UrlPatternObject[] = [],
  onSkippedUrl?: (url: string) => void,
): RequestOptions[] {
  const excluded = excludePatterns.map(createPatternMatcher);
  const positive = patterns.map((pattern) => ({ pattern, matches: createPatternMatcher(pattern) }));

  const selected: RequestOptions[] = [];
  for (const options of requestOptions) {
    if (excluded.some((matches) => matches(options.url))) {
      onSkippedUrl?.(options.url);
      continue;
    }

    const hit = positive.find(({ matches }) => matches(options.url));
    if (positive.length > 0 && hit === undefined) {
      onSkippedUrl?.(options.url);
      continue;
    }
    selected.push(hit === undefined ? options : applyPattern(options, hit.pattern));
  }
  return selected;
}

/**
 * Creates the requests for links, as {@link selectRequestOptions} picks them, each stamped with
 * `strategy` as its `enqueueStrategy` when one is given.
 *
 * @throws The errors of the {@link Request} constructor for options it rejects.
 */
export function createRequests(
  requestOptions: readonly (string | RequestOptions)[],
  urlPatternObjects?: readonly UrlPatternObject[],
  excludePatternObjects: readonly UrlPatternObject[] = [],
  strategy?: EnqueueStrategyLike,
  onSkippedUrl?: (url: string) => void,
): Request[] {
  const options = requestOptions.map((item) => (typeof item === 'string' ? { url: item } : item));
  const selected = selectRequestOptions(
    options,
    urlPatternObjects,
    excludePatternObjects,
    onSkippedUrl,
  );
  return selected.map((item) => new Request(withStrategy(item, strategy)));
}

/**
 * Keeps the requests whose URL matches at least one of `patterns`; with no patterns, keeps all.
 *
 * @param onSkippedUrl - Called with the URL of each request left out.
 */
export function filterRequestsByPatterns(
  requests: readonly Request[],
  patterns?: readonly UrlPatternObject[],
  onSkippedUrl?: (url: string) => void,
): Request[] {
  if (patterns === undefined || patterns.length === 0) {
    return [...requests];
  }
  const matchers = patterns.map(createPatternMatcher);
  return requests.filter((request) => {
    const matches = matchers.some((test) => test(request.url));
    if (!matches) {
      onSkippedUrl?.(request.url);
    }
    return matches;
  });
}

/** Returns a copy of `options` with `enqueueStrategy` set, when `strategy` is given. */
export function withStrategy(
  options: RequestOptions,
  strategy: EnqueueStrategyLike | undefined,
): RequestOptions {
  if (strategy === undefined) {
    return { ...options };
  }
  // The enum's values are exactly the request field's string values.
  return { ...options, enqueueStrategy: strategy as RequestEnqueueStrategy };
}

function withSettings(
  given: RequestOptions,
  url: string,
  settings: CreateRequestOptionsSettings,
): RequestOptions {
  const userData: Dictionary = { ...(given.userData ?? settings.userData) };
  if (typeof settings.label === 'string') {
    userData.label = settings.label;
  }

  const created: RequestOptions = { ...given, url, userData };
  if (settings.strategy !== undefined) {
    created.enqueueStrategy = settings.strategy as RequestEnqueueStrategy;
  }
  if (settings.skipNavigation) {
    created.skipNavigation = true;
  }
  return created;
}

function applyPattern(options: RequestOptions, pattern: UrlPatternObject): RequestOptions {
  const { glob: _glob, regexp: _regexp, label, userData, ...overrides } = pattern;
  const applied: RequestOptions = { ...options, ...overrides };
  if (userData === undefined && label === undefined) {
    return applied;
  }

  applied.userData = { ...options.userData, ...userData };
  if (label !== undefined) {
    applied.userData.label = label;
    applied.label = label;
  }
  return applied;
}

function resolveHttpUrl(url: unknown, baseUrl: string | undefined): string | null {
  if (typeof url !== 'string') {
    return null;
  }
  const resolved = resolveSharedUrl(url, baseUrl);
  return resolved !== null && HTTP_PROTOCOLS.has(resolved.protocol) ? resolved.href : null;
}
