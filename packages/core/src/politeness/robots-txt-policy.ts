/**
 * `respectRobotsTxtFile`: the robots.txt of each origin, fetched once and kept, decides whether a
 * request may go. RFC 9309 §2.3.1: a file that cannot be fetched (5xx, 429, network error)
 * disallows the whole origin for now, so its requests wait while the file is fetched again with
 * back-off, and fail with the reason once `maxRobotsTxtWaitSecs` have passed. A missing file (4xx)
 * allows everything. `Crawl-delay` becomes the host's delay between requests.
 */
import { RobotsTxtFile } from '@trawl/sitemap';

import { retryDelayMillis } from './backoff.js';

/** What to do with a request, as robots.txt says. */
export type RobotsVerdict =
  | { kind: 'allowed'; crawlDelayKnownAt?: number }
  | { kind: 'disallowed' }
  | { kind: 'wait'; millis: number; reason: string }
  | { kind: 'unreachable'; reason: string; waitedSecs: number };

/** Options of {@link RobotsTxtPolicy}. */
export interface RobotsTxtPolicyOptions {
  /** The user agent whose rules apply. @default '*' */
  userAgent?: string;
  /** How long an origin's requests wait for an unreachable robots.txt, in seconds. */
  maxWaitSecs: number;
  /** Called with each origin's `Crawl-delay` (seconds), or `undefined` when it has none. */
  onCrawlDelay?: (hostname: string, secs: number | undefined) => void;
  /** The proxy to fetch a robots.txt through, if any. */
  proxyUrlFor?: (url: string) => Promise<string | undefined>;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
}

interface OriginEntry {
  file?: RobotsTxtFile;
  loading?: Promise<RobotsTxtFile>;
  /** When the file was first found unreachable, while it still is. */
  unreachableSince?: number;
  /** When to fetch an unreachable file again. */
  retryAt?: number;
  /** When the file was last read. */
  loadedAt?: number;
  attempts: number;
}

/** Origins whose robots.txt is kept; the least recently used are forgotten first. */
const MAX_ORIGINS = 1_000;
/** Back-off of the fetches of an unreachable robots.txt: 1 s doubling, up to a minute. */
const REFETCH_BACKOFF = { baseMillis: 1_000, maxMillis: 60_000 };

/** Fetches, keeps and applies robots.txt files; see the file comment. */
export class RobotsTxtPolicy {
  readonly #options: RobotsTxtPolicyOptions;
  readonly #now: () => number;
  #origins = new Map<string, OriginEntry>();

  constructor(options: RobotsTxtPolicyOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Decides for `url`, fetching its origin's robots.txt first when it is not known yet. */
  async check(url: string): Promise<RobotsVerdict> {
    const origin = new URL(url).origin;
    const entry = this.#entry(origin);
    const file = await this.#file(origin, entry);
    if (file.status !== 'unreachable') {
      if (!file.isAllowed(url, this.#options.userAgent)) {
        return DISALLOWED;
      }
      // A request started before this time was not spaced by the host's Crawl-delay.
      const hasDelay = (file.getCrawlDelay(this.#options.userAgent) ?? 0) > 0;
      return hasDelay ? { kind: 'allowed', crawlDelayKnownAt: entry.loadedAt } : ALLOWED;
    }

    const now = this.#now();
    entry.unreachableSince ??= now;
    const reason = file.unreachableReason ?? 'unreachable';
    const waitedSecs = (now - entry.unreachableSince) / 1000;
    if (waitedSecs >= this.#options.maxWaitSecs) {
      return { kind: 'unreachable', reason, waitedSecs };
    }
    const deadline = entry.unreachableSince + this.#options.maxWaitSecs * 1000;
    return { kind: 'wait', millis: Math.min(entry.retryAt!, deadline) - now, reason };
  }

  #entry(origin: string): OriginEntry {
    const entry = this.#origins.get(origin) ?? { attempts: 0 };
    this.#origins.delete(origin);
    this.#origins.set(origin, entry);
    if (this.#origins.size > MAX_ORIGINS) {
      this.#origins.delete(this.#origins.keys().next().value!);
    }
    return entry;
  }

  // One fetch per origin at a time; an unreachable file is fetched again once its back-off ends.
  async #file(origin: string, entry: OriginEntry): Promise<RobotsTxtFile> {
    const isStale = entry.file?.status === 'unreachable' && this.#now() >= entry.retryAt!;
    if (entry.file && !isStale) {
      return entry.file;
    }
    entry.loading ??= this.#fetch(origin, entry).finally(() => (entry.loading = undefined));
    return entry.loading;
  }

  async #fetch(origin: string, entry: OriginEntry): Promise<RobotsTxtFile> {
    const url = `${origin}/robots.txt`;
    const proxyUrl = await this.#options.proxyUrlFor?.(url);
    const file = await RobotsTxtFile.find(url, proxyUrl);
    entry.file = file;
    if (file.status === 'unreachable') {
      entry.attempts += 1;
      entry.retryAt = this.#now() + retryDelayMillis(entry.attempts, REFETCH_BACKOFF);
      return file;
    }
    entry.attempts = 0;
    entry.unreachableSince = undefined;
    entry.loadedAt = this.#now();
    const hostname = new URL(origin).hostname;
    this.#options.onCrawlDelay?.(hostname, file.getCrawlDelay(this.#options.userAgent));
    return file;
  }
}

const ALLOWED: RobotsVerdict = { kind: 'allowed' };
const DISALLOWED: RobotsVerdict = { kind: 'disallowed' };
