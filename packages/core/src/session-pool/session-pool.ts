/**
 * The session pool: creates sessions until it is full, then hands out random usable ones,
 * replacing those that were retired; its state survives restarts in a key-value store.
 */

import { EventEmitter } from 'node:events';

import { Configuration } from '../configuration.js';
import { ConfigurationError, InputError } from '../errors.js';
import { EventType } from '../events/event-manager.js';
import { KeyValueStore } from '../storages/key-value-store.js';
import { describeValue } from '../utils/options.js';
import {
  BLOCKED_STATUS_CODES,
  DEFAULT_MAX_POOL_SIZE,
  EVENT_PERSIST_STATE_FAILED,
  EVENT_SESSION_RETIRED,
  PERSIST_STATE_KEY,
} from './consts.js';
import { Session } from './session.js';
import { isSession, type SessionOptions } from './session-options.js';
import {
  isSessionState,
  optionsFromState,
  validatePoolOptions,
  type CreateSession,
  type PersistenceOptions,
  type SessionPoolEvents,
  type SessionPoolOptions,
  type SessionPoolState,
} from './session-pool-options.js';

export type {
  CreateSession,
  PersistenceOptions,
  SessionPoolEvents,
  SessionPoolOptions,
  SessionPoolState,
} from './session-pool-options.js';

const createDefaultSession: CreateSession = (sessionPool, options = {}) =>
  new Session({ ...options.sessionOptions, sessionPool });

/**
 * Hands out sessions to requests. While the pool holds fewer than `maxPoolSize` sessions every
 * call creates one; after that a random session is picked, and a picked session that is no longer
 * usable is dropped with every other unusable one and replaced by a new session. A retired session
 * is never handed out again.
 *
 * Events: `sessionRetired` carries the retired session, as in Crawlee; trawl emits it once per
 * session and counts it in `retiredCount`. `persistStateFailed` (trawl addition) carries the error
 * of a save started by a `persistState` event; the pool never logs.
 *
 * @example
 * const pool = await SessionPool.open({ maxPoolSize: 20 });
 * const session = await pool.getSession();
 * if (session.retireOnBlockedStatusCodes(response.statusCode)) {
 *   // the request is retried with another session
 * }
 * await pool.teardown();
 */
export class SessionPool extends EventEmitter<SessionPoolEvents> {
  /** Most sessions the pool holds. */
  readonly maxPoolSize: number;
  /** Options of every session the pool creates. */
  readonly sessionOptions: SessionOptions;
  /** Name of the key-value store for the state; unset means the default store. */
  readonly persistStateKeyValueStoreId?: string;
  /** Key of the state record. */
  readonly persistStateKey: string;
  /** Builds new sessions. */
  readonly createSessionFunction: CreateSession;
  /** Whether the state is saved. */
  readonly persistenceOptions: Required<PersistenceOptions>;
  /** The configuration whose storage and events the pool uses. */
  readonly config: Configuration;
  /** The store of the state, once initialised with persistence on. */
  keyValueStore?: KeyValueStore;
  #blockedStatusCodes: number[];
  #sessions: Session[] = [];
  #sessionsById = new Map<string, Session>();
  #retiredCount = 0;
  #initialization?: Promise<void>;
  #initialized = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** Exclusive tasks queued or running; while none is, a full pool hands out sessions at once. */
  #exclusiveTasks = 0;
  #persistListener?: () => Promise<void>;

  /** @throws ConfigurationError on an unknown option or an invalid value */
  constructor(options: SessionPoolOptions = {}, config?: Configuration) {
    super();
    validatePoolOptions(options);
    this.maxPoolSize = options.maxPoolSize ?? DEFAULT_MAX_POOL_SIZE;
    this.sessionOptions = { ...options.sessionOptions };
    this.persistStateKeyValueStoreId = options.persistStateKeyValueStoreId;
    this.persistStateKey = options.persistStateKey ?? PERSIST_STATE_KEY;
    this.createSessionFunction = options.createSessionFunction ?? createDefaultSession;
    this.persistenceOptions = { enable: options.persistenceOptions?.enable ?? true };
    this.config = config ?? options.config ?? Configuration.getGlobalConfig();
    this.#blockedStatusCodes = [...(options.blockedStatusCodes ?? BLOCKED_STATUS_CODES)];
    this.on(EVENT_SESSION_RETIRED, () => {
      this.#retiredCount += 1;
    });
  }

  /** Creates a pool and initialises it, restoring a saved state. */
  static async open(options?: SessionPoolOptions, config?: Configuration): Promise<SessionPool> {
    const pool = new SessionPool(options, config);
    await pool.initialize();
    return pool;
  }

  /** Status codes that retire a session; the array itself, so a crawler may adjust it. */
  get blockedStatusCodes(): number[] {
    return this.#blockedStatusCodes;
  }

  /** Sessions in the pool that may still be handed out. */
  get usableSessionsCount(): number {
    return this.#sessions.filter((session) => session.isUsable()).length;
  }

  /** Sessions in the pool that may not be handed out any more and wait to be dropped. */
  get retiredSessionsCount(): number {
    return this.#sessions.length - this.usableSessionsCount;
  }

  /** Sessions of this pool retired since it was created (trawl addition). */
  get retiredCount(): number {
    return this.#retiredCount;
  }

  /**
   * Opens the state's key-value store, restores the usable sessions of a saved state and starts
   * saving on `persistState` events. Calling it again does nothing.
   */
  async initialize(): Promise<void> {
    this.#initialization ??= this.#initialize().catch((error: unknown) => {
      this.#initialization = undefined;
      throw error;
    });
    await this.#initialization;
  }

  /**
   * Returns a usable session, creating one while the pool is not full.
   * @throws ConfigurationError when the pool is not initialised
   */
  async getSession(): Promise<Session>;
  /**
   * Returns the session with this id if it is in the pool and usable, else `undefined`.
   * @throws ConfigurationError when the pool is not initialised
   */
  async getSession(sessionId: string): Promise<Session | undefined>;
  async getSession(sessionId?: string): Promise<Session | undefined> {
    // The common case, a full pool and a usable pick, changes nothing: no need to queue.
    if (sessionId === undefined && this.#exclusiveTasks === 0 && this.#initialized) {
      const picked = this.#pickFromFullPool();
      if (picked !== undefined) {
        return picked;
      }
    }
    return this.#exclusive(async () => {
      this.#assertInitialized();
      if (sessionId !== undefined) {
        const session = this.#sessionsById.get(sessionId);
        return session?.isUsable() ? session : undefined;
      }
      return this.#pickOrCreate();
    });
  }

  /**
   * Adds a session, given as one or as options for `createSessionFunction`. A full pool first drops
   * its unusable sessions.
   *
   * @throws InputError when a session with the same id is in the pool
   * @throws ConfigurationError when the pool is not initialised
   */
  async addSession(options: Session | SessionOptions = {}): Promise<void> {
    await this.#exclusive(async () => {
      this.#assertInitialized();
      this.#assertNewId(options.id);
      if (this.#sessions.length >= this.maxPoolSize) {
        this.#removeUnusable();
      }
      const session = isSession(options) ? options : await this.#create({ ...options });
      this.#add(session);
    });
  }

  /** The pool's state: counts and every session's state. */
  getState(): SessionPoolState {
    return {
      usableSessionsCount: this.usableSessionsCount,
      retiredSessionsCount: this.retiredSessionsCount,
      sessions: this.#sessions.map((session) => session.getState()),
    };
  }

  /** Saves the state under `persistStateKey`; does nothing with persistence off. */
  async persistState(): Promise<void> {
    if (!this.persistenceOptions.enable || !this.keyValueStore) {
      return;
    }
    await this.keyValueStore.setValue(this.persistStateKey, this.getState());
  }

  /** Deletes the saved state; the sessions in memory stay. */
  async resetStore(): Promise<void> {
    await this.keyValueStore?.setValue(this.persistStateKey, null);
  }

  /** Stops saving on `persistState` events and saves the state one last time. */
  async teardown(): Promise<void> {
    if (this.#persistListener) {
      this.config.getEventManager().off(EventType.PERSIST_STATE, this.#persistListener);
      this.#persistListener = undefined;
    }
    await this.persistState();
  }

  async #initialize(): Promise<void> {
    if (this.persistenceOptions.enable) {
      const storeName = this.persistStateKeyValueStoreId ?? null;
      this.keyValueStore = await KeyValueStore.open(storeName, { config: this.config });
      await this.#restore();
      this.#persistListener = () =>
        this.persistState().catch((error: unknown) => {
          this.emit(EVENT_PERSIST_STATE_FAILED, error);
        });
      this.config.getEventManager().on(EventType.PERSIST_STATE, this.#persistListener);
    }
    this.#initialized = true;
  }

  async #restore(): Promise<void> {
    const state = await this.keyValueStore!.getValue<Partial<SessionPoolState>>(
      this.persistStateKey,
    );
    const saved = Array.isArray(state?.sessions) ? state.sessions : [];
    for (const sessionState of saved.filter(isSessionState)) {
      const session = await this.#create(optionsFromState(sessionState));
      if (session.isUsable() && !this.#sessionsById.has(session.id)) {
        this.#add(session);
      }
    }
  }

  async #pickOrCreate(): Promise<Session> {
    const picked = this.#pickFromFullPool();
    if (picked !== undefined) {
      return picked;
    }
    if (this.#sessions.length >= this.maxPoolSize) {
      this.#removeUnusable();
    }
    return this.#createAndAdd();
  }

  /** A random session of a full pool when it is usable; `undefined` when the pool must change. */
  #pickFromFullPool(): Session | undefined {
    if (this.#sessions.length < this.maxPoolSize) {
      return undefined;
    }
    const picked = this.#sessions[Math.floor(Math.random() * this.#sessions.length)];
    return picked?.isUsable() ? picked : undefined;
  }

  async #createAndAdd(): Promise<Session> {
    const session = await this.#create({});
    this.#add(session);
    return session;
  }

  async #create(overrides: SessionOptions): Promise<Session> {
    const sessionOptions = { ...this.sessionOptions, ...overrides };
    const session = await this.createSessionFunction(this, { sessionOptions });
    if (!isSession(session)) {
      throw new ConfigurationError(
        `createSessionFunction must return a Session, got ${describeValue(session)}`,
        { option: 'createSessionFunction' },
      );
    }
    return session;
  }

  #add(session: Session): void {
    this.#assertNewId(session.id);
    this.#sessions.push(session);
    this.#sessionsById.set(session.id, session);
  }

  #removeUnusable(): void {
    this.#sessions = this.#sessions.filter((session) => session.isUsable());
    this.#sessionsById = new Map(this.#sessions.map((session) => [session.id, session]));
  }

  #assertNewId(id: string | undefined): void {
    if (id !== undefined && this.#sessionsById.has(id)) {
      throw new InputError(
        `Session id "${id}" is already in the pool; give the new session another id or omit it`,
      );
    }
  }

  #assertInitialized(): void {
    if (!this.#initialized) {
      throw new ConfigurationError(
        'SessionPool is not initialized; await pool.initialize() first, ' +
          'or create the pool with SessionPool.open()',
      );
    }
  }

  // Calls run one at a time, so two callers cannot both see room in the pool and overfill it.
  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    this.#exclusiveTasks += 1;
    const run = this.#queue.then(task).finally(() => {
      this.#exclusiveTasks -= 1;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
