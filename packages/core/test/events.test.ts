import { afterEach, describe, expect, test, vi } from 'vitest';

import { EventManager, EventType, type SystemInfoEvent } from '../src/events/event-manager.js';

const fakeReading = () => ({ cpuCurrentUsage: 0.99, memCurrentBytes: 100, memTotalBytes: 1000 });

describe('EventManager', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('emits persistState on its interval after init, and once more on close', async () => {
    vi.useFakeTimers();
    const events = new EventManager({ persistStateIntervalMillis: 60_000 });
    const payloads: unknown[] = [];
    events.on(EventType.PERSIST_STATE, (payload: unknown) => payloads.push(payload));

    await events.init();
    vi.advanceTimersByTime(120_000);
    await events.close();

    expect(payloads).toEqual([
      { isMigrating: false },
      { isMigrating: false },
      { isMigrating: false },
    ]);
  });

  test('emits systemInfo samples with the CPU overload flag', async () => {
    vi.useFakeTimers();
    const events = new EventManager({
      systemInfoIntervalMillis: 1_000,
      readSystemInfo: fakeReading,
    });
    const samples: SystemInfoEvent[] = [];
    events.on(EventType.SYSTEM_INFO, (sample: SystemInfoEvent) => samples.push(sample));

    await events.init();
    vi.advanceTimersByTime(2_000);
    await events.close();

    expect(samples).toHaveLength(2);
    expect(samples[0]).toMatchObject({ cpuCurrentUsage: 0.99, isCpuOverloaded: true });
    expect(samples[0]!.createdAt).toBeInstanceOf(Date);
  });

  test('close waits for async listeners to finish', async () => {
    const events = new EventManager();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    events.on(EventType.PERSIST_STATE, async () => {
      await gate;
      finished = true;
    });

    await events.init();
    const closing = events.close();
    release();
    await closing;

    expect(finished).toBe(true);
  });

  test('delivers migrating and aborting events to their listeners', async () => {
    const events = new EventManager();
    const seen: string[] = [];
    events.on(EventType.MIGRATING, () => seen.push('migrating'));
    events.on(EventType.ABORTING, () => seen.push('aborting'));

    events.emit(EventType.MIGRATING);
    events.emit(EventType.ABORTING);
    events.off(EventType.ABORTING);
    events.emit(EventType.ABORTING);

    expect(seen).toEqual(['migrating', 'aborting']);
  });

  test('a throwing listener does not stop the others', async () => {
    const events = new EventManager();
    const seen: string[] = [];
    events.on(EventType.EXIT, () => {
      throw new Error('listener bug');
    });
    events.on(EventType.EXIT, async () => {
      throw new Error('async listener bug');
    });
    events.on(EventType.EXIT, () => seen.push('ran'));

    events.emit(EventType.EXIT);
    await events.waitForAllListenersToComplete();

    expect(seen).toEqual(['ran']);
  });

  test('the real reader reports this process: some memory, CPU share between 0 and 1', async () => {
    const events = new EventManager({ systemInfoIntervalMillis: 10 });
    const sample = new Promise<SystemInfoEvent>((resolve) =>
      events.on(EventType.SYSTEM_INFO, resolve),
    );

    await events.init();
    const reading = await sample;
    await events.close();

    expect(reading.memCurrentBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(reading.memTotalBytes).toBeGreaterThan(reading.memCurrentBytes);
    expect(reading.cpuCurrentUsage).toBeGreaterThanOrEqual(0);
    expect(reading.cpuCurrentUsage).toBeLessThanOrEqual(1);
  });
});
