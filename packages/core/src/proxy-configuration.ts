/**
 * Proxy selection for crawlers: a fixed list rotated round-robin, a user function, or tiers of
 * lists that a crawler climbs for hostnames that keep blocking it.
 */

import { ConfigurationError } from './errors.js';
import { ProxyHealth, type ProxyHealthOptions, type ProxyOutcome } from './proxy-health.js';
import type { Request } from './request.js';
import { assertKnownOptions, describeValue } from './utils/options.js';

/** Schemes a proxy URL may use. */
const PROXY_SCHEMES: ReadonlySet<string> = new Set([
  'http:',
  'https:',
  'socks:',
  'socks4:',
  'socks4a:',
  'socks5:',
  'socks5h:',
]);

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'proxyUrls',
  'newUrlFunction',
  'tieredProxyUrls',
  'maxSessions',
  'proxyHealth',
]);

/** Default bound of {@link ProxyConfigurationOptions.maxSessions}. */
const DEFAULT_MAX_SESSIONS = 10_000;

/** How many requests are remembered to notice that one comes back; oldest are forgotten. */
const MAX_TRACKED_REQUESTS = 10_000;

/** Calls without a block signal after which a hostname steps down one tier. */
const QUIET_CALLS_PER_STEP_DOWN = 10;

/** What a {@link ProxyConfigurationOptions.newUrlFunction} receives besides the session id. */
export interface NewUrlFunctionOptions {
  /** The request the proxy is for, when the caller gave one. */
  request?: Request;
}

/**
 * Builds a proxy URL for a session; return `null` (or `undefined`) to connect without a proxy.
 * May be async. The result is validated like the URLs of
 * {@link ProxyConfigurationOptions.proxyUrls}.
 */
export type ProxyUrlFunction = (
  sessionId: string | undefined,
  options: NewUrlFunctionOptions,
) => string | null | undefined | Promise<string | null | undefined>;

/** Options of {@link ProxyConfiguration}; give at most one of the three proxy sources. */
export interface ProxyConfigurationOptions {
  /**
   * Proxy URLs rotated round-robin; a `null` entry means "connect without a proxy". Each URL
   * uses the `http`, `https` or `socks` scheme, e.g. `http://user:pass@proxy.example:8000`.
   */
  proxyUrls?: (string | null)[];

  /** Builds each proxy URL instead of a fixed list, e.g. to put the session id in it. */
  newUrlFunction?: ProxyUrlFunction;

  /**
   * Lists of proxy URLs from cheapest (tier 0) to strongest (the last tier). Each hostname starts
   * on tier 0, climbs one tier whenever one of its requests comes back for another attempt, and
   * steps down one tier after a run of calls with no request coming back.
   */
  tieredProxyUrls?: (string | null)[][];

  /**
   * Most sessions whose proxy URL is remembered; the least recently used session is forgotten
   * first and gets the next URL in turn when it comes back. Crawlee remembers every session
   * without a bound; trawl bounds the memory.
   *
   * @default 10000
   */
  maxSessions?: number;

  /**
   * trawl: when a proxy counts as unhealthy for a hostname. A proxy whose requests to a host are
   * blocked (or fail to connect) `failuresToBench` times in a row is not chosen for that host
   * for `benchMillis`, doubling on each further failure up to `maxBenchMillis`; then it is tried
   * again. Crawlee has no proxy health.
   *
   * @default { failuresToBench: 2, benchMillis: 30000, maxBenchMillis: 600000 }
   */
  proxyHealth?: ProxyHealthOptions;
}

/** Options of {@link ProxyConfiguration.newUrl} and {@link ProxyConfiguration.newProxyInfo}. */
export interface NewProxyUrlOptions {
  /** The request the proxy is for; with tiered proxies its hostname picks the tier. */
  request?: Request;

  /** Tier to use with tiered proxies, overriding the hostname's tier; 0 is the first list. */
  proxyTier?: number;
}

/**
 * A proxy picked for a session. It is plain data; `JSON.stringify` writes it with the password
 * replaced by `***`, so it can be logged, while the `password` and `url` fields stay usable.
 */
export interface ProxyInfo {
  /** The session the proxy was picked for, as a string. */
  sessionId?: string;

  /** The full proxy URL, credentials included. */
  url: string;

  /** Proxy host name or IP address. */
  hostname: string;

  /** Proxy port, as a string; the scheme's default when the URL names none. */
  port: string;

  /** User name, URI-decoded; empty when the URL has none. */
  username: string;

  /** Password, URI-decoded; empty when the URL has none. */
  password: string;

  /** With tiered proxies, the tier the URL came from. */
  proxyTier?: number;
}

/**
 * Hides the password of a URL, so it can be shown in a message or a log line:
 * `http://user:pass@proxy.example:8000` becomes `http://user:***@proxy.example:8000`. Works on
 * strings that do not parse as URLs too, hiding everything between the first `:` of the user
 * part and the last `@`.
 *
 * @param url - A URL, valid or not.
 * @returns The same text with any password replaced by `***`.
 */
export function toSafeString(url: string): string {
  const schemeEnd = url.indexOf('://');
  const start = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const at = url.lastIndexOf('@');
  if (at < start) {
    return url;
  }

  const userInfo = url.slice(start, at);
  const colon = userInfo.indexOf(':');
  if (colon === -1) {
    return url;
  }
  return `${url.slice(0, start)}${userInfo.slice(0, colon)}:***${url.slice(at)}`;
}

/**
 * Picks the proxy each session or request connects through, the way Crawlee 3 does: from a
 * round-robin list, from your own function, or from tiers of lists escalated per hostname.
 * Crawlers call {@link ProxyConfiguration.newProxyInfo} with the session id, so a session keeps
 * its proxy and retiring a session moves to another proxy.
 *
 * @example
 * const proxyConfiguration = new ProxyConfiguration({
 *   proxyUrls: ['http://user:pass@proxy-1.example:8000', 'http://proxy-2.example:8000'],
 * });
 * await proxyConfiguration.newUrl('session-a'); // 'http://user:pass@proxy-1.example:8000'
 * await proxyConfiguration.newUrl('session-b'); // 'http://proxy-2.example:8000'
 * await proxyConfiguration.newUrl('session-a'); // the same URL as the first call
 */
export class ProxyConfiguration {
  #proxyUrls?: (string | null)[];
  #newUrlFunction?: ProxyUrlFunction;
  #tiers?: (string | null)[][];
  #maxSessions: number;

  /** Next index into each tier's list (a plain list is tier 0). */
  #nextIndexByTier: number[] = [];

  /** Proxy URL given to each session, least recently used first. */
  #urlBySession = new Map<string, string | null>();

  #tierByHostname = new Map<string, HostnameTier>();

  #health: ProxyHealth;

  /** Unique keys of the requests seen, least recently seen first. */
  #seenRequests = new Set<string>();

  /**
   * @param options - At most one of `proxyUrls`, `newUrlFunction` and `tieredProxyUrls`; with
   *   none, every call answers "no proxy".
   * @throws ConfigurationError for an unknown option, a combination of proxy sources, an empty
   *   list, or a URL that is not an http, https or socks URL (its password hidden).
   */
  constructor(options: ProxyConfigurationOptions = {}) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'ProxyConfiguration');
    const { proxyUrls, newUrlFunction, tieredProxyUrls, maxSessions } = options;

    const given = [proxyUrls, newUrlFunction, tieredProxyUrls].filter((v) => v !== undefined);
    if (given.length > 1) {
      throw new ConfigurationError(
        'ProxyConfiguration takes only one of proxyUrls, newUrlFunction and tieredProxyUrls; ' +
          'remove the others',
      );
    }

    this.#proxyUrls = proxyUrls === undefined ? undefined : validateList(proxyUrls, 'proxyUrls');
    this.#newUrlFunction = validateFunction(newUrlFunction);
    this.#tiers = tieredProxyUrls === undefined ? undefined : validateTiers(tieredProxyUrls);
    this.#maxSessions = validateMaxSessions(maxSessions);
    this.#health = new ProxyHealth(options.proxyHealth);
  }

  /**
   * trawl: tells how a request through a proxy went, so a proxy that keeps getting blocked by a
   * host stops being chosen for it for a while (see {@link ProxyConfigurationOptions.proxyHealth}).
   * Crawlers report every attempt themselves.
   *
   * @param proxyUrl - The proxy URL the request went through, as picked.
   * @param hostname - The hostname of the request.
   * @param outcome - `'blocked'` for a blocked status or challenge page, `'error'` for a failed
   *   proxy connection, `'success'` otherwise.
   */
  reportOutcome(proxyUrl: string, hostname: string, outcome: ProxyOutcome): void {
    this.#health.record(proxyUrl, hostname, outcome);
  }

  /**
   * Picks a proxy URL. With a session id, the URL first given to that session is given to it
   * again; with tiered proxies, the session keeps one URL per tier.
   *
   * @param sessionId - The session the proxy is for; numbers are turned into strings.
   * @param options - The request the proxy is for, or a tier to use.
   * @returns The proxy URL, or `undefined` to connect without a proxy.
   * @throws ConfigurationError when `newUrlFunction` returns an invalid URL, or `proxyTier` is
   *   not a tier of `tieredProxyUrls`.
   */
  async newUrl(
    sessionId?: string | number,
    options: NewProxyUrlOptions = {},
  ): Promise<string | undefined> {
    const picked = await this.#pick(sessionIdToString(sessionId), options);
    return picked.url ?? undefined;
  }

  /**
   * Picks a proxy like {@link ProxyConfiguration.newUrl} and splits its URL into parts.
   *
   * @param sessionId - The session the proxy is for; numbers are turned into strings.
   * @param options - The request the proxy is for, or a tier to use.
   * @returns The proxy's parts, or `undefined` to connect without a proxy.
   * @throws ConfigurationError as {@link ProxyConfiguration.newUrl} does.
   */
  async newProxyInfo(
    sessionId?: string | number,
    options: NewProxyUrlOptions = {},
  ): Promise<ProxyInfo | undefined> {
    const id = sessionIdToString(sessionId);
    const { url, tier } = await this.#pick(id, options);
    if (url === null) {
      return undefined;
    }

    const parsed = new URL(url);
    const info: ProxyInfo = {
      sessionId: id,
      url,
      hostname: parsed.hostname,
      port: parsed.port === '' ? defaultPort(parsed.protocol) : parsed.port,
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    };
    if (tier !== undefined) {
      info.proxyTier = tier;
    }
    Object.defineProperty(info, 'toJSON', { value: () => redact(info), enumerable: false });
    return info;
  }

  async #pick(
    sessionId: string | undefined,
    options: NewProxyUrlOptions,
  ): Promise<{ url: string | null; tier?: number }> {
    if (this.#newUrlFunction !== undefined) {
      const result = await this.#newUrlFunction(sessionId, { request: options.request });
      return {
        url: result === null || result === undefined ? null : validateUrl(result, 'newUrlFunction'),
      };
    }
    const hostname = options.request === undefined ? undefined : hostnameOf(options.request.url);
    if (this.#tiers !== undefined) {
      const tier = this.#tierFor(options);
      return { url: this.#sticky(sessionId, tier, this.#tiers[tier], hostname), tier };
    }
    if (this.#proxyUrls !== undefined) {
      return { url: this.#sticky(sessionId, 0, this.#proxyUrls, hostname) };
    }
    return { url: null };
  }

  /**
   * Gives a session the URL it had on this tier, or the next one in turn; a session whose proxy
   * is benched for the hostname moves to another one.
   */
  #sticky(
    sessionId: string | undefined,
    tier: number,
    urls: (string | null)[],
    hostname: string | undefined,
  ): string | null {
    if (sessionId === undefined) {
      return this.#nextInTurn(tier, urls, hostname);
    }

    // Tier 0 uses the bare id, so a plain list and tier 0 key sessions alike.
    const key = tier === 0 ? sessionId : `${tier}\u0000${sessionId}`;
    const known = this.#urlBySession.get(key);
    if (known !== undefined && this.#benchedUntil(known, hostname) === 0) {
      // Re-inserting moves the session to the most recently used end.
      this.#urlBySession.delete(key);
      this.#urlBySession.set(key, known);
      return known;
    }

    const url = this.#nextInTurn(tier, urls, hostname);
    this.#urlBySession.delete(key);
    this.#urlBySession.set(key, url);
    evictOldest(this.#urlBySession, this.#maxSessions);
    return url;
  }

  /** The next URL in turn that is not benched for the hostname; if all are, the first back. */
  #nextInTurn(tier: number, urls: (string | null)[], hostname: string | undefined): string | null {
    let soonest: { url: string | null; until: number } | undefined;
    for (let tries = 0; tries < urls.length; tries += 1) {
      const index = this.#nextIndexByTier[tier] ?? 0;
      this.#nextIndexByTier[tier] = (index + 1) % urls.length;
      const url = urls[index];
      const until = this.#benchedUntil(url, hostname);
      if (until === 0) {
        return url;
      }
      if (soonest === undefined || until < soonest.until) {
        soonest = { url, until };
      }
    }
    return soonest!.url;
  }

  #benchedUntil(url: string | null, hostname: string | undefined): number {
    return url === null || hostname === undefined ? 0 : this.#health.benchedUntil(url, hostname);
  }

  /** The tier asked for, else the request hostname's tier after counting this call, else 0. */
  #tierFor(options: NewProxyUrlOptions): number {
    const tiers = this.#tiers as (string | null)[][];
    const { proxyTier, request } = options;
    if (proxyTier !== undefined) {
      if (!Number.isInteger(proxyTier) || proxyTier < 0 || proxyTier >= tiers.length) {
        throw new ConfigurationError(
          `proxyTier must be an integer from 0 to ${tiers.length - 1}, ` +
            `got ${describeValue(proxyTier)}`,
          { option: 'proxyTier' },
        );
      }
      return proxyTier;
    }

    const hostname = request === undefined ? undefined : hostnameOf(request.url);
    if (request === undefined || hostname === undefined) {
      return 0;
    }

    let tracker = this.#tierByHostname.get(hostname);
    if (tracker === undefined) {
      tracker = new HostnameTier(tiers.length - 1);
      this.#tierByHostname.set(hostname, tracker);
    }

    const cameBack = this.#seenRequests.delete(request.uniqueKey);
    this.#seenRequests.add(request.uniqueKey);
    evictOldest(this.#seenRequests, MAX_TRACKED_REQUESTS);

    if (cameBack) {
      // Serve the escalated attempt before others, as Crawlee does.
      request.forefront = true;
    }
    return tracker.record(cameBack);
  }
}

/** Tier of one hostname: up one step on each block signal, down one after quiet calls. */
class HostnameTier {
  #tier = 0;
  #quietCalls = 0;
  readonly #maxTier: number;

  constructor(maxTier: number) {
    this.#maxTier = maxTier;
  }

  /** Counts one call, blocked or not, and returns the tier to use for it. */
  record(blocked: boolean): number {
    if (blocked) {
      this.#tier = Math.min(this.#tier + 1, this.#maxTier);
      this.#quietCalls = 0;
      return this.#tier;
    }

    this.#quietCalls += 1;
    if (this.#quietCalls >= QUIET_CALLS_PER_STEP_DOWN && this.#tier > 0) {
      this.#tier -= 1;
      this.#quietCalls = 0;
    }
    return this.#tier;
  }
}

function validateList(urls: unknown, option: string): (string | null)[] {
  if (!Array.isArray(urls) || urls.length === 0) {
    throw new ConfigurationError(
      `${option} must be a non-empty array of proxy URLs or nulls, got ${describeValue(urls)}`,
      { option },
    );
  }
  return urls.map((url: unknown) => (url === null ? null : validateUrl(url, option)));
}

function validateTiers(tiers: unknown): (string | null)[][] {
  if (!Array.isArray(tiers) || tiers.length === 0) {
    throw new ConfigurationError(
      `tieredProxyUrls must be a non-empty array of URL lists, got ${describeValue(tiers)}`,
      { option: 'tieredProxyUrls' },
    );
  }
  return tiers.map((tier: unknown) => validateList(tier, 'tieredProxyUrls'));
}

function validateFunction(fn: unknown): ProxyUrlFunction | undefined {
  if (fn === undefined || typeof fn === 'function') {
    return fn as ProxyUrlFunction | undefined;
  }
  throw new ConfigurationError(`newUrlFunction must be a function, got ${describeValue(fn)}`, {
    option: 'newUrlFunction',
  });
}

function validateMaxSessions(value: unknown): number {
  if (value === undefined) {
    return DEFAULT_MAX_SESSIONS;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(
      `maxSessions must be a positive integer, got ${describeValue(value)}`,
      { option: 'maxSessions' },
    );
  }
  return value;
}

/** Checks a proxy URL; the error shows it with its password hidden. */
function validateUrl(url: unknown, option: string): string {
  if (typeof url !== 'string') {
    throw new ConfigurationError(
      `${option} must give proxy URLs as strings or null, got ${describeValue(url)}`,
      { option },
    );
  }

  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !PROXY_SCHEMES.has(parsed.protocol) || parsed.hostname === '') {
    throw new ConfigurationError(
      `Invalid proxy URL "${toSafeString(url)}" in ${option}; ` +
        'use an http, https or socks URL such as http://user:pass@proxy.example:8000',
      { option },
    );
  }
  return url;
}

function sessionIdToString(sessionId: string | number | undefined): string | undefined {
  return sessionId === undefined ? undefined : String(sessionId);
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function defaultPort(protocol: string): string {
  if (protocol === 'https:') {
    return '443';
  }
  return protocol === 'http:' ? '80' : '1080';
}

/** Forgets the least recently used entries past `limit`; Map and Set iterate oldest first. */
function evictOldest(entries: Map<string, unknown> | Set<string>, limit: number): void {
  for (const key of entries.keys()) {
    if (entries.size <= limit) {
      return;
    }
    entries.delete(key);
  }
}

function redact(info: ProxyInfo): ProxyInfo {
  return { ...info, url: toSafeString(info.url), password: info.password === '' ? '' : '***' };
}
