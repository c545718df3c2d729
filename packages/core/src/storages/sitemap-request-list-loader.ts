/**
 * The background reader of `SitemapRequestList`: walks the sitemaps one at a time (nested ones
 * queued as they are found), hands each page URL over, waits whenever the list's buffer is full,
 * and keeps a small record of how far it got, so a resumed list reads on from there.
 */
import {
  parseSitemap,
  type SitemapError,
  type SitemapUrl,
  type SitemapWarning,
} from '@trawl/sitemap';

import type { EnqueueStrategyLike } from '../enqueue-links/strategy.js';
import type { SitemapRequestListParseOptions } from './sitemap-request-list-options.js';

/** A sitemap found and not read yet, with its depth below the `sitemapUrls` (which are at 0). */
export interface PendingSitemap {
  url: string;
  depth: number;
}

/** The sitemap being read, and how many of its page URLs the parser has handed over so far. */
export interface InProgressSitemap extends PendingSitemap {
  emittedUrlCount: number;
}

/** How far reading the sitemaps got: what `SitemapRequestList` saves. */
export interface SitemapParsingProgress {
  /** Sitemaps read to the end, or given up on after an error; never read again. */
  doneSitemapUrls: string[];
  /** Sitemaps found and not started yet, in reading order. */
  pendingSitemaps: PendingSitemap[];
  /** The sitemap being read; null between sitemaps and at the end. */
  inProgressSitemap: InProgressSitemap | null;
}

/** What the loader needs from its list. */
export interface SitemapLoaderOptions {
  proxyUrl: string | undefined;
  enqueueStrategy: EnqueueStrategyLike;
  parseSitemapOptions: SitemapRequestListParseOptions;
  /** Stops the loader: the current sitemap stays in progress, to be read on after a resume. */
  signal: AbortSignal;
  /** Takes one page URL. */
  onUrl: (item: SitemapUrl) => void;
  /** Resolves once the buffer has room for another URL, or the signal aborted. */
  waitForRoom: () => Promise<void>;
  /** Takes each sitemap that failed; the loader goes on with the others. */
  onError: (error: SitemapError) => void;
}

/** Wakes every waiter of one condition: each `wait()` resolves at the next `wake()`. */
export class Wakeup {
  #waiters: (() => void)[] = [];

  /** Resolves at the next `wake()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Resolves every pending `wait()`. */
  wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}

/** Whether `value` has the shape of a saved {@link SitemapParsingProgress}. */
export function isSitemapParsingProgress(value: unknown): value is SitemapParsingProgress {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { doneSitemapUrls, pendingSitemaps, inProgressSitemap } = value as SitemapParsingProgress;
  return (
    Array.isArray(doneSitemapUrls) &&
    doneSitemapUrls.every((url) => typeof url === 'string') &&
    Array.isArray(pendingSitemaps) &&
    pendingSitemaps.every(isPendingSitemap) &&
    (inProgressSitemap === null ||
      (isPendingSitemap(inProgressSitemap) && Number.isInteger(inProgressSitemap.emittedUrlCount)))
  );
}

function isPendingSitemap(value: unknown): value is PendingSitemap {
  const sitemap = value as PendingSitemap | null;
  return (
    typeof sitemap === 'object' &&
    sitemap !== null &&
    typeof sitemap.url === 'string' &&
    URL.canParse(sitemap.url) &&
    Number.isInteger(sitemap.depth)
  );
}

/** Identity of a sitemap for "read once": the URL normalised, without its fragment. */
function sitemapKey(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

/** Reads the sitemaps of one list; see the file comment. */
export class SitemapLoader {
  readonly #options: SitemapLoaderOptions;
  #progress: SitemapParsingProgress;
  /** Every sitemap done, pending or in progress, so cycles and repeats are read once. */
  #seen = new Set<string>();

  constructor(sitemapUrls: readonly string[], options: SitemapLoaderOptions) {
    this.#options = options;
    this.#progress = { doneSitemapUrls: [], pendingSitemaps: [], inProgressSitemap: null };
    this.#addSitemaps(sitemapUrls);
  }

  /**
   * Continues from saved progress. Sitemap URLs given now that the progress does not know are
   * read after the saved ones.
   */
  restore(progress: SitemapParsingProgress, sitemapUrls: readonly string[]): void {
    this.#progress = {
      doneSitemapUrls: [...progress.doneSitemapUrls],
      pendingSitemaps: progress.pendingSitemaps.map((sitemap) => ({ ...sitemap })),
      inProgressSitemap: progress.inProgressSitemap && { ...progress.inProgressSitemap },
    };
    this.#seen = new Set(
      [
        ...progress.doneSitemapUrls,
        ...progress.pendingSitemaps.map((sitemap) => sitemap.url),
        ...(progress.inProgressSitemap ? [progress.inProgressSitemap.url] : []),
      ].map(sitemapKey),
    );
    this.#addSitemaps(sitemapUrls);
  }

  /** A copy of the progress, consistent with the URLs handed over so far. */
  getProgress(): SitemapParsingProgress {
    const { doneSitemapUrls, pendingSitemaps, inProgressSitemap } = this.#progress;
    return {
      doneSitemapUrls: [...doneSitemapUrls],
      pendingSitemaps: pendingSitemaps.map((sitemap) => ({ ...sitemap })),
      inProgressSitemap: inProgressSitemap && { ...inProgressSitemap },
    };
  }

  /** True when every sitemap was read (or given up on after an error). */
  isComplete(): boolean {
    return this.#progress.inProgressSitemap === null && this.#progress.pendingSitemaps.length === 0;
  }

  /**
   * Reads sitemaps until all are read or the signal aborts. A sitemap that fails goes to
   * `onError` and counts as read.
   *
   * @throws what a callback threw, or an unexpected failure of the parser; never the abort.
   */
  async run(): Promise<void> {
    while (!this.#options.signal.aborted) {
      const sitemap = this.#progress.inProgressSitemap ?? this.#startNext();
      if (sitemap === undefined) {
        return;
      }
      const isRead = await this.#read(sitemap);
      if (isRead) {
        this.#progress.doneSitemapUrls.push(sitemap.url);
        this.#progress.inProgressSitemap = null;
      }
    }
  }

  #startNext(): InProgressSitemap | undefined {
    const next = this.#progress.pendingSitemaps.shift();
    if (next === undefined) {
      return undefined;
    }
    this.#progress.inProgressSitemap = { ...next, emittedUrlCount: 0 };
    return this.#progress.inProgressSitemap;
  }

  /** Reads one sitemap; false when the signal stopped it before its end. */
  async #read(sitemap: InProgressSitemap): Promise<boolean> {
    // Resuming: the URLs handed over before the restart come again first; skip as many.
    // Limitation: this assumes the sitemap did not change since; if it did, as many URLs as
    // were added or removed before that point are skipped or handed out a second time.
    let toSkip = sitemap.emittedUrlCount;
    const items = parseSitemap([{ type: 'url', url: sitemap.url }], this.#options.proxyUrl, {
      ...this.#options.parseSitemapOptions,
      enqueueStrategy: this.#options.enqueueStrategy,
      signal: this.#options.signal,
      onError: (error) => this.#options.onError(error),
      // Nested sitemaps are queued here, never followed by the parser, so that the progress
      // names every sitemap still to read.
      nestedSitemapFilter: (url) => {
        this.#addNested(url, sitemap);
        return false;
      },
    });
    try {
      await this.#options.waitForRoom();
      for await (const item of items) {
        if (toSkip > 0) {
          toSkip -= 1;
          continue;
        }
        sitemap.emittedUrlCount += 1;
        this.#options.onUrl(item);
        await this.#options.waitForRoom();
        if (this.#options.signal.aborted) {
          return false;
        }
      }
    } catch (error) {
      if (this.#options.signal.aborted) {
        return false;
      }
      throw error;
    }
    return !this.#options.signal.aborted;
  }

  #addNested(url: string, parent: PendingSitemap): void {
    const {
      nestedSitemapFilter,
      maxDepth = Infinity,
      onWarning,
    } = this.#options.parseSitemapOptions;
    if (nestedSitemapFilter !== undefined && !nestedSitemapFilter(url)) {
      return;
    }
    if (parent.depth + 1 > maxDepth) {
      if (!this.#seen.has(sitemapKey(url))) {
        onWarning?.(depthWarning(url, parent.url, maxDepth));
      }
      return;
    }
    this.#addSitemaps([url], parent.depth + 1);
  }

  #addSitemaps(urls: readonly string[], depth = 0): void {
    for (const url of urls) {
      const key = sitemapKey(url);
      if (!this.#seen.has(key)) {
        this.#seen.add(key);
        this.#progress.pendingSitemaps.push({ url, depth });
      }
    }
  }
}

function depthWarning(url: string, sitemapUrl: string, maxDepth: number): SitemapWarning {
  return {
    code: 'TRAWL_SITEMAP_MAX_DEPTH',
    sitemapUrl,
    url,
    message:
      `Nested sitemap ${redactUserInfo(url)} of ${redactUserInfo(sitemapUrl)} was not read: ` +
      `it is deeper than maxDepth ${maxDepth}`,
  };
}

/** The URL without its user name and password, for a message. */
function redactUserInfo(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') {
    return url;
  }
  parsed.username = '***';
  parsed.password = '';
  return parsed.href;
}
