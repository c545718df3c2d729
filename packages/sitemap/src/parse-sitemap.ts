/**
 * `parseSitemap()`: reads sitemaps breadth first, following sitemap indexes, and yields their
 * URLs as they stream in. Each sitemap is fetched once however often it is listed, so cycles end.
 * A failing sitemap is reported and skipped; the others are still read.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { UrlFilter } from './enqueue-strategy.js';
import { SitemapError, SitemapLoadError } from './errors.js';
import { parseHttpUrl, visitKey } from './http-url.js';
import {
  resolveParseSitemapOptions,
  type ParseSitemapOptions,
  type ParseSitemapSettings,
} from './parse-sitemap-options.js';
import { fetchSitemapText } from './read-content.js';
import { readEntries } from './read-entries.js';
import { redact, sanitizedCause, secretsOf } from './redact.js';
import { SitemapFailure, toSitemapError } from './sitemap-failure.js';
import type { SitemapWarning } from './warnings.js';
import {
  type NestedSitemap,
  type ParsedSitemapItem,
  type SitemapSource,
  type SitemapUrl,
  toSitemapUrl,
} from './sitemap-url.js';
import type { ScannedEntry } from './xml-scanner.js';

const PROTOCOL_MAX_URLS = 50_000;
const RAW_CHUNK_CHARS = 64 * 1024;

interface QueuedSitemap {
  source: SitemapSource;
  depth: number;
}

/** What is known about the sitemap being read, across its attempts. */
interface SitemapState {
  origin: string;
  depth: number;
  filter: UrlFilter;
  /** Entries handled so far; a retry skips this many. */
  handled: number;
  entries: number;
  filtered: number;
  invalid: number;
  tooLong: number;
}

function* rawChunks(content: string): Generator<string> {
  for (let i = 0; i < content.length; i += RAW_CHUNK_CHARS) {
    yield content.slice(i, i + RAW_CHUNK_CHARS);
  }
}

/** One run of `parseSitemap()`. */
class SitemapWalk {
  readonly #settings: ParseSitemapSettings;
  readonly #proxyUrl: string | undefined;
  readonly #secrets: string[];
  readonly #queue: (QueuedSitemap | undefined)[] = [];
  readonly #visited = new Set<string>();
  readonly #errors: SitemapError[] = [];
  #next = 0;

  constructor(settings: ParseSitemapSettings, proxyUrl: string | undefined) {
    this.#settings = settings;
    this.#proxyUrl = proxyUrl;
    this.#secrets = secretsOf(proxyUrl);
  }

  /** Queues the sources given by the caller. */
  enqueue(sources: readonly SitemapSource[]): void {
    for (const source of sources) {
      this.#enqueueSource(source);
    }
  }

  /** The next sitemap to read, breadth first, or undefined when all were read. */
  next(): QueuedSitemap | undefined {
    const queued = this.#queue[this.#next];
    this.#queue[this.#next] = undefined;
    this.#next += 1;
    return queued;
  }

  /** Throws the collected failures, when there were any and no `onError` took them. */
  finish(): void {
    if (this.#errors.length > 0) {
      throw new SitemapLoadError(this.#errors);
    }
  }

  #enqueueSource(source: SitemapSource): void {
    const depth = source.depth ?? 0;
    if (source.type === 'raw') {
      this.#queue.push({ source, depth });
      return;
    }
    const url = parseHttpUrl(source.url);
    if (url === undefined) {
      const shown = redact(String(source.url), this.#secrets);
      const message =
        `Sitemap URL "${shown}" is not an absolute http(s) URL; ` +
        'pass one such as https://example.com/sitemap.xml';
      this.#report(new SitemapError('TRAWL_SITEMAP_INVALID_URL', message, source.url));
      return;
    }
    if (!this.#visited.has(visitKey(url))) {
      this.#visited.add(visitKey(url));
      this.#queue.push({ source, depth });
    }
  }

  #report(error: SitemapError): void {
    if (this.#settings.onError === undefined) {
      this.#errors.push(error);
    } else {
      this.#settings.onError(error);
    }
  }

  #warn(warning: Omit<SitemapWarning, 'message'>, message: string): void {
    this.#settings.onWarning?.({ ...warning, message: redact(message, this.#secrets) });
  }

  #throwIfAborted(origin: string): void {
    const { signal } = this.#settings;
    if (signal?.aborted === true) {
      const message = `Reading sitemaps was aborted by the signal, at ${redact(origin)}`;
      throw new SitemapError('TRAWL_SITEMAP_ABORTED', message, origin, { cause: signal.reason });
    }
  }

  /** Reads one sitemap, with its retries; yields the items of each chunk. */
  async *read({ source, depth }: QueuedSitemap): AsyncGenerator<(SitemapUrl | NestedSitemap)[]> {
    const isUrl = source.type === 'url';
    const origin = isUrl
      ? source.url
      : `raw://${createHash('sha256').update(source.content).digest('base64')}`;
    const parent = isUrl ? new URL(source.url) : undefined;
    const filter = new UrlFilter(parent, this.#settings.enqueueStrategy);
    const state: SitemapState = {
      origin,
      depth,
      filter,
      handled: 0,
      entries: 0,
      filtered: 0,
      invalid: 0,
      tooLong: 0,
    };
    this.#throwIfAborted(origin);
    if (isUrl) {
      yield* this.#readUrl(source.url, state);
    } else {
      try {
        yield* this.#items(
          readEntries(rawChunks(source.content), this.#settings.maxUrlLength),
          state,
        );
      } catch (error) {
        this.#fail(error, state, 1);
      }
    }
    this.#warnCounts(state);
  }

  async *#readUrl(
    url: string,
    state: SitemapState,
  ): AsyncGenerator<(SitemapUrl | NestedSitemap)[]> {
    const { sitemapRetries, sitemapRetryDelaySecs, signal } = this.#settings;
    const fetchSettings = {
      proxyUrl: this.#proxyUrl,
      timeouts: this.#settings.networkTimeouts,
      signal,
      maxBytes: this.#settings.maxDecompressedBytes,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const texts = fetchSitemapText(url, fetchSettings);
        yield* this.#items(readEntries(texts, this.#settings.maxUrlLength), state);
        return;
      } catch (error) {
        this.#throwIfAborted(url);
        const isRetried =
          error instanceof SitemapFailure && error.isRetryable && attempt <= sitemapRetries;
        if (!isRetried) {
          this.#fail(error, state, attempt);
          return;
        }
        const reason = redact(error.reason, this.#secrets);
        this.#warn(
          {
            code: 'TRAWL_SITEMAP_RETRY',
            sitemapUrl: url,
            attempt,
            error: sanitizedCause(error, this.#secrets),
          },
          `Sitemap ${redact(url)} failed (${reason}) on attempt ${attempt}; trying again`,
        );
        await this.#pause(sitemapRetryDelaySecs * 1000 * 2 ** (attempt - 1), url);
      }
    }
  }

  async #pause(millis: number, url: string): Promise<void> {
    if (millis <= 0) {
      return;
    }
    try {
      await sleep(millis, undefined, { signal: this.#settings.signal });
    } catch {
      this.#throwIfAborted(url);
    }
  }

  /** Turns a failure into a reported error; anything but a sitemap failure is rethrown. */
  #fail(error: unknown, state: SitemapState, attempts: number): void {
    if (!(error instanceof SitemapFailure)) {
      throw error;
    }
    if (error.kind === 'fetch' && !this.#settings.reportNetworkErrors) {
      return;
    }
    this.#report(toSitemapError(error, state.origin, attempts, this.#secrets));
  }

  async *#items(
    batches: AsyncGenerator<ScannedEntry[]>,
    state: SitemapState,
  ): AsyncGenerator<(SitemapUrl | NestedSitemap)[]> {
    // On a retry the entries already handled come again: skip them.
    // Limitation: this assumes the sitemap did not change between attempts; if it did, a few
    // URLs may be skipped or yielded twice.
    let index = 0;
    for await (const batch of batches) {
      this.#throwIfAborted(state.origin);
      const items: (SitemapUrl | NestedSitemap)[] = [];
      for (const entry of batch) {
        index += 1;
        if (index <= state.handled) {
          continue;
        }
        state.handled += 1;
        const item =
          entry.kind === 'url' ? this.#pageUrl(entry, state) : this.#nested(entry, state);
        if (item !== undefined) {
          items.push(item);
        }
      }
      if (items.length > 0) {
        yield items;
      }
    }
  }

  #countEntry(state: SitemapState): void {
    state.entries += 1;
    if (state.entries === PROTOCOL_MAX_URLS + 1) {
      this.#warn(
        { code: 'TRAWL_SITEMAP_TOO_MANY_URLS', sitemapUrl: state.origin },
        `Sitemap ${redact(state.origin)} lists more than ${PROTOCOL_MAX_URLS} entries, ` +
          'the protocol limit; all are read',
      );
    }
  }

  #pageUrl(entry: ScannedEntry, state: SitemapState): SitemapUrl | undefined {
    this.#countEntry(state);
    const { loc } = entry;
    if (loc.length > this.#settings.maxUrlLength) {
      state.tooLong += 1;
      return undefined;
    }
    const verdict = loc.length === 0 ? 'invalid' : state.filter.check(loc);
    if (verdict !== 'kept') {
      state[verdict] += 1;
      return undefined;
    }
    return toSitemapUrl(entry, state.origin);
  }

  #nested(entry: ScannedEntry, state: SitemapState): NestedSitemap | undefined {
    this.#countEntry(state);
    const { loc } = entry;
    if (loc.length > this.#settings.maxUrlLength) {
      state.tooLong += 1;
      return undefined;
    }
    const url = parseHttpUrl(loc);
    if (url === undefined || state.filter.check(loc) !== 'kept') {
      this.#warn(
        { code: 'TRAWL_SITEMAP_NESTED_FILTERED', sitemapUrl: state.origin, url: loc },
        `Nested sitemap ${redact(loc)} of ${redact(state.origin)} was skipped: ` +
          (url === undefined
            ? 'it is not an absolute http(s) URL'
            : `it does not match enqueueStrategy "${this.#settings.enqueueStrategy}"`),
      );
      return undefined;
    }
    const { nestedSitemapFilter, maxDepth, emitNestedSitemaps } = this.#settings;
    if (this.#visited.has(visitKey(url)) || (nestedSitemapFilter && !nestedSitemapFilter(loc))) {
      return undefined;
    }
    this.#visited.add(visitKey(url));
    if (state.depth + 1 > maxDepth) {
      this.#warn(
        { code: 'TRAWL_SITEMAP_MAX_DEPTH', sitemapUrl: state.origin, url: loc },
        `Nested sitemap ${redact(loc)} of ${redact(state.origin)} was not read: ` +
          `it is deeper than maxDepth ${maxDepth}`,
      );
    } else {
      this.#queue.push({ source: { type: 'url', url: loc }, depth: state.depth + 1 });
    }
    return emitNestedSitemaps ? { loc, originSitemapUrl: null } : undefined;
  }

  #warnCounts(state: SitemapState): void {
    const shown = redact(state.origin);
    const sitemapUrl = state.origin;
    const strategy = this.#settings.enqueueStrategy;
    if (state.filtered > 0) {
      this.#warn(
        { code: 'TRAWL_SITEMAP_URLS_FILTERED', sitemapUrl, count: state.filtered },
        `Skipped ${state.filtered} URL(s) of sitemap ${shown} that do not match ` +
          `enqueueStrategy "${strategy}"; pass enqueueStrategy: 'all' to keep them`,
      );
    }
    if (state.invalid > 0) {
      this.#warn(
        { code: 'TRAWL_SITEMAP_INVALID_URLS', sitemapUrl, count: state.invalid },
        `Skipped ${state.invalid} entr(ies) of sitemap ${shown} that are not absolute http(s) URLs`,
      );
    }
    if (state.tooLong > 0) {
      this.#warn(
        { code: 'TRAWL_SITEMAP_URLS_TOO_LONG', sitemapUrl, count: state.tooLong },
        `Skipped ${state.tooLong} URL(s) of sitemap ${shown} longer than maxUrlLength ` +
          `${this.#settings.maxUrlLength}; raise the limit to keep them`,
      );
    }
  }
}

/**
 * Reads sitemaps and yields the page URLs they list, following sitemap indexes, as Crawlee 3's
 * `parseSitemap()` does. URLs stream out as each sitemap downloads; memory stays flat whatever
 * the size. gzip is recognised by content, XML and plain-text sitemaps both work, and
 * namespace-prefixed tags (`<sm:loc>`) are read.
 *
 * A sitemap that fails (status, network after retries, broken XML or gzip, over the size limit)
 * is reported and skipped, its URLs before the fault still yielded; the other sitemaps are read
 * on. Failures go to `options.onError`; without it, they are thrown together as one
 * `SitemapLoadError` after everything else was yielded.
 *
 * @param sources sitemap URLs to fetch, or sitemap contents.
 * @param proxyUrl proxy for every request, credentials allowed (they never show in messages).
 * @throws SitemapLoadError (`TRAWL_SITEMAP_LOAD`) at the end, when sitemaps failed and no
 *   `onError` was given; SitemapError `TRAWL_SITEMAP_ABORTED` when `signal` aborts;
 *   `TRAWL_SITEMAP_INVALID_OPTION` for a bad option, before anything is fetched.
 */
export async function* parseSitemap<T extends ParseSitemapOptions>(
  sources: readonly SitemapSource[],
  proxyUrl?: string,
  options?: T,
): AsyncGenerator<ParsedSitemapItem<T>, void, undefined> {
  const walk = new SitemapWalk(resolveParseSitemapOptions(options), proxyUrl);
  walk.enqueue(sources);
  // One generator level per item: the helpers below hand over whole batches.
  for (let queued = walk.next(); queued !== undefined; queued = walk.next()) {
    for await (const items of walk.read(queued)) {
      for (const item of items) {
        yield item as ParsedSitemapItem<T>;
      }
    }
  }
  walk.finish();
}
