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

  test('scales up one task per interval while idle and busy, then by 5 % above 20', async () => {
    const { log, lines } = recordingLog();
    const tasks = new GatedTasks();
    const pool = poolFor(tasks, { systemStatus: switchableStatus(), log });

    const run = pool.run();
    await tick(1_000);
    expect(pool.desiredConcurrency).toBe(1);
    await tick(10_000);
    expect(pool.desiredConcurrency).toBe(2);
    await tick(10_000);
    expect([pool.desiredConcurrency, tasks.running]).toEqual([3, 3]);
    await tick(20 * 10_000);
    await pool.abort();
    await run;

    const oneByOne = Array.from({ length: 19 }, (_, index) => index + 2);
    expect(scaledTo(lines)).toEqual([...oneByOne, 21, 23, 25]);
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
    await tick(1_000);
    expect(tasks.running).toBe(10);
    // Short tasks: at the moment of the check every slot is between two tasks.
    await tick(8_000);
    mayStart = false;
    tasks.releaseAll();
    await tick(1_000);
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
    await tick(1_000);
    expect(tasks.running).toBe(30);
    status.overloaded = true;
    await tick(30_000);
    expect(scaledTo(lines)).toEqual([28, 26, 24]);
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
    await tick(10_000);
    expect(pool.desiredConcurrency).toBe(11);
    memCurrentBytes = 950 * MIB;
    await tick(40_000);
    expect(pool.desiredConcurrency).toBeLessThan(11);

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

    // Steps that raise throughput stay and the next one doubles (1, 2, 4): 5 -> 9 adds nothing
    // and is undone at the next interval; after three intervals on hold, one-task probes start
    // over and are undone as well.
    expect(scaledTo(lines)).toEqual([2, 3, 5, 9, 5, 6, 5, 6, 5, 6, 5]);
    expect(lines[4]).toBe(
      'DEBUG AutoscaledPool: Concurrency scaled ' +
        '{"from":9,"to":5,"reason":"throughput did not rise"}',
    );
    expect(tasks.maxRunning).toBe(9);
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

    // Crawlee's 5 % steps would be at 16 after six intervals.
    expect(scaledTo(lines).slice(0, 4)).toEqual([11, 13, 17, 25]);
    expect(reached).toBeGreaterThanOrEqual(40);
  });
});
