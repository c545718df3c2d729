import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { ConfigurationError, InputError } from '../../src/errors.js';
import { EventType } from '../../src/events/event-manager.js';
import { KeyValueStore } from '../../src/storages/key-value-store.js';
import { Session } from '../../src/session-pool/session.js';
import { SessionPool, type SessionPoolOptions } from '../../src/session-pool/session-pool.js';
import {
  createMemoryConfig,
  createTempStorage,
  type TempStorage,
} from '../helpers/temp-storage.js';

const START = Date.parse('2024-03-01T12:00:00.000Z');
const now = () => START;
const STATE_KEY = 'SDK_SESSION_POOL_STATE';

/** An initialised pool on in-memory storage that saves nothing. */
async function memoryPool(options: SessionPoolOptions = {}): Promise<SessionPool> {
  return SessionPool.open(
    { persistenceOptions: { enable: false }, sessionOptions: { now }, ...options },
    createMemoryConfig(),
  );
}

/** A promise the test resolves by hand, to hold a callback until it is released. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('SessionPool', () => {
  test('has Crawlee defaults', () => {
    const pool = new SessionPool({}, createMemoryConfig());

    expect(pool.maxPoolSize).toBe(1000);
    expect(pool.persistStateKey).toBe(STATE_KEY);
    expect(pool.persistStateKeyValueStoreId).toBeUndefined();
    expect(pool.blockedStatusCodes).toEqual([401, 403, 429]);
    expect(pool.persistenceOptions).toEqual({ enable: true });
    expect(pool.sessionOptions).toEqual({});
    expect(pool.usableSessionsCount).toBe(0);
    expect(pool.retiredSessionsCount).toBe(0);
    expect(pool.retiredCount).toBe(0);
  });

  test('refuses to hand out sessions before it is initialised', async () => {
    const pool = new SessionPool({}, createMemoryConfig());
    await expect(pool.getSession()).rejects.toThrow(ConfigurationError);
  });

  test('creates a new session per call until maxPoolSize, then picks existing ones', async () => {
    const pool = await memoryPool({ maxPoolSize: 3 });

    const first = [await pool.getSession(), await pool.getSession(), await pool.getSession()];
    const firstIds = new Set(first.map((session) => session.id));
    const later = await Promise.all(Array.from({ length: 30 }, () => pool.getSession()));

    expect(firstIds.size).toBe(3);
    expect(later.every((session) => firstIds.has(session.id))).toBe(true);
    expect(pool.getState().sessions).toHaveLength(3);
    expect(pool.usableSessionsCount).toBe(3);
  });

  test('replaces an unusable session with a new one and never hands it out again', async () => {
    const pool = await memoryPool({ maxPoolSize: 1 });
    const retired: Session[] = [];
    pool.on('sessionRetired', (session) => retired.push(session));
    const first = await pool.getSession();

    expect(first.retireOnBlockedStatusCodes(403)).toBe(true);
    const handedOut = await Promise.all(Array.from({ length: 10 }, () => pool.getSession()));

    expect(handedOut.every((session) => session.id !== first.id && session.isUsable())).toBe(true);
    expect(await pool.getSession(first.id)).toBeUndefined();
    expect(pool.getState().sessions).toHaveLength(1);
    expect(retired).toEqual([first]);
    expect(pool.retiredCount).toBe(1);
  });

  test('counts retired sessions until a full pool drops them', async () => {
    const pool = await memoryPool({ maxPoolSize: 2 });
    const first = await pool.getSession();
    await pool.getSession();

    first.retire();

    expect(pool.usableSessionsCount).toBe(1);
    expect(pool.retiredSessionsCount).toBe(1);
  });

  test('concurrent getSession calls never grow the pool past maxPoolSize', async () => {
    const creating = gate();
    let created = 0;
    const pool = await memoryPool({
      maxPoolSize: 3,
      createSessionFunction: async (sessionPool, options) => {
        created += 1;
        await creating.opened;
        return new Session({ ...options?.sessionOptions, sessionPool });
      },
    });

    const pending = Array.from({ length: 10 }, () => pool.getSession());
    creating.open();
    const sessions = await Promise.all(pending);

    expect(created).toBe(3);
    expect(pool.getState().sessions).toHaveLength(3);
    expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
  });

  test('createSessionFunction builds sessions from the pool and its sessionOptions', async () => {
    const calls: unknown[] = [];
    const pool = await memoryPool({
      sessionOptions: { maxUsageCount: 5, now },
      createSessionFunction: (sessionPool, options) => {
        calls.push(options);
        expect(sessionPool).toBe(pool);
        return new Session({ ...options?.sessionOptions, sessionPool, userData: { custom: true } });
      },
    });

    const session = await pool.getSession();

    expect(calls).toEqual([{ sessionOptions: { maxUsageCount: 5, now } }]);
    expect(session.userData).toEqual({ custom: true });
    expect(session.maxUsageCount).toBe(5);
  });

  test('rejects a createSessionFunction that returns something else than a session', async () => {
    const pool = await memoryPool({ createSessionFunction: () => ({}) as Session });
    await expect(pool.getSession()).rejects.toThrow('createSessionFunction must return a Session');
  });

  test('addSession adds a session or options for one; getSession(id) finds it', async () => {
    const pool = await memoryPool();
    const given = new Session({ id: 'session_given', sessionPool: pool });

    await pool.addSession({ id: 'session_built', maxErrorScore: 1 });
    await pool.addSession(given);

    expect(await pool.getSession('session_given')).toBe(given);
    expect((await pool.getSession('session_built'))?.maxErrorScore).toBe(1);
    expect(await pool.getSession('session_missing')).toBeUndefined();
    expect(pool.usableSessionsCount).toBe(2);
  });

  test('addSession rejects an id that is already in the pool', async () => {
    const pool = await memoryPool();
    await pool.addSession({ id: 'session_twice' });

    const again = pool.addSession({ id: 'session_twice' });

    await expect(again).rejects.toThrow(InputError);
    await expect(pool.addSession({ id: 'session_twice' })).rejects.toThrow(
      'Session id "session_twice" is already in the pool',
    );
  });

  test('rejects an unknown option and names the one meant', () => {
    const config = createMemoryConfig();
    const typo = () => new SessionPool({ maxPoolSise: 3 } as SessionPoolOptions, config);

    expect(typo).toThrow(ConfigurationError);
    expect(typo).toThrow(
      'Unknown option "maxPoolSise" for SessionPool; did you mean "maxPoolSize"?',
    );
    expect(() => new SessionPool({ sessionOptions: { maxAgeSec: 1 } as never }, config)).toThrow(
      'did you mean "maxAgeSecs"?',
    );
  });

  test('rejects a maxPoolSize that is not a positive integer', () => {
    expect(() => new SessionPool({ maxPoolSize: 0 }, createMemoryConfig())).toThrow(
      'SessionPool option maxPoolSize must be an integer of at least 1, got 0',
    );
  });
});

describe('SessionPool persistence', () => {
  let storage: TempStorage;
  const extraConfigs: Configuration[] = [];

  beforeEach(() => {
    storage = createTempStorage('trawl-session-pool-');
  });

  afterEach(async () => {
    for (const config of extraConfigs.splice(0)) {
      await config.getStorageClient().teardown();
    }
    await storage.cleanup();
  });

  /** A configuration on the same storage folder, as a restarted process would have. */
  function restartedConfig(): Configuration {
    const config = new Configuration({
      storageClientOptions: { localDataDirectory: storage.dir },
      purgeOnStart: false,
    });
    extraConfigs.push(config);
    return config;
  }

  test('a new pool on the same storage restores usable sessions, not retired ones', async () => {
    const first = await SessionPool.open(
      { sessionOptions: { maxUsageCount: 10, now } },
      storage.config,
    );
    const kept = await first.getSession();
    const scored = await first.getSession();
    const retired = await first.getSession();
    kept.setCookie('sid=abc; Path=/', 'https://example.com/');
    kept.userData.label = 'kept';
    kept.markGood();
    scored.markBad();
    retired.retire();
    await first.teardown();

    const second = await SessionPool.open({ sessionOptions: { now } }, restartedConfig());
    const restoredKept = await second.getSession(kept.id);
    const restoredScored = await second.getSession(scored.id);

    expect(second.usableSessionsCount).toBe(2);
    expect(await second.getSession(retired.id)).toBeUndefined();
    expect(restoredKept?.getCookieString('https://example.com/')).toBe('sid=abc');
    expect(restoredKept?.userData).toEqual({ label: 'kept' });
    expect(restoredKept?.usageCount).toBe(1);
    expect(restoredKept?.maxUsageCount).toBe(10);
    expect(restoredKept?.expiresAt).toEqual(kept.expiresAt);
    expect(restoredScored?.errorScore).toBe(1);
  });

  test('saves its state on every persistState event until teardown', async () => {
    const pool = await SessionPool.open({ sessionOptions: { now } }, storage.config);
    const events = storage.config.getEventManager();
    const store = await KeyValueStore.open(null, { config: storage.config });
    await pool.getSession();

    events.emit(EventType.PERSIST_STATE, { isMigrating: false });
    await events.waitForAllListenersToComplete();
    const saved = await store.getValue<{ sessions: unknown[] }>(STATE_KEY);
    await pool.teardown();
    await pool.getSession();
    events.emit(EventType.PERSIST_STATE, { isMigrating: false });
    await events.waitForAllListenersToComplete();
    const afterTeardown = await store.getValue<{ sessions: unknown[] }>(STATE_KEY);

    expect(saved?.sessions).toHaveLength(1);
    expect(afterTeardown?.sessions).toHaveLength(1);
    expect(events.listenerCount(EventType.PERSIST_STATE)).toBe(0);
  });

  test('getState lists counts and every session, as persistState saves it', async () => {
    const pool = await SessionPool.open({ sessionOptions: { now } }, storage.config);
    const session = await pool.getSession();
    (await pool.getSession()).retire();

    await pool.persistState();
    const store = await KeyValueStore.open(null, { config: storage.config });
    const saved = await store.getValue(STATE_KEY);

    expect(pool.getState()).toMatchObject({ usableSessionsCount: 1, retiredSessionsCount: 1 });
    expect(pool.getState().sessions[0]).toEqual(session.getState());
    expect(saved).toEqual(JSON.parse(JSON.stringify(pool.getState())));
  });

  test('saves under persistStateKeyValueStoreId and persistStateKey when given', async () => {
    const options = { persistStateKeyValueStoreId: 'sessions', persistStateKey: 'POOL' };
    const pool = await SessionPool.open({ ...options, sessionOptions: { now } }, storage.config);
    await pool.getSession();

    await pool.teardown();
    const store = await KeyValueStore.open('sessions', { config: storage.config });

    expect(await store.getValue<{ sessions: unknown[] }>('POOL')).toMatchObject({
      usableSessionsCount: 1,
    });
  });

  test('resetStore deletes the saved state', async () => {
    const pool = await SessionPool.open({ sessionOptions: { now } }, storage.config);
    await pool.getSession();
    await pool.persistState();

    await pool.resetStore();
    const store = await KeyValueStore.open(null, { config: storage.config });

    expect(await store.getValue(STATE_KEY)).toBeNull();
    expect(pool.usableSessionsCount).toBe(1);
  });

  test('with persistence off it neither saves nor restores', async () => {
    const options = { persistenceOptions: { enable: false }, sessionOptions: { now } };
    const pool = await SessionPool.open(options, storage.config);
    await pool.getSession();
    await pool.teardown();

    const store = await KeyValueStore.open(null, { config: storage.config });

    expect(await store.getValue(STATE_KEY)).toBeNull();
    expect(storage.config.getEventManager().listenerCount(EventType.PERSIST_STATE)).toBe(0);
  });

  test('skips saved entries that are not session states', async () => {
    const store = await KeyValueStore.open(null, { config: storage.config });
    const valid = new Session({ id: 'session_valid', now }).getState();
    await store.setValue(STATE_KEY, { sessions: [null, { cookieJar: {} }, valid] });

    const pool = await SessionPool.open({ sessionOptions: { now } }, storage.config);

    expect(pool.getState().sessions.map((session) => session.id)).toEqual(['session_valid']);
  });
});
