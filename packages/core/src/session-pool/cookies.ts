/**
 * Conversions between tough-cookie's `Cookie` and the plain cookie objects browsers use, and the
 * expiry test a session applies with its own clock.
 */

import { Cookie } from 'tough-cookie';

/**
 * A cookie as Playwright and Puppeteer describe it. A `domain` with a leading dot also matches
 * subdomains; without one the cookie is host-only.
 */
export interface CookieObject {
  /** The cookie's name. */
  name: string;
  /** The cookie's value. */
  value: string;
  /** The URL the cookie belongs to, for browsers that take one instead of a domain. */
  url?: string;
  /** The host the cookie is sent to; a leading dot includes its subdomains. */
  domain?: string;
  /** The path prefix the cookie is sent for. @default '/' */
  path?: string;
  /**
   * When the cookie expires, in seconds since the Unix epoch (fractions allowed). `undefined`
   * or `-1` on input means "when the session expires"; on output, a cookie that never expires.
   */
  expires?: number;
  /** Hidden from page scripts. */
  httpOnly?: boolean;
  /** Sent over HTTPS only. */
  secure?: boolean;
  /** The SameSite policy. */
  sameSite?: 'Strict' | 'Lax' | 'None';
}

const TO_TOUGH_SAME_SITE = { Strict: 'strict', Lax: 'lax', None: 'none' } as const;
const FROM_TOUGH_SAME_SITE: Record<string, CookieObject['sameSite']> = {
  strict: 'Strict',
  lax: 'Lax',
  none: 'None',
};

/**
 * Turns a browser cookie into a tough-cookie one. A leading dot in `domain` makes a domain cookie
 * (the dot is dropped, as RFC 6265 ignores it); no dot makes a host-only one. A cookie without a
 * positive `expires` gets `defaultExpiresAt`.
 */
export function toToughCookie(cookie: CookieObject, defaultExpiresAt: Date): Cookie {
  const hasExpiry = typeof cookie.expires === 'number' && cookie.expires > 0;
  const isDomainCookie = cookie.domain?.startsWith('.') ?? false;

  return new Cookie({
    key: cookie.name,
    value: cookie.value,
    expires: hasExpiry ? new Date(cookie.expires! * 1000) : defaultExpiresAt,
    domain: isDomainCookie ? cookie.domain!.slice(1) : (cookie.domain ?? null),
    path: cookie.path ?? null,
    secure: cookie.secure ?? false,
    httpOnly: cookie.httpOnly ?? false,
    hostOnly: !isDomainCookie,
    sameSite: cookie.sameSite === undefined ? undefined : TO_TOUGH_SAME_SITE[cookie.sameSite],
  });
}

/**
 * Turns a tough-cookie cookie into a browser one: a domain cookie's domain gets its leading dot
 * back, and `expires` is in seconds, left out for a cookie that never expires.
 */
export function toCookieObject(cookie: Cookie): CookieObject {
  const expiresAtMillis = expiryTimeMillis(cookie);
  const result: CookieObject = {
    name: cookie.key,
    value: cookie.value,
    domain: cookie.domain && !cookie.hostOnly ? `.${cookie.domain}` : (cookie.domain ?? undefined),
    path: cookie.path ?? undefined,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
  };
  if (expiresAtMillis !== undefined && Number.isFinite(expiresAtMillis)) {
    result.expires = expiresAtMillis / 1000;
  }
  const sameSite =
    cookie.sameSite === undefined ? undefined : FROM_TOUGH_SAME_SITE[cookie.sameSite];
  if (sameSite !== undefined) {
    result.sameSite = sameSite;
  }
  return result;
}

/**
 * When the cookie expires, in milliseconds since the epoch; `undefined` for a cookie that lasts
 * as long as the session. `Max-Age` counts from when the cookie was stored: tough-cookie would
 * count it from the last read, which would keep a read cookie alive forever.
 */
export function expiryTimeMillis(cookie: Cookie): number | undefined {
  const storedAt = cookie.creation instanceof Date ? cookie.creation : undefined;
  return cookie.expiryTime(storedAt);
}

/** Whether the cookie is still valid at `nowMillis`. */
export function isCookieLive(cookie: Cookie, nowMillis: number): boolean {
  const expiresAt = expiryTimeMillis(cookie);
  return expiresAt === undefined || expiresAt > nowMillis;
}
