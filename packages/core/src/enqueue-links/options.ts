/**
 * The options of `enqueueLinks()`, with Crawlee's names and defaults, and their checks.
 */

import { ConfigurationError } from '../errors.js';
import type { RequestQueue } from '../storages/request-queue.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';
import type { Awaitable, Dictionary } from '../utils/types.js';
import type { ExcludeInput, GlobInput, PseudoUrlInput, RegExpInput } from './patterns.js';
import type { RequestTransform } from './request-options.js';
import { isEnqueueStrategy, type EnqueueStrategyLike } from './strategy.js';

/**
 * Why a link was not enqueued: `robotsTxt` (disallowed by robots.txt), `limit` (the crawler's
 * `maxRequestsPerCrawl`), `enqueueLimit` (the call's `limit`), `filters` (unusable URL, patterns,
 * strategy or `transformRequestFunction`), `redirect` (the page redirected outside the request's
 * strategy), `depth` (`maxCrawlDepth`).
 */
export type SkippedRequestReason =
  'robotsTxt' | 'limit' | 'enqueueLimit' | 'filters' | 'redirect' | 'depth';

/** Called once for each link or request that was not enqueued, with the reason. */
export type SkippedRequestCallback = (args: {
  url: string;
  reason: SkippedRequestReason;
}) => Awaitable<void>;

/** The part of a parsed robots.txt that `enqueueLinks()` uses. */
export interface RobotsTxtFileLike {
  /** Whether the robots file lets `userAgent` (all agents when absent) fetch `url`. */
  isAllowed(url: string, userAgent?: string): boolean;
}

/** Options of `enqueueLinks()`; the names and defaults are Crawlee 3's. */
export interface EnqueueLinksOptions {
  /** The links to enqueue: absolute URLs, or URLs relative to `baseUrl`. */
  urls: readonly string[];
  /**
   * Where the requests go; any object with `addRequestsBatched`, such as a `RequestQueue`. Its
   * `knownRequest`, when it has one, answers for links the queue remembers without building a
   * request for them.
   */
  requestQueue: Pick<RequestQueue, 'addRequestsBatched'> &
    Partial<Pick<RequestQueue, 'knownRequest'>>;
  /** CSS selector of the links, used by crawlers that scan a page; ignored here. */
  selector?: string;
  /**
   * Resolves relative links, and is the page the strategy compares links with. Without it, the
   * strategy is not enforced and relative links are skipped.
   */
  baseUrl?: string;
  /** Sets `userData.label` of every request; pattern objects' labels win over it. */
  label?: string;
  /** User data of every request; each gets a copy, and this object is never changed. */
  userData?: Dictionary;
  /** Mark the requests to be handled without navigating to them. @default false */
  skipNavigation?: boolean;
  /**
   * Enqueue at most this many requests new to the queue (duplicates do not count); the rest are
   * reported to `onSkippedRequest` as `enqueueLimit`. `0` enqueues nothing. @default unlimited
   */
  limit?: number;
  /** Add the requests to the front of the queue. @default false */
  forefront?: boolean;
  /** Enqueue only links matching one of these globs (matched against the whole URL, any case). */
  globs?: readonly GlobInput[];
  /** Enqueue only links matching one of these regular expressions. */
  regexps?: readonly RegExpInput[];
  /** Enqueue only links matching one of these pseudo-URLs. @deprecated Use `globs` or `regexps`. */
  pseudoUrls?: readonly PseudoUrlInput[];
  /** Never enqueue links matching one of these globs or regular expressions. */
  exclude?: readonly ExcludeInput[];
  /** Changes each link's request options before the patterns are applied; falsy skips it. */
  transformRequestFunction?: RequestTransform;
  /**
   * Which links count as the same site as `baseUrl`.
   * @default 'same-hostname' without globs, regexps or pseudoUrls; 'all' with them
   */
  strategy?: EnqueueStrategyLike;
  /** Resolve only once every batch is in the queue, not after the first. @default false */
  waitForAllRequestsToBeAdded?: boolean;
  /** Skip links this robots file disallows (reason `robotsTxt`). */
  robotsTxtFile?: RobotsTxtFileLike;
  /**
   * With `robotsTxtFile`: `false` turns the check off; `{ userAgent }` checks that agent's rules.
   * @default true
   */
  respectRobotsTxtFile?: boolean | { userAgent?: string };
  /** Called for each link not enqueued, with the reason. */
  onSkippedRequest?: SkippedRequestCallback;
}

type Check = readonly [isValid: (value: unknown) => boolean, expected: string];

const isString = (value: unknown): boolean => typeof value === 'string';
const isBoolean = (value: unknown): boolean => typeof value === 'boolean';
const isFunction = (value: unknown): boolean => typeof value === 'function';
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Pattern lists are checked here as lists, and entry by entry when compiled. */
const CHECKS: Readonly<Record<keyof EnqueueLinksOptions, Check>> = {
  urls: [(value) => Array.isArray(value) && value.every(isString), 'an array of URL strings'],
  requestQueue: [
    (value) => isObject(value) && isFunction(value.addRequestsBatched),
    'a request queue (an object with addRequestsBatched)',
  ],
  selector: [isString, 'a CSS selector string'],
  baseUrl: [isAbsoluteUrl, 'an absolute URL'],
  label: [isString, 'a string'],
  userData: [isObject, 'a plain object'],
  skipNavigation: [isBoolean, 'true or false'],
  limit: [isLimit, 'a non-negative integer'],
  forefront: [isBoolean, 'true or false'],
  globs: [Array.isArray, 'an array of patterns'],
  regexps: [Array.isArray, 'an array of patterns'],
  pseudoUrls: [Array.isArray, 'an array of patterns'],
  exclude: [Array.isArray, 'an array of patterns'],
  transformRequestFunction: [isFunction, 'a function'],
  strategy: [isEnqueueStrategy, 'one of all, same-hostname, same-domain, same-origin'],
  waitForAllRequestsToBeAdded: [isBoolean, 'true or false'],
  robotsTxtFile: [
    (value) => isObject(value) && isFunction(value.isAllowed),
    'a robots file (an object with isAllowed)',
  ],
  respectRobotsTxtFile: [
    (value) =>
      isBoolean(value) ||
      (isObject(value) && [undefined, 'string'].includes(typeof value.userAgent)),
    'true, false or { userAgent }',
  ],
  onSkippedRequest: [isFunction, 'a function'],
};

const OPTION_NAMES: ReadonlySet<string> = new Set(Object.keys(CHECKS));

/**
 * Checks the options of `enqueueLinks()`: no unknown keys, `urls` and `requestQueue` present,
 * each other value of the right type. Pattern lists are checked when compiled.
 *
 * @throws ConfigurationError naming the first bad option and what it must be.
 */
export function validateEnqueueLinksOptions(
  options: unknown,
): asserts options is EnqueueLinksOptions {
  if (!isObject(options)) {
    throw new ConfigurationError(
      'enqueueLinks() needs an options object with urls and requestQueue, ' +
        `got ${describeValue(options)}; inside a request handler, call the ` +
        'context.enqueueLinks() it receives instead',
    );
  }
  assertKnownOptions(options, OPTION_NAMES, 'enqueueLinks');

  for (const required of ['urls', 'requestQueue'] as const) {
    if (options[required] === undefined) {
      throw new ConfigurationError(
        `enqueueLinks option ${required} is required; pass ${CHECKS[required][1]}`,
        { option: required },
      );
    }
  }

  // Only the options given: a crawler calls this for every page.
  for (const name of Object.keys(options)) {
    const value = options[name];
    const check = CHECKS[name as keyof EnqueueLinksOptions];
    if (value !== undefined && !check[0](value)) {
      throw new ConfigurationError(
        `enqueueLinks option ${name} must be ${check[1]}, got ${describeValue(value)}`,
        { option: name },
      );
    }
  }
}

function isAbsoluteUrl(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  return URL.canParse(value);
}

function isLimit(value: unknown): boolean {
  return value === Infinity || (Number.isSafeInteger(value) && (value as number) >= 0);
}
