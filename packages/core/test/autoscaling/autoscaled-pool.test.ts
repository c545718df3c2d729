import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import {
  AutoscaledPool,
  type AutoscaledPoolOptions,
} from '../../src/autoscaling/autoscaled-pool.js';
import { TaskTimeoutError } from '../../src/autoscaling/errors.js';
import { isTrawlError } from '../../src/errors.js';
import { GatedTasks, deferred, recordingLog, switchableStatus, tick } from './pool-helpers.js';

function poolFor(tasks: GatedTasks, options: Partial<AutoscaledPoolOptions> = {}): AutoscaledPool {
  return new AutoscaledPool({
    runTaskFunction: tasks.run,
    isTaskReadyFunction: tasks.isReady,
    isFinishedFunction: tasks.isFinished,
    systemStatus: switchableStatus(),
    loggingIntervalSecs: null,
    ...options,
  });
}

describe('AutoscaledPool running tasks', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  test('runs one task at a time at concurrency 1, and resolves once all are done', async () => {
    const tasks = new GatedTasks(3);
    const pool = poolFor(tasks, { maxConcurrency: 1 });

    const run = pool.run();
    for (let done = 0; done < 3; done++) {
      await tick(2_000);
      expect(tasks.running).toBe(1);
      expect(pool.currentConcurrency).toBe(1);
      tasks.releaseAll();
    }
    await tick();
    await run;

    expect(tasks.maxRunning).toBe(1);
    expect(tasks.finished).toBe(3);
  });

  test('runs ten tasks at once at concurrency 10, never more', async () => {
    const tasks = new GatedTasks(25);
    const pool = poolFor(tasks, { minConcurrency: 10, maxConcurrency: 10 });

    const run = pool.run();
    await tick(5_000);
    expect(tasks.running).toBe(10);
    while (tasks.finished < 25) {
      tasks.releaseAll();
      await tick(500);
    }
    await run;

    expect(tasks.maxRunning).toBe(10);
  });

  test.each(['runTaskFunction', 'isTaskReadyFunction', 'isFinishedFunction'] as const)(
    'rejects run() with the first error of %s',
    async (failing) => {
      const tasks = new GatedTasks(1, () => 10);
      const pool = poolFor(tasks, {
        [failing]: async () => {
          throw new Error(`${failing} broke`);
        },
      });

      const outcome = expect(pool.run()).rejects.toThrow(`${failing} broke`);
      await tick(1_000);
      await outcome;
    },
  );

  test('abort() resolves run() at once; running tasks go on and no new one starts', async () => {
    const tasks = new GatedTasks(Infinity);
    const pool = poolFor(tasks, { minConcurrency: 2, maxConcurrency: 2 });

    const run = pool.run();
    await tick(1_000);
    await pool.abort();
    await run;
    tasks.releaseAll();
    await tick(5_000);

    expect(tasks.started).toBe(2);
    expect(tasks.finished).toBe(2);
  });

  test('pause() waits for the running tasks, then nothing starts until resume()', async () => {
    const tasks = new GatedTasks(5);
    const pool = poolFor(tasks, { minConcurrency: 2, maxConcurrency: 2 });
    const run = pool.run();
    await tick(1_000);

    let paused = false;
    const pausing = pool.pause().then(() => (paused = true));
    await tick();
    expect(paused).toBe(false);
    tasks.releaseAll();
    await pausing;
    await tick(10_000);
    expect(tasks.started).toBe(2);

    pool.resume();
    await tick();
    expect(tasks.started).toBe(4);
    while (tasks.finished < 5) {
      tasks.releaseAll();
      await tick(500);
    }
    await run;
  });

  test('pause(timeoutSecs) gives up waiting after that many seconds', async () => {
    const tasks = new GatedTasks(Infinity);
    const pool = poolFor(tasks);
    const run = pool.run();
    await tick(1_000);

    let paused = false;
    const pausing = pool.pause(20).then(() => (paused = true));
    await tick(19_000);
    expect(paused).toBe(false);
    await tick(1_000);
    await pausing;

    expect(pool.currentConcurrency).toBe(1);
    await pool.abort();
    await run;
  });

  test('finishes when no task is left and isFinishedFunction agrees', async () => {
    const pool = poolFor(new GatedTasks(0));

    const run = pool.run();
    await tick();

    await expect(run).resolves.toBeUndefined();
  });

  test('keeps waiting while unfinished, and starts a task at once on notify()', async () => {
    const queue: string[] = [];
    const handled: string[] = [];
    let closed = false;
    const pool = new AutoscaledPool({
      systemStatus: switchableStatus(),
      loggingIntervalSecs: null,
      runTaskFunction: async () => handled.push(queue.shift()!),
      isTaskReadyFunction: async () => queue.length > 0,
      isFinishedFunction: async () => closed && queue.length === 0,
    });

    const run = pool.run();
    await tick(60_000);
    queue.push('late');
    pool.notify();
    await vi.advanceTimersByTimeAsync(0);
    expect(handled).toEqual(['late']);

    closed = true;
    pool.notify();
    await tick();
    await run;
  });

  test('starts at most maxTasksPerMinute tasks in any sliding minute', async () => {
    // The window counts whole seconds: starting on one keeps the first five starts in one bucket.
    vi.setSystemTime(Date.UTC(2024, 0, 1));
    const tasks = new GatedTasks(Infinity, () => 10);
    const pool = poolFor(tasks, { maxTasksPerMinute: 5, maxConcurrency: 10 });

    const run = pool.run();
    await tick(59_000);
    expect(tasks.started).toBe(5);
    await tick(1_500);
    expect(tasks.started).toBe(10);
    await tick(60_000);
    expect(tasks.started).toBe(15);

    await pool.abort();
    await run;
  });

  test('rejects run() with TaskTimeoutError when a task outlives taskTimeoutSecs', async () => {
    const tasks = new GatedTasks(Infinity);
    const pool = poolFor(tasks, { taskTimeoutSecs: 5, maxConcurrency: 1 });

    const outcome = pool.run().catch((error: unknown) => error);
    await tick(4_999);
    expect(tasks.running).toBe(1);
    await tick(1);
    const error = await outcome;

    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(isTrawlError(error, 'TRAWL_TASK_TIMEOUT')).toBe(true);
    expect((error as TaskTimeoutError).timeoutSecs).toBe(5);
  });

  test('logs a state line at info every loggingIntervalSecs', async () => {
    const { log, lines } = recordingLog();
    const tasks = new GatedTasks(Infinity);
    const pool = poolFor(tasks, { log, loggingIntervalSecs: 60, maxConcurrency: 1 });

    const run = pool.run();
    await tick(120_000);
    await pool.abort();
    await run;

    const stateLines = lines.filter((line) => line.startsWith('INFO  AutoscaledPool: state'));
    expect(stateLines).toHaveLength(2);
    expect(stateLines[0]).toContain('"currentConcurrency":1,"desiredConcurrency":1');
    expect(stateLines[0]).toContain('"systemStatus":{"isSystemIdle":true');
  });
});

describe('AutoscaledPool options', () => {
  const functions = {
    runTaskFunction: async () => undefined,
    isTaskReadyFunction: async () => false,
    isFinishedFunction: async () => true,
  };

  test('rejects an unknown option and suggests the one meant', () => {
    expect(() => new AutoscaledPool({ ...functions, maxConcurency: 5 } as never)).toThrow(
      'Unknown option "maxConcurency" for AutoscaledPool; did you mean "maxConcurrency"?',
    );
  });

  test('rejects a minimum above the maximum and non-integer concurrency', () => {
    expect(
      () => new AutoscaledPool({ ...functions, minConcurrency: 5, maxConcurrency: 2 }),
    ).toThrow('minConcurrency (5) must not exceed maxConcurrency (2)');
    expect(() => new AutoscaledPool({ ...functions, maxConcurrency: 0 })).toThrow(
      'maxConcurrency must be a positive integer, got 0',
    );
    expect(
      () => new AutoscaledPool({ ...functions, isFinishedFunction: undefined as never }),
    ).toThrow('isFinishedFunction must be a function, got undefined');
  });

  test('has Crawlee defaults; desired concurrency starts at minimum, within the maximum', () => {
    const pool = new AutoscaledPool({ ...functions, systemStatus: switchableStatus() });
    expect([pool.minConcurrency, pool.maxConcurrency, pool.desiredConcurrency]).toEqual([
      1, 200, 1,
    ]);

    const capped = new AutoscaledPool({ ...functions, desiredConcurrency: 50, maxConcurrency: 8 });
    expect(capped.desiredConcurrency).toBe(8);
  });

  test('setters keep the desired concurrency between the minimum and the maximum', () => {
    const pool = new AutoscaledPool({ ...functions, desiredConcurrency: 10, maxConcurrency: 20 });

    pool.maxConcurrency = 6;
    expect(pool.desiredConcurrency).toBe(6);
    pool.minConcurrency = 4;
    pool.desiredConcurrency = 1;
    expect(pool.desiredConcurrency).toBe(4);
    expect(() => (pool.maxConcurrency = 3)).toThrow('must not exceed maxConcurrency (3)');
  });

  test('a second run() while the first is running rejects', async () => {
    const gate = deferred();
    const pool = new AutoscaledPool({
      ...functions,
      systemStatus: switchableStatus(),
      isTaskReadyFunction: async () => true,
      runTaskFunction: () => gate.promise,
    });

    const first = pool.run();
    await expect(pool.run()).rejects.toMatchObject({ code: 'TRAWL_POOL_ALREADY_RUNNING' });
    await pool.abort();
    gate.resolve();
    await first;
  });
});
