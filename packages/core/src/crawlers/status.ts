import type { Log } from '../log.js';
import { formatStatusLine, logClosingLines } from '../statistics/status-line.js';
import type { FinalStatistics, Statistics } from '../statistics/statistics.js';
import type { StatusMessageCallbackParams } from './basic-crawler-options.js';
import type { BasicCrawler } from './basic-crawler.js';

/**
 * Logs a status line every `statusMessageLoggingInterval` seconds (or hands it to
 * `statusMessageCallback`). Returns a function that stops it.
 */
export function startStatusLine(
  crawler: BasicCrawler<any>,
  intervalSecs: number,
  callback: ((params: StatusMessageCallbackParams<unknown>) => unknown) | undefined,
): () => void {
  let previousState: Record<string, unknown> = {};
  const tick = () => {
    const state = { ...crawler.stats.state } as Record<string, unknown>;
    const message = statusMessage(crawler);
    if (callback) {
      void Promise.resolve(callback({ state, crawler, previousState, message })).catch(
        () => undefined,
      );
    } else {
      crawler.log.info(message);
    }
    previousState = state;
  };
  const timer = setInterval(tick, intervalSecs * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

function statusMessage(crawler: BasicCrawler<any>): string {
  const { requestsFinished, requestsFailed } = crawler.stats.state;
  const pending = crawler.requestQueue?.getPendingCount() ?? 0;
  const pool = crawler.autoscaledPool;
  return formatStatusLine({
    handled: requestsFinished,
    failed: requestsFailed,
    pending,
    requestsPerMinute: crawler.stats.calculate().requestsFinishedPerMinute,
    desiredConcurrency: pool?.desiredConcurrency ?? 0,
    currentConcurrency: pool?.currentConcurrency ?? 0,
    // The queue's pending count includes the requests in progress (leased), as in Crawlee.
    total: requestsFinished + requestsFailed + pending,
  });
}

/** Logs the closing lines of a crawl, as Crawlee prints them. */
export function logFinalStatistics(
  log: Log,
  stats: Statistics,
  final: FinalStatistics,
  stopReason?: string,
): void {
  logClosingLines(log, final, { errorTracker: stats.errorTracker, stopReason });
}
