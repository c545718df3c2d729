/**
 * The options of a `Session`, its saved state, and how option values are checked and
 * turned into the session's fields.
 */

import { randomInt } from 'node:crypto';

import { CookieJar, type SerializedCookieJar } from 'tough-cookie';

import type { Log } from '../log.js';
import { assertKnownOptions } from '../utils/options.js';
import type { Dictionary } from '../utils/types.js';
import type { Session } from './session.js';
import type { SessionPool } from './session-pool.js';
import { assertFunctionOption, assertNumberOption } from './validate.js';

/** Options of a session; names and defaults are Crawlee's, `now` is trawl's. */
export interface SessionOptions {
  /**
   * The session's id; also the proxy session id.
   * @default `session_` and 10 random letters or digits
   */
  id?: string;
  /** The pool the session belongs to: its `blockedStatusCodes` apply, it hears retirements. */
  sessionPool?: SessionPool;
  /** Seconds from creation until the session expires. @default 3000 */
  maxAgeSecs?: number;
  /** Uses after which the session is retired. @default 50 */
  maxUsageCount?: number;
  /** Error score at which the session counts as blocked. @default 3 */
  maxErrorScore?: number;
  /** How much `Session.markGood()` lowers the error score. @default 0.5 */
  errorScoreDecrement?: number;
  /** The user's own data, kept in the persisted state. @default {} */
  userData?: Dictionary;
  /** The cookie jar, or a serialised one (as in {@link SessionState}). @default an empty jar */
  cookieJar?: CookieJar | SerializedCookieJar;
  /** When the session was created (a Date or an ISO string). @default now */
  createdAt?: Date | string;
  /** When the session expires (a Date or an ISO string). @default now + `maxAgeSecs` */
  expiresAt?: Date | string;
  /** Uses so far. @default 0 */
  usageCount?: number;
  /** Error score so far. @default 0 */
  errorScore?: number;
  /** Accepted for Crawlee compatibility; a session never writes log lines. */
  log?: Log;
  /** The clock, in milliseconds since the epoch; replace it in tests. @default Date.now */
  now?: () => number;
}

/** A session's state as `Session.getState()` returns it: plain JSON, dates as ISO strings. */
export interface SessionState {
  /** The session's id. */
  id: string;
  /** The cookie jar, serialised by tough-cookie. */
  cookieJar: SerializedCookieJar;
  /** The user's own data. */
  userData: Dictionary;
  /** Error score so far. */
  errorScore: number;
  /** Error score at which the session counts as blocked. */
  maxErrorScore: number;
  /** How much a good use lowers the error score. */
  errorScoreDecrement: number;
  /** Uses so far. */
  usageCount: number;
  /** Uses after which the session is retired. */
  maxUsageCount: number;
  /** When the session expires, as an ISO 8601 string. */
  expiresAt: string;
  /** When the session was created, as an ISO 8601 string. */
  createdAt: string;
}

/**
 * What `Session.setCookiesFromResponse()` reads: `headers['set-cookie']` (a string, lines of
 * strings, or an array) and `url`. got's, Node's and Playwright's responses all fit.
 */
export interface ResponseWithCookies {
  /** The response headers, or a function returning them. */
  headers: Record<string, unknown> | (() => Record<string, unknown>);
  /** The URL the response came from, or a function returning it. */
  url: string | (() => string);
}

const SESSION_OPTIONS: ReadonlySet<string> = new Set([
  'id',
  'sessionPool',
  'maxAgeSecs',
  'maxUsageCount',
  'maxErrorScore',
  'errorScoreDecrement',
  'userData',
  'cookieJar',
  'createdAt',
  'expiresAt',
  'usageCount',
  'errorScore',
  'log',
  'now',
]);

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Checks session options the way the `Session` constructor does, so a pool can reject bad
 * `sessionOptions` before it creates any session.
 *
 * @throws ConfigurationError on an unknown option or an invalid number
 */
export function validateSessionOptions(options: SessionOptions): void {
  assertKnownOptions(options, SESSION_OPTIONS, 'Session');
  assertNumberOption('Session', 'maxAgeSecs', options.maxAgeSecs, { min: 0 });
  assertNumberOption('Session', 'maxUsageCount', options.maxUsageCount, { min: 1 });
  assertNumberOption('Session', 'maxErrorScore', options.maxErrorScore, { min: 0 });
  assertNumberOption('Session', 'errorScoreDecrement', options.errorScoreDecrement, { min: 0 });
  assertNumberOption('Session', 'usageCount', options.usageCount, { min: 0 });
  assertNumberOption('Session', 'errorScore', options.errorScore, { min: -Infinity });
  assertFunctionOption('Session', 'now', options.now);
}

/** A new random session id: `session_` and 10 letters or digits. */
export function createSessionId(): string {
  let suffix = '';
  for (let i = 0; i < 10; i++) {
    suffix += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  }
  return `session_${suffix}`;
}

/**
 * The session's cookie jar from its `cookieJar` option: a new empty jar, the jar given, or one
 * rebuilt from a serialised jar. A jar from another copy of tough-cookie fails `instanceof`, so
 * jars are recognised by shape.
 */
export function toCookieJar(jar: SessionOptions['cookieJar']): CookieJar {
  if (jar === undefined) {
    return new CookieJar();
  }
  if (typeof (jar as CookieJar).setCookieSync === 'function') {
    return jar as CookieJar;
  }
  return CookieJar.deserializeSync(jar as SerializedCookieJar);
}

/**
 * Whether `value` is a session. Sessions from another installed copy of trawl fail `instanceof`,
 * so they are recognised by shape.
 */
export function isSession(value: unknown): value is Session {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Session).isUsable === 'function' &&
    typeof (value as Session).getState === 'function'
  );
}
