import type { Configuration } from '../configuration.js';
import { assertKnownOptions } from '../utils/options.js';
import { evaluateLoadSample, type LoadSignalInfo } from './load-signal.js';
import { Snapshotter } from './snapshotter.js';

/** The verdict on the whole system over a span of snapshots. */
export interface SystemInfo {
  /** True when no signal is overloaded: the pool may add concurrency. */
  isSystemIdle: boolean;
  /** Memory of the process tree against the memory limit. */
  memInfo: LoadSignalInfo;
  /** Event-loop delay. */
  eventLoopInfo: LoadSignalInfo;
  /** CPU use of the process tree. */
  cpuInfo: LoadSignalInfo;
  /** Rate-limit errors of the storage client. */
  clientInfo: LoadSignalInfo;
}

/** Options of {@link SystemStatus}; names and defaults are Crawlee 3's. */
export interface SystemStatusOptions {
  /** Span `getCurrentStatus()` looks at, before the newest snapshot, in seconds. @default 5 */
  currentHistorySecs?: number;
  /** Overloaded share of the span past which memory is overloaded, 0 to 1. @default 0.2 */
  maxMemoryOverloadedRatio?: number;
  /** Overloaded share of the span past which the event loop is overloaded. @default 0.6 */
  maxEventLoopOverloadedRatio?: number;
  /** Overloaded share of the span past which CPU is overloaded, 0 to 1. @default 0.4 */
  maxCpuOverloadedRatio?: number;
  /** Overloaded share of the span past which the storage client is overloaded. @default 0.3 */
  maxClientOverloadedRatio?: number;
  /** The readings to judge. @default a new {@link Snapshotter} on `config` */
  snapshotter?: Snapshotter;
  /** trawl: configuration for the default snapshotter. @default the global configuration */
  config?: Configuration;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'currentHistorySecs',
  'maxMemoryOverloadedRatio',
  'maxEventLoopOverloadedRatio',
  'maxCpuOverloadedRatio',
  'maxClientOverloadedRatio',
  'snapshotter',
  'config',
]);

/**
 * Tells whether the system is overloaded, from a {@link Snapshotter}'s readings. Each signal is
 * overloaded when the time-weighted share of its overloaded snapshots exceeds that signal's
 * ratio; the system is idle when none is.
 *
 * @example
 * const snapshotter = new Snapshotter();
 * const status = new SystemStatus({ snapshotter });
 * snapshotter.start();
 * if (status.getCurrentStatus().isSystemIdle) {
 *   // room for one more task
 * }
 */
export class SystemStatus {
  readonly #currentHistoryMillis: number;
  readonly #ratios: Record<'memory' | 'eventLoop' | 'cpu' | 'client', number>;
  readonly #snapshotter: Snapshotter;

  /** @throws ConfigurationError on an unknown option. */
  constructor(options: SystemStatusOptions = {}) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'SystemStatus');
    this.#currentHistoryMillis = (options.currentHistorySecs ?? 5) * 1000;
    this.#ratios = {
      memory: options.maxMemoryOverloadedRatio ?? 0.2,
      eventLoop: options.maxEventLoopOverloadedRatio ?? 0.6,
      cpu: options.maxCpuOverloadedRatio ?? 0.4,
      client: options.maxClientOverloadedRatio ?? 0.3,
    };
    this.#snapshotter = options.snapshotter ?? new Snapshotter({ config: options.config });
  }

  /** The verdict over the last `currentHistorySecs`; the pool checks it before each task. */
  getCurrentStatus(): SystemInfo {
    return this.#evaluate(this.#currentHistoryMillis);
  }

  /** The verdict over every kept snapshot; the pool scales on it. */
  getHistoricalStatus(): SystemInfo {
    return this.#evaluate(undefined);
  }

  #evaluate(durationMillis: number | undefined): SystemInfo {
    const snapshotter = this.#snapshotter;
    const memInfo = evaluateLoadSample(
      snapshotter.getMemorySample(durationMillis),
      this.#ratios.memory,
    );
    const eventLoopInfo = evaluateLoadSample(
      snapshotter.getEventLoopSample(durationMillis),
      this.#ratios.eventLoop,
    );
    const cpuInfo = evaluateLoadSample(snapshotter.getCpuSample(durationMillis), this.#ratios.cpu);
    const clientInfo = evaluateLoadSample(
      snapshotter.getClientSample(durationMillis),
      this.#ratios.client,
    );

    const signals = [memInfo, eventLoopInfo, cpuInfo, clientInfo];
    return {
      isSystemIdle: signals.every((signal) => !signal.isOverloaded),
      memInfo,
      eventLoopInfo,
      cpuInfo,
      clientInfo,
    };
  }
}
