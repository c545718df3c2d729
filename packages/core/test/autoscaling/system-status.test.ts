import { afterEach, describe, expect, test } from 'vitest';

import { evaluateLoadSample } from '../../src/autoscaling/load-signal.js';
import { Snapshotter } from '../../src/autoscaling/snapshotter.js';
import { SystemStatus } from '../../src/autoscaling/system-status.js';
import { Configuration } from '../../src/configuration.js';
import { EventManager, EventType } from '../../src/events/event-manager.js';

const MIB = 2 ** 20;

/** A snapshot at `millis`, overloaded or not. */
const at = (millis: number, isOverloaded: boolean) => ({
  createdAt: new Date(millis),
  isOverloaded,
});

describe('evaluateLoadSample', () => {
  test('weighs each snapshot by the time since the one before it', () => {
    const sample = [at(0, false), at(1_000, true), at(1_100, false), at(2_100, false)];

    expect(evaluateLoadSample(sample, 0.4)).toEqual({
      isOverloaded: true,
      limitRatio: 0.4,
      actualRatio: 0.476,
    });
    expect(evaluateLoadSample(sample, 0.5).isOverloaded).toBe(false);
  });

  test('is overloaded only strictly above the limit', () => {
    const sample = [at(0, false), at(1_000, true), at(2_000, false)];

    expect(evaluateLoadSample(sample, 0.5)).toMatchObject({
      isOverloaded: false,
      actualRatio: 0.5,
    });
  });

  test('an empty sample is idle; a single snapshot is its own verdict', () => {
    expect(evaluateLoadSample([], 0.2)).toEqual({
      isOverloaded: false,
      limitRatio: 0.2,
      actualRatio: 0,
    });
    expect(evaluateLoadSample([at(0, true)], 0.2)).toMatchObject({ actualRatio: 1 });
  });

  test('snapshots taken in the same millisecond still count', () => {
    expect(evaluateLoadSample([at(0, false), at(0, true)], 0.2).isOverloaded).toBe(true);
  });
});

describe('SystemStatus', () => {
  const started: Snapshotter[] = [];

  afterEach(() => {
    started.splice(0).forEach((snapshotter) => snapshotter.stop());
  });

  /** A status over a snapshotter whose memory and CPU readings the test emits. */
  function fedStatus(options: ConstructorParameters<typeof SystemStatus>[0] = {}) {
    const config = new Configuration({ eventManager: new EventManager(), memoryMbytes: 100 });
    const snapshotter = new Snapshotter({ config });
    snapshotter.start();
    started.push(snapshotter);
    const emit = (millis: number, memoryOverloaded: boolean, cpuOverloaded = false) => {
      config.getEventManager().emit(EventType.SYSTEM_INFO, {
        createdAt: new Date(millis),
        cpuCurrentUsage: cpuOverloaded ? 1 : 0,
        isCpuOverloaded: cpuOverloaded,
        memCurrentBytes: (memoryOverloaded ? 95 : 10) * MIB,
        memTotalBytes: 1_000 * MIB,
      });
    };
    return { status: new SystemStatus({ ...options, snapshotter }), emit };
  }

  test('memory is overloaded past 20 % of the weighted time, by default', () => {
    const { status, emit } = fedStatus();
    emit(0, false);
    emit(1_000, false);
    emit(2_000, false);
    emit(3_000, false);
    emit(4_000, true);

    expect(status.getCurrentStatus()).toMatchObject({
      isSystemIdle: false,
      memInfo: { isOverloaded: true, limitRatio: 0.2, actualRatio: 0.25 },
      cpuInfo: { isOverloaded: false },
    });
  });

  test('respects its own thresholds', () => {
    const { status, emit } = fedStatus({ maxMemoryOverloadedRatio: 0.3 });
    [0, 1_000, 2_000, 3_000].forEach((millis) => emit(millis, false));
    emit(4_000, true);

    expect(status.getCurrentStatus().isSystemIdle).toBe(true);
  });

  test('any overloaded signal makes the system busy', () => {
    const { status, emit } = fedStatus();
    emit(0, false, true);
    emit(1_000, false, true);

    expect(status.getCurrentStatus()).toMatchObject({
      isSystemIdle: false,
      memInfo: { isOverloaded: false },
      cpuInfo: { isOverloaded: true, limitRatio: 0.4, actualRatio: 1 },
    });
  });

  test('the current status looks at the last currentHistorySecs, the historical at all', () => {
    const { status, emit } = fedStatus();
    emit(0, true);
    emit(10_000, true);
    emit(20_000, false);
    emit(22_000, false);
    emit(24_000, false);

    expect(status.getCurrentStatus().memInfo).toMatchObject({
      isOverloaded: false,
      actualRatio: 0,
    });
    expect(status.getHistoricalStatus().memInfo).toMatchObject({
      isOverloaded: true,
      actualRatio: 0.417,
    });
  });
});
