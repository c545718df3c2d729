/**
 * The text of the crawl's progress line and closing lines. Nothing here prints: the crawler
 * logs what these functions return.
 */

import type { Log } from '../log.js';
import { errorAnalysis, type ErrorTracker } from './error-tracker.js';
import { toLoggableFields, type FinalStatistics } from './final-statistics.js';

/** What {@link formatStatusLine} reports. Counts are requests. */
export interface StatusLineInput {
  /** Requests whose handler succeeded. */
  handled: number;
  /** Requests waiting in the queue or in progress. */
  pending: number;
  /** Requests that gave up. */
  failed: number;
  /** Requests finished (handled or failed) per minute, lately; shown, and drives the ETA. */
  requestsPerMinute: number;
  /** The concurrency the pool aims for. */
  desiredConcurrency: number;
  /** Tasks running now. */
  currentConcurrency: number;
  /**
   * All requests of the crawl, when known (a fixed list, or a frontier that no longer grows):
   * adds the share done and an ETA. `undefined` when the crawl may still discover pages.
   */
  total?: number;
  /** The time now, in milliseconds since the epoch; with `startedAt`, a fallback for the ETA. */
  now?: number;
  /**
   * When the crawl started, in milliseconds since the epoch. When `requestsPerMinute` is 0,
   * the ETA uses the average rate since then.
   */
  startedAt?: number;
}

/** A message and its fields, for `log.info(message, fields)`. */
export type LogLine = [message: string, fields: Record<string, unknown>];

/** Options of {@link closingLogLines}. */
export interface ClosingLinesOptions {
  /** Source of the `Error analysis:` line, left out when it holds no errors. */
  errorTracker?: ErrorTracker;
  /** How many error groups the analysis names. @default 3 */
  mostCommonErrors?: number;
  /** Why the crawl ended early, put before `Finished!`; `undefined` for a crawl that ran out. */
  stopReason?: string;
}

const MILLIS_PER_MINUTE = 60_000;

/**
 * One progress line: `Crawled 120/500 pages (24%), 3 failed, 85 requests/min, concurrency
 * 12/20, ETA 4m 28s` with a known total, `Crawled 120 pages, 3 failed, 85 requests/min,
 * concurrency 12/20` without. The share counts failed requests as done and is rounded down;
 * the ETA is left out while no rate is known or nothing remains.
 */
export function formatStatusLine(input: StatusLineInput): string {
  const { handled, failed, total } = input;
  const rate = `${Math.round(input.requestsPerMinute)} requests/min`;
  const concurrency = `concurrency ${input.currentConcurrency}/${input.desiredConcurrency}`;
  if (total === undefined) {
    return `Crawled ${handled} pages, ${failed} failed, ${rate}, ${concurrency}`;
  }

  const done = handled + failed;
  const percent = total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 100;
  const parts = [`Crawled ${handled}/${total} pages (${percent}%)`, `${failed} failed`, rate];
  parts.push(concurrency);
  const etaMillis = estimateRemainingMillis(input, Math.max(0, total - done));
  if (etaMillis !== undefined) {
    parts.push(`ETA ${formatDuration(etaMillis)}`);
  }
  return parts.join(', ');
}

/**
 * How long the `remaining` requests take at the recent rate, or at the average rate since
 * `startedAt` when no recent rate is known; undefined when neither is.
 */
export function estimateRemainingMillis(
  input: Pick<StatusLineInput, 'requestsPerMinute' | 'handled' | 'failed' | 'now' | 'startedAt'>,
  remaining: number,
): number | undefined {
  if (remaining <= 0) {
    return undefined;
  }
  if (input.requestsPerMinute > 0) {
    return (remaining / input.requestsPerMinute) * MILLIS_PER_MINUTE;
  }
  const done = input.handled + input.failed;
  if (input.now === undefined || input.startedAt === undefined || done === 0) {
    return undefined;
  }
  const elapsedMillis = input.now - input.startedAt;
  return elapsedMillis > 0 ? (remaining * elapsedMillis) / done : undefined;
}

/**
 * A duration in its two largest units, rounded to the second: `45s`, `4m 28s`, `2h 5m`,
 * `3d 4h`; `0s` for anything under half a second.
 */
export function formatDuration(millis: number): string {
  let seconds = Math.max(0, Math.round(millis / 1000));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const amount = Math.floor(seconds / size);
    seconds -= amount * size;
    if (amount > 0 || parts.length > 0) {
      parts.push(`${amount}${unit}`);
    }
  }
  return parts.length === 0 ? '0s' : parts.slice(0, 2).join(' ');
}

/** Options of {@link RateWindow}. */
export interface RateWindowOptions {
  /** How far back the window looks, in seconds. @default 60 */
  windowSecs?: number;
  /** The clock, in milliseconds since the epoch; inject one in tests. @default `Date.now` */
  now?: () => number;
}

/**
 * Counts events (finished requests) over the last `windowSecs` seconds, for a requests/min
 * figure that follows the crawl's recent pace rather than its average. Events are kept in
 * one-second buckets, so memory stays bounded whatever the rate.
 */
export class RateWindow {
  readonly #windowMillis: number;
  readonly #now: () => number;
  #buckets: { second: number; count: number }[] = [];
  #startedAt: number;

  constructor(options: RateWindowOptions = {}) {
    this.#windowMillis = (options.windowSecs ?? 60) * 1000;
    this.#now = options.now ?? (() => Date.now());
    this.#startedAt = this.#now();
  }

  /** Records `count` events now. */
  record(count = 1): void {
    const second = Math.floor(this.#now() / 1000);
    const last = this.#buckets.at(-1);
    if (last?.second === second) {
      last.count += count;
    } else {
      this.#buckets.push({ second, count });
    }
    this.#prune();
  }

  /** Events in the window. */
  count(): number {
    this.#prune();
    return this.#buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  }

  /**
   * Events per minute over the window; while the window is younger than `windowSecs`, over its
   * age (at least one second), so the first minute is not under-reported.
   */
  perMinute(): number {
    const spanMillis = Math.min(this.#windowMillis, Math.max(1000, this.#now() - this.#startedAt));
    return (this.count() * MILLIS_PER_MINUTE) / spanMillis;
  }

  /** Forgets every event and restarts the window's age. */
  reset(): void {
    this.#buckets = [];
    this.#startedAt = this.#now();
  }

  #prune(): void {
    const oldestSecond = Math.floor((this.#now() - this.#windowMillis) / 1000);
    while (this.#buckets.length > 0 && this.#buckets[0].second <= oldestSecond) {
      this.#buckets.shift();
    }
  }
}

/**
 * The closing lines of a crawl, as Crawlee prints them: `Final request statistics:` with the
 * final statistics (averages without samples as null), `Error analysis:` when errors were
 * tracked, and `Finished! Total N requests: X succeeded, Y failed.` marked terminal.
 */
export function closingLogLines(
  final: FinalStatistics,
  options: ClosingLinesOptions = {},
): LogLine[] {
  const lines: LogLine[] = [['Final request statistics:', toLoggableFields(final)]];
  const tracker = options.errorTracker;
  if (tracker && tracker.total > 0) {
    const analysis = errorAnalysis(tracker, options.mostCommonErrors ?? 3);
    lines.push(['Error analysis:', { ...analysis }]);
  }

  const total = final.requestsFinished + final.requestsFailed;
  const prefix = options.stopReason ? `${options.stopReason} ` : '';
  const summary =
    `${prefix}Finished! Total ${total} requests: ${final.requestsFinished} succeeded, ` +
    `${final.requestsFailed} failed.`;
  lines.push([summary, { terminal: true }]);
  return lines;
}

/** Logs {@link closingLogLines} at INFO. */
export function logClosingLines(
  log: Log,
  final: FinalStatistics,
  options: ClosingLinesOptions = {},
): void {
  for (const [message, fields] of closingLogLines(final, options)) {
    log.info(message, fields);
  }
}
