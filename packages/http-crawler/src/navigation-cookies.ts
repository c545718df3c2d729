/**
 * The cookies of one navigation: the session's jar (or, without one, a jar for this navigation
 * alone), the request's own `Cookie` header, and a record of what each hop sent, which tells a
 * redirect loop from a cookie handshake.
 */
import { Session } from '@trawl/core';

import type { CookieJarLike } from './http-client.js';

/** Read before each hop and written after each response by the HTTP client. */
export class NavigationCookies implements CookieJarLike {
  #store?: Session;
  readonly #requestCookies: Map<string, string>;
  readonly #requestHost: string;
  readonly #sent = new Map<string, string>();

  /**
   * @param session - The session whose jar keeps the cookies; without one, cookies live for this
   *   navigation only, so redirect hops still carry them.
   * @param requestUrl - The URL of the request, whose host the `Cookie` header belongs to.
   * @param cookieHeader - The request's own `Cookie` header, if any.
   */
  constructor(session: Session | undefined, requestUrl: string, cookieHeader?: string) {
    this.#store = session;
    this.#requestCookies = parseCookieHeader(cookieHeader ?? '');
    // Only the request's own cookies need its host; most requests have none, and parsing the
    // URL for nothing is a noticeable part of a navigation's cost.
    this.#requestHost = this.#requestCookies.size === 0 ? '' : hostOf(requestUrl);
  }

  /** The `Cookie` header for `url`: the request's cookies, overridden by the jar's. */
  getCookieString(url: string): string {
    const cookies = this.#currentCookies(url);
    this.#sent.set(url, cookies);
    return cookies;
  }

  /** Stores a `Set-Cookie` value; one that does not parse or belong to `url` is skipped. */
  setCookie(rawCookie: string, url: string): void {
    this.#store ??= new Session();
    this.#store.setCookiesFromResponse({ headers: { 'set-cookie': [rawCookie] }, url });
  }

  /**
   * Whether requesting `url` now would repeat an earlier hop of this navigation exactly: the
   * same URL with the same cookies. A repeat with new cookies is a handshake, not a loop.
   */
  isRepeat(url: string): boolean {
    const sent = this.#sent.get(url);
    return sent !== undefined && sent === this.#currentCookies(url);
  }

  #currentCookies(url: string): string {
    const fromJar = this.#store?.getCookieString(url) ?? '';
    if (this.#requestCookies.size === 0 || hostOf(url) !== this.#requestHost) {
      return fromJar;
    }
    const merged = new Map(this.#requestCookies);
    for (const [name, value] of parseCookieHeader(fromJar)) {
      merged.set(name, value);
    }
    return [...merged].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function parseCookieHeader(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === '') {
    return cookies;
  }
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    const name = (index === -1 ? '' : part.slice(0, index)).trim();
    if (name !== '') {
      cookies.set(name, part.slice(index + 1).trim());
    }
  }
  return cookies;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
