/**
 * The options of `HostScheduler`, what it reports, and the check of its options.
 */

import { ConfigurationError } from '../errors.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';

/** Options of `HostScheduler`. */
export interface HostSchedulerOptions {
  /**
   * Minimum time between the starts of two requests to the same registrable domain, in seconds
   * (`a.example.com` and `b.example.com` share one; an IP address or `localhost` is its own).
   * `0` spaces nothing. Crawlee's option of the same name.
   * @default 0
   */
  sameDomainDelaySecs?: number;

  /**
   * Most requests to one hostname in flight at once; a positive integer, or `Infinity` for no
   * cap. A throttled host runs under a lower cap until it recovers.
   * @default Infinity
   */
  maxConcurrencyPerHost?: number;

  /**
   * Longest total time, in seconds, one request may be held back by a host that keeps answering
   * 429: past it `HostScheduler.onThrottled` reports the wait exhausted and the crawler
   * fails the request. Also caps a single `Retry-After`. `0` fails a request at its first throttle
   * unless the server asks for no wait.
   * @default 600
   */
  maxThrottleWaitSecs?: number;

  /**
   * The clock, in milliseconds since the epoch; inject one in tests.
   * @default Date.now
   */
  now?: () => number;

  /**
   * Source of randomness for back-off jitter, returning a number in [0, 1); seed it in tests.
   * @default Math.random
   */
  random?: () => number;
}

/** A snapshot of what `HostScheduler` holds for one hostname, for tests and statistics. */
export interface HostState {
  /** Requests to the hostname started and not yet finished. */
  inFlight: number;
  /** The cap in force now: `maxConcurrencyPerHost`, or lower while throttled. */
  cap: number;
  /** Earliest start of the next request, in milliseconds since the epoch; past means now. */
  nextStartAt: number;
  /** `0` for a healthy host; raised by each throttle, lowered step by step by successes. */
  throttleLevel: number;
  /** Least time between two starts to the hostname, in milliseconds, from every rule. */
  delayMillis: number;
}

/** How a host answered when it asked the crawler to slow down. */
export interface ThrottleAnswer {
  /** 429, or 503 when it came with `Retry-After`; both slow the host down alike. */
  statusCode: number;
  /** The parsed `Retry-After`, in seconds; absent, negative or not finite means a back-off. */
  retryAfterSecs?: number;
  /** How long the throttled request was already held back by earlier throttles, in ms. */
  waitedMillis?: number;
}

/** What `HostScheduler.onThrottled` decided. */
export interface ThrottleOutcome {
  /** Milliseconds from now until the host may start a request again. */
  waitMillis: number;
  /**
   * `waitedMillis` plus `waitMillis`: the request's total throttle wait; keep it on the request.
   */
  totalWaitMillis: number;
  /**
   * Whether waiting as long as the host asked would take the request's total wait past
   * `maxThrottleWaitSecs`; the crawler then fails the request instead of sending it back.
   */
  isWaitExhausted: boolean;
}

/** {@link HostSchedulerOptions} checked, with defaults filled in and durations in milliseconds. */
export interface ResolvedHostSchedulerOptions {
  /** `sameDomainDelaySecs` in milliseconds. */
  domainDelayMillis: number;
  /** `maxConcurrencyPerHost`: a positive integer or `Infinity`. */
  maxCap: number;
  /** `maxThrottleWaitSecs` in milliseconds. */
  maxWaitMillis: number;
  /** The clock, in milliseconds since the epoch. */
  now: () => number;
  /** Randomness in [0, 1). */
  random: () => number;
}

const OPTIONS: ReadonlySet<string> = new Set([
  'sameDomainDelaySecs',
  'maxConcurrencyPerHost',
  'maxThrottleWaitSecs',
  'now',
  'random',
]);

/**
 * Checks the options of a `HostScheduler` and fills in the defaults.
 * @throws ConfigurationError naming an unknown option, or one with an invalid value.
 */
export function resolveHostSchedulerOptions(
  options: HostSchedulerOptions,
): ResolvedHostSchedulerOptions {
  assertKnownOptions(options, OPTIONS, 'HostScheduler');
  const { sameDomainDelaySecs = 0, maxConcurrencyPerHost = Infinity } = options;
  const { maxThrottleWaitSecs = 600, now = Date.now, random = Math.random } = options;

  assertSecs('sameDomainDelaySecs', sameDomainDelaySecs);
  assertSecs('maxThrottleWaitSecs', maxThrottleWaitSecs);
  assertCap(maxConcurrencyPerHost);
  assertFunction('now', now);
  assertFunction('random', random);

  return {
    domainDelayMillis: sameDomainDelaySecs * 1000,
    maxCap: maxConcurrencyPerHost,
    maxWaitMillis: maxThrottleWaitSecs * 1000,
    now,
    random,
  };
}

function assertSecs(option: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(
      `${option} must be a finite non-negative number of seconds, got ${describeValue(value)}`,
      { option },
    );
  }
}

function assertCap(value: unknown): void {
  if (value !== Infinity && (!Number.isSafeInteger(value) || (value as number) < 1)) {
    throw new ConfigurationError(
      `maxConcurrencyPerHost must be a positive integer or Infinity, got ${describeValue(value)}`,
      { option: 'maxConcurrencyPerHost' },
    );
  }
}

function assertFunction(option: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new ConfigurationError(`${option} must be a function, got ${describeValue(value)}`, {
      option,
    });
  }
}
