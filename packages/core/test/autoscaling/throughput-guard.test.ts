import { describe, expect, test } from 'vitest';

import { HOLD_INTERVALS, ThroughputGuard } from '../../src/autoscaling/throughput-guard.js';

/** Closes an interval in which `finished` tasks finished, at desired concurrency `desired`. */
function closeWith(guard: ThroughputGuard, finished: number, desired: number, millis?: number) {
  for (let i = 0; i < finished; i++) {
    guard.recordFinishedTask();
  }
  return guard.closeInterval(desired, millis);
}

describe('ThroughputGuard', () => {
  test('keeps a step up that raised throughput', () => {
    const guard = new ThroughputGuard();
    closeWith(guard, 100, 4);
    guard.recordScaleUp(4, 5);

    expect(closeWith(guard, 120, 5)).toMatchObject({ mayScaleUp: true });
  });

  test('compares tasks per second when the intervals differ in length', () => {
    const guard = new ThroughputGuard();
    closeWith(guard, 100, 4, 1_000);
    guard.recordScaleUp(4, 5);
    // More tasks than before, but in an interval twice as long: fewer per second.
    expect(closeWith(guard, 150, 5, 2_000)).toMatchObject({ undoTo: 4 });

    const rising = new ThroughputGuard();
    closeWith(rising, 100, 4, 2_000);
    rising.recordScaleUp(4, 5);
    expect(closeWith(rising, 60, 5, 1_000)).toMatchObject({ mayScaleUp: true, streak: 1 });
  });

  test('undoes a step up that did not raise throughput, then holds before probing again', () => {
    const guard = new ThroughputGuard();
    closeWith(guard, 100, 4);
    guard.recordScaleUp(4, 5);

    expect(closeWith(guard, 104, 5)).toMatchObject({ undoTo: 4, mayScaleUp: false });
    for (let i = 0; i < HOLD_INTERVALS; i++) {
      expect(closeWith(guard, 100, 4)).toMatchObject({ mayScaleUp: false });
    }
    expect(closeWith(guard, 100, 4)).toMatchObject({ mayScaleUp: true });
  });

  test('asks a +5 % step above 20 tasks for half its ideal gain', () => {
    const guard = new ThroughputGuard();
    closeWith(guard, 200, 20);
    guard.recordScaleUp(20, 21);

    // Ideal gain 5 %, so 2.5 % (205 tasks) is enough.
    expect(closeWith(guard, 205, 21)).toMatchObject({ mayScaleUp: true });
    guard.recordScaleUp(21, 23);
    expect(closeWith(guard, 209, 23)).toMatchObject({ undoTo: 21, mayScaleUp: false });
  });

  test('does not judge steps on fewer than ten finished tasks, nor steps changed since', () => {
    const guard = new ThroughputGuard();
    closeWith(guard, 3, 1);
    guard.recordScaleUp(1, 2);
    expect(closeWith(guard, 0, 2)).toMatchObject({ mayScaleUp: true });

    closeWith(guard, 100, 2);
    guard.recordScaleUp(2, 3);
    expect(closeWith(guard, 50, 2)).toMatchObject({ mayScaleUp: true });
  });
});
