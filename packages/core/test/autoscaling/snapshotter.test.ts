import { afterEach, describe, expect, test, vi } from 'vitest';

import { Snapshotter } from '../../src/autoscaling/snapshotter.js';
import { Configuration } from '../../src/configuration.js';
import { EventManager, EventType, type SystemInfoEvent } from '../../src/events/event-manager.js';
import { recordingLog } from './pool-helpers.js';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function configWith(memoryMbytes?: number): Configuration {
  const config = new Configuration({ eventManager: new EventManager(), persistStorage: false });
  config.set('memoryMbytes', memoryMbytes);
  return config;
}

function systemInfo(memCurrentBytes: number, overrides: Partial<SystemInfoEvent> = {}) {
  return {
    createdAt: new Date(),
    cpuCurrentUsage: 0.2,
    isCpuOverloaded: false,
    memCurrentBytes,
    memTotalBytes: 8 * GIB,
    ...overrides,
  } satisfies SystemInfoEvent;
}

describe('Snapshotter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('limits memory to memoryMbytes when set: over 90 % of it is overloaded', () => {
    const config = configWith(1000);
    const snapshotter = new Snapshotter({ config });
    snapshotter.start();

    config.getEventManager().emit(EventType.SYSTEM_INFO, systemInfo(899 * MIB));
    config.getEventManager().emit(EventType.SYSTEM_INFO, systemInfo(901 * MIB));
    snapshotter.stop();

    expect(snapshotter.maxMemoryBytes).toBe(1000 * MIB);
    expect(snapshotter.getMemorySample().map((s) => [s.usedBytes, s.isOverloaded])).toEqual([
      [899 * MIB, false],
      [901 * MIB, true],
    ]);
  });

  test('otherwise limits memory to availableMemoryRatio of the total memory', () => {
    const config = configWith(undefined);
    config.set('availableMemoryRatio', 0.25);
    const snapshotter = new Snapshotter({ config, maxUsedMemoryRatio: 0.5 });
    snapshotter.start();

    config.getEventManager().emit(EventType.SYSTEM_INFO, systemInfo(0.9 * GIB));
    config.getEventManager().emit(EventType.SYSTEM_INFO, systemInfo(1.1 * GIB));
    snapshotter.stop();

    expect(snapshotter.maxMemoryBytes).toBe(2 * GIB);
    expect(snapshotter.getMemorySample().map((s) => s.isOverloaded)).toEqual([false, true]);
  });

  test('takes CPU snapshots from the systemInfo overload flag, until stopped', () => {
    const config = configWith(1000);
    const snapshotter = new Snapshotter({ config });
    snapshotter.start();

    const events = config.getEventManager();
    events.emit(
      EventType.SYSTEM_INFO,
      systemInfo(MIB, { cpuCurrentUsage: 0.99, isCpuOverloaded: true }),
    );
    snapshotter.stop();
    events.emit(EventType.SYSTEM_INFO, systemInfo(MIB));

    expect(snapshotter.getCpuSample()).toMatchObject([{ usedRatio: 0.99, isOverloaded: true }]);
    expect(events.listenerCount(EventType.SYSTEM_INFO)).toBe(0);
  });

  test('detects an event loop blocked for 200 ms', async () => {
    const snapshotter = new Snapshotter({
      config: configWith(1000),
      eventLoopSnapshotIntervalSecs: 0.05,
    });
    snapshotter.start();

    const blockedUntil = performance.now() + 200;
    while (performance.now() < blockedUntil) {
      // Busy: the snapshotter's timer cannot run.
    }
    await vi.waitFor(() => expect(snapshotter.getEventLoopSample().length).toBeGreaterThan(1), {
      timeout: 5_000,
    });
    snapshotter.stop();

    const [first, second] = snapshotter.getEventLoopSample();
    expect(first).toMatchObject({ isOverloaded: false, exceededMillis: 0 });
    expect(second!.isOverloaded).toBe(true);
    expect(second!.exceededMillis).toBeGreaterThan(100);
  });

  test('an event loop on time is not overloaded', async () => {
    vi.useFakeTimers();
    const snapshotter = new Snapshotter({ config: configWith(1000) });
    snapshotter.start();

    await vi.advanceTimersByTimeAsync(5_000);
    snapshotter.stop();

    const sample = snapshotter.getEventLoopSample();
    expect(sample).toHaveLength(11);
    expect(sample.every((snapshot) => !snapshot.isOverloaded)).toBe(true);
  });

  test('the client is overloaded when rate-limit errors grow by over maxClientErrors', async () => {
    vi.useFakeTimers();
    let errors = 0;
    const snapshotter = new Snapshotter({
      config: configWith(1000),
      getClientErrorCount: () => errors,
    });
    snapshotter.start();

    errors = 3;
    await vi.advanceTimersByTimeAsync(1_000);
    errors = 7;
    await vi.advanceTimersByTimeAsync(1_000);
    snapshotter.stop();

    expect(snapshotter.getClientSample().map((s) => s.isOverloaded)).toEqual([false, false, true]);
  });

  test('keeps snapshotHistorySecs of history and samples a span before the newest', async () => {
    vi.useFakeTimers();
    const snapshotter = new Snapshotter({ config: configWith(1000), snapshotHistorySecs: 10 });
    snapshotter.start();

    await vi.advanceTimersByTimeAsync(30_000);
    snapshotter.stop();

    expect(snapshotter.getClientSample()).toHaveLength(11);
    expect(snapshotter.getClientSample(2_000)).toHaveLength(3);
  });

  test('warns through its log when memory is critically overloaded, at most every 10 s', () => {
    vi.useFakeTimers();
    const { log, lines } = recordingLog();
    const config = configWith(1000);
    const snapshotter = new Snapshotter({ config, log });
    snapshotter.start();

    const events = config.getEventManager();
    events.emit(EventType.SYSTEM_INFO, systemInfo(990 * MIB));
    vi.advanceTimersByTime(5_000);
    events.emit(EventType.SYSTEM_INFO, systemInfo(990 * MIB));
    vi.advanceTimersByTime(5_000);
    events.emit(EventType.SYSTEM_INFO, systemInfo(990 * MIB));
    snapshotter.stop();

    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'WARN  Memory is critically overloaded; lower maxConcurrency or raise the ' +
        'limit {"usedMbytes":990,"maxMbytes":1000,"usedRatio":0.99}',
    );
  });
});
