import { describe, expect, test } from 'vitest';

import { Log } from '../../src/log.js';
import { ErrorTracker } from '../../src/statistics/error-tracker.js';
import type { FinalStatistics } from '../../src/statistics/final-statistics.js';
import {
  RateWindow,
  closingLogLines,
  estimateRemainingMillis,
  formatDuration,
  formatStatusLine,
  logClosingLines,
} from '../../src/statistics/status-line.js';

const progress = {
  handled: 120,
  failed: 3,
  pending: 377,
  requestsPerMinute: 85,
  desiredConcurrency: 20,
  currentConcurrency: 12,
};

function finalStatistics(overrides: Partial<FinalStatistics> = {}): FinalStatistics {
  return {
    requestsFinished: 8,
    requestsFailed: 2,
    retryHistogram: [7, 3],
    requestAvgFailedDurationMillis: 400,
    requestAvgFinishedDurationMillis: 120,
    requestsFinishedPerMinute: 48,
    requestsFailedPerMinute: 12,
    requestTotalDurationMillis: 1_760,
    requestsTotal: 10,
    crawlerRuntimeMillis: 10_000,
    ...overrides,
  };
}

describe('formatStatusLine', () => {
  test('without a total gives counts, rate and concurrency only', () => {
    expect(formatStatusLine(progress)).toBe(
      'Crawled 120 pages, 3 failed, 85 requests/min, concurrency 12/20',
    );
  });

  test('with a total adds the share done, rounded down, and an ETA from the recent rate', () => {
    // 377 remaining at 85 a minute: 266 seconds.
    expect(formatStatusLine({ ...progress, total: 500 })).toBe(
      'Crawled 120/500 pages (24%), 3 failed, 85 requests/min, concurrency 12/20, ETA 4m 26s',
    );
  });

  test('falls back to the average rate since the start when no recent rate is known', () => {
    const line = formatStatusLine({
      ...progress,
      handled: 40,
      failed: 10,
      requestsPerMinute: 0,
      total: 100,
      startedAt: 0,
      now: 600_000,
    });

    // 50 done in 10 minutes, 50 to go.
    expect(line).toBe(
      'Crawled 40/100 pages (50%), 10 failed, 0 requests/min, concurrency 12/20, ETA 10m 0s',
    );
  });

  test('leaves the ETA out when nothing remains or no rate is known', () => {
    expect(formatStatusLine({ ...progress, handled: 497, total: 500 })).toBe(
      'Crawled 497/500 pages (100%), 3 failed, 85 requests/min, concurrency 12/20',
    );
    expect(formatStatusLine({ ...progress, requestsPerMinute: 0, total: 500 })).not.toContain(
      'ETA',
    );
  });
});

describe('estimateRemainingMillis', () => {
  test('divides what remains by the rate', () => {
    const input = { requestsPerMinute: 30, handled: 0, failed: 0 };

    expect(estimateRemainingMillis(input, 90)).toBe(180_000);
    expect(estimateRemainingMillis(input, 0)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  test('gives the two largest units, rounded to the second', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_400)).toBe('45s');
    expect(formatDuration(268_000)).toBe('4m 28s');
    expect(formatDuration(7_500_000)).toBe('2h 5m');
    expect(formatDuration(3_600_000)).toBe('1h 0m');
    expect(formatDuration(273_600_000)).toBe('3d 4h');
  });
});

describe('RateWindow', () => {
  test('reports events per minute over its age while younger than the window', () => {
    let nowMillis = 0;
    const window = new RateWindow({ windowSecs: 60, now: () => nowMillis });

    for (let second = 0; second < 30; second++) {
      nowMillis = second * 1000;
      window.record();
    }
    nowMillis = 30_000;

    expect(window.count()).toBe(30);
    expect(window.perMinute()).toBe(60);
  });

  test('forgets events older than the window', () => {
    let nowMillis = 0;
    const window = new RateWindow({ windowSecs: 60, now: () => nowMillis });

    window.record(100);
    nowMillis = 50_000;
    window.record(20);
    nowMillis = 70_000;

    expect(window.count()).toBe(20);
    expect(window.perMinute()).toBe(20);
    window.reset();
    expect(window.count()).toBe(0);
  });
});

describe('closing lines', () => {
  test('give the final statistics, with averages lacking samples as null, and the summary', () => {
    const final = finalStatistics({ requestsFailed: 0, requestAvgFailedDurationMillis: Infinity });

    expect(closingLogLines(final)).toEqual([
      ['Final request statistics:', { ...final, requestAvgFailedDurationMillis: null }],
      ['Finished! Total 8 requests: 8 succeeded, 0 failed.', { terminal: true }],
    ]);
  });

  test('add the error analysis when errors were tracked, and the stop reason', () => {
    const errorTracker = new ErrorTracker({ showStackTrace: false });
    errorTracker.add(new Error('boom'));
    errorTracker.add(new Error('boom'));

    const lines = closingLogLines(finalStatistics(), {
      errorTracker,
      stopReason: 'The crawler has been gracefully stopped.',
    });

    expect(lines[1]).toEqual([
      'Error analysis:',
      { totalErrors: 2, uniqueErrors: 1, mostCommonErrors: ['2x: boom'] },
    ]);
    expect(lines[2][0]).toBe(
      'The crawler has been gracefully stopped. Finished! Total 10 requests: 8 succeeded, ' +
        '2 failed.',
    );
  });

  test('logClosingLines writes them at INFO', () => {
    const lines: string[] = [];
    const log = new Log({ writer: (line) => lines.push(line) }).child({ prefix: 'BasicCrawler' });

    logClosingLines(log, finalStatistics({ requestAvgFinishedDurationMillis: Infinity }));

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^INFO {2}BasicCrawler: Final request statistics: \{"requestsFinished":8,/,
    );
    expect(lines[0]).toContain('"requestAvgFinishedDurationMillis":null,');
    expect(lines[1]).toBe(
      'INFO  BasicCrawler: Finished! Total 10 requests: 8 succeeded, 2 failed. {"terminal":true}',
    );
  });
});
