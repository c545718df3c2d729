import { describe, expect, test } from 'vitest';

import { ConfigurationError } from '../../src/errors.js';
import { Session } from '../../src/session-pool/session.js';
import { SessionPool } from '../../src/session-pool/session-pool.js';

const START = Date.parse('2024-03-01T12:00:00.000Z');

/** A clock the test moves by hand. */
function manualClock(start = START) {
  let nowMillis = start;
  return {
    now: () => nowMillis,
    advanceSecs: (secs: number) => {
      nowMillis += secs * 1000;
    },
  };
}

function poolWithRetirements(options: { blockedStatusCodes?: number[] } = {}) {
  const pool = new SessionPool({ ...options, persistenceOptions: { enable: false } });
  const retired: Session[] = [];
  pool.on('sessionRetired', (session) => retired.push(session));
  return { pool, retired };
}

describe('Session', () => {
  test('starts with Crawlee defaults and a random session_ id', () => {
    const clock = manualClock();
    const session = new Session({ now: clock.now });

    expect(session.id).toMatch(/^session_[A-Za-z0-9]{10}$/);
    expect(new Session().id).not.toBe(session.id);
    expect(session.maxAgeSecs).toBe(3000);
    expect(session.maxUsageCount).toBe(50);
    expect(session.maxErrorScore).toBe(3);
    expect(session.errorScoreDecrement).toBe(0.5);
    expect(session.userData).toEqual({});
    expect(session.usageCount).toBe(0);
    expect(session.errorScore).toBe(0);
    expect(session.createdAt.getTime()).toBe(START);
    expect(session.expiresAt.getTime()).toBe(START + 3000 * 1000);
    expect(session.isUsable()).toBe(true);
  });

  test('markGood counts a use and lowers the error score by the decrement, not below zero', () => {
    const session = new Session({ errorScore: 1 });

    session.markGood();
    expect(session.errorScore).toBe(0.5);
    session.markGood();
    session.markGood();

    expect(session.errorScore).toBe(0);
    expect(session.usageCount).toBe(3);
  });

  test('markBad adds one per use, and the third one retires the session', () => {
    const { pool, retired } = poolWithRetirements();
    const session = new Session({ sessionPool: pool });

    session.markBad();
    session.markBad();
    expect(session.errorScore).toBe(2);
    expect(session.isUsable()).toBe(true);
    session.markBad();

    // 3 from the bad uses, then retire() adds maxErrorScore and one more use.
    expect(session.errorScore).toBe(6);
    expect(session.usageCount).toBe(4);
    expect(session.isBlocked()).toBe(true);
    expect(session.isUsable()).toBe(false);
    expect(retired).toEqual([session]);
  });

  test('retire adds maxErrorScore and a use, and tells the pool once', () => {
    const { pool, retired } = poolWithRetirements();
    const session = new Session({ sessionPool: pool, maxErrorScore: 5 });

    session.retire();
    session.retire();

    expect(session.errorScore).toBe(10);
    expect(session.usageCount).toBe(2);
    expect(retired).toEqual([session]);
    expect(pool.retiredCount).toBe(1);
  });

  test('a session without a pool can be retired', () => {
    const session = new Session();
    session.retire();
    expect(session.isBlocked()).toBe(true);
  });

  test('expires when maxAgeSecs have passed on its clock', () => {
    const clock = manualClock();
    const session = new Session({ maxAgeSecs: 60, now: clock.now });

    clock.advanceSecs(59.999);
    expect(session.isExpired()).toBe(false);
    clock.advanceSecs(0.001);

    expect(session.isExpired()).toBe(true);
    expect(session.isUsable()).toBe(false);
  });

  test('a use of an expired session retires it', () => {
    const clock = manualClock();
    const { pool, retired } = poolWithRetirements();
    const session = new Session({ sessionPool: pool, maxAgeSecs: 1, now: clock.now });

    clock.advanceSecs(2);
    session.markGood();

    expect(retired).toEqual([session]);
  });

  test('is used up after maxUsageCount uses, and the last good use retires it', () => {
    const { pool, retired } = poolWithRetirements();
    const session = new Session({ sessionPool: pool, maxUsageCount: 2 });

    session.markGood();
    expect(session.isMaxUsageCountReached()).toBe(false);
    session.markGood();

    expect(session.isMaxUsageCountReached()).toBe(true);
    expect(session.isUsable()).toBe(false);
    expect(session.usageCount).toBe(3);
    expect(retired).toEqual([session]);
  });

  test.each([401, 403, 429])('retires on the default blocked status %i', (status) => {
    const { pool } = poolWithRetirements();
    const session = new Session({ sessionPool: pool });

    expect(session.retireOnBlockedStatusCodes(status)).toBe(true);
    expect(session.isBlocked()).toBe(true);
  });

  test('keeps the session on statuses that are not blocked', () => {
    const { pool, retired } = poolWithRetirements();
    const session = new Session({ sessionPool: pool });

    expect(session.retireOnBlockedStatusCodes(200)).toBe(false);
    expect(session.retireOnBlockedStatusCodes(500)).toBe(false);
    expect(session.isUsable()).toBe(true);
    expect(retired).toEqual([]);
  });

  test("uses the pool's blockedStatusCodes instead of the defaults", () => {
    const { pool } = poolWithRetirements({ blockedStatusCodes: [500] });
    const kept = new Session({ sessionPool: pool });
    const retired = new Session({ sessionPool: pool });

    expect(kept.retireOnBlockedStatusCodes(403)).toBe(false);
    expect(retired.retireOnBlockedStatusCodes(500)).toBe(true);
    expect(kept.isUsable()).toBe(true);
    expect(retired.isUsable()).toBe(false);
  });

  test('also retires on additional blocked status codes', () => {
    const session = new Session();

    expect(session.retireOnBlockedStatusCodes(503, [503])).toBe(true);
    expect(session.isBlocked()).toBe(true);
  });

  test('retires on the default codes when it has no pool', () => {
    const session = new Session();
    expect(session.retireOnBlockedStatusCodes(403)).toBe(true);
  });

  test('getState gives plain JSON that rebuilds the same session', () => {
    const clock = manualClock();
    const session = new Session({ userData: { country: 'cz' }, maxUsageCount: 7, now: clock.now });
    session.markBad();
    session.setCookie('token=abc; Path=/', 'https://example.com');

    const state = JSON.parse(JSON.stringify(session.getState()));
    const copy = new Session({ ...state, now: clock.now });

    expect(state.createdAt).toBe('2024-03-01T12:00:00.000Z');
    expect(copy.getState()).toEqual(session.getState());
    expect(copy.id).toBe(session.id);
    expect(copy.errorScore).toBe(1);
    expect(copy.usageCount).toBe(1);
    expect(copy.maxUsageCount).toBe(7);
    expect(copy.getCookieString('https://example.com/')).toBe('token=abc');
  });

  test('sees cookies put straight into its jar, and none once they are removed', async () => {
    const session = new Session();
    expect(session.getCookieString('https://example.com/')).toBe('');

    session.cookieJar.setCookieSync('direct=1; Path=/', 'https://example.com/');
    expect(session.getCookieString('https://example.com/a')).toBe('direct=1');

    await session.cookieJar.removeAllCookies();
    expect(session.getCookieString('https://example.com/a')).toBe('');
  });

  test('rejects an unknown option and names the one meant', () => {
    expect(() => new Session({ maxUsageCont: 3 } as never)).toThrow(ConfigurationError);
    expect(() => new Session({ maxUsageCont: 3 } as never)).toThrow(
      'did you mean "maxUsageCount"?',
    );
  });

  test('rejects a limit that is not a usable number', () => {
    expect(() => new Session({ maxUsageCount: 0 })).toThrow(
      'Session option maxUsageCount must be a number of at least 1, got 0',
    );
    expect(() => new Session({ maxAgeSecs: Number.NaN })).toThrow(ConfigurationError);
  });
});
