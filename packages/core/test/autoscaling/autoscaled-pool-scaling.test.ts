import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import {
  AutoscaledPool,
  type AutoscaledPoolOptions,
} from '../../src/autoscaling/autoscaled-pool.js';
import { Configuration } from '../../src/configuration.js';
import { EventManager } from '../../src/events/event-manager.js';
import { GatedTasks, recordingLog, switchableStatus, tick } from './pool-helpers.js';

const MIB = 2 ** 20;

function poolFor(tasks: GatedTasks, options: Partial<AutoscaledPoolOptions>): AutoscaledPool {
  return new AutoscaledPool({
    runTaskFunction: tasks.run,
    isTaskReadyFunction: tasks.isReady,
    isFinishedFunction: tasks.isFinished,
    loggingIntervalSecs: null,
    ...options,
  });
}

/** The `to` values of the "Concurrency scaled" debug lines, in order. */
function scaledTo(lines: string[]): number[] {
  return lines
    .filter((line) => line.includes('Concurrency scaled'))
    .map((line) => Number(/"to":(\d+)/.exec(line)![1]));
}

describe('AutoscaledPool scaling', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  test('reviews after 1, 3, 7 and 15 s, then every interval; +1 per step up to 20', async () => {
    const { log, lines } = recordingLog();
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), log });

    const run = pool.run();
    await tick(999);
    expect(pool.desiredConcurrency).toBe(1);
    await tick(1);
    expect(pool.desiredConcurrency).toBe(2);
    await tick(2_000);
    expect(pool.desiredConcurrency).toBe(3);
    await tick(4_000);
    expect(pool.desiredConcurrency).toBe(4);
    await tick(1_000);
    expect(tasks.running).toBe(4);
    await tick(7_000);
    expect(pool.desiredConcurrency).toBe(5);
    await tick(9_999);
    expect(pool.desiredConcurrency).toBe(5);
    await tick(1 + 17 * 10_000);
    await pool.abort();
    await run;

    // Above 20 tasks, a step is 5 % (rounded up) of the concurrency.
    const oneByOne = Array.from({ length: 20 }, (_, index) => index + 2);
    expect(scaledTo(lines)).toEqual([...oneByOne, 23, 25]);
    expect(lines[0]).toBe(
      'DEBUG AutoscaledPool: Concurrency scaled {"from":1,"to":2,"reason":"system idle"}',
    );
  });

  test('does not scale up while fewer than 90 % of the desired tasks run', async () => {
    const tasks = new GatedTasks(3);
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), desiredConcurrency: 10 });

    const run = pool.run();
    await tick(60_000);
    expect(pool.desiredConcurrency).toBe(10);

    tasks.releaseAll();
    await tick();
    await run;
  });

  test('scales up when all desired tasks ran in the interval, though not at its end', async () => {
    const tasks = new GatedTasks();
    let mayStart = true;
    const pool = poolFor(tasks, {
      systemStatus: switchableStatus(),
      desiredConcurrency: 10,
      isTaskReadyFunction: async () => mayStart,
    });

    const run = pool.run();
    await tick(500);
    expect(tasks.running).toBe(10);
    // Short tasks: at the moment of the check every slot is between two tasks.
    mayStart = false;
    tasks.releaseAll();
    await tick(500);
    expect([tasks.running, pool.desiredConcurrency]).toEqual([0, 11]);

    mayStart = true;
    await pool.abort();
    tasks.releaseAll();
    await run;
  });

  test('never goes above maxConcurrency', async () => {
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), maxConcurrency: 3 });

    const run = pool.run();
    await tick(300_000);
    expect([pool.desiredConcurrency, tasks.maxRunning]).toEqual([3, 3]);

    await pool.abort();
    await run;
  });

  test('scales down while overloaded, never below minConcurrency', async () => {
    const { log, lines } = recordingLog();
    const status = switchableStatus();
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { systemStatus: status, desiredConcurrency: 30, log });

    const run = pool.run();
    await tick(999);
    expect(tasks.running).toBe(30);
    status.overloaded = true;
    // Reviews at 1, 3, 7, 15 and 25 s.
    await tick(30_000);
    expect(scaledTo(lines)).toEqual([28, 26, 24, 22, 20]);
    await tick(600_000);
    expect(pool.desiredConcurrency).toBe(1);

    await pool.abort();
    await run;
  });

  test('while overloaded, starts no task beyond minConcurrency', async () => {
    const status = switchableStatus();
    status.overloaded = true;
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { systemStatus: status, minConcurrency: 2, desiredConcurrency: 8 });

    const run = pool.run();
    await tick(5_000);
    expect(tasks.running).toBe(2);

    await pool.abort();
    await run;
  });

  test('scales down when systemInfo reports memory over the limit', async () => {
    let memCurrentBytes = 100 * MIB;
    const eventManager = new EventManager({
      readSystemInfo: () => ({ cpuCurrentUsage: 0.1, memCurrentBytes, memTotalBytes: 8192 * MIB }),
    });
    const config = new Configuration({ eventManager, memoryMbytes: 1000, persistStorage: false });
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { config, desiredConcurrency: 10 });

    await eventManager.init();
    const run = pool.run();
    // Reviews at 1, 3 and 7 s, while memory is idle.
    await tick(10_000);
    expect(pool.desiredConcurrency).toBe(13);
    memCurrentBytes = 950 * MIB;
    await tick(40_000);
    expect(pool.desiredConcurrency).toBeLessThan(13);

    await pool.abort();
    await run;
    await eventManager.close();
  });

  test('stops scaling up when throughput stops rising, and undoes the last step', async () => {
    const { log, lines } = recordingLog();
    // Up to 4 tasks take 1 s each; beyond that each takes longer, so 40 tasks per 10 s is the most.
    const tasks = new GatedTasks(Infinity, (running) => 1_000 * Math.max(1, running / 4));
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), log });

    const run = pool.run();
    await tick(200_000);
    await pool.abort();
    await run;

    // The first reviews (1, 3 and 7 s) see too few finished tasks to judge, so they step by one;
    // the step judged to raise throughput (3 -> 4) makes the next one double: 4 -> 6 adds nothing
    // and is undone at the next review; after three reviews on hold, one-task probes start over
    // and are undone as well.
    expect(scaledTo(lines)).toEqual([2, 3, 4, 6, 4, 5, 4, 5, 4, 5, 4]);
    expect(lines[4]).toBe(
      'DEBUG AutoscaledPool: Concurrency scaled ' +
        '{"from":6,"to":4,"reason":"throughput did not rise"}',
    );
    expect(tasks.maxRunning).toBe(6);
  });

  test('doubles its steps while each raises throughput, so concurrency climbs fast', async () => {
    const { log, lines } = recordingLog();
    // Up to 40 tasks take 1 s each: throughput grows with concurrency until 40.
    const tasks = new GatedTasks(Infinity, (running) => 1_000 * Math.max(1, running / 40));
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), log, desiredConcurrency: 10 });

    const run = pool.run();
    await tick(60_000);
    const reached = pool.desiredConcurrency;
    await pool.abort();
    await run;

    // Crawlee's 5 % steps every 10 s would be at 16 after a minute. The first review sees too few
    // finished tasks to judge; from then on each step that pays off doubles the next.
    expect(scaledTo(lines).slice(0, 4)).toEqual([11, 12, 14, 18]);
    expect(reached).toBeGreaterThanOrEqual(40);
  });

  test('short tasks are reviewed every 250 ms in the first interval', async () => {
    const { log, lines } = recordingLog();
    // Up to 40 tasks take 10 ms each: ten per slot finish well within 250 ms.
    const tasks = new GatedTasks(Infinity, (running) => 10 * Math.max(1, running / 40));
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), log, desiredConcurrency: 10 });

    const run = pool.run();
    await tick(249);
    expect(pool.desiredConcurrency).toBe(10);
    await tick(1);
    expect(pool.desiredConcurrency).toBe(11);
    await tick(1_250);
    const reached = pool.desiredConcurrency;
    await pool.abort();
    await run;

    // Each step pays off and doubles the next; at 1 s tasks the first review waits for 1 s.
    expect(scaledTo(lines).slice(0, 5)).toEqual([11, 13, 17, 25, 50]);
    expect(reached).toBeGreaterThanOrEqual(40);
  });
});
