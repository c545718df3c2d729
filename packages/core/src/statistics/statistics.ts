/**
 * `crawler.stats`: counts and times a crawl's requests, logs them periodically, saves them on
 * every `persistState` event and reads them back when a crawl resumes.
 */

import { Configuration } from '../configuration.js';
import { EventType, type EventManager } from '../events/event-manager.js';
import { log as rootLog, type Log } from '../log.js';
import { KeyValueStore } from '../storages/key-value-store.js';
import { ErrorTracker } from './error-tracker.js';
import {
  calculateStatistics,
  toFinalStatistics,
  toLoggableFields,
  type FinalStatistics,
  type StatisticsCalculation,
} from './final-statistics.js';
import { validateStatisticsOptions, type StatisticsOptions } from './statistics-options.js';
import {
  createInitialState,
  emptyCounts,
  histogramFrom,
  increment,
  restoreState,
  type Counts,
  type PersistedStatistics,
  type StatisticState,
} from './statistics-state.js';

export type { FinalStatistics, StatisticsCalculation } from './final-statistics.js';
export type { PersistedStatistics, StatisticState } from './statistics-state.js';
export type { StatisticsOptions } from './statistics-options.js';

/** How the trackers group errors: one stack frame and the first line of each message. */
const TRACKER_OPTIONS = { showFullStack: false, showFullMessage: false };

/** Sessions whose attempts {@link Statistics.registerAttempt} keeps: the newest ones. */
export const MAX_SESSIONS_COUNTED = 1_000;

/** How an attempt went, for the counts per proxy and per session. */
export type AttemptOutcome = 'success' | 'blocked' | 'error';

let nextId = 0;

/**
 * Counts and times a crawl's requests. Durations are those of a request's last attempt, from
 * `startJob` to `finishJob` or `failJob`. The runtime counts from creation, `reset()` or
 * `startCapturing()` until `stopCapturing()`, and carries over from a persisted record.
 *
 * @example
 * const stats = new Statistics({ logIntervalSecs: 30 });
 * await stats.startCapturing();
 * stats.startJob(request.id);
 * stats.finishJob(request.id, request.retryCount);
 * await stats.stopCapturing();
 * const final = stats.getFinalStatistics();
 */
export class Statistics {
  /** Names the persisted record. */
  readonly id: number;
  /** The counters; see {@link StatisticState}. */
  state: StatisticState;
  /** Errors of requests that gave up. */
  readonly errorTracker = new ErrorTracker(TRACKER_OPTIONS);
  /** Errors that led to a retry. */
  readonly errorTrackerRetry = new ErrorTracker(TRACKER_OPTIONS);
  readonly #log: Log;
  readonly #logMessage: string;
  readonly #logIntervalMillis: number;
  readonly #config: Configuration;
  readonly #persist: boolean;
  readonly #now: () => number;
  #keyValueStore?: KeyValueStore;
  #retryHistogram: number[] = [];
  #jobStarts = new Map<number | string, number>();
  #newSessions = 0;
  #runtimeBeforeMillis = 0;
  #runStartedAt: number | undefined;
  #isLoaded = false;
  #events?: EventManager;
  #logTimer?: NodeJS.Timeout;
  readonly #onPersistState = (): Promise<void> => this.#persistQuietly();

  /** @throws ConfigurationError on an unknown option, a bad interval or `saveErrorSnapshots` */
  constructor(options: StatisticsOptions = {}) {
    validateStatisticsOptions(options);
    this.id = options.id ?? nextId++;
    this.#log = options.log ?? rootLog.child({ prefix: 'Statistics' });
    this.#logMessage = options.logMessage ?? 'Statistics';
    this.#logIntervalMillis = (options.logIntervalSecs ?? 60) * 1000;
    this.#config = options.config ?? Configuration.getGlobalConfig();
    this.#persist = options.persistenceOptions?.enable ?? true;
    this.#keyValueStore = options.keyValueStore;
    this.#now = options.now ?? (() => Date.now());
    this.#runStartedAt = this.#now();
    this.state = createInitialState(this.errorTracker.result, this.errorTrackerRetry.result);
  }

  /** Marks the start of an attempt at request `id`; a second call restarts its clock. */
  startJob(id: number | string): void {
    this.#jobStarts.set(id, this.#now());
  }

  /** Counts request `id` as finished after `retryCount` retries; ignored if it was not started. */
  finishJob(id: number | string, retryCount: number): void {
    const durationMillis = this.#endJob(id);
    if (durationMillis === undefined) {
      return;
    }
    const state = this.state;
    state.requestsFinished += 1;
    state.requestTotalFinishedDurationMillis += durationMillis;
    state.requestMinDurationMillis = Math.min(state.requestMinDurationMillis, durationMillis);
    state.requestMaxDurationMillis = Math.max(state.requestMaxDurationMillis, durationMillis);
    this.#recordRetryCount(retryCount);
  }

  /** Counts request `id` as failed after `retryCount` retries; ignored if it was not started. */
  failJob(id: number | string, retryCount: number): void {
    const durationMillis = this.#endJob(id);
    if (durationMillis === undefined) {
      return;
    }
    this.state.requestsFailed += 1;
    this.state.requestTotalFailedDurationMillis += durationMillis;
    this.#recordRetryCount(retryCount);
  }

  /** Counts a response with status `code`, and under `host` (a hostname) when given. */
  registerStatusCode(code: number, host?: string): void {
    increment(this.state.requestsWithStatusCode, String(code));
    if (host !== undefined) {
      increment((this.state.statusCodesByHost[host] ??= emptyCounts()), String(code));
    }
  }

  /** Counts one retry under `reason` (`timeout`, `session`, `throttled`, an error name). */
  registerRetry(reason: string): void {
    increment(this.state.retriesByReason, reason);
  }

  /**
   * trawl: counts one attempt under its proxy (pass it with the password hidden) and session;
   * `outcome` is `'success'`, `'blocked'` or `'error'`. The counts of the
   * {@link MAX_SESSIONS_COUNTED} newest sessions are kept; older ones are dropped now and then.
   */
  registerAttempt(outcome: AttemptOutcome, proxy?: string, sessionId?: string): void {
    const key = outcome === 'blocked' ? 'blocked' : outcome === 'error' ? 'errors' : undefined;
    const count = (counts: Counts) => {
      increment(counts, 'requests');
      if (key !== undefined) {
        increment(counts, key);
      }
    };
    if (proxy !== undefined) {
      count((this.state.attemptsByProxy[proxy] ??= emptyCounts()));
    }
    if (sessionId === undefined) {
      return;
    }
    const sessions = this.state.attemptsBySession;
    if (sessions[sessionId] === undefined) {
      sessions[sessionId] = emptyCounts();
      this.#newSessions += 1;
    }
    count(sessions[sessionId]);
    if (this.#newSessions >= MAX_SESSIONS_COUNTED) {
      // Keys keep insertion order: the oldest sessions go first.
      const keys = Object.keys(sessions);
      keys.slice(0, keys.length - MAX_SESSIONS_COUNTED).forEach((id) => delete sessions[id]);
      this.#newSessions = 0;
    }
  }

  /** Counts one request skipped before its handler ran, under `reason` (`robotsTxt`, `depth`). */
  registerSkipped(reason: string): void {
    this.state.requestsSkipped += 1;
    increment(this.state.skippedByReason, reason);
  }

  /** Averages, per-minute rates and totals as of now; also refreshes the rates in `state`. */
  calculate(): StatisticsCalculation {
    const calculation = calculateStatistics(this.state, this.#retryHistogram, this.#runtime());
    this.state.requestsFinishedPerMinute = calculation.requestsFinishedPerMinute;
    this.state.requestsFailedPerMinute = calculation.requestsFailedPerMinute;
    this.state.crawlerRuntimeMillis = calculation.crawlerRuntimeMillis;
    return calculation;
  }

  /** What `crawler.run()` resolves to: the counts and their derived values as of now. */
  getFinalStatistics(): FinalStatistics {
    return toFinalStatistics(this.state, this.calculate());
  }

  /** The record {@link Statistics.persistState} saves. */
  toJSON(): PersistedStatistics {
    const calculation = this.calculate();
    const state = this.state;
    return {
      ...state,
      crawlerStartedAt: state.crawlerStartedAt?.toISOString() ?? null,
      crawlerFinishedAt: state.crawlerFinishedAt?.toISOString() ?? null,
      statsPersistedAt: state.statsPersistedAt?.toISOString() ?? null,
      errors: this.errorTracker.result,
      retryErrors: this.errorTrackerRetry.result,
      requestRetryHistogram: calculation.retryHistogram,
      statsId: this.id,
      requestAvgFailedDurationMillis: calculation.requestAvgFailedDurationMillis,
      requestAvgFinishedDurationMillis: calculation.requestAvgFinishedDurationMillis,
      requestTotalDurationMillis: calculation.requestTotalDurationMillis,
      requestsTotal: calculation.requestsTotal,
    };
  }

  /**
   * Starts the periodic statistics line and saving on `persistState` events. The first call on
   * an instance loads a record saved earlier under the same id, so a resumed crawl continues
   * counting. Calling it while capturing does nothing.
   * @throws StorageError when the saved record cannot be read
   */
  async startCapturing(): Promise<void> {
    if (this.#events) {
      return;
    }
    await this.#loadOnce();
    this.state.crawlerStartedAt ??= new Date(this.#now());
    this.state.crawlerFinishedAt = null;
    this.#runStartedAt = this.#now();
    this.#events = this.#config.getEventManager();
    this.#events.on(EventType.PERSIST_STATE, this.#onPersistState);
    this.#startLogTimer();
  }

  /** Stops the periodic line and the runtime clock, and saves the state a last time. */
  async stopCapturing(): Promise<void> {
    this.#events?.off(EventType.PERSIST_STATE, this.#onPersistState);
    this.#events = undefined;
    clearInterval(this.#logTimer);
    this.#logTimer = undefined;
    this.#stopRuntimeClock();
    this.state.crawlerFinishedAt = new Date(this.#now());
    await this.persistState();
  }

  /** Saves the state under `SDK_CRAWLER_STATISTICS_<id>`; does nothing with persistence off. */
  async persistState(): Promise<void> {
    if (!this.#persist) {
      return;
    }
    const store = await this.#store();
    this.state.statsPersistedAt = new Date(this.#now());
    await store.setValue(this.#persistStateKey(), this.toJSON());
  }

  /** Deletes the saved record; does nothing with persistence off. */
  async resetStore(): Promise<void> {
    if (!this.#persist) {
      return;
    }
    const store = await this.#store();
    await store.setValue(this.#persistStateKey(), null);
  }

  /**
   * Sets every counter, the trackers and the runtime back to zero, and stops a later
   * `startCapturing()` from loading the saved record. Capturing, if on, goes on.
   */
  reset(): void {
    this.errorTracker.reset();
    this.errorTrackerRetry.reset();
    this.state = createInitialState(this.errorTracker.result, this.errorTrackerRetry.result);
    this.#retryHistogram = [];
    this.#jobStarts.clear();
    this.#runtimeBeforeMillis = 0;
    this.#runStartedAt = this.#now();
    this.#isLoaded = true;
    if (this.#events) {
      this.state.crawlerStartedAt = new Date(this.#now());
    }
  }

  #endJob(id: number | string): number | undefined {
    const startedAt = this.#jobStarts.get(id);
    if (startedAt === undefined) {
      return undefined;
    }
    this.#jobStarts.delete(id);
    return Math.max(0, this.#now() - startedAt);
  }

  #recordRetryCount(retryCount: number): void {
    // A bad count must not grow the histogram without bound.
    const index = Number.isSafeInteger(retryCount) && retryCount > 0 ? retryCount : 0;
    while (this.#retryHistogram.length <= index) {
      this.#retryHistogram.push(0);
    }
    this.#retryHistogram[index] += 1;
    if (index > 0) {
      this.state.requestsRetries += 1;
    }
  }

  #runtime(): number {
    const running = this.#runStartedAt === undefined ? 0 : this.#now() - this.#runStartedAt;
    return this.#runtimeBeforeMillis + Math.max(0, running);
  }

  #stopRuntimeClock(): void {
    this.#runtimeBeforeMillis = this.#runtime();
    this.#runStartedAt = undefined;
  }

  #startLogTimer(): void {
    if (!(this.#logIntervalMillis > 0) || !Number.isFinite(this.#logIntervalMillis)) {
      return;
    }
    this.#logTimer = setInterval(() => {
      this.#log.info(this.#logMessage, toLoggableFields(this.calculate()));
    }, this.#logIntervalMillis);
    this.#logTimer.unref();
  }

  async #loadOnce(): Promise<void> {
    if (this.#isLoaded || !this.#persist) {
      return;
    }
    this.#isLoaded = true;
    const store = await this.#store();
    const saved = await store.getValue<Partial<PersistedStatistics>>(this.#persistStateKey());
    if (typeof saved !== 'object' || saved === null) {
      return;
    }
    restoreState(this.state, saved);
    this.#retryHistogram = histogramFrom(saved.requestRetryHistogram);
    this.errorTracker.restore(saved.errors);
    this.errorTrackerRetry.restore(saved.retryErrors);
    this.#runtimeBeforeMillis = this.state.crawlerRuntimeMillis;
  }

  async #persistQuietly(): Promise<void> {
    try {
      await this.persistState();
    } catch (error) {
      // A failed save must not break the crawl; the next persistState event tries again.
      this.#log.warning('Could not save the statistics', { reason: (error as Error).message });
    }
  }

  async #store(): Promise<KeyValueStore> {
    this.#keyValueStore ??= await KeyValueStore.open(null, { config: this.#config });
    return this.#keyValueStore;
  }

  #persistStateKey(): string {
    return `SDK_CRAWLER_STATISTICS_${this.id}`;
  }
}
