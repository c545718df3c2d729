/**
 * The numbers derived from a crawl's counters: averages, per-minute rates and totals, and the
 * final statistics `crawler.run()` resolves to. Pure functions, so the math is tested alone.
 */

import type { StatisticState } from './statistics-state.js';

/** What {@link Statistics.calculate} returns. Durations in milliseconds, rates per minute. */
export interface StatisticsCalculation {
  /** Mean duration of a failed request, rounded; `Infinity` when none failed (as Crawlee). */
  requestAvgFailedDurationMillis: number;
  /** Mean duration of a finished request, rounded; `Infinity` when none finished (as Crawlee). */
  requestAvgFinishedDurationMillis: number;
  /** Finished requests per minute of runtime, rounded; 0 before any runtime. */
  requestsFinishedPerMinute: number;
  /** Failed requests per minute of runtime, rounded; 0 before any runtime. */
  requestsFailedPerMinute: number;
  /** Sum of the durations of finished and failed requests. */
  requestTotalDurationMillis: number;
  /** Finished plus failed requests. */
  requestsTotal: number;
  /** Time spent capturing, across resumes. */
  crawlerRuntimeMillis: number;
  /** Index: retry count; value: requests that finished or failed after that many retries. */
  retryHistogram: number[];
}

/**
 * What `crawler.run()` resolves to and the crawler logs as `Final request statistics:`. Fields
 * and their order are Crawlee's; see {@link StatisticsCalculation} for their meaning.
 */
export interface FinalStatistics {
  /** Requests whose handler succeeded. */
  requestsFinished: number;
  /** Requests that gave up. */
  requestsFailed: number;
  /** Index: retry count; value: requests that finished or failed after that many retries. */
  retryHistogram: number[];
  /** Mean duration of a failed request in milliseconds; `Infinity` when none failed. */
  requestAvgFailedDurationMillis: number;
  /** Mean duration of a finished request in milliseconds; `Infinity` when none finished. */
  requestAvgFinishedDurationMillis: number;
  /** Finished requests per minute of runtime. */
  requestsFinishedPerMinute: number;
  /** Failed requests per minute of runtime. */
  requestsFailedPerMinute: number;
  /** Sum of the durations of finished and failed requests, in milliseconds. */
  requestTotalDurationMillis: number;
  /** Finished plus failed requests. */
  requestsTotal: number;
  /** Time spent crawling, across resumes, in milliseconds. */
  crawlerRuntimeMillis: number;
}

const MILLIS_PER_MINUTE = 60_000;

/**
 * Derives averages, rates and totals from the counters.
 *
 * @param state - The counters.
 * @param retryHistogram - Requests per retry count; copied, not kept.
 * @param runtimeMillis - Time spent capturing so far.
 */
export function calculateStatistics(
  state: StatisticState,
  retryHistogram: readonly number[],
  runtimeMillis: number,
): StatisticsCalculation {
  const finished = state.requestsFinished;
  const failed = state.requestsFailed;
  const finishedMillis = state.requestTotalFinishedDurationMillis;
  const failedMillis = state.requestTotalFailedDurationMillis;

  return {
    requestAvgFailedDurationMillis: average(failedMillis, failed),
    requestAvgFinishedDurationMillis: average(finishedMillis, finished),
    requestsFinishedPerMinute: perMinute(finished, runtimeMillis),
    requestsFailedPerMinute: perMinute(failed, runtimeMillis),
    requestTotalDurationMillis: finishedMillis + failedMillis,
    requestsTotal: finished + failed,
    crawlerRuntimeMillis: runtimeMillis,
    retryHistogram: [...retryHistogram],
  };
}

/** Puts the counters and their derived values together in Crawlee's order. */
export function toFinalStatistics(
  state: StatisticState,
  calculation: StatisticsCalculation,
): FinalStatistics {
  return {
    requestsFinished: state.requestsFinished,
    requestsFailed: state.requestsFailed,
    retryHistogram: calculation.retryHistogram,
    requestAvgFailedDurationMillis: calculation.requestAvgFailedDurationMillis,
    requestAvgFinishedDurationMillis: calculation.requestAvgFinishedDurationMillis,
    requestsFinishedPerMinute: calculation.requestsFinishedPerMinute,
    requestsFailedPerMinute: calculation.requestsFailedPerMinute,
    requestTotalDurationMillis: calculation.requestTotalDurationMillis,
    requestsTotal: calculation.requestsTotal,
    crawlerRuntimeMillis: calculation.crawlerRuntimeMillis,
  };
}

/**
 * A copy of `fields` with every non-finite number replaced by null, as Crawlee prints averages
 * that have no samples. Log writers other than JSON then see the same value.
 */
export function toLoggableFields(fields: object): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    copy[key] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  return copy;
}

function average(totalMillis: number, count: number): number {
  return count === 0 ? Infinity : Math.round(totalMillis / count);
}

function perMinute(count: number, runtimeMillis: number): number {
  if (runtimeMillis <= 0) {
    return 0;
  }
  return Math.round((count * MILLIS_PER_MINUTE) / runtimeMillis);
}
