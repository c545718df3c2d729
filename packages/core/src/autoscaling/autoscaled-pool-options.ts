/**
 * AutoscaledPool's options: Crawlee 3's names and defaults, trawl's additions, and their checks.
 */

import type { Configuration } from '../configuration.js';
import { ConfigurationError } from '../errors.js';
import type { Log } from '../log.js';
import type { Awaitable } from '../utils/types.js';
import type { SnapshotterOptions } from './snapshotter.js';
import type { SystemInfo, SystemStatusOptions } from './system-status.js';

/** Anything that judges the system's load the way {@link SystemStatus} does. */
export interface SystemStatusSource {
  /** The verdict over the last few seconds; checked before each task start. */
  getCurrentStatus(): SystemInfo;
  /** The verdict over the whole kept history; checked at each autoscale interval. */
  getHistoricalStatus(): SystemInfo;
}

/** Options of {@link AutoscaledPool}; names and defaults are Crawlee 3's unless marked trawl's. */
export interface AutoscaledPoolOptions {
  /** Runs one task; a rejection makes `run()` reject. */
  runTaskFunction: () => Awaitable<unknown>;
  /** Whether a task could start now; false lets the pool check `isFinishedFunction`. */
  isTaskReadyFunction: () => Awaitable<boolean>;
  /** Whether all work is done; checked when no task is ready and none is running. */
  isFinishedFunction: () => Awaitable<boolean>;
  /** Tasks kept running whatever the load, when tasks are ready. @default 1 */
  minConcurrency?: number;
  /** Tasks running at most. @default 200 */
  maxConcurrency?: number;
  /** Tasks the pool aims to run at the start. @default minConcurrency */
  desiredConcurrency?: number;
  /**
   * Share of the desired tasks that must have run at once during an autoscale interval for the
   * pool to scale up. @default 0.9
   */
  desiredConcurrencyRatio?: number;
  /** Step up, as a share of the desired concurrency, rounded up to a whole task. @default 0.05 */
  scaleUpStepRatio?: number;
  /** Step down, as a share of the desired concurrency, rounded up to a whole task. @default 0.05 */
  scaleDownStepRatio?: number;
  /** How often the pool checks for a task to start, in seconds. @default 0.5 */
  maybeRunIntervalSecs?: number;
  /** How often the `state` line is logged, in seconds; `null` turns it off. @default 60 */
  loggingIntervalSecs?: number | null;
  /** How often the pool reconsiders its desired concurrency, in seconds. @default 10 */
  autoscaleIntervalSecs?: number;
  /** Time a task may run, in seconds; 0 means no limit. @default 0 */
  taskTimeoutSecs?: number;
  /** Task starts per minute at most, over a sliding window. @default Infinity */
  maxTasksPerMinute?: number;
  /** Options of the snapshotter the pool creates. */
  snapshotterOptions?: SnapshotterOptions;
  /** Options of the system status the pool creates. */
  systemStatusOptions?: SystemStatusOptions;
  /** The logger; the pool logs through a child prefixed `AutoscaledPool`. @default the root log */
  log?: Log;
  /** trawl: configuration whose event manager supplies load readings. @default global */
  config?: Configuration;
  /**
   * trawl: judges the load instead of a {@link SystemStatus} over a new {@link Snapshotter}, so a
   * test can say "idle" or "overloaded" outright; `snapshotterOptions` and
   * `systemStatusOptions` are then unused.
   */
  systemStatus?: SystemStatusSource;
}

/** The option names the pool accepts, for the unknown-option check. */
export const AUTOSCALED_POOL_OPTION_NAMES: ReadonlySet<string> = new Set([
  'runTaskFunction',
  'isTaskReadyFunction',
  'isFinishedFunction',
  'minConcurrency',
  'maxConcurrency',
  'desiredConcurrency',
  'desiredConcurrencyRatio',
  'scaleUpStepRatio',
  'scaleDownStepRatio',
  'maybeRunIntervalSecs',
  'loggingIntervalSecs',
  'autoscaleIntervalSecs',
  'taskTimeoutSecs',
  'maxTasksPerMinute',
  'snapshotterOptions',
  'systemStatusOptions',
  'log',
  'config',
  'systemStatus',
]);

/** The numeric options with their defaults applied and checked. */
export interface PoolSettings {
  minConcurrency: number;
  maxConcurrency: number;
  desiredConcurrency: number;
  desiredConcurrencyRatio: number;
  scaleUpStepRatio: number;
  scaleDownStepRatio: number;
  maybeRunIntervalSecs: number;
  loggingIntervalSecs: number | null;
  autoscaleIntervalSecs: number;
  taskTimeoutSecs: number;
  maxTasksPerMinute: number;
}

/**
 * Applies the defaults and checks every numeric option.
 *
 * @throws ConfigurationError naming the first invalid option, or a missing task function.
 */
export function resolvePoolSettings(options: AutoscaledPoolOptions): PoolSettings {
  for (const name of ['runTaskFunction', 'isTaskReadyFunction', 'isFinishedFunction'] as const) {
    if (typeof options[name] !== 'function') {
      throw new ConfigurationError(`${name} must be a function, got ${typeof options[name]}`, {
        option: name,
      });
    }
  }

  const minConcurrency = checkConcurrency('minConcurrency', options.minConcurrency ?? 1);
  const maxConcurrency = checkConcurrency('maxConcurrency', options.maxConcurrency ?? 200);
  checkBounds(minConcurrency, maxConcurrency);
  const desired = checkConcurrency(
    'desiredConcurrency',
    options.desiredConcurrency ?? minConcurrency,
  );

  return {
    minConcurrency,
    maxConcurrency,
    desiredConcurrency: Math.min(maxConcurrency, Math.max(minConcurrency, desired)),
    desiredConcurrencyRatio: checkRatio(
      'desiredConcurrencyRatio',
      options.desiredConcurrencyRatio ?? 0.9,
    ),
    scaleUpStepRatio: checkRatio('scaleUpStepRatio', options.scaleUpStepRatio ?? 0.05),
    scaleDownStepRatio: checkRatio('scaleDownStepRatio', options.scaleDownStepRatio ?? 0.05),
    maybeRunIntervalSecs: checkPositive(
      'maybeRunIntervalSecs',
      options.maybeRunIntervalSecs ?? 0.5,
    ),
    loggingIntervalSecs:
      options.loggingIntervalSecs === null
        ? null
        : checkPositive('loggingIntervalSecs', options.loggingIntervalSecs ?? 60),
    autoscaleIntervalSecs: checkPositive(
      'autoscaleIntervalSecs',
      options.autoscaleIntervalSecs ?? 10,
    ),
    taskTimeoutSecs: checkNonNegative('taskTimeoutSecs', options.taskTimeoutSecs ?? 0),
    maxTasksPerMinute: checkPositive(
      'maxTasksPerMinute',
      options.maxTasksPerMinute ?? Infinity,
      true,
    ),
  };
}

/** @throws ConfigurationError unless `value` is a positive integer. */
export function checkConcurrency(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`${name} must be a positive integer, got ${value}`, {
      option: name,
    });
  }
  return value;
}

/** @throws ConfigurationError when the minimum exceeds the maximum. */
export function checkBounds(minConcurrency: number, maxConcurrency: number): void {
  if (minConcurrency > maxConcurrency) {
    throw new ConfigurationError(
      `minConcurrency (${minConcurrency}) must not exceed maxConcurrency (${maxConcurrency})`,
      { option: 'minConcurrency' },
    );
  }
}

function checkRatio(name: string, value: number): number {
  if (!(value > 0 && value <= 1)) {
    throw new ConfigurationError(`${name} must be above 0 and at most 1, got ${value}`, {
      option: name,
    });
  }
  return value;
}

function checkPositive(name: string, value: number, allowInfinity = false): number {
  if (!(value > 0) || (value === Infinity && !allowInfinity)) {
    throw new ConfigurationError(`${name} must be a positive number, got ${value}`, {
      option: name,
    });
  }
  return value;
}

function checkNonNegative(name: string, value: number): number {
  if (!(value >= 0) || value === Infinity) {
    throw new ConfigurationError(`${name} must be a non-negative number, got ${value}`, {
      option: name,
    });
  }
  return value;
}
