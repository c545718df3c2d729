import { describe, expect, test } from 'vitest';

import { TaskStartWindow } from '../../src/autoscaling/task-start-window.js';

describe('TaskStartWindow', () => {
  test('counts starts of the last 60 one-second buckets', () => {
    let now = 1_000_000;
    const window = new TaskStartWindow(() => now);

    window.record();
    window.record();
    now += 30_500;
    window.record();
    expect(window.count()).toBe(3);

    now += 29_000;
    expect(window.count()).toBe(3);
    now += 1_000;
    expect(window.count()).toBe(1);
    now += 31_000;
    expect(window.count()).toBe(0);
  });

  test('a bucket reused a minute later starts from zero', () => {
    let now = 0;
    const window = new TaskStartWindow(() => now);

    window.record();
    now = 60_000;
    window.record();

    expect(window.count()).toBe(1);
  });
});
