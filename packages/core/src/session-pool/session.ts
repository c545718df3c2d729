/**
 * One session: an identity reused across requests, with its own cookie jar, a usage count and an
 * error score that decide when it stops being handed out.
 */

import { Cookie, cookieCompare, MemoryCookieStore, type CookieJar, type Store } from 'tough-cookie';

import type { Dictionary } from '../utils/types.js';
import { BLOCKED_STATUS_CODES, EVENT_SESSION_RETIRED, SESSION_DEFAULTS } from './consts.js';
import { isCookieLive, toCookieObject, toToughCookie, type CookieObject } from './cookies.js';
import { CookieParseError } from './errors.js';
import {
  createSessionId,
  toCookieJar,
  validateSessionOptions,
  type ResponseWithCookies,
  type SessionOptions,
  type SessionState,
} from './session-options.js';
import type { SessionPool } from './session-pool.js';

export type { ResponseWithCookies, SessionOptions, SessionState } from './session-options.js';

/**
 * A set of cookies and a reputation reused across requests. Each use is reported with
 * {@link Session.markGood} or {@link Session.markBad}; a session that reaches its error score, its
 * usage count or its age is retired and the pool hands it out no more.
 *
 * Limitation: the cookie jar must use a synchronous store (the default one does), because the
 * cookie methods and {@link Session.getState} are synchronous.
 *
 * @example
 * const session = new Session({ maxUsageCount: 10 });
 * session.setCookie('lang=en; Path=/', 'https://example.com');
 * session.getCookieString('https://example.com/page'); // 'lang=en'
 */
export class Session {
  /** The session's id. */
  readonly id: string;
  /** The pool the session belongs to, if any. */
  readonly sessionPool?: SessionPool;
  /** Seconds from creation until expiry. */
  readonly maxAgeSecs: number;
  /** Uses after which the session is retired. */
  readonly maxUsageCount: number;
  /** Error score at which the session counts as blocked. */
  readonly maxErrorScore: number;
  /** How much a good use lowers the error score. */
  readonly errorScoreDecrement: number;
  /** When the session was created. */
  readonly createdAt: Date;
  /** When the session expires. */
  readonly expiresAt: Date;
  /** The user's own data. */
  readonly userData: Dictionary;
  /** The session's cookies. */
  readonly cookieJar: CookieJar;
  #usageCount: number;
  #errorScore: number;
  #ignoredCookiesCount = 0;
  #retirementReported = false;
  #now: () => number;

  /** @throws ConfigurationError on an unknown option or an invalid number */
  constructor(options: SessionOptions = {}) {
    validateSessionOptions(options);
    const d = SESSION_DEFAULTS;
    this.#now = options.now ?? Date.now;
    this.id = options.id ?? createSessionId();
    this.sessionPool = options.sessionPool;
    this.maxAgeSecs = options.maxAgeSecs ?? d.maxAgeSecs;
    this.maxUsageCount = options.maxUsageCount ?? d.maxUsageCount;
    this.maxErrorScore = options.maxErrorScore ?? d.maxErrorScore;
    this.errorScoreDecrement = options.errorScoreDecrement ?? d.errorScoreDecrement;
    this.userData = options.userData ?? {};
    this.cookieJar = toCookieJar(options.cookieJar);
    this.#usageCount = options.usageCount ?? 0;
    this.#errorScore = options.errorScore ?? 0;
    const now = this.#now();
    this.createdAt = options.createdAt ? new Date(options.createdAt) : new Date(now);
    this.expiresAt = options.expiresAt
      ? new Date(options.expiresAt)
      : new Date(now + this.maxAgeSecs * 1000);
  }

  /** Uses so far, each good, bad or retiring use counting one. */
  get usageCount(): number {
    return this.#usageCount;
  }

  /** The error score: +1 per bad use, −`errorScoreDecrement` per good one. */
  get errorScore(): number {
    return this.#errorScore;
  }

  /** Cookies from responses or {@link Session.setCookies} skipped as invalid (trawl addition). */
  get ignoredCookiesCount(): number {
    return this.#ignoredCookiesCount;
  }

  /** Whether the error score has reached `maxErrorScore`. */
  isBlocked(): boolean {
    return this.#errorScore >= this.maxErrorScore;
  }

  /** Whether `expiresAt` has passed. */
  isExpired(): boolean {
    return this.expiresAt.getTime() <= this.#now();
  }

  /** Whether the session has been used `maxUsageCount` times. */
  isMaxUsageCountReached(): boolean {
    return this.#usageCount >= this.maxUsageCount;
  }

  /** Whether the session may be used: not blocked, not expired, under its usage limit. */
  isUsable(): boolean {
    return !this.isBlocked() && !this.isExpired() && !this.isMaxUsageCountReached();
  }

  /** Records a successful use: one more use, a lower error score; retires it if now unusable. */
  markGood(): void {
    this.#usageCount += 1;
    if (this.#errorScore > 0) {
      this.#errorScore -= this.errorScoreDecrement;
    }
    this.#retireIfUnusable();
  }

  /** Records a failed use: one more use, error score +1; retires it if now unusable. */
  markBad(): void {
    this.#errorScore += 1;
    this.#usageCount += 1;
    this.#retireIfUnusable();
  }

  /**
   * Makes the session unusable: the error score rises by `maxErrorScore` and the use counts.
   * The first retirement emits `sessionRetired` with this session on its pool.
   */
  retire(): void {
    this.#errorScore += this.maxErrorScore;
    this.#usageCount += 1;
    if (this.#retirementReported) {
      return;
    }
    this.#retirementReported = true;
    this.sessionPool?.emit(EVENT_SESSION_RETIRED, this);
  }

  /**
   * Retires the session when `statusCode` is one of the pool's `blockedStatusCodes` (401, 403,
   * 429 without a pool) or of `additionalBlockedStatusCodes`.
   *
   * @returns whether the session was retired
   */
  retireOnBlockedStatusCodes(
    statusCode: number,
    additionalBlockedStatusCodes: readonly number[] = [],
  ): boolean {
    const blocked = this.sessionPool?.blockedStatusCodes ?? BLOCKED_STATUS_CODES;
    const isBlocked =
      blocked.includes(statusCode) || additionalBlockedStatusCodes.includes(statusCode);
    if (isBlocked) {
      this.retire();
    }
    return isBlocked;
  }

  /** The session as plain JSON, cookies included; a new session built from it is the same. */
  getState(): SessionState {
    return {
      id: this.id,
      cookieJar: this.cookieJar.serializeSync()!,
      userData: this.userData,
      errorScore: this.#errorScore,
      maxErrorScore: this.maxErrorScore,
      errorScoreDecrement: this.errorScoreDecrement,
      usageCount: this.#usageCount,
      maxUsageCount: this.maxUsageCount,
      expiresAt: this.expiresAt.toISOString(),
      createdAt: this.createdAt.toISOString(),
    };
  }

  /**
   * Stores the cookies of a response's `Set-Cookie` headers for the response's URL. A cookie that
   * does not parse or does not belong to that URL is skipped and counted in `ignoredCookiesCount`.
   */
  setCookiesFromResponse(response: ResponseWithCookies): void {
    const headers = typeof response.headers === 'function' ? response.headers() : response.headers;
    const url = typeof response.url === 'function' ? response.url() : response.url;

    for (const rawCookie of setCookieLines(headers['set-cookie'])) {
      const cookie = Cookie.parse(rawCookie);
      if (cookie === undefined) {
        this.#ignoredCookiesCount += 1;
        continue;
      }
      this.#tryStore(cookie, url);
    }
  }

  /**
   * Stores browser-style cookies for `url`. A cookie without `expires` lives as long as the
   * session; one that does not belong to `url` is skipped and counted in `ignoredCookiesCount`.
   */
  setCookies(cookies: readonly CookieObject[], url: string): void {
    const sessionExpiry = new Date(this.#now() + this.maxAgeSecs * 1000);
    for (const cookie of cookies) {
      this.#tryStore(toToughCookie(cookie, sessionExpiry), url);
    }
  }

  /** The unexpired cookies that would be sent to `url`, browser-style. */
  getCookies(url: string): CookieObject[] {
    return this.#liveCookies(url).map(toCookieObject);
  }

  /** The `Cookie` header value for `url`: its unexpired cookies as `name=value; ...`. */
  getCookieString(url: string): string {
    const cookies = this.#liveCookies(url).sort(cookieCompare);
    return cookies.map((cookie) => cookie.cookieString()).join('; ');
  }

  /**
   * Stores one cookie given as a `Set-Cookie` value for `url`.
   *
   * @throws CookieParseError when the cookie does not parse or does not belong to `url`
   */
  setCookie(rawCookie: string, url: string): void {
    const cookie = Cookie.parse(rawCookie);
    if (cookie === undefined) {
      throw new CookieParseError(rawCookie, url, 'not a valid Set-Cookie value');
    }
    try {
      this.cookieJar.setCookieSync(cookie, url, { now: new Date(this.#now()) });
    } catch (error) {
      throw new CookieParseError(rawCookie, url, reasonOf(error), { cause: error });
    }
  }

  #tryStore(cookie: Cookie, url: string): void {
    try {
      this.cookieJar.setCookieSync(cookie, url, { now: new Date(this.#now()) });
    } catch {
      this.#ignoredCookiesCount += 1;
    }
  }

  // Expiry is checked here with the session's clock rather than by tough-cookie's real one, so
  // the session and its cookies age on the same time line.
  #liveCookies(url: string): Cookie[] {
    if (isEmptyMemoryStore(this.cookieJar.store)) {
      return [];
    }
    const now = this.#now();
    const cookies = this.cookieJar.getCookiesSync(url, { expire: false });
    return cookies.filter((cookie) => isCookieLive(cookie, now));
  }

  #retireIfUnusable(): void {
    if (!this.isUsable()) {
      this.retire();
    }
  }
}

// Playwright joins several Set-Cookie headers with newlines; got and Node give an array.
function setCookieLines(header: unknown): string[] {
  const values = Array.isArray(header) ? header : [header];
  return values
    .filter((value): value is string => typeof value === 'string')
    .flatMap((value) => value.split('\n'))
    .filter((line) => line.trim() !== '');
}

function reasonOf(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
  return message.charAt(0).toLowerCase() + message.slice(1);
}

// Most sessions of most crawls never receive a cookie; looking one up in an empty jar still
// costs a URL parse and a walk over the domain's permutations, on every request.
function isEmptyMemoryStore(store: Store): boolean {
  if (!(store instanceof MemoryCookieStore)) {
    return false;
  }
  for (const _domain in store.idx) {
    return false;
  }
  return true;
}
