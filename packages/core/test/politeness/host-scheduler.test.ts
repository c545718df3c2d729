import { describe, expect, test } from 'vitest';

import { ConfigurationError } from '../../src/errors.js';
import { HostScheduler, type HostSchedulerOptions } from '../../src/politeness/host-scheduler.js';

const T0 = 1_700_000_000_000;

/** mulberry32: a small seeded generator, so jitter is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A scheduler on a hand-driven clock that starts at T0. */
function setup(options: HostSchedulerOptions = {}) {
  const clock = { now: T0 };
  const scheduler = new HostScheduler({ now: () => clock.now, random: seeded(1), ...options });
  const advance = (millis: number) => {
    clock.now += millis;
  };
  const excluded = () => [...scheduler.excludedHosts()].sort();
  return { scheduler, clock, advance, excluded };
}

describe('HostScheduler', () => {
  test('allows a hostname it has never seen', () => {
    const { scheduler, excluded } = setup({ sameDomainDelaySecs: 1, maxConcurrencyPerHost: 1 });

    expect(excluded()).toEqual([]);
    expect(scheduler.isAllowed('example.com')).toBe(true);
    expect(scheduler.nextReadyAt()).toBeUndefined();
    expect(scheduler.getHostState('example.com')).toEqual({
      inFlight: 0,
      cap: 1,
      nextStartAt: 0,
      throttleLevel: 0,
      delayMillis: 1000,
    });
  });

  test('spaces starts per registrable domain with sameDomainDelaySecs', () => {
    const { scheduler, advance, excluded } = setup({ sameDomainDelaySecs: 2 });

    scheduler.onStart('a.example.com');
    scheduler.onStart('other.org');
    expect(excluded()).toEqual(['a.example.com', 'other.org']);
    expect(scheduler.isAllowed('b.example.com')).toBe(false);
    expect(excluded()).toEqual(['a.example.com', 'b.example.com', 'other.org']);
    expect(scheduler.isAllowed('third.net')).toBe(true);
    expect(scheduler.nextReadyAt()).toBe(T0 + 2000);

    advance(1999);
    expect(excluded()).toEqual(['a.example.com', 'b.example.com', 'other.org']);
    advance(1);
    expect(excluded()).toEqual([]);

    scheduler.onStart('b.example.com');
    expect(excluded()).toEqual(['a.example.com', 'b.example.com']);
    expect(scheduler.getHostState('a.example.com').nextStartAt).toBe(T0 + 4000);
  });

  test('gives IP addresses and localhost a delay slot each', () => {
    const { scheduler, excluded } = setup({ sameDomainDelaySecs: 5 });

    scheduler.onStart('127.0.0.2');
    expect(scheduler.isAllowed('127.0.0.3')).toBe(true);
    expect(scheduler.isAllowed('localhost')).toBe(true);
    expect(excluded()).toEqual(['127.0.0.2']);
  });

  test('excludes a hostname at its cap and frees it on finish', () => {
    const { scheduler, excluded } = setup({ maxConcurrencyPerHost: 2 });

    scheduler.onStart('a.com');
    expect(excluded()).toEqual([]);
    scheduler.onStart('a.com');
    expect(excluded()).toEqual(['a.com']);
    expect(scheduler.isAllowed('a.com')).toBe(false);
    expect(scheduler.nextReadyAt()).toBeUndefined();

    scheduler.onFinish('a.com');
    expect(excluded()).toEqual([]);
    expect(scheduler.getHostState('a.com').inFlight).toBe(1);
  });

  test('keeps a busy host from blocking the others', () => {
    const { scheduler, excluded } = setup({ maxConcurrencyPerHost: 1 });

    scheduler.onStart('busy.com');
    for (const hostname of ['a.org', 'b.org', 'c.busy.com']) {
      scheduler.onStart(hostname);
      scheduler.onFinish(hostname);
    }

    expect(excluded()).toEqual(['busy.com']);
    expect(scheduler.isAllowed('c.busy.com')).toBe(true);
  });

  test('ignores a finish it never saw start', () => {
    const { scheduler, excluded } = setup({ maxConcurrencyPerHost: 1 });

    scheduler.onFinish('a.com');
    scheduler.onStart('a.com');
    scheduler.onFinish('a.com');
    scheduler.onFinish('a.com');
    scheduler.onStart('a.com');

    expect(excluded()).toEqual(['a.com']);
    expect(scheduler.getHostState('a.com').inFlight).toBe(1);
  });

  test('spaces starts to one hostname by its Crawl-delay', () => {
    const { scheduler, advance, excluded } = setup();

    expect(scheduler.setCrawlDelay('a.example.com', 5)).toBe(true);
    scheduler.onStart('a.example.com');
    scheduler.onStart('b.example.com');
    expect(excluded()).toEqual(['a.example.com']);
    expect(scheduler.nextReadyAt()).toBe(T0 + 5000);
    expect(scheduler.getHostState('a.example.com').delayMillis).toBe(5000);

    advance(5000);
    expect(excluded()).toEqual([]);

    expect(scheduler.setCrawlDelay('a.example.com', -1)).toBe(false);
    expect(scheduler.setCrawlDelay('a.example.com', Number.NaN)).toBe(false);
    expect(scheduler.getHostState('a.example.com').delayMillis).toBe(5000);
    expect(scheduler.setCrawlDelay('a.example.com', undefined)).toBe(true);
    scheduler.onStart('a.example.com');
    expect(excluded()).toEqual([]);
  });

  test('a Crawl-delay learned while a request runs delays the next start from now', () => {
    const { scheduler, advance, excluded } = setup();
    scheduler.onStart('a.example.com');
    expect(excluded()).toEqual([]);

    advance(1000);
    scheduler.setCrawlDelay('a.example.com', 2);
    expect(excluded()).toEqual(['a.example.com']);
    advance(2000);
    expect(excluded()).toEqual([]);
  });

  test('has no limits only without delays, caps, Crawl-delay and held-back hosts', () => {
    expect(setup().scheduler.hasNoLimits()).toBe(true);
    expect(setup({ sameDomainDelaySecs: 1 }).scheduler.hasNoLimits()).toBe(false);
    expect(setup({ maxConcurrencyPerHost: 4 }).scheduler.hasNoLimits()).toBe(false);
    const delayed = setup().scheduler;
    delayed.setCrawlDelay('a.example.com', 1);
    expect(delayed.hasNoLimits()).toBe(false);
    const { scheduler, advance } = setup();
    scheduler.onStart('a.example.com');
    scheduler.onThrottled('a.example.com', { statusCode: 429, retryAfterSecs: 3 });
    expect(scheduler.hasNoLimits()).toBe(false);
    scheduler.onFinish('a.example.com');
    advance(3000);
    expect(scheduler.hasNoLimits()).toBe(true);
  });

  test('429 with Retry-After pushes the next start and halves the cap', () => {
    const { scheduler, advance, excluded } = setup({ maxConcurrencyPerHost: 8 });
    for (let i = 0; i < 3; i++) {
      scheduler.onStart('a.com');
    }

    const outcome = scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 30 });

    expect(outcome).toEqual({
      waitMillis: 30_000,
      totalWaitMillis: 30_000,
      isWaitExhausted: false,
    });
    expect(scheduler.getHostState('a.com')).toEqual({
      inFlight: 3,
      cap: 4,
      nextStartAt: T0 + 30_000,
      throttleLevel: 1,
      delayMillis: 1000,
    });
    expect(excluded()).toEqual(['a.com']);
    expect(scheduler.nextReadyAt()).toBe(T0 + 30_000);

    advance(30_000);
    expect(excluded()).toEqual([]);
    scheduler.onStart('a.com');
    expect(excluded()).toEqual(['a.com']);
  });

  test('successes restore a throttled host step by step', () => {
    const { scheduler, advance } = setup({ maxConcurrencyPerHost: 8 });
    scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 1 });
    advance(1_001);
    scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 1 });
    const state = () => scheduler.getHostState('a.com');
    expect(state()).toMatchObject({ cap: 2, throttleLevel: 2, delayMillis: 2000 });

    const succeed = (times: number) => {
      for (let i = 0; i < times; i++) {
        scheduler.onSuccess('a.com');
      }
    };
    succeed(4);
    expect(state()).toMatchObject({ cap: 2, throttleLevel: 2 });
    succeed(1);
    expect(state()).toMatchObject({ cap: 4, throttleLevel: 1, delayMillis: 1000 });
    succeed(5);
    expect(state()).toMatchObject({ cap: 8, throttleLevel: 0, delayMillis: 0 });
  });

  test('answers of requests already in flight do not escalate the same throttle episode', () => {
    const { scheduler } = setup({ maxConcurrencyPerHost: 8 });

    for (let i = 0; i < 5; i++) {
      scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 1 });
    }

    expect(scheduler.getHostState('a.com')).toMatchObject({ cap: 4, throttleLevel: 1 });
  });

  test('a throttle between successes starts the recovery count again', () => {
    const { scheduler } = setup({ maxConcurrencyPerHost: 4 });
    scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 0 });
    for (let i = 0; i < 4; i++) {
      scheduler.onSuccess('a.com');
    }
    scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 0 });
    for (let i = 0; i < 4; i++) {
      scheduler.onSuccess('a.com');
    }

    expect(scheduler.getHostState('a.com')).toMatchObject({ cap: 1, throttleLevel: 2 });
  });

  test('an uncapped host is capped at half its requests in flight, then uncapped again', () => {
    const { scheduler, excluded } = setup();
    for (let i = 0; i < 6; i++) {
      scheduler.onStart('a.com');
    }

    scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 0 });
    expect(scheduler.getHostState('a.com').cap).toBe(3);
    expect(excluded()).toEqual(['a.com']);

    for (let i = 0; i < 5; i++) {
      scheduler.onSuccess('a.com');
    }
    expect(scheduler.getHostState('a.com').cap).toBe(Infinity);
  });

  test('429 without Retry-After backs off exponentially with jitter within bounds', () => {
    const { scheduler, advance } = setup();
    const waits: number[] = [];

    for (let level = 1; level <= 9; level++) {
      const { waitMillis } = scheduler.onThrottled('a.com', { statusCode: 429 });
      const ceiling = Math.min(60_000, 1000 * 2 ** (level - 1));
      expect(waitMillis).toBeGreaterThanOrEqual(ceiling / 2);
      expect(waitMillis).toBeLessThanOrEqual(ceiling);
      waits.push(waitMillis);
      advance(waitMillis);
    }

    expect(waits[3]).toBeGreaterThan(waits[0]);
    expect(new Set(waits.map((wait, index) => wait / 2 ** index)).size).toBeGreaterThan(1);
  });

  test('treats a negative or non-finite Retry-After as absent', () => {
    const { scheduler } = setup({ random: () => 0 });

    expect(scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: -3 }).waitMillis).toBe(
      500,
    );
    expect(
      scheduler.onThrottled('b.com', { statusCode: 429, retryAfterSecs: Number.NaN }).waitMillis,
    ).toBe(500);
  });

  test('503 with Retry-After throttles the host', () => {
    const { scheduler, excluded } = setup();

    scheduler.onThrottled('a.com', { statusCode: 503, retryAfterSecs: 10 });

    expect(excluded()).toEqual(['a.com']);
    expect(scheduler.getHostState('a.com')).toMatchObject({
      nextStartAt: T0 + 10_000,
      throttleLevel: 1,
    });
  });

  test('bounds the total throttle wait of a request by maxThrottleWaitSecs', () => {
    const { scheduler } = setup({ maxThrottleWaitSecs: 60 });

    const long = scheduler.onThrottled('a.com', { statusCode: 429, retryAfterSecs: 3600 });
    expect(long).toEqual({ waitMillis: 60_000, totalWaitMillis: 60_000, isWaitExhausted: true });

    const first = scheduler.onThrottled('b.com', { statusCode: 429, retryAfterSecs: 20 });
    const second = scheduler.onThrottled('b.com', {
      statusCode: 429,
      retryAfterSecs: 20,
      waitedMillis: first.totalWaitMillis,
    });
    expect(second).toMatchObject({ totalWaitMillis: 40_000, isWaitExhausted: false });
    const third = scheduler.onThrottled('b.com', {
      statusCode: 429,
      retryAfterSecs: 45,
      waitedMillis: second.totalWaitMillis,
    });
    expect(third.isWaitExhausted).toBe(true);
  });

  test('nextReadyAt is the earliest time-based boundary', () => {
    const { scheduler, advance } = setup({ maxConcurrencyPerHost: 1 });
    scheduler.setCrawlDelay('a.com', 10);
    scheduler.setCrawlDelay('b.com', 3);
    for (const hostname of ['a.com', 'b.com']) {
      scheduler.onStart(hostname);
      scheduler.onFinish(hostname);
    }
    scheduler.onThrottled('c.com', { statusCode: 429, retryAfterSecs: 7 });
    scheduler.onStart('capped.com');

    expect(scheduler.nextReadyAt()).toBe(T0 + 3000);
    advance(3000);
    expect(scheduler.nextReadyAt()).toBe(T0 + 7000);
    advance(5000);
    expect(scheduler.nextReadyAt()).toBe(T0 + 10_000);
    advance(2000);
    expect(scheduler.nextReadyAt()).toBeUndefined();
    expect([...scheduler.excludedHosts()].sort()).toEqual(['capped.com']);
  });

  test('a later start moves the boundary later, never earlier', () => {
    const { scheduler, advance } = setup({ sameDomainDelaySecs: 2 });

    scheduler.onStart('a.com');
    advance(1000);
    scheduler.onStart('a.com');

    expect(scheduler.nextReadyAt()).toBe(T0 + 3000);
    advance(1000);
    expect(scheduler.isAllowed('a.com')).toBe(false);
  });

  test('forgets an idle healthy host once its delay has passed', () => {
    const { scheduler, advance } = setup({ sameDomainDelaySecs: 1 });

    scheduler.onStart('a.example.com');
    scheduler.onFinish('a.example.com');
    advance(1000);

    // nextStartAt 0: neither the hostname nor its domain is held any more.
    expect(scheduler.getHostState('a.example.com')).toEqual({
      inFlight: 0,
      cap: Infinity,
      nextStartAt: 0,
      throttleLevel: 0,
      delayMillis: 1000,
    });
    expect(scheduler.excludedHosts().size).toBe(0);
    expect(scheduler.nextReadyAt()).toBeUndefined();
  });

  test('rejects an invalid option with a ConfigurationError naming it', () => {
    const cases: [object, string][] = [
      [{ sameDomainDelaySecs: -1 }, 'sameDomainDelaySecs'],
      [{ sameDomainDelaySecs: Number.NaN }, 'sameDomainDelaySecs'],
      [{ maxConcurrencyPerHost: 0 }, 'maxConcurrencyPerHost'],
      [{ maxConcurrencyPerHost: 1.5 }, 'maxConcurrencyPerHost'],
      [{ maxThrottleWaitSecs: -10 }, 'maxThrottleWaitSecs'],
      [{ now: 5 }, 'now'],
      [{ sameDomainDelaySec: 1 }, 'sameDomainDelaySec'],
    ];

    for (const [options, option] of cases) {
      const error = catchError(() => new HostScheduler(options as HostSchedulerOptions));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).option).toBe(option);
      expect((error as Error).message).toContain(option);
    }
    expect(() => new HostScheduler({ sameDomainDelaySec: 1 } as HostSchedulerOptions)).toThrow(
      'Unknown option "sameDomainDelaySec" for HostScheduler; did you mean "sameDomainDelaySecs"?',
    );
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
