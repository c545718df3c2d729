/**
 * The counters behind `crawler.stats`: their shape (Crawlee's field names plus trawl's grouped
 * breakdowns), a fresh set, and how a persisted record is read back when a crawl resumes.
 */

import type { ErrorGroups } from './error-tracker.js';

/** Counts keyed by a reason, a status code or a host. */
export type Counts = Record<string, number>;

/**
 * What {@link Statistics.state} holds. The first sixteen fields are Crawlee's; the grouped
 * breakdowns after them are trawl's. Durations are in milliseconds.
 */
export interface StatisticState {
  /** Requests whose handler succeeded. */
  requestsFinished: number;
  /** Requests that gave up: retries exhausted or a non-retryable error. */
  requestsFailed: number;
  /** Requests that finished or failed after at least one retry (not the number of retries). */
  requestsRetries: number;
  /** Failed requests per minute of runtime, as of the last `calculate()`. */
  requestsFailedPerMinute: number;
  /** Finished requests per minute of runtime, as of the last `calculate()`. */
  requestsFinishedPerMinute: number;
  /** Shortest duration of a finished request; `Infinity` before the first one. */
  requestMinDurationMillis: number;
  /** Longest duration of a finished request; 0 before the first one. */
  requestMaxDurationMillis: number;
  /** Sum of the durations of failed requests (their last attempt each). */
  requestTotalFailedDurationMillis: number;
  /** Sum of the durations of finished requests (their last attempt each). */
  requestTotalFinishedDurationMillis: number;
  /** When capturing first started, across resumes. */
  crawlerStartedAt: Date | null;
  /** When capturing last stopped; null while capturing. */
  crawlerFinishedAt: Date | null;
  /** Time spent capturing, across resumes, as of the last `calculate()`. */
  crawlerRuntimeMillis: number;
  /** When the state was last saved to the key-value store. */
  statsPersistedAt: Date | null;
  /** Errors of failed requests, grouped as {@link ErrorTracker.result}. */
  errors: ErrorGroups;
  /** Errors that led to a retry, grouped as {@link ErrorTracker.result}. */
  retryErrors: ErrorGroups;
  /** Responses per status code. */
  requestsWithStatusCode: Counts;
  /** Retries per reason (`timeout`, `session`, `throttled`, an error name). */
  retriesByReason: Counts;
  /** Responses per hostname, then per status code. */
  statusCodesByHost: Record<string, Counts>;
  /** Requests skipped before their handler ran (robots.txt, depth, limit, ...). */
  requestsSkipped: number;
  /** Skipped requests per reason. */
  skippedByReason: Counts;
  /**
   * trawl: attempts per proxy (its URL with the password hidden), then per outcome: `requests`,
   * `blocked` (a blocked status or challenge page), `errors` (any other failure).
   */
  attemptsByProxy: Record<string, Counts>;
  /** trawl: attempts per session id, then per outcome, as {@link attemptsByProxy}. */
  attemptsBySession: Record<string, Counts>;
}

/**
 * The record saved under `SDK_CRAWLER_STATISTICS_<id>`: the state with dates as ISO strings,
 * the retry histogram, the statistics id and the derived values, so the record reads on its own.
 * `Infinity` is stored as null, as JSON has no infinity.
 */
export type PersistedStatistics = Omit<
  StatisticState,
  'crawlerStartedAt' | 'crawlerFinishedAt' | 'statsPersistedAt'
> & {
  crawlerStartedAt: string | null;
  crawlerFinishedAt: string | null;
  statsPersistedAt: string | null;
  requestRetryHistogram: number[];
  statsId: number;
  requestAvgFailedDurationMillis: number;
  requestAvgFinishedDurationMillis: number;
  requestTotalDurationMillis: number;
  requestsTotal: number;
};

/** An empty map for counts; it has no prototype, so any key (even `constructor`) is safe. */
export function emptyCounts<T = number>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Adds `by` to `counts[key]`. */
export function increment(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** A state with every counter at zero. */
export function createInitialState(errors: ErrorGroups, retryErrors: ErrorGroups): StatisticState {
  return {
    requestsFinished: 0,
    requestsFailed: 0,
    requestsRetries: 0,
    requestsFailedPerMinute: 0,
    requestsFinishedPerMinute: 0,
    requestMinDurationMillis: Infinity,
    requestMaxDurationMillis: 0,
    requestTotalFailedDurationMillis: 0,
    requestTotalFinishedDurationMillis: 0,
    crawlerStartedAt: null,
    crawlerFinishedAt: null,
    crawlerRuntimeMillis: 0,
    statsPersistedAt: null,
    errors,
    retryErrors,
    requestsWithStatusCode: emptyCounts(),
    retriesByReason: emptyCounts(),
    statusCodesByHost: emptyCounts<Counts>(),
    requestsSkipped: 0,
    skippedByReason: emptyCounts(),
    attemptsByProxy: emptyCounts<Counts>(),
    attemptsBySession: emptyCounts<Counts>(),
  };
}

/**
 * Copies the counters of a persisted record into `state`, so a resumed crawl continues counting.
 * Fields missing or of the wrong type (an older or hand-edited record) keep their fresh value.
 * `crawlerFinishedAt` stays null: the crawl is running again.
 */
export function restoreState(state: StatisticState, saved: Partial<PersistedStatistics>): void {
  state.requestsFinished = numberOr(saved.requestsFinished, 0);
  state.requestsFailed = numberOr(saved.requestsFailed, 0);
  state.requestsRetries = numberOr(saved.requestsRetries, 0);
  // JSON turned an Infinity minimum into null.
  state.requestMinDurationMillis = numberOr(saved.requestMinDurationMillis, Infinity);
  state.requestMaxDurationMillis = numberOr(saved.requestMaxDurationMillis, 0);
  state.requestTotalFailedDurationMillis = numberOr(saved.requestTotalFailedDurationMillis, 0);
  state.requestTotalFinishedDurationMillis = numberOr(saved.requestTotalFinishedDurationMillis, 0);
  state.crawlerRuntimeMillis = numberOr(saved.crawlerRuntimeMillis, 0);
  state.crawlerStartedAt = dateOr(saved.crawlerStartedAt, null);
  state.statsPersistedAt = dateOr(saved.statsPersistedAt, null);
  state.requestsWithStatusCode = countsFrom(saved.requestsWithStatusCode);
  state.retriesByReason = countsFrom(saved.retriesByReason);
  state.statusCodesByHost = nestedCountsFrom(saved.statusCodesByHost);
  state.requestsSkipped = numberOr(saved.requestsSkipped, 0);
  state.skippedByReason = countsFrom(saved.skippedByReason);
  state.attemptsByProxy = nestedCountsFrom(saved.attemptsByProxy);
  state.attemptsBySession = nestedCountsFrom(saved.attemptsBySession);
}

/** The retry histogram of a persisted record, with holes and bad entries as 0. */
export function histogramFrom(value: unknown): number[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return Array.from(value, (count: unknown) => numberOr(count, 0));
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && !Number.isNaN(value) ? value : fallback;
}

function dateOr(value: unknown, fallback: Date | null): Date | null {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return fallback;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? fallback : date;
}

function countsFrom(value: unknown): Counts {
  const counts = emptyCounts();
  if (typeof value !== 'object' || value === null) {
    return counts;
  }
  for (const [key, count] of Object.entries(value)) {
    if (typeof count === 'number') {
      counts[key] = count;
    }
  }
  return counts;
}

function nestedCountsFrom(value: unknown): Record<string, Counts> {
  const nested = emptyCounts<Counts>();
  if (typeof value !== 'object' || value === null) {
    return nested;
  }
  for (const [key, counts] of Object.entries(value)) {
    nested[key] = countsFrom(counts);
  }
  return nested;
}
