import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError } from '../../src/errors.js';
import { EventType } from '../../src/events/event-manager.js';
import { Log } from '../../src/log.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { MemoryStorageClient } from '../../src/storages/memory/memory-storage-client.js';
import {
  MAX_SESSIONS_COUNTED,
  Statistics,
  type StatisticsOptions,
} from '../../src/statistics/statistics.js';

/** A clock the test moves by hand. */
function manualClock(startMillis = 1_700_000_000_000) {
  let nowMillis = startMillis;
  return {
    now: () => nowMillis,
    advance: (millis: number) => {
      nowMillis += millis;
    },
  };
}

/** Statistics on memory storage that neither logs periodically nor persists, unless told. */
function memoryStats(options: StatisticsOptions = {}): Statistics {
  return new Statistics({
    config: new Configuration({ storageClient: new MemoryStorageClient(), purgeOnStart: false }),
    persistenceOptions: { enable: false },
    logIntervalSecs: 0,
    ...options,
  });
}

describe('Statistics jobs', () => {
  test('counts finished and failed jobs with their durations and averages', () => {
    const clock = manualClock();
    const stats = memoryStats({ now: clock.now });

    stats.startJob('a');
    clock.advance(100);
    stats.finishJob('a', 0);
    stats.startJob('b');
    clock.advance(300);
    stats.finishJob('b', 0);
    stats.startJob('c');
    clock.advance(50);
    stats.failJob('c', 3);

    expect(stats.state).toMatchObject({
      requestsFinished: 2,
      requestsFailed: 1,
      requestTotalFinishedDurationMillis: 400,
      requestTotalFailedDurationMillis: 50,
      requestMinDurationMillis: 100,
      requestMaxDurationMillis: 300,
    });
    expect(stats.calculate()).toMatchObject({
      requestAvgFinishedDurationMillis: 200,
      requestAvgFailedDurationMillis: 50,
      requestTotalDurationMillis: 450,
      requestsTotal: 3,
    });
  });

  test('reports Infinity averages and a zero rate before any request', () => {
    const stats = memoryStats({ now: manualClock().now });

    expect(stats.calculate()).toEqual({
      requestAvgFailedDurationMillis: Infinity,
      requestAvgFinishedDurationMillis: Infinity,
      requestsFinishedPerMinute: 0,
      requestsFailedPerMinute: 0,
      requestTotalDurationMillis: 0,
      requestsTotal: 0,
      crawlerRuntimeMillis: 0,
      retryHistogram: [],
    });
    expect(stats.state.requestMinDurationMillis).toBe(Infinity);
  });

  test('times parallel jobs separately and ignores jobs never started', () => {
    const clock = manualClock();
    const stats = memoryStats({ now: clock.now });

    stats.startJob(1);
    clock.advance(10);
    stats.startJob(2);
    clock.advance(10);
    stats.startJob(3);
    clock.advance(30);
    stats.finishJob(2, 0);
    stats.finishJob(1, 0);
    stats.failJob(3, 0);
    stats.finishJob('never-started', 0);

    expect(stats.state.requestsFinished).toBe(2);
    expect(stats.state.requestMinDurationMillis).toBe(40);
    expect(stats.state.requestMaxDurationMillis).toBe(50);
    expect(stats.state.requestTotalFailedDurationMillis).toBe(30);
  });

  test('builds the retry histogram and counts requests that needed retries', () => {
    const stats = memoryStats();
    const runJob = (id: string, retries: number, ok: boolean) => {
      stats.startJob(id);
      if (ok) {
        stats.finishJob(id, retries);
      } else {
        stats.failJob(id, retries);
      }
    };

    runJob('a', 0, true);
    runJob('b', 0, true);
    runJob('c', 2, true);
    runJob('d', 3, false);

    expect(stats.calculate().retryHistogram).toEqual([2, 0, 1, 1]);
    expect(stats.state.requestsRetries).toBe(2);
  });

  test('reports finished and failed requests per minute of runtime', () => {
    const clock = manualClock();
    const stats = memoryStats({ now: clock.now });

    for (let i = 0; i < 30; i++) {
      stats.startJob(i);
      stats.finishJob(i, 0);
    }
    for (let i = 30; i < 34; i++) {
      stats.startJob(i);
      stats.failJob(i, 1);
    }
    clock.advance(120_000);

    const calculation = stats.calculate();
    expect(calculation.requestsFinishedPerMinute).toBe(15);
    expect(calculation.requestsFailedPerMinute).toBe(2);
    expect(calculation.crawlerRuntimeMillis).toBe(120_000);
    expect(stats.state.requestsFinishedPerMinute).toBe(15);
  });
});

describe('Statistics breakdowns', () => {
  test('counts status codes overall and by host', () => {
    const stats = memoryStats();

    stats.registerStatusCode(200, 'a.example');
    stats.registerStatusCode(200, 'a.example');
    stats.registerStatusCode(404, 'b.example');
    stats.registerStatusCode(500);

    expect(stats.state.requestsWithStatusCode).toEqual({ 200: 2, 404: 1, 500: 1 });
    expect(stats.state.statusCodesByHost).toEqual({
      'a.example': { 200: 2 },
      'b.example': { 404: 1 },
    });
  });

  test('counts retries and skipped requests by reason, any reason text included', () => {
    const stats = memoryStats();

    stats.registerRetry('timeout');
    stats.registerRetry('timeout');
    stats.registerRetry('constructor');
    stats.registerSkipped('robotsTxt');
    stats.registerSkipped('depth');
    stats.registerSkipped('depth');

    expect(stats.state.retriesByReason).toEqual({ timeout: 2, constructor: 1 });
    expect(stats.state.requestsSkipped).toBe(3);
    expect(stats.state.skippedByReason).toEqual({ robotsTxt: 1, depth: 2 });
  });
});

describe('Statistics final statistics and reset', () => {
  test('getFinalStatistics has exactly the FinalStatistics keys, in order', () => {
    const stats = memoryStats();
    stats.startJob('a');
    stats.finishJob('a', 1);

    const final = stats.getFinalStatistics();

    expect(Object.keys(final)).toEqual([
      'requestsFinished',
      'requestsFailed',
      'retryHistogram',
      'requestAvgFailedDurationMillis',
      'requestAvgFinishedDurationMillis',
      'requestsFinishedPerMinute',
      'requestsFailedPerMinute',
      'requestTotalDurationMillis',
      'requestsTotal',
      'crawlerRuntimeMillis',
    ]);
    expect(final).toMatchObject({ requestsFinished: 1, retryHistogram: [0, 1] });
  });

  test('reset sets every counter, tracker and the runtime back to zero', () => {
    const clock = manualClock();
    const stats = memoryStats({ now: clock.now });
    stats.startJob('a');
    clock.advance(500);
    stats.finishJob('a', 2);
    stats.registerRetry('timeout');
    stats.errorTracker.add(new Error('boom'));

    stats.reset();

    expect(stats.state.requestsFinished).toBe(0);
    expect(stats.state.retriesByReason).toEqual({});
    expect(stats.state.errors).toEqual({});
    expect(stats.errorTracker.total).toBe(0);
    expect(stats.calculate()).toMatchObject({ crawlerRuntimeMillis: 0, retryHistogram: [] });
  });

  test('hands out process-wide ids counting up, unless one is given', () => {
    const first = memoryStats();
    const second = memoryStats();

    expect(second.id).toBe(first.id + 1);
    expect(memoryStats({ id: 42 }).id).toBe(42);
  });

  test('rejects saveErrorSnapshots, unknown options and a negative interval', () => {
    expect(() => memoryStats({ saveErrorSnapshots: true })).toThrow(/not supported yet/);
    expect(() => memoryStats({ logIntervalSec: 5 } as StatisticsOptions)).toThrow(
      ConfigurationError,
    );
    expect(() => memoryStats({ logIntervalSecs: -1 })).toThrow(/logIntervalSecs/);
  });
});

describe('Statistics periodic log', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('logs the calculated statistics every logIntervalSecs until stopped', async () => {
    const lines: string[] = [];
    const log = new Log({ writer: (line) => lines.push(line) });
    const stats = memoryStats({ log, logIntervalSecs: 10, logMessage: 'Crawler statistics:' });
    await stats.startCapturing();
    stats.startJob('a');
    vi.advanceTimersByTime(2_000);
    stats.finishJob('a', 0);

    vi.advanceTimersByTime(7_999);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^INFO {2}Crawler statistics: \{"requestAvgFailedDurationMillis":null,/,
    );
    expect(JSON.parse(lines[0].slice(lines[0].indexOf('{')))).toMatchObject({
      requestAvgFinishedDurationMillis: 2_000,
      requestsTotal: 1,
      crawlerRuntimeMillis: 10_000,
      retryHistogram: [1],
    });

    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    await stats.stopCapturing();
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });

  test('stops the runtime clock on stopCapturing', async () => {
    const stats = memoryStats();
    await stats.startCapturing();
    vi.advanceTimersByTime(5_000);
    await stats.stopCapturing();
    vi.advanceTimersByTime(5_000);

    expect(stats.calculate().crawlerRuntimeMillis).toBe(5_000);
    expect(stats.state.crawlerFinishedAt).toBeInstanceOf(Date);
  });
});

describe('Statistics persistence', () => {
  let dir: string;
  let configs: Configuration[];

  /** A configuration with its own storage client on the test's folder. */
  function configOnDisk(): Configuration {
    const config = new Configuration({
      storageClientOptions: { localDataDirectory: dir },
      purgeOnStart: false,
    });
    configs.push(config);
    return config;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-statistics-'));
    configs = [];
  });
  afterEach(async () => {
    for (const config of configs) {
      await config.getStorageClient().teardown();
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('a new Statistics on the same storage continues the counts and the runtime', async () => {
    const clock = manualClock();
    const first = new Statistics({ config: configOnDisk(), id: 7, now: clock.now });
    await first.startCapturing();
    first.startJob('a');
    clock.advance(100);
    first.finishJob('a', 0);
    first.startJob('b');
    clock.advance(300);
    first.failJob('b', 2);
    first.registerRetry('timeout');
    first.registerStatusCode(200, 'a.example');
    first.registerAttempt('blocked', 'http://user:***@proxy.example:8000', 'session_1');
    first.errorTracker.add(new Error('boom'));
    clock.advance(59_600);
    await first.stopCapturing();

    const second = new Statistics({ config: configOnDisk(), id: 7, now: clock.now });
    await second.startCapturing();
    second.startJob('c');
    clock.advance(30_000);
    second.finishJob('c', 1);
    second.registerRetry('timeout');
    await second.stopCapturing();

    expect(second.getFinalStatistics()).toMatchObject({
      requestsFinished: 2,
      requestsFailed: 1,
      retryHistogram: [1, 1, 1],
      crawlerRuntimeMillis: 90_000,
    });
    expect(second.state).toMatchObject({
      requestsRetries: 2,
      requestMinDurationMillis: 100,
      requestMaxDurationMillis: 30_000,
      retriesByReason: { timeout: 2 },
      statusCodesByHost: { 'a.example': { 200: 1 } },
      attemptsByProxy: { 'http://user:***@proxy.example:8000': { requests: 1, blocked: 1 } },
      attemptsBySession: { session_1: { requests: 1, blocked: 1 } },
    });
    expect(second.errorTracker.total).toBe(1);
  });

  test('counts attempts per proxy and session, keeping the newest sessions', () => {
    const stats = memoryStats();
    stats.registerAttempt('success', 'http://p1.example:8000', 's1');
    stats.registerAttempt('error', 'http://p1.example:8000', 's1');
    stats.registerAttempt('blocked', undefined, 's2');
    expect(stats.state.attemptsByProxy).toEqual({
      'http://p1.example:8000': { requests: 2, errors: 1 },
    });
    expect(stats.state.attemptsBySession).toEqual({
      s1: { requests: 2, errors: 1 },
      s2: { requests: 1, blocked: 1 },
    });

    for (let i = 0; i < 2 * MAX_SESSIONS_COUNTED; i += 1) {
      stats.registerAttempt('success', undefined, `new_${i}`);
    }
    // Trimmed once per MAX_SESSIONS_COUNTED new sessions, to the newest ones.
    const sessions = Object.keys(stats.state.attemptsBySession);
    expect(sessions.length).toBeGreaterThanOrEqual(MAX_SESSIONS_COUNTED);
    expect(sessions.length).toBeLessThan(2 * MAX_SESSIONS_COUNTED);
    expect(sessions).not.toContain('s1');
    expect(sessions.at(-1)).toBe(`new_${2 * MAX_SESSIONS_COUNTED - 1}`);
  });

  test('saves under SDK_CRAWLER_STATISTICS_<id> on each persistState event', async () => {
    const config = configOnDisk();
    const stats = new Statistics({ config, id: 3, logIntervalSecs: 0 });
    await stats.startCapturing();
    stats.startJob('a');
    stats.finishJob('a', 0);

    const events = config.getEventManager();
    events.emit(EventType.PERSIST_STATE, { isMigrating: false });
    await events.waitForAllListenersToComplete();

    const store = await KeyValueStore.open(null, { config });
    const saved = await store.getValue<Record<string, unknown>>('SDK_CRAWLER_STATISTICS_3');
    expect(saved).toMatchObject({ requestsFinished: 1, statsId: 3, requestRetryHistogram: [1] });
    expect(typeof saved?.statsPersistedAt).toBe('string');
    await stats.stopCapturing();
  });

  test('after reset or resetStore, capturing starts from zero', async () => {
    const config = configOnDisk();
    const first = new Statistics({ config, id: 5, logIntervalSecs: 0 });
    first.startJob('a');
    first.finishJob('a', 0);
    await first.persistState();

    const reset = new Statistics({ config, id: 5, logIntervalSecs: 0 });
    reset.reset();
    await reset.startCapturing();
    expect(reset.state.requestsFinished).toBe(0);
    await reset.stopCapturing();

    await first.persistState();
    await first.resetStore();
    const fresh = new Statistics({ config, id: 5, logIntervalSecs: 0 });
    await fresh.startCapturing();
    expect(fresh.state.requestsFinished).toBe(0);
    await fresh.stopCapturing();
  });

  test('persistence off neither saves nor loads', async () => {
    const config = configOnDisk();
    const stats = new Statistics({ config, id: 9, persistenceOptions: { enable: false } });
    stats.startJob('a');
    stats.finishJob('a', 0);
    await stats.persistState();

    const store = await KeyValueStore.open(null, { config });
    expect(await store.getValue('SDK_CRAWLER_STATISTICS_9')).toBeNull();
  });
});
