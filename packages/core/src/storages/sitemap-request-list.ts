/**
 * `SitemapRequestList`: the page URLs of sitemaps as a request list, read in the background while
 * the crawl runs. Reading pauses while `maxBufferSize` URLs wait, and the progress saved on every
 * `persistState` event lets a restarted crawl go on mid-sitemap.
 */
import type { SitemapError, SitemapUrl } from '@trawl/sitemap';

import type { Configuration } from '../configuration.js';
import { InputError } from '../errors.js';
import { EventType } from '../events/event-manager.js';
import { Request, type RequestJSON } from '../request.js';
import { KeyValueStore } from './key-value-store.js';
import {
  isSitemapParsingProgress,
  SitemapLoader,
  Wakeup,
  type SitemapParsingProgress,
} from './sitemap-request-list-loader.js';
import {
  resolveSitemapRequestListOptions,
  type SitemapRequestListOptions,
  type SitemapRequestListSettings,
} from './sitemap-request-list-options.js';

/** A list's progress as saved under its `persistStateKey`. */
export interface SitemapRequestListState {
  /** Requests handed out and not handled yet, reclaimed ones included; served first on resume. */
  inProgress: RequestJSON[];
  /** Requests read from the sitemaps and not handed out yet, in order. */
  buffered: RequestJSON[];
  /** Requests handled so far, counting those of the runs before a resume. */
  handledCount: number;
  /** True when `signal` or `timeoutMillis` stopped the loading; a resumed list loads no more. */
  isLoadingAborted: boolean;
  /** Which sitemaps were read, which wait, and how far the current one got. */
  sitemapParsingProgress: SitemapParsingProgress;
}

/**
 * A request list fed by sitemaps, as Crawlee 3's `SitemapRequestList`. `open()` resolves at once
 * and the sitemaps are read in the background, nested sitemap indexes included; the crawl can
 * start on the first URLs while the rest download. Give it to a crawler as `requestList`, or
 * fetch from it yourself.
 *
 * - **Memory stays flat**: reading pauses while `maxBufferSize` URLs wait to be fetched.
 * - **Resumable**: progress is saved under `persistStateKey` on every `persistState` event and on
 *   `persistState()`: the URLs waiting, those handed out and not handled, the sitemaps read, and
 *   how many URLs of the current sitemap were read. A list opened later on the same storage
 *   serves the unhandled ones first, then reads on from the same point of the same sitemap.
 * - **Errors are kept, not logged**: a sitemap that cannot be read is skipped, its siblings are
 *   read on, and its `SitemapError` goes to `errors` and to `parseSitemapOptions.onError`.
 *
 * @example
 * const list = await SitemapRequestList.open({
 *   sitemapUrls: ['https://example.com/sitemap.xml'],
 *   globs: ['https://example.com/products/**'],
 * });
 * const crawler = new BasicCrawler({ requestList: list, requestHandler });
 * await crawler.run();
 * for (const error of list.errors) {
 *   log.warning('Sitemap skipped', { sitemapUrl: error.sitemapUrl, reason: error.message });
 * }
 */
export class SitemapRequestList {
  readonly #settings: SitemapRequestListSettings;
  readonly #loader: SitemapLoader;
  readonly #errors: SitemapError[] = [];
  readonly #buffer: Request[] = [];
  readonly #bufferedKeys = new Set<string>();
  readonly #inProgress = new Map<string, Request>();
  readonly #reclaimed = new Set<string>();
  /** Stops loading on teardown; combined with the user's signal and timeout. */
  readonly #teardownController = new AbortController();
  readonly #signal: AbortSignal;
  /** Woken when a URL arrives or loading ends. */
  readonly #arrived = new Wakeup();
  /** Woken when a URL leaves the buffer or loading must stop. */
  readonly #room = new Wakeup();
  #handled = 0;
  #loading: Promise<void> = Promise.resolve();
  #isLoadingEnded = false;
  #isLoadingAborted = false;
  #loadingError: unknown;
  #isTornDown = false;
  #store?: KeyValueStore;
  readonly #persist = () => this.persistState();

  private constructor(settings: SitemapRequestListSettings) {
    this.#settings = settings;
    const signals = [this.#teardownController.signal];
    if (settings.signal) {
      signals.push(settings.signal);
    }
    if (settings.timeoutMillis > 0) {
      signals.push(AbortSignal.timeout(settings.timeoutMillis));
    }
    this.#signal = AbortSignal.any(signals);
    this.#signal.addEventListener('abort', () => this.#room.wake(), { once: true });
    this.#loader = new SitemapLoader(settings.sitemapUrls, {
      proxyUrl: settings.proxyUrl,
      enqueueStrategy: settings.enqueueStrategy,
      parseSitemapOptions: settings.parseSitemapOptions,
      signal: this.#signal,
      onUrl: (item) => this.#addUrl(item),
      waitForRoom: () => this.#waitForRoom(),
      onError: (error) => this.#addError(error),
    });
  }

  /**
   * Opens a list and starts reading its sitemaps in the background; resolves before they are
   * read. Saved progress under `persistStateKey`, if any, is restored first.
   *
   * @throws ConfigurationError for a bad option; InvalidPatternError for a bad pattern;
   *   SitemapError `TRAWL_SITEMAP_INVALID_OPTION` for a bad `parseSitemapOptions` entry;
   *   InputError when the saved progress is not a sitemap list's.
   */
  static async open(options: SitemapRequestListOptions): Promise<SitemapRequestList> {
    const list = new SitemapRequestList(await resolveSitemapRequestListOptions(options));
    await list.#restoreState();
    list.#loading = list.#load();
    if (list.#settings.isPersistedOnEvents) {
      list.#config.getEventManager().on(EventType.PERSIST_STATE, list.#persist);
    }
    return list;
  }

  /**
   * Sitemaps that could not be read (a bad status, a network failure after retries, broken XML
   * or gzip, too large), in the order they failed during this run. Each was skipped after the
   * URLs read before the fault; the other sitemaps were read on.
   */
  get errors(): readonly SitemapError[] {
    return this.#errors;
  }

  /**
   * The next request: reclaimed ones first, then in sitemap order. While the buffer is empty and
   * sitemaps are still loading, waits for the next URL. Resolves to null once everything was
   * handed out and loading ended, or after `teardown()`.
   *
   * @throws the error that stopped loading, when it was neither a sitemap failure nor an abort
   *   (a callback of `parseSitemapOptions` that threw, a pattern's request options the `Request`
   *   constructor rejects).
   */
  async fetchNextRequest(): Promise<Request | null> {
    for (;;) {
      if (this.#loadingError !== undefined) {
        throw this.#loadingError;
      }
      if (this.#isTornDown) {
        return null;
      }
      const request = this.#takeNext();
      if (request !== undefined) {
        return request;
      }
      if (this.#isLoadingEnded) {
        return null;
      }
      await this.#arrived.wait();
    }
  }

  /**
   * Marks a request handed out by this list as handled.
   * @throws InputError when the list did not hand it out, or it was handled already.
   */
  async markRequestHandled(request: Request): Promise<void> {
    this.#assertInProgress(request);
    this.#inProgress.delete(request.uniqueKey);
    this.#reclaimed.delete(request.uniqueKey);
    this.#handled += 1;
  }

  /**
   * Gives a request back, to be handed out again before the other URLs.
   * @throws InputError when the list did not hand it out, or it was handled already.
   */
  async reclaimRequest(request: Request): Promise<void> {
    this.#assertInProgress(request);
    this.#reclaimed.add(request.uniqueKey);
    this.#arrived.wake();
  }

  /** True when no request waits to be handed out now; sitemaps may still be loading more. */
  async isEmpty(): Promise<boolean> {
    return this.#buffer.length === 0 && this.#reclaimed.size === 0;
  }

  /**
   * True when loading ended (every sitemap read, or stopped by `signal` or `timeoutMillis`) and
   * every request read was handled; also after `teardown()`.
   */
  async isFinished(): Promise<boolean> {
    if (this.#isTornDown) {
      return true;
    }
    return this.#isLoadingEnded && this.#buffer.length === 0 && this.#inProgress.size === 0;
  }

  /** True when every sitemap was read to its end (or skipped after an error). */
  isSitemapFullyLoaded(): boolean {
    return this.#loader.isComplete();
  }

  /**
   * Requests known so far: handled, in progress and waiting. It grows while sitemaps load, as
   * the total is not known ahead.
   */
  length(): number {
    return this.#handled + this.#inProgress.size + this.#buffer.length;
  }

  /** Requests handled, in this run and, when resumed, before it. */
  handledCount(): number {
    return this.#handled;
  }

  /** The list's progress, as it would be saved. */
  getState(): SitemapRequestListState {
    return {
      inProgress: [...this.#inProgress.values()].map((request) => request.toJSON()),
      buffered: this.#buffer.map((request) => request.toJSON()),
      handledCount: this.#handled,
      isLoadingAborted: this.#isLoadingAborted,
      sitemapParsingProgress: this.#loader.getProgress(),
    };
  }

  /** Saves the progress now (it is also saved on every `persistState` event). */
  async persistState(): Promise<void> {
    // The state is taken before the first await, so it is consistent whatever loads meanwhile.
    const state = this.getState();
    await (await this.#keyValueStore()).setValue(this.#settings.persistStateKey, state);
  }

  /**
   * Stops loading, stops saving on events, and saves the progress one last time; calling it
   * again does nothing. Afterwards `fetchNextRequest()` resolves to null and `isFinished()` to
   * true; a list opened later on the same storage reads on from where this one stopped. Call it
   * when you stop using a list before its sitemaps were read: a download paused for a full
   * buffer keeps its connection open, and with it the process.
   */
  async teardown(): Promise<void> {
    if (this.#isTornDown) {
      return;
    }
    this.#isTornDown = true;
    this.#teardownController.abort();
    this.#config.getEventManager().off(EventType.PERSIST_STATE, this.#persist);
    await this.#loading;
    this.#arrived.wake();
    await this.persistState();
  }

  /**
   * Hands out every request, as `fetchNextRequest()` does, and marks each handled when the loop
   * asks for the next one, unless the loop body marked or reclaimed it already. A request whose
   * loop body broke out or threw stays in progress, so it is served again after a resume.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    let request = await this.fetchNextRequest();
    while (request !== null) {
      yield request;
      const key = request.uniqueKey;
      if (this.#inProgress.has(key) && !this.#reclaimed.has(key)) {
        await this.markRequestHandled(request);
      }
      request = await this.fetchNextRequest();
    }
  }

  get #config(): Configuration {
    return this.#settings.config;
  }

  #takeNext(): Request | undefined {
    const reclaimed = this.#reclaimed.values().next();
    if (!reclaimed.done) {
      this.#reclaimed.delete(reclaimed.value);
      return this.#inProgress.get(reclaimed.value);
    }
    const request = this.#buffer.shift();
    if (request === undefined) {
      return undefined;
    }
    this.#bufferedKeys.delete(request.uniqueKey);
    this.#inProgress.set(request.uniqueKey, request);
    this.#room.wake();
    return request;
  }

  /** Buffers a URL the patterns keep, unless it already waits or is in progress. */
  #addUrl(item: SitemapUrl): void {
    const options = this.#settings.selectUrl(item.loc);
    if (options === undefined) {
      return;
    }
    const request = new Request(options);
    const key = request.uniqueKey;
    // Limitation: duplicates are dropped only against the URLs waiting and in progress, so that
    // memory stays bounded; a URL listed again after it was handled is handed out again (a
    // crawler's request queue still drops it by unique key).
    if (this.#bufferedKeys.has(key) || this.#inProgress.has(key)) {
      return;
    }
    this.#buffer.push(request);
    this.#bufferedKeys.add(key);
    this.#arrived.wake();
  }

  #addError(error: SitemapError): void {
    this.#errors.push(error);
    this.#settings.parseSitemapOptions.onError?.(error);
  }

  async #waitForRoom(): Promise<void> {
    while (this.#buffer.length >= this.#settings.maxBufferSize && !this.#signal.aborted) {
      await this.#room.wait();
    }
  }

  async #load(): Promise<void> {
    try {
      if (!this.#isLoadingAborted) {
        await this.#loader.run();
      }
      const isStoppedByUser = this.#signal.aborted && !this.#teardownController.signal.aborted;
      if (isStoppedByUser && !this.#loader.isComplete()) {
        this.#isLoadingAborted = true;
      }
    } catch (error) {
      this.#loadingError = error;
    } finally {
      this.#isLoadingEnded = true;
      this.#arrived.wake();
    }
  }

  async #restoreState(): Promise<void> {
    const key = this.#settings.persistStateKey;
    const state = await (await this.#keyValueStore()).getValue<unknown>(key);
    if (state === null) {
      return;
    }
    if (!isSavedState(state)) {
      throw new InputError(
        `Saved progress under "${key}" is not a sitemap request list's; delete the record ` +
          'or pass another persistStateKey to start the list over',
      );
    }
    this.#handled = state.handledCount;
    this.#isLoadingAborted = state.isLoadingAborted;
    for (const json of state.inProgress) {
      const request = Request.fromJSON(json);
      this.#inProgress.set(request.uniqueKey, request);
      this.#reclaimed.add(request.uniqueKey);
    }
    for (const json of state.buffered) {
      const request = Request.fromJSON(json);
      this.#buffer.push(request);
      this.#bufferedKeys.add(request.uniqueKey);
    }
    this.#loader.restore(state.sitemapParsingProgress, this.#settings.sitemapUrls);
  }

  async #keyValueStore(): Promise<KeyValueStore> {
    this.#store ??= await KeyValueStore.open(null, { config: this.#config });
    return this.#store;
  }

  #assertInProgress(request: Request): void {
    if (!this.#inProgress.has(request.uniqueKey)) {
      throw new InputError(
        `Request ${request.url} was not handed out by this sitemap request list, or was ` +
          'already handled',
      );
    }
  }
}

function isSavedState(value: unknown): value is SitemapRequestListState {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const state = value as SitemapRequestListState;
  return (
    Array.isArray(state.inProgress) &&
    Array.isArray(state.buffered) &&
    Number.isInteger(state.handledCount) &&
    typeof state.isLoadingAborted === 'boolean' &&
    isSitemapParsingProgress(state.sitemapParsingProgress)
  );
}
