import { Configuration } from '../configuration.js';
import { EventType, type SystemInfoEvent } from '../events/event-manager.js';
import type { Log } from '../log.js';
import { assertKnownOptions } from '../utils/options.js';
import { SnapshotHistory, type LoadSnapshot } from './load-signal.js';

/** A memory reading. */
export interface MemorySnapshot extends LoadSnapshot {
  /** Resident memory of the process tree, in bytes. */
  usedBytes: number;
}

/** An event-loop reading. */
export interface EventLoopSnapshot extends LoadSnapshot {
  /** How much later than planned the reading ran, beyond its interval, in milliseconds. */
  exceededMillis: number;
}

/** A CPU reading. */
export interface CpuSnapshot extends LoadSnapshot {
  /** Share of the available CPU the process tree used, 0 to 1. */
  usedRatio: number;
}

/** A storage-client reading. */
export interface ClientSnapshot extends LoadSnapshot {
  /** Rate-limit errors the storage client had seen in total when the reading was taken. */
  rateLimitErrorCount: number;
}

/** Options of {@link Snapshotter}; names and defaults are Crawlee 3's unless marked trawl's. */
export interface SnapshotterOptions {
  /** How often the event loop is checked, in seconds. @default 0.5 */
  eventLoopSnapshotIntervalSecs?: number;
  /** How often the storage client is checked, in seconds. @default 1 */
  clientSnapshotIntervalSecs?: number;
  /** Delay of an event-loop check past which the loop counts as blocked, in ms. @default 50 */
  maxBlockedMillis?: number;
  /** Share of the memory limit past which memory counts as overloaded, 0 to 1. @default 0.9 */
  maxUsedMemoryRatio?: number;
  /** New rate-limit errors per client check past which the client is overloaded. @default 3 */
  maxClientErrors?: number;
  /** How long snapshots are kept, in seconds. @default 30 */
  snapshotHistorySecs?: number;
  /** Source of `memoryMbytes`, `availableMemoryRatio` and the event manager. @default global */
  config?: Configuration;
  /** Receives the critical-memory warning; without it the snapshotter stays silent. */
  log?: Log;
  /**
   * trawl: total rate-limit errors of the storage client so far. Local storages have none, so
   * by default the client signal is never overloaded.
   */
  getClientErrorCount?: () => number;
  /** trawl: the clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'eventLoopSnapshotIntervalSecs',
  'clientSnapshotIntervalSecs',
  'maxBlockedMillis',
  'maxUsedMemoryRatio',
  'maxClientErrors',
  'snapshotHistorySecs',
  'config',
  'log',
  'getClientErrorCount',
  'now',
]);

/** Share of the memory limit past which the critical-memory warning is logged. */
const CRITICAL_MEMORY_RATIO = 0.95;
const CRITICAL_WARNING_GAP_MILLIS = 10_000;

/**
 * Keeps recent readings of four load signals: memory and CPU from the event manager's
 * `systemInfo` events, event-loop delay from its own timer, and storage-client rate-limit errors.
 * {@link SystemStatus} turns them into an overloaded-or-idle verdict.
 *
 * Memory and CPU readings arrive only while the configuration's event manager is initialised
 * (crawlers initialise it in `run()`); to inject readings in a test, emit `systemInfo` on it.
 */
export class Snapshotter {
  readonly #config: Configuration;
  readonly #log?: Log;
  readonly #now: () => number;
  readonly #getClientErrorCount?: () => number;
  readonly #eventLoopIntervalMillis: number;
  readonly #clientIntervalMillis: number;
  readonly #maxBlockedMillis: number;
  readonly #maxUsedMemoryRatio: number;
  readonly #maxClientErrors: number;
  readonly #memory: SnapshotHistory<MemorySnapshot>;
  readonly #eventLoop: SnapshotHistory<EventLoopSnapshot>;
  readonly #cpu: SnapshotHistory<CpuSnapshot>;
  readonly #client: SnapshotHistory<ClientSnapshot>;
  #timers: NodeJS.Timeout[] = [];
  #lastLoopCheckAt?: number;
  #lastClientErrorCount?: number;
  #lastCriticalWarningAt = -Infinity;
  #maxMemoryBytes?: number;

  /** @throws ConfigurationError on an unknown option. */
  constructor(options: SnapshotterOptions = {}) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'Snapshotter');
    this.#config = options.config ?? Configuration.getGlobalConfig();
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#getClientErrorCount = options.getClientErrorCount;
    this.#eventLoopIntervalMillis = (options.eventLoopSnapshotIntervalSecs ?? 0.5) * 1000;
    this.#clientIntervalMillis = (options.clientSnapshotIntervalSecs ?? 1) * 1000;
    this.#maxBlockedMillis = options.maxBlockedMillis ?? 50;
    this.#maxUsedMemoryRatio = options.maxUsedMemoryRatio ?? 0.9;
    this.#maxClientErrors = options.maxClientErrors ?? 3;

    const historyMillis = (options.snapshotHistorySecs ?? 30) * 1000;
    this.#memory = new SnapshotHistory(historyMillis);
    this.#eventLoop = new SnapshotHistory(historyMillis);
    this.#cpu = new SnapshotHistory(historyMillis);
    this.#client = new SnapshotHistory(historyMillis);
  }

  /**
   * The memory limit readings are compared with, in bytes: `memoryMbytes` × 2^20 when set, else
   * `availableMemoryRatio` × the total memory of the latest reading; undefined before one.
   */
  get maxMemoryBytes(): number | undefined {
    return this.#configuredLimit() ?? this.#maxMemoryBytes;
  }

  /** Starts listening and sampling; calling it again while started does nothing. */
  start(): void {
    if (this.#timers.length > 0) {
      return;
    }
    this.#lastLoopCheckAt = undefined;
    this.#lastClientErrorCount = undefined;
    this.#config.getEventManager().on(EventType.SYSTEM_INFO, this.#onSystemInfo);

    this.#snapshotEventLoop();
    this.#snapshotClient();
    this.#timers = [
      setInterval(() => this.#snapshotEventLoop(), this.#eventLoopIntervalMillis),
      setInterval(() => this.#snapshotClient(), this.#clientIntervalMillis),
    ];
    // Sampling alone must not keep the process alive.
    this.#timers.forEach((timer) => timer.unref());
  }

  /** Stops listening and sampling; the snapshots taken so far are kept. */
  stop(): void {
    this.#timers.forEach((timer) => clearInterval(timer));
    this.#timers = [];
    this.#config.getEventManager().off(EventType.SYSTEM_INFO, this.#onSystemInfo);
  }

  /** Memory snapshots of the last `sampleDurationMillis` before the newest, or all kept. */
  getMemorySample(sampleDurationMillis?: number): MemorySnapshot[] {
    return this.#memory.sample(sampleDurationMillis);
  }

  /** Event-loop snapshots of the last `sampleDurationMillis` before the newest, or all kept. */
  getEventLoopSample(sampleDurationMillis?: number): EventLoopSnapshot[] {
    return this.#eventLoop.sample(sampleDurationMillis);
  }

  /** CPU snapshots of the last `sampleDurationMillis` before the newest, or all kept. */
  getCpuSample(sampleDurationMillis?: number): CpuSnapshot[] {
    return this.#cpu.sample(sampleDurationMillis);
  }

  /** Storage-client snapshots of the last `sampleDurationMillis` before the newest, or all kept. */
  getClientSample(sampleDurationMillis?: number): ClientSnapshot[] {
    return this.#client.sample(sampleDurationMillis);
  }

  readonly #onSystemInfo = (info: SystemInfoEvent): void => {
    const createdAt = info.createdAt ?? new Date(this.#now());

    this.#snapshotMemory(info, createdAt);
    this.#cpu.add({
      createdAt,
      isOverloaded: info.isCpuOverloaded,
      usedRatio: info.cpuCurrentUsage,
    });
  };

  #snapshotMemory(info: SystemInfoEvent, createdAt: Date): void {
    const ratio = this.#config.get('availableMemoryRatio') ?? 0.25;
    const maxBytes = this.#configuredLimit() ?? ratio * info.memTotalBytes;
    this.#maxMemoryBytes = maxBytes;

    const usedBytes = info.memCurrentBytes;
    this.#memory.add({
      createdAt,
      isOverloaded: usedBytes / maxBytes > this.#maxUsedMemoryRatio,
      usedBytes,
    });
    this.#warnIfCritical(usedBytes, maxBytes);
  }

  /** `memoryMbytes` in bytes, when the configuration sets it. */
  #configuredLimit(): number | undefined {
    const mbytes = this.#config.get('memoryMbytes');
    return mbytes ? mbytes * 2 ** 20 : undefined;
  }

  #warnIfCritical(usedBytes: number, maxBytes: number): void {
    const now = this.#now();
    if (usedBytes <= maxBytes * CRITICAL_MEMORY_RATIO) {
      return;
    }
    if (now - this.#lastCriticalWarningAt < CRITICAL_WARNING_GAP_MILLIS) {
      return;
    }

    this.#lastCriticalWarningAt = now;
    this.#log?.warning('Memory is critically overloaded; lower maxConcurrency or raise the limit', {
      usedMbytes: Math.round(usedBytes / 2 ** 20),
      maxMbytes: Math.round(maxBytes / 2 ** 20),
      usedRatio: Math.round((usedBytes / maxBytes) * 100) / 100,
    });
  }

  #snapshotEventLoop(): void {
    const now = this.#now();
    const previous = this.#lastLoopCheckAt;
    const late = previous === undefined ? 0 : now - previous - this.#eventLoopIntervalMillis;
    const exceededMillis = Math.max(0, late);

    this.#lastLoopCheckAt = now;
    this.#eventLoop.add({
      createdAt: new Date(now),
      isOverloaded: exceededMillis > this.#maxBlockedMillis,
      exceededMillis,
    });
  }

  #snapshotClient(): void {
    const count = this.#getClientErrorCount?.() ?? 0;
    const previous = this.#lastClientErrorCount ?? count;

    this.#lastClientErrorCount = count;
    this.#client.add({
      createdAt: new Date(this.#now()),
      isOverloaded: count - previous > this.#maxClientErrors,
      rateLimitErrorCount: count,
    });
  }
}
