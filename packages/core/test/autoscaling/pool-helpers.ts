/** Test helpers for the autoscaled pool: gated tasks, fixed load verdicts, a log recorder. */

import { vi } from 'vitest';

import type { SystemStatusSource } from '../../src/autoscaling/autoscaled-pool.js';
import type { LoadSignalInfo } from '../../src/autoscaling/load-signal.js';
import type { SystemInfo } from '../../src/autoscaling/system-status.js';
import { Log, LogLevel } from '../../src/log.js';

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A promise the test settles itself. */
export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Runs due fake timers and immediates, then advances the fake clock by `millis`. */
export async function tick(millis = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(millis);
}

function signal(isOverloaded: boolean): LoadSignalInfo {
  return { isOverloaded, limitRatio: 0.2, actualRatio: isOverloaded ? 1 : 0 };
}

/** A verdict with memory overloaded or not, and every other signal idle. */
export function statusOf(memoryOverloaded: boolean): SystemInfo {
  return {
    isSystemIdle: !memoryOverloaded,
    memInfo: signal(memoryOverloaded),
    eventLoopInfo: signal(false),
    cpuInfo: signal(false),
    clientInfo: signal(false),
  };
}

/** A system status the test switches between idle and overloaded. */
export function switchableStatus(): SystemStatusSource & { overloaded: boolean } {
  const status = {
    overloaded: false,
    getCurrentStatus: () => statusOf(status.overloaded),
    getHistoricalStatus: () => statusOf(status.overloaded),
  };
  return status;
}

/**
 * Tasks that each wait until the test opens their gate, counting how many run at once. With
 * `durationMillis`, a task ends by itself after that much fake time instead.
 */
export class GatedTasks {
  running = 0;
  maxRunning = 0;
  started = 0;
  finished = 0;
  readonly #gates: Deferred[] = [];

  constructor(
    public total = Infinity,
    public durationMillis?: (running: number) => number,
  ) {}

  readonly run = async (): Promise<void> => {
    this.started += 1;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);

    const duration = this.durationMillis?.(this.running);
    if (duration === undefined) {
      const gate = deferred();
      this.#gates.push(gate);
      await gate.promise;
    } else {
      await new Promise((resolve) => setTimeout(resolve, duration));
    }

    this.running -= 1;
    this.finished += 1;
  };

  readonly isReady = async (): Promise<boolean> => this.started < this.total;

  readonly isFinished = async (): Promise<boolean> => this.finished >= this.total;

  /** Opens the gates of every task waiting now. */
  releaseAll(): void {
    this.#gates.splice(0).forEach((gate) => gate.resolve());
  }
}

/** A logger at DEBUG that keeps its lines. */
export function recordingLog(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const log = new Log({ level: LogLevel.DEBUG, writer: (line) => lines.push(line) });
  return { log, lines };
}
