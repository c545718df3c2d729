import { Configuration } from '../configuration.js';
import { log as rootLog, type Log } from '../log.js';
import { assertKnownOptions } from '../utils/options.js';
import {
  AUTOSCALED_POOL_OPTION_NAMES,
  checkBounds,
  checkConcurrency,
  resolvePoolSettings,
  type AutoscaledPoolOptions,
  type PoolSettings,
  type SystemStatusSource,
} from './autoscaled-pool-options.js';
import { PoolAlreadyRunningError } from './errors.js';
import { nextScalingStep } from './scaling-step.js';
import { Snapshotter } from './snapshotter.js';
import { SystemStatus } from './system-status.js';
import { TaskStartWindow } from './task-start-window.js';
import { MAX_TIMER_MILLIS, runWithTaskTimeout } from './task-timeout.js';
import { ThroughputGuard } from './throughput-guard.js';

export type { AutoscaledPoolOptions, SystemStatusSource } from './autoscaled-pool-options.js';

/** When the first concurrency review comes, unless `autoscaleIntervalSecs` is shorter. */
const FIRST_REVIEW_MILLIS = 1_000;

/** How often the pool looks, in its first interval, whether short tasks allow an early review. */
const EARLY_CHECK_MILLIS = 250;

/** Finished tasks per desired slot that allow a review before its time, in the first interval. */
const EARLY_TASKS_PER_SLOT = 10;

interface ActiveRun {
  resolve: () => void;
  reject: (error: unknown) => void;
  timers: NodeJS.Timeout[];
}

/**
 * Runs tasks in parallel and adapts how many run to the load of the system. It starts at
 * `desiredConcurrency` and, every `autoscaleIntervalSecs` (the first reviews sooner: after 1 s,
 * then 2, 4 and 8 s more, until the interval is reached; in the first interval also as soon as
 * ten tasks per desired slot finished, checked every 250 ms), steps up by `scaleUpStepRatio` (at
 * least one task) while memory, event loop, CPU and storage client are idle and nearly all
 * desired tasks ran at once at some moment of the interval, or steps down by
 * `scaleDownStepRatio` while any of them is overloaded; always within `minConcurrency` and
 * `maxConcurrency`.
 *
 * Unlike Crawlee, scaling up also stops when throughput stops rising: the tasks finished in the
 * interval after a step up are compared, per second, with those finished in the interval before
 * it. A step that did not raise them by half its ideal gain (at most 5 %) is undone, and the pool
 * holds that level for three intervals before trying again. Intervals with fewer than ten
 * finished tasks are too noisy to judge, so slow tasks scale as in Crawlee.
 *
 * @example
 * const pool = new AutoscaledPool({
 *   maxConcurrency: 50,
 *   runTaskFunction: async () => handle(queue.shift()),
 *   isTaskReadyFunction: async () => queue.length > 0,
 *   isFinishedFunction: async () => queue.length === 0,
 * });
 * await pool.run();
 */
export class AutoscaledPool {
  readonly #options: AutoscaledPoolOptions;
  readonly #settings: PoolSettings;
  readonly #log: Log;
  readonly #systemStatus: SystemStatusSource;
  readonly #snapshotter?: Snapshotter;
  readonly #taskStarts = new TaskStartWindow();
  readonly #throughput = new ThroughputGuard();
  #minConcurrency: number;
  #maxConcurrency: number;
  #desiredConcurrency: number;
  #currentConcurrency = 0;
  /** The most tasks that ran at once since the last autoscale interval ended. */
  #peakConcurrency = 0;
  #run?: ActiveRun;
  #isStopped = true;
  #isCheckingReady = false;
  #wantsRecheck = false;
  #idleWaiters = new Set<() => void>();

  /** @throws ConfigurationError on an unknown or invalid option. */
  constructor(options: AutoscaledPoolOptions) {
    assertKnownOptions(options, AUTOSCALED_POOL_OPTION_NAMES, 'AutoscaledPool');
    this.#options = options;
    this.#settings = resolvePoolSettings(options);
    this.#minConcurrency = this.#settings.minConcurrency;
    this.#maxConcurrency = this.#settings.maxConcurrency;
    this.#desiredConcurrency = this.#settings.desiredConcurrency;
    this.#log = (options.log ?? rootLog).child({ prefix: 'AutoscaledPool' });

    this.#snapshotter = options.systemStatus ? undefined : createSnapshotter(options, this.#log);
    this.#systemStatus =
      options.systemStatus ??
      new SystemStatus({ ...options.systemStatusOptions, snapshotter: this.#snapshotter });
  }

  /** Tasks kept running whatever the load. */
  get minConcurrency(): number {
    return this.#minConcurrency;
  }

  /** @throws ConfigurationError unless a positive integer no greater than `maxConcurrency`. */
  set minConcurrency(value: number) {
    checkBounds(checkConcurrency('minConcurrency', value), this.#maxConcurrency);
    this.#minConcurrency = value;
    this.#setDesired(Math.max(value, this.#desiredConcurrency), 'minConcurrency set');
  }

  /** Tasks running at most. */
  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  /** @throws ConfigurationError unless a positive integer no less than `minConcurrency`. */
  set maxConcurrency(value: number) {
    checkBounds(this.#minConcurrency, checkConcurrency('maxConcurrency', value));
    this.#maxConcurrency = value;
    this.#setDesired(Math.min(value, this.#desiredConcurrency), 'maxConcurrency set');
  }

  /** Tasks the pool aims to run now. */
  get desiredConcurrency(): number {
    return this.#desiredConcurrency;
  }

  /**
   * Clamped into `minConcurrency`..`maxConcurrency`.
   * @throws ConfigurationError unless a positive integer.
   */
  set desiredConcurrency(value: number) {
    checkConcurrency('desiredConcurrency', value);
    const clamped = Math.min(this.#maxConcurrency, Math.max(this.#minConcurrency, value));
    this.#setDesired(clamped, 'desiredConcurrency set');
  }

  /** Tasks running now. */
  get currentConcurrency(): number {
    return this.#currentConcurrency;
  }

  /**
   * Runs tasks until `isFinishedFunction()` returns true while none is running.
   *
   * @throws the first error of `runTaskFunction`, `isTaskReadyFunction` or
   *   `isFinishedFunction`; TaskTimeoutError when a task outlives `taskTimeoutSecs`;
   *   PoolAlreadyRunningError when the pool is running already.
   */
  async run(): Promise<void> {
    if (this.#run) {
      throw new PoolAlreadyRunningError();
    }

    const done = new Promise<void>((resolve, reject) => {
      this.#run = { resolve, reject, timers: this.#startTimers() };
    });
    this.#isStopped = false;
    this.#throughput.reset();
    this.#peakConcurrency = 0;
    this.#snapshotter?.start();

    this.#wakeNow();
    return done;
  }

  /** Resolves `run()` at once; running tasks go on, but no new one starts. */
  async abort(): Promise<void> {
    this.#settle();
  }

  /**
   * Stops starting tasks and waits for the running ones to finish.
   *
   * @param timeoutSecs - Longest wait, in seconds; the promise then resolves with tasks still
   *   running. @default no limit
   */
  async pause(timeoutSecs?: number): Promise<void> {
    this.#isStopped = true;
    if (this.#currentConcurrency === 0) {
      return;
    }

    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      if (timeoutSecs !== undefined) {
        timer = setTimeout(done, Math.min(timeoutSecs * 1000, MAX_TIMER_MILLIS));
      }
      this.#idleWaiters.add(done);
    });
  }

  /** Starts tasks again after `pause()`; does nothing when the pool is not running. */
  resume(): void {
    if (!this.#run) {
      return;
    }
    this.#isStopped = false;
    this.#wakeNow();
  }

  /** Checks for a ready task now instead of at the next interval, e.g. after new work arrived. */
  notify(): void {
    this.#wakeNow();
  }

  #startTimers(): NodeJS.Timeout[] {
    const every = (secs: number, tick: () => void) =>
      setInterval(tick, Math.min(secs * 1000, MAX_TIMER_MILLIS));
    const { maybeRunIntervalSecs, autoscaleIntervalSecs, loggingIntervalSecs } = this.#settings;

    const timers = [every(maybeRunIntervalSecs, () => this.#wakeNow())];
    // The first reviews come sooner than the interval, each twice as late as the one before, so
    // a crawl leaves its starting concurrency within seconds; Crawlee waits a whole interval.
    const intervalMillis = Math.min(autoscaleIntervalSecs * 1000, MAX_TIMER_MILLIS);
    let delayMillis = Math.min(FIRST_REVIEW_MILLIS, intervalMillis);
    const startedAt = performance.now();
    let lastReviewAt = startedAt;
    const review = () => {
      clearTimeout(timers[1]);
      const now = performance.now();
      this.#autoscale(now - lastReviewAt);
      lastReviewAt = now;
      delayMillis = Math.min(delayMillis * 2, intervalMillis);
      if (this.#run?.timers === timers) {
        timers[1] = setTimeout(review, delayMillis);
      }
    };
    timers.push(setTimeout(review, delayMillis));
    // Short tasks need not wait for the schedule: in the first interval, a review comes as soon as
    // each desired slot has finished enough tasks for the throughput to be judged.
    if (intervalMillis > EARLY_CHECK_MILLIS) {
      const earlyCheck = () => {
        if (performance.now() - startedAt >= intervalMillis) {
          clearInterval(timers[2]);
          return;
        }
        const enough = EARLY_TASKS_PER_SLOT * this.#desiredConcurrency;
        if (this.#throughput.finishedInInterval >= enough) {
          review();
        }
      };
      timers.push(setInterval(earlyCheck, EARLY_CHECK_MILLIS));
    }
    if (loggingIntervalSecs !== null) {
      timers.push(every(loggingIntervalSecs, () => this.#logState()));
    }
    return timers;
  }

  /** Ends the run: stops timers and sampling, then resolves or rejects `run()`. */
  #settle(error?: unknown): void {
    const run = this.#run;
    if (!run) {
      return;
    }

    this.#run = undefined;
    this.#isStopped = true;
    run.timers.forEach((timer) => clearInterval(timer));
    this.#snapshotter?.stop();

    if (error === undefined) {
      run.resolve();
    } else {
      run.reject(error);
    }
  }

  #wakeNow(): void {
    this.#maybeRunTask().catch((error: unknown) => this.#settle(error));
  }

  /** Wakes on the next turn of the event loop, so I/O and timers run between task starts. */
  #wakeSoon(): void {
    setImmediate(() => this.#wakeNow());
  }

  async #maybeRunTask(): Promise<void> {
    if (!this.#hasRoomForTask()) {
      return;
    }

    this.#isCheckingReady = true;
    const shouldStart = await this.#isTaskReady().finally(() => {
      this.#isCheckingReady = false;
    });

    if (this.#wantsRecheck) {
      // A wake-up came while the check ran; its answer may be stale, so look again.
      this.#wantsRecheck = false;
      this.#wakeSoon();
    }
    if (shouldStart && !this.#isStopped) {
      await this.#runTask();
    }
  }

  #hasRoomForTask(): boolean {
    if (this.#isStopped) {
      return false;
    }
    if (this.#isCheckingReady) {
      this.#wantsRecheck = true;
      return false;
    }
    if (this.#currentConcurrency >= this.#desiredConcurrency) {
      return false;
    }

    // Below the minimum, tasks start whatever the load.
    const belowMinimum = this.#currentConcurrency < this.#minConcurrency;
    return belowMinimum || this.#systemStatus.getCurrentStatus().isSystemIdle;
  }

  /** Asks whether a task may start; when none is ready, whether the run is finished. */
  async #isTaskReady(): Promise<boolean> {
    try {
      if (!(await this.#options.isTaskReadyFunction())) {
        await this.#maybeFinish();
        return false;
      }
    } catch (error) {
      this.#settle(error);
      return false;
    }

    // Checked only once a task is ready, so that a run over its limit can still finish.
    return this.#taskStarts.count() < this.#settings.maxTasksPerMinute;
  }

  async #maybeFinish(): Promise<void> {
    if (this.#currentConcurrency > 0) {
      return;
    }

    const isFinished = await this.#options.isFinishedFunction();
    if (isFinished && this.#currentConcurrency === 0) {
      this.#settle();
    }
  }

  async #runTask(): Promise<void> {
    this.#currentConcurrency += 1;
    this.#peakConcurrency = Math.max(this.#peakConcurrency, this.#currentConcurrency);
    this.#taskStarts.record();
    this.#wakeSoon();

    try {
      const task = () => this.#options.runTaskFunction();
      await runWithTaskTimeout(task, this.#settings.taskTimeoutSecs);
      this.#throughput.recordFinishedTask();
    } catch (error) {
      this.#settle(error);
    } finally {
      this.#currentConcurrency -= 1;
      if (this.#currentConcurrency === 0) {
        this.#idleWaiters.forEach((done) => done());
      }
      this.#wakeSoon();
    }
  }

  #autoscale(elapsedMillis: number): void {
    const review = this.#throughput.closeInterval(this.#desiredConcurrency, elapsedMillis);
    const peak = this.#peakConcurrency;
    this.#peakConcurrency = this.#currentConcurrency;
    if (this.#isStopped || this.#taskStarts.count() >= this.#settings.maxTasksPerMinute) {
      return;
    }

    const from = this.#desiredConcurrency;
    const step = nextScalingStep(
      {
        desired: from,
        peak,
        minConcurrency: this.#minConcurrency,
        maxConcurrency: this.#maxConcurrency,
        isSystemIdle: this.#systemStatus.getHistoricalStatus().isSystemIdle,
        review,
      },
      this.#settings,
    );
    if (step === undefined) {
      return;
    }

    this.#setDesired(step.to, step.reason);
    if (step.reason === 'system idle') {
      this.#throughput.recordScaleUp(from, step.to);
    }
  }

  #setDesired(value: number, reason: string): void {
    const from = this.#desiredConcurrency;
    if (value === from) {
      return;
    }

    this.#desiredConcurrency = value;
    this.#log.debug('Concurrency scaled', { from, to: value, reason });
    if (value > from) {
      this.#wakeSoon();
    }
  }

  #logState(): void {
    this.#log.info('state', {
      currentConcurrency: this.#currentConcurrency,
      desiredConcurrency: this.#desiredConcurrency,
      systemStatus: this.#systemStatus.getCurrentStatus(),
    });
  }
}

/** The snapshotter a pool samples the load with, unless a system status was injected. */
function createSnapshotter(options: AutoscaledPoolOptions, log: Log): Snapshotter {
  const config = options.config ?? Configuration.getGlobalConfig();
  return (
    options.systemStatusOptions?.snapshotter ??
    new Snapshotter({ config, log, ...options.snapshotterOptions })
  );
}
