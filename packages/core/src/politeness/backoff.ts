/**
 * Waiting before another attempt: the exponential back-off between retries of a failed request,
 * and the parser for a server's `Retry-After` header.
 */

import { ConfigurationError } from '../errors.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';

/** Options of {@link retryDelayMillis}. */
export interface RetryDelayOptions {
  /**
   * Upper bound of the first retry's delay, in milliseconds; each further retry doubles it.
   * `0` retries at once, as Crawlee does. Tests of crawlers set it low to keep runs short.
   * @default 1000
   */
  baseMillis?: number;

  /**
   * Upper bound of any delay, in milliseconds, however many retries came before.
   * @default 60000
   */
  maxMillis?: number;

  /**
   * Source of randomness for the jitter, returning a number in [0, 1). Inject a seeded one in
   * tests.
   * @default Math.random
   */
  random?: () => number;
}

const RETRY_DELAY_OPTIONS: ReadonlySet<string> = new Set(['baseMillis', 'maxMillis', 'random']);

/**
 * Tells how long to wait before a retry, in milliseconds: exponential back-off with "equal
 * jitter". The ceiling is `baseMillis * 2 ** (retryCount - 1)`, capped at `maxMillis`, and the
 * delay is drawn uniformly from the upper half of it, `[ceiling / 2, ceiling)`. Keeping the lower
 * half out means a retry never fires almost at once, while the random half still spreads the
 * retries of many failed requests apart.
 *
 * With the defaults the first retry waits 0.5–1 s, the second 1–2 s, the third 2–4 s, and
 * from the seventh on 30–60 s.
 *
 * @param retryCount - The retry about to happen: 1 for the first retry (a request's `retryCount`
 *   after it was raised). `0` is treated as `1`.
 * @param options - Base, cap and randomness; see {@link RetryDelayOptions}.
 * @returns A whole number of milliseconds, at least 0 and at most `maxMillis`.
 * @throws ConfigurationError for a negative or non-integer `retryCount`, a negative or infinite
 *   `baseMillis` or `maxMillis`, `maxMillis` below `baseMillis`, or an unknown option.
 */
export function retryDelayMillis(retryCount: number, options: RetryDelayOptions = {}): number {
  assertKnownOptions(options, RETRY_DELAY_OPTIONS, 'retryDelayMillis');
  const { baseMillis = 1000, maxMillis = 60_000, random = Math.random } = options;
  assertDelayOptions(retryCount, baseMillis, maxMillis);

  const exponent = Math.max(0, retryCount - 1);
  const ceiling = Math.min(maxMillis, baseMillis * 2 ** exponent);
  const half = ceiling / 2;

  return Math.min(ceiling, Math.floor(half + random() * half));
}

function assertDelayOptions(retryCount: number, baseMillis: number, maxMillis: number): void {
  if (!Number.isSafeInteger(retryCount) || retryCount < 0) {
    throw new ConfigurationError(
      `retryCount must be a non-negative integer, got ${describeValue(retryCount)}`,
      { option: 'retryCount' },
    );
  }
  for (const [option, value] of [
    ['baseMillis', baseMillis],
    ['maxMillis', maxMillis],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(
        `${option} must be a finite non-negative number of milliseconds, ` +
          `got ${describeValue(value)}`,
        { option },
      );
    }
  }
  if (maxMillis < baseMillis) {
    throw new ConfigurationError(
      `maxMillis must be at least baseMillis (${baseMillis}), got ${maxMillis}`,
      { option: 'maxMillis' },
    );
  }
}

/** `delay-seconds` of RFC 9110 section 10.2.3: one or more digits, nothing else. */
const DELAY_SECONDS = /^\d+$/;

/** The three HTTP date forms (IMF-fixdate, RFC 850, asctime) all begin with a day name. */
const HTTP_DATE_START = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i;

/**
 * Reads a `Retry-After` header value: a number of seconds, or an HTTP date, which is taken
 * relative to `now` so an injected clock works.
 *
 * @param value - The header value as received; `undefined` and `null` mean no header.
 * @param now - The current time, in milliseconds since the epoch.
 * @returns The seconds to wait from `now`: whole seconds as sent, or for a date the seconds until
 *   it, rounded up, and `0` for a date already past. `undefined` when the header is absent or not
 *   valid (a negative or fractional number, text that is not an HTTP date).
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const text = value.trim();

  if (DELAY_SECONDS.test(text)) {
    return Number(text);
  }
  if (!HTTP_DATE_START.test(text)) {
    return undefined;
  }

  // HTTP dates are in GMT; the asctime form does not say so, and Date.parse would read local time.
  const at = Date.parse(/\b(GMT|UTC)\b/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((at - now) / 1000));
}
