import { describe, expect, test } from 'vitest';

import { ConfigurationError } from '../../src/errors.js';
import { parseRetryAfter, retryDelayMillis } from '../../src/politeness/backoff.js';

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

describe('retryDelayMillis', () => {
  test('waits between half and all of a ceiling that doubles from 1 s up to 60 s', () => {
    const random = seeded(42);
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000];

    ceilings.forEach((ceiling, index) => {
      for (let draw = 0; draw < 50; draw++) {
        const delay = retryDelayMillis(index + 1, { random });
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    });
  });

  test('draws the lower and upper ends of the jitter from the random source', () => {
    expect(retryDelayMillis(3, { random: () => 0 })).toBe(2000);
    expect(retryDelayMillis(3, { random: () => 0.999_999 })).toBe(3999);
  });

  test('spreads retries apart with a seeded random source', () => {
    const random = seeded(7);
    const delays = new Set(Array.from({ length: 20 }, () => retryDelayMillis(4, { random })));

    expect(delays.size).toBeGreaterThan(10);
  });

  test('takes a low base and cap, as tests of crawlers set them', () => {
    const random = () => 0.5;

    expect(retryDelayMillis(1, { baseMillis: 10, maxMillis: 40, random })).toBe(7);
    expect(retryDelayMillis(10, { baseMillis: 10, maxMillis: 40, random })).toBe(30);
    expect(retryDelayMillis(5, { baseMillis: 0, random })).toBe(0);
  });

  test('treats retry 0 as the first retry and survives huge retry counts', () => {
    const random = () => 0;

    expect(retryDelayMillis(0, { random })).toBe(500);
    expect(retryDelayMillis(5000, { random })).toBe(30_000);
  });

  test('rejects a bad retry count or option with a ConfigurationError naming it', () => {
    expect(() => retryDelayMillis(-1)).toThrow(/retryCount must be a non-negative integer, got -1/);
    expect(() => retryDelayMillis(1.5)).toThrow(ConfigurationError);
    expect(() => retryDelayMillis(1, { baseMillis: -5 })).toThrow(/baseMillis/);
    expect(() => retryDelayMillis(1, { maxMillis: Infinity })).toThrow(/maxMillis/);
    expect(() => retryDelayMillis(1, { baseMillis: 100, maxMillis: 50 })).toThrow(
      /maxMillis must be at least baseMillis/,
    );
    expect(() => retryDelayMillis(1, { baseMilis: 10 } as object)).toThrow(
      /Unknown option "baseMilis" for retryDelayMillis; did you mean "baseMillis"\?/,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 0, 0, 0);

  test('reads a number of seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 5 ', now)).toBe(5);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  test('reads the three HTTP date forms relative to the given clock', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed Jan  1 00:01:30 2025', now)).toBe(90);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:30 GMT', now + 89_500)).toBe(1);
  });

  test('answers 0 for a date already past', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  test('answers undefined for garbage, negative and fractional values, and no header', () => {
    for (const value of ['', 'soon', '-5', '1.5', '1e3', 'Mon, garbage GMT', '5 seconds']) {
      expect(parseRetryAfter(value, now), value).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
