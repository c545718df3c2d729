/**
 * The options of a `SessionPool`, its saved state and its events, and how options and a saved
 * state are checked.
 */

import type { Configuration } from '../configuration.js';
import { ConfigurationError } from '../errors.js';
import type { Log } from '../log.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';
import type { Session } from './session.js';
import {
  validateSessionOptions,
  type SessionOptions,
  type SessionState,
} from './session-options.js';
import type { SessionPool } from './session-pool.js';
import { assertFunctionOption, assertNumberOption } from './validate.js';

/**
 * Builds a session for the pool. `sessionOptions` holds the pool's `sessionOptions`, merged with
 * the options given to `addSession` or with a restored session's state.
 */
export type CreateSession = (
  sessionPool: SessionPool,
  options?: { sessionOptions?: SessionOptions },
) => Session | Promise<Session>;

/** How the pool saves its state. */
export interface PersistenceOptions {
  /**
   * Save the state on every `persistState` event and on teardown, and restore it on start.
   * @default true
   */
  enable?: boolean;
}

/** Options of {@link SessionPool}; names and defaults are Crawlee's. */
export interface SessionPoolOptions {
  /**
   * Most sessions the pool holds; until it holds this many, every request gets a new one.
   * @default 1000
   */
  maxPoolSize?: number;
  /** Options of every session the pool creates. @default {} */
  sessionOptions?: SessionOptions;
  /** Name of the key-value store for the state. @default the default key-value store */
  persistStateKeyValueStoreId?: string;
  /** Key of the state record. @default 'SDK_SESSION_POOL_STATE' */
  persistStateKey?: string;
  /** Builds new sessions. @default `new Session({ ...sessionOptions, sessionPool })` */
  createSessionFunction?: CreateSession;
  /**
   * Status codes that retire a session; an empty list turns the check off.
   * @default [401, 403, 429]
   */
  blockedStatusCodes?: number[];
  /** Whether and how the state is saved. @default { enable: true } */
  persistenceOptions?: PersistenceOptions;
  /** Accepted for Crawlee compatibility; the pool writes no log lines, it emits events. */
  log?: Log;
  /** The configuration whose storage and events the pool uses. @default the global one */
  config?: Configuration;
}

/** The pool's state as saved: every session's state, retired ones included. */
export interface SessionPoolState {
  /** Sessions that could still be handed out when the state was taken. */
  usableSessionsCount: number;
  /** Sessions retired or expired but not yet dropped. */
  retiredSessionsCount: number;
  /** Every session's state; only the usable ones are restored. */
  sessions: SessionState[];
}

/** Events of a {@link SessionPool} and their arguments. */
export type SessionPoolEvents = {
  /** A session was retired (emitted once per session). */
  sessionRetired: [session: Session];
  /** Saving the state on a `persistState` event failed; the next event tries again. */
  persistStateFailed: [error: unknown];
};

const POOL_OPTIONS: ReadonlySet<string> = new Set([
  'maxPoolSize',
  'sessionOptions',
  'persistStateKeyValueStoreId',
  'persistStateKey',
  'createSessionFunction',
  'blockedStatusCodes',
  'persistenceOptions',
  'log',
  'config',
]);

const PERSISTENCE_OPTIONS: ReadonlySet<string> = new Set(['enable']);

/**
 * Checks the options of a session pool, its `sessionOptions` included.
 *
 * @throws ConfigurationError on an unknown option or an invalid value
 */
export function validatePoolOptions(options: SessionPoolOptions): void {
  assertKnownOptions(options, POOL_OPTIONS, 'SessionPool');
  assertNumberOption('SessionPool', 'maxPoolSize', options.maxPoolSize, { min: 1, integer: true });
  assertFunctionOption('SessionPool', 'createSessionFunction', options.createSessionFunction);
  assertKnownOptions(options.persistenceOptions ?? {}, PERSISTENCE_OPTIONS, 'persistenceOptions');
  validateSessionOptions(options.sessionOptions ?? {});
  const codes = options.blockedStatusCodes;
  if (codes !== undefined && !(Array.isArray(codes) && codes.every(Number.isInteger))) {
    throw new ConfigurationError(
      'SessionPool option blockedStatusCodes must be an array of status codes, ' +
        `got ${describeValue(codes)}`,
      { option: 'blockedStatusCodes' },
    );
  }
}

/**
 * Whether a saved entry looks like a session's state. A hand-edited or foreign state record may
 * hold anything; entries without an id are skipped.
 */
export function isSessionState(value: unknown): value is SessionState {
  return (
    typeof value === 'object' && value !== null && typeof (value as SessionState).id === 'string'
  );
}

/** Session options from a saved state: only the fields a session saves, dates as Dates again. */
export function optionsFromState(state: SessionState): SessionOptions {
  return {
    id: state.id,
    cookieJar: state.cookieJar,
    userData: state.userData,
    errorScore: state.errorScore,
    maxErrorScore: state.maxErrorScore,
    errorScoreDecrement: state.errorScoreDecrement,
    usageCount: state.usageCount,
    maxUsageCount: state.maxUsageCount,
    createdAt: new Date(state.createdAt),
    expiresAt: new Date(state.expiresAt),
  };
}
