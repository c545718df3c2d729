import { EventEmitter } from 'node:events';

import { createSystemInfoReader } from '../autoscaling/system-info.js';

/** Events the crawl emits; names and payloads are Crawlee's. */
export enum EventType {
  /** Time to save state: `{ isMigrating: boolean }`, every `persistStateIntervalMillis`. */
  PERSIST_STATE = 'persistState',
  /** A load sample every `systemInfoIntervalMillis`; see {@link SystemInfoEvent}. */
  SYSTEM_INFO = 'systemInfo',
  /** The process is about to move to another machine (Apify platform): pause and persist. */
  MIGRATING = 'migrating',
  /** The run is being aborted: pause, persist, release leases. */
  ABORTING = 'aborting',
  /** The process is exiting. */
  EXIT = 'exit',
}

/** Payload of {@link EventType.SYSTEM_INFO}. */
export interface SystemInfoEvent {
  createdAt: Date;
  /** CPU time this process and its descendants used over the last interval, per core, 0 to 1. */
  cpuCurrentUsage: number;
  isCpuOverloaded: boolean;
  memCurrentBytes: number;
  memTotalBytes: number;
}

/** Options of {@link EventManager}. */
export interface EventManagerOptions {
  /** How often `persistState` fires, in milliseconds. @default 60_000 */
  persistStateIntervalMillis?: number;
  /** How often `systemInfo` fires, in milliseconds. @default 1_000 */
  systemInfoIntervalMillis?: number;
  /** CPU ratio above which a sample counts as overloaded. @default 0.95 */
  maxUsedCpuRatio?: number;
  /**
   * Reads a load sample; replace it to inject readings.
   * @default memory and CPU of this process and its descendants, from `/proc` and the cgroup
   */
  readSystemInfo?: () => Omit<SystemInfoEvent, 'isCpuOverloaded' | 'createdAt'>;
}

type Listener = (...args: any[]) => unknown;

/**
 * Emits the crawl's events and runs their listeners, awaiting async ones on `close()`. After
 * `init()` it emits `persistState` and `systemInfo` on timers; `close()` stops the timers and
 * emits a last `persistState`.
 */
export class EventManager {
  #emitter = new EventEmitter();
  #pending = new Set<Promise<unknown>>();
  #timers: NodeJS.Timeout[] = [];
  #initialized = false;
  #options: Required<Omit<EventManagerOptions, 'readSystemInfo'>>;
  #readSystemInfo?: EventManagerOptions['readSystemInfo'];

  constructor(options: EventManagerOptions = {}) {
    this.#emitter.setMaxListeners(50);
    this.#options = {
      persistStateIntervalMillis: options.persistStateIntervalMillis ?? 60_000,
      systemInfoIntervalMillis: options.systemInfoIntervalMillis ?? 1_000,
      maxUsedCpuRatio: options.maxUsedCpuRatio ?? 0.95,
    };
    this.#readSystemInfo = options.readSystemInfo;
  }

  /** Starts the timers; calling it again does nothing. */
  async init(): Promise<void> {
    if (this.#initialized) {
      return;
    }
    this.#initialized = true;
    // Created here so that the first CPU share covers one whole interval after init.
    this.#readSystemInfo ??= createSystemInfoReader();
    const persist = setInterval(
      () => this.emit(EventType.PERSIST_STATE, { isMigrating: false }),
      this.#options.persistStateIntervalMillis,
    );
    const system = setInterval(
      () => this.#emitSystemInfo(),
      this.#options.systemInfoIntervalMillis,
    );
    persist.unref();
    system.unref();
    this.#timers.push(persist, system);
  }

  /** Whether `init()` ran and `close()` has not. */
  isInitialized(): boolean {
    return this.#initialized;
  }

  /** Stops the timers, emits a last `persistState` and waits for every listener to finish. */
  async close(): Promise<void> {
    if (!this.#initialized) {
      return;
    }
    this.#initialized = false;
    for (const timer of this.#timers) {
      clearInterval(timer);
    }
    this.#timers = [];
    this.emit(EventType.PERSIST_STATE, { isMigrating: false });
    await this.waitForAllListenersToComplete();
  }

  on(event: EventType | string, listener: Listener): void {
    this.#emitter.on(event, listener);
  }

  off(event: EventType | string, listener?: Listener): void {
    if (listener) {
      this.#emitter.off(event, listener);
    } else {
      this.#emitter.removeAllListeners(event);
    }
  }

  /** Calls every listener; async listeners are tracked until they settle. */
  emit(event: EventType | string, ...args: unknown[]): void {
    for (const listener of this.#emitter.listeners(event) as Listener[]) {
      this.#track(() => listener(...args));
    }
  }

  /** Resolves when every listener started so far has finished. */
  async waitForAllListenersToComplete(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending]);
    }
  }

  /** Number of listeners for an event. */
  listenerCount(event: EventType | string): number {
    return this.#emitter.listenerCount(event);
  }

  #track(call: () => unknown): void {
    let result: unknown;
    try {
      result = call();
    } catch {
      return;
    }
    if (!(result instanceof Promise)) {
      return;
    }
    const tracked = result.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  #emitSystemInfo(): void {
    if (!this.#readSystemInfo) {
      return;
    }
    const sample = this.#readSystemInfo();
    this.emit(EventType.SYSTEM_INFO, {
      ...sample,
      createdAt: new Date(),
      isCpuOverloaded: sample.cpuCurrentUsage > this.#options.maxUsedCpuRatio,
    } satisfies SystemInfoEvent);
  }
}

/** The event manager of a process-local crawl; Crawlee's name for the default manager. */
export class LocalEventManager extends EventManager {}
