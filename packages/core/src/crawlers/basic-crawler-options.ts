/**
 * BasicCrawler's options: Crawlee 3's names and defaults, trawl's additions, the deprecated
 * aliases Crawlee still accepts, and the checks that reject unknown or unsupported options.
 */
import type { AutoscaledPoolOptions } from '../autoscaling/autoscaled-pool.js';
import type { SkippedRequestCallback } from '../enqueue-links/enqueue-links.js';
import { ConfigurationError } from '../errors.js';
import type { Log } from '../log.js';
import type { SessionPoolOptions } from '../session-pool/session-pool.js';
import type { StatisticsOptions } from '../statistics/statistics.js';
import type { IRequestList } from '../storages/request-list.js';
import type { RequestQueue } from '../storages/request-queue.js';
import { assertKnownOptions } from '../utils/options.js';
import type { Awaitable } from '../utils/types.js';
import type { CrawlingContext } from './crawling-context.js';

/** A user function run for each request. */
export type RequestHandler<Context> = (context: Context) => Awaitable<void>;

/** A user function run when a request fails: before a retry, or after the last one. */
export type ErrorHandler<Context> = (context: Context, error: Error) => Awaitable<void>;

/** What `statusMessageCallback` receives every `statusMessageLoggingInterval` seconds. */
export interface StatusMessageCallbackParams<Crawler> {
  state: Record<string, unknown>;
  crawler: Crawler;
  previousState: Record<string, unknown>;
  message: string;
}

/** Options of {@link BasicCrawler}. Names and defaults are Crawlee 3's unless marked trawl's. */
export interface BasicCrawlerOptions<Context extends CrawlingContext = CrawlingContext> {
  /** Runs for each request; without it, `crawler.router` dispatches by label. */
  requestHandler?: RequestHandler<Context>;
  /** Runs before each retry of a failed request. */
  errorHandler?: ErrorHandler<Context>;
  /** Runs once a request failed for good; items it pushes are kept with the failure. */
  failedRequestHandler?: ErrorHandler<Context>;
  /** Retries after errors; `request.maxRetries` overrides it per request. @default 3 */
  maxRequestRetries?: number;
  /** Time a handler may run, in seconds; then it is aborted and the request fails. @default 60 */
  requestHandlerTimeoutSecs?: number;
  /**
   * Requests to start at most, counted exactly (retries are not new requests).
   * @default no limit
   */
  maxRequestsPerCrawl?: number;
  /** Depth past which enqueued requests are skipped; start requests have depth 0. */
  maxCrawlDepth?: number;
  /** Requests in flight at least. @default 1 */
  minConcurrency?: number;
  /** Requests in flight at most. @default 200 */
  maxConcurrency?: number;
  /** Requests started per minute at most. @default Infinity */
  maxRequestsPerMinute?: number;
  /** Options for the {@link AutoscaledPool}. */
  autoscaledPoolOptions?: Partial<AutoscaledPoolOptions>;
  /** Keep running when the queue is empty, waiting for new requests. @default false */
  keepAlive?: boolean;
  /**
   * Least time between two request starts to the same registrable domain, in seconds.
   * @default 0
   */
  sameDomainDelaySecs?: number;
  /** trawl: requests to one hostname in flight at most. @default Infinity */
  maxConcurrencyPerHost?: number;
  /**
   * trawl: how long a request may keep being throttled (429) before it fails, in seconds.
   * @default 600
   */
  maxThrottleWaitSecs?: number;
  /**
   * trawl: first retry delay in seconds, doubled per retry with jitter, capped at 60 s.
   * @default 1
   */
  retryDelaySecs?: number;
  /** Session rotations (SessionError, blocked answers) before a request fails. @default 10 */
  maxSessionRotations?: number;
  /** Give each request a session from a session pool. @default true */
  useSessionPool?: boolean;
  /** Options of the session pool. */
  sessionPoolOptions?: SessionPoolOptions;
  /** Seconds between status lines. @default 10 */
  statusMessageLoggingInterval?: number;
  /** Replaces the default status line. */
  statusMessageCallback?: (params: StatusMessageCallbackParams<unknown>) => Awaitable<void>;
  /**
   * Recognise the challenge pages of anti-bot services (Cloudflare, Incapsula, Google's unusual
   * traffic page) and treat them like a blocked status: the session is retired and the request
   * tried again on another one. Crawlers that load pages check it; BasicCrawler loads none.
   * @default false
   */
  retryOnBlocked?: boolean;
  /**
   * Skip requests that their origin's robots.txt disallows (reason `robotsTxt`), and wait its
   * `Crawl-delay` between requests to the host. An object names the user agent whose rules
   * apply (`*` by default). A robots.txt that cannot be fetched (5xx, network error) holds its
   * origin's requests back while it is fetched again, as RFC 9309 says; see
   * `maxRobotsTxtWaitSecs`. @default false
   */
  respectRobotsTxtFile?: boolean | { userAgent?: string };
  /**
   * trawl: how long the requests of an origin whose robots.txt cannot be fetched wait for it, in
   * seconds; then they fail with the reason. @default 300
   */
  maxRobotsTxtWaitSecs?: number;
  /** Called for each request skipped, with the reason. */
  onSkippedRequest?: SkippedRequestCallback;
  /** A fixed list of start requests; with a queue too, the list feeds the queue. */
  requestList?: IRequestList;
  /** The queue of requests. @default the default request queue */
  requestQueue?: RequestQueue;
  /** Options of `crawler.stats`. */
  statisticsOptions?: Partial<StatisticsOptions>;
  /** The logger. @default a child of the root logger named after the crawler class */
  log?: Log;
  /** @deprecated Crawlee 3 experiments; accepted and ignored with a warning. */
  experiments?: Record<string, unknown>;
  /** @deprecated Use `requestHandler`. */
  handleRequestFunction?: RequestHandler<Context>;
  /** @deprecated Use `requestHandlerTimeoutSecs`. */
  handleRequestTimeoutSecs?: number;
  /** @deprecated Use `failedRequestHandler`. */
  handleFailedRequestFunction?: ErrorHandler<Context>;
}

/** Options a later part of trawl supports; passing them throws until then. */
const NOT_SUPPORTED_YET: Record<string, (value: unknown) => boolean> = {
  requestManager: (value) => value !== undefined,
  httpClient: (value) => value !== undefined,
};

const DEPRECATED: Record<string, string> = {
  handleRequestFunction: 'requestHandler',
  handleRequestTimeoutSecs: 'requestHandlerTimeoutSecs',
  handleFailedRequestFunction: 'failedRequestHandler',
};

/** Every option name BasicCrawler accepts. */
export const BASIC_CRAWLER_OPTIONS: ReadonlySet<string> = new Set([
  'requestHandler',
  'errorHandler',
  'failedRequestHandler',
  'maxRequestRetries',
  'requestHandlerTimeoutSecs',
  'maxRequestsPerCrawl',
  'maxCrawlDepth',
  'minConcurrency',
  'maxConcurrency',
  'maxRequestsPerMinute',
  'autoscaledPoolOptions',
  'keepAlive',
  'sameDomainDelaySecs',
  'maxConcurrencyPerHost',
  'maxThrottleWaitSecs',
  'retryDelaySecs',
  'maxSessionRotations',
  'useSessionPool',
  'sessionPoolOptions',
  'statusMessageLoggingInterval',
  'statusMessageCallback',
  'retryOnBlocked',
  'respectRobotsTxtFile',
  'maxRobotsTxtWaitSecs',
  'onSkippedRequest',
  'requestList',
  'requestQueue',
  'requestManager',
  'statisticsOptions',
  'httpClient',
  'log',
  'experiments',
  ...Object.keys(DEPRECATED),
]);

const NON_NEGATIVE = [
  'maxRequestRetries',
  'maxRequestsPerCrawl',
  'maxCrawlDepth',
  'sameDomainDelaySecs',
  'maxSessionRotations',
  'statusMessageLoggingInterval',
  'retryDelaySecs',
  'maxThrottleWaitSecs',
  'maxRobotsTxtWaitSecs',
];
const POSITIVE = [
  'requestHandlerTimeoutSecs',
  'minConcurrency',
  'maxConcurrency',
  'maxRequestsPerMinute',
  'maxConcurrencyPerHost',
];

function assertNumber(owner: string, name: string, value: unknown, min: number): void {
  if (value === undefined) {
    return;
  }
  const valid = typeof value === 'number' && !Number.isNaN(value) && value >= min;
  if (!valid) {
    const expected = min === 0 ? 'a non-negative number' : 'a positive number';
    throw new ConfigurationError(
      `${name} must be ${expected} for ${owner}, got ${JSON.stringify(value)}`,
      { option: name },
    );
  }
}

/**
 * Checks options and maps deprecated aliases to their current names, warning once for each.
 * @throws ConfigurationError for an unknown option (naming the closest known one), a value of
 *   the wrong kind, or an option whose capability trawl does not have yet
 */
export function normalizeBasicOptions<Options extends object>(
  options: Options,
  known: ReadonlySet<string>,
  owner: string,
  log: Log,
): Options {
  assertKnownOptions(options, known, owner);
  const result = { ...options } as Record<string, unknown>;
  for (const [name, isUsed] of Object.entries(NOT_SUPPORTED_YET)) {
    if (isUsed(result[name])) {
      throw new ConfigurationError(`${owner} option "${name}" is not supported by trawl yet`, {
        option: name,
      });
    }
  }
  for (const [old, current] of Object.entries(DEPRECATED)) {
    if (result[old] !== undefined) {
      log.deprecated(`"${old}" is deprecated, use "${current}" instead`);
      result[current] ??= result[old];
      delete result[old];
    }
  }
  if (result.experiments !== undefined) {
    log.deprecated('"experiments" has no effect in trawl');
  }
  NON_NEGATIVE.forEach((name) => assertNumber(owner, name, result[name], 0));
  POSITIVE.forEach((name) => assertNumber(owner, name, result[name], Number.MIN_VALUE));
  return result as Options;
}
