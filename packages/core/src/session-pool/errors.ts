/** Errors of the session pool. */

import { InputError, type TrawlErrorOptions } from '../errors.js';

/**
 * A cookie given to {@link Session.setCookie} could not be stored: it does not parse, or its
 * domain does not match the URL. The session is unchanged. Cookies read from a response are never
 * rejected this way: a bad one is skipped and counted in `session.ignoredCookiesCount`.
 */
export class CookieParseError extends InputError {
  /** The URL the cookie was set for. */
  readonly url: string;
  /** The cookie's name, when it has one; its value is never kept, as it may be a secret. */
  readonly cookieName?: string;

  constructor(rawCookie: string, url: string, reason: string, options: TrawlErrorOptions = {}) {
    const cookieName = nameOfRawCookie(rawCookie);
    const subject = cookieName === undefined ? 'A cookie' : `Cookie "${cookieName}"`;
    super(`${subject} could not be set for ${url} (${reason}); fix the cookie or the URL`, {
      ...options,
      code: 'TRAWL_COOKIE_PARSE',
    });
    this.url = url;
    this.cookieName = cookieName;
  }
}

function nameOfRawCookie(rawCookie: string): string | undefined {
  const separator = rawCookie.indexOf('=');
  const name = separator === -1 ? '' : rawCookie.slice(0, separator).trim();
  return name === '' ? undefined : name;
}
