import { Configuration } from '../configuration.js';
import { ConfigurationError, InputError } from '../errors.js';
import { EventType } from '../events/event-manager.js';
import {
  Request,
  toRequest,
  type RequestJSON,
  type RequestOptions,
  type Source,
} from '../request.js';
import { downloadListOfUrls } from '../utils/download-urls.js';
import { assertKnownOptions } from '../utils/options.js';
import { KeyValueStore } from './key-value-store.js';

/** A source that expands into the URLs listed at `requestsFromUrl`. */
export interface RequestsFromUrlSource extends Partial<RequestOptions> {
  /** URL of a text file (or page) listing the URLs to crawl. */
  requestsFromUrl: string;
  /** Which URLs to take from it. @default http(s) URLs without commas */
  regex?: RegExp;
}

/** What a {@link RequestList} accepts as one source. */
export type RequestListSource = string | Source | RequestsFromUrlSource;

/** Options of {@link RequestList}; names and defaults are Crawlee's. */
export interface RequestListOptions {
  /** URLs, request options, requests, or `{ requestsFromUrl, regex }` entries. */
  sources?: RequestListSource[];
  /** Produces the sources when the list initializes; its result is persisted when possible. */
  sourcesFunction?: () => Promise<RequestListSource[]>;
  /** Key under which progress is saved (prefixed `SDK_`), so a restarted list resumes. */
  persistStateKey?: string;
  /** Key under which the expanded sources are saved (prefixed `SDK_`), so they load once. */
  persistRequestsKey?: string;
  /**
   * Keep requests with the same unique key instead of dropping all but the first.
   * @default false
   */
  keepDuplicateUrls?: boolean;
  /** Proxy for `requestsFromUrl` downloads. Not supported yet: passing one throws. */
  proxyConfiguration?: unknown;
  /** Configuration whose default key-value store and events to use. @default the global one */
  config?: Configuration;
}

/** A list's progress as saved under `persistStateKey`. */
export interface RequestListState {
  /** Index of the next request not yet handed out. */
  nextIndex: number;
  /** Unique key of that request, to check the sources did not change. */
  nextUniqueKey: string | null;
  /** Unique keys of requests handed out but not yet handled. */
  inProgress: string[];
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'sources',
  'sourcesFunction',
  'persistStateKey',
  'persistRequestsKey',
  'keepDuplicateUrls',
  'proxyConfiguration',
  'config',
]);

/**
 * What a crawler needs of a request list (Crawlee's `IRequestList`): `RequestList` and
 * `SitemapRequestList` both provide it, and so may a list of your own.
 */
export interface IRequestList {
  /** The next request to crawl, or `null` when none is waiting now. */
  fetchNextRequest(): Promise<Request | null>;
  /** Records that a request handed out is done. */
  markRequestHandled(request: Request): Promise<void>;
  /** Takes a request handed out back, to hand it out again. */
  reclaimRequest(request: Request): Promise<void>;
  /** Whether no request is waiting to be handed out. */
  isEmpty(): Promise<boolean>;
  /** Whether every request has been handed out and handled. */
  isFinished(): Promise<boolean>;
  /** The number of requests in the list. */
  length(): number;
  /** The number of requests handled. */
  handledCount(): number;
  /** Saves the list's progress now. */
  persistState(): Promise<void>;
}

/**
 * A fixed list of requests, handed out in order. Unlike a request queue it cannot grow after
 * `initialize()`; with `persistStateKey` its progress is saved on every `persistState` event, so
 * a restarted list continues where it was, serving the requests in progress at the crash first.
 *
 * @example
 * const list = await RequestList.open('start-urls', ['https://example.com/a', 'https://example.com/b']);
 * for (let r = await list.fetchNextRequest(); r; r = await list.fetchNextRequest()) {
 *   await list.markRequestHandled(r);
 * }
 */
export class RequestList {
  #options: RequestListOptions;
  #config: Configuration;
  #requests: Request[] = [];
  #indexByKey = new Map<string, number>();
  #nextIndex = 0;
  #inProgress = new Set<string>();
  #reclaimed = new Set<string>();
  #handled = 0;
  #initialized = false;
  #store?: KeyValueStore;
  #persist = () => this.persistState();

  /** @throws ConfigurationError on unknown options or unsupported ones */
  constructor(options: RequestListOptions = {}) {
    assertKnownOptions(options, KNOWN_OPTIONS, 'RequestList');
    if (options.proxyConfiguration !== undefined) {
      throw new ConfigurationError(
        'RequestList does not support proxyConfiguration yet; download requestsFromUrl lists ' +
          'without a proxy or pass the URLs as sources',
        { option: 'proxyConfiguration' },
      );
    }
    if (!options.sources && !options.sourcesFunction) {
      throw new ConfigurationError('RequestList needs sources or sourcesFunction', {
        option: 'sources',
      });
    }
    this.#options = options;
    this.#config = options.config ?? Configuration.getGlobalConfig();
  }

  /**
   * Creates and initializes a list. With a name, progress and sources are persisted under
   * `<name>-REQUEST_LIST_STATE` and `<name>-REQUEST_LIST_REQUESTS`, as in Crawlee.
   */
  static async open(
    listNameOrOptions: string | null | RequestListOptions,
    sources?: RequestListSource[],
    options: Omit<RequestListOptions, 'sources'> = {},
  ): Promise<RequestList> {
    if (listNameOrOptions !== null && typeof listNameOrOptions === 'object') {
      const list = new RequestList(listNameOrOptions);
      await list.initialize();
      return list;
    }
    const name = listNameOrOptions;
    const list = new RequestList({
      persistStateKey: name ? `${name}-REQUEST_LIST_STATE` : undefined,
      persistRequestsKey: name ? `${name}-REQUEST_LIST_REQUESTS` : undefined,
      ...options,
      sources: sources ?? [],
    });
    await list.initialize();
    return list;
  }

  /** Loads the sources (or the persisted ones) and the saved progress; call once. */
  async initialize(): Promise<this> {
    if (this.#initialized) {
      throw new ConfigurationError('RequestList was already initialized; call initialize() once');
    }
    this.#initialized = true;
    const persisted = await this.#loadPersistedRequests();
    if (persisted) {
      persisted.forEach((json) => this.#add(Request.fromJSON(json)));
    } else {
      await this.#loadSources();
      await this.#persistRequests();
    }
    await this.#restoreState();
    if (this.#options.persistStateKey) {
      this.#config.getEventManager().on(EventType.PERSIST_STATE, this.#persist);
    }
    return this;
  }

  /** The next request: reclaimed ones first, then in list order; null when none is left. */
  async fetchNextRequest(): Promise<Request | null> {
    this.#assertInitialized();
    const reclaimed = this.#reclaimed.values().next();
    if (!reclaimed.done) {
      this.#reclaimed.delete(reclaimed.value);
      return this.#requests[this.#indexByKey.get(reclaimed.value)!]!;
    }
    const request = this.#requests[this.#nextIndex];
    if (!request) {
      return null;
    }
    this.#nextIndex += 1;
    this.#inProgress.add(request.uniqueKey);
    return request;
  }

  /** Marks a request handed out by this list as handled. */
  async markRequestHandled(request: Request): Promise<void> {
    this.#assertInProgress(request);
    this.#inProgress.delete(request.uniqueKey);
    this.#reclaimed.delete(request.uniqueKey);
    this.#handled += 1;
  }

  /** Gives a request back, to be handed out again before the rest of the list. */
  async reclaimRequest(request: Request): Promise<void> {
    this.#assertInProgress(request);
    this.#reclaimed.add(request.uniqueKey);
  }

  /** True when every request was handed out and none waits to be handed out again. */
  async isEmpty(): Promise<boolean> {
    this.#assertInitialized();
    return this.#reclaimed.size === 0 && this.#nextIndex >= this.#requests.length;
  }

  /** True when every request was handled. */
  async isFinished(): Promise<boolean> {
    return (await this.isEmpty()) && this.#inProgress.size === 0;
  }

  /** Number of requests in the list. */
  length(): number {
    return this.#requests.length;
  }

  /** Number of requests handled, in this run and, when resumed, before it. */
  handledCount(): number {
    return this.#handled;
  }

  /** The list's progress, as it would be persisted. */
  getState(): RequestListState {
    return {
      nextIndex: this.#nextIndex,
      nextUniqueKey: this.#requests[this.#nextIndex]?.uniqueKey ?? null,
      inProgress: [...this.#inProgress],
    };
  }

  /** Saves the progress now (it is also saved on every `persistState` event). */
  async persistState(): Promise<void> {
    const key = this.#options.persistStateKey;
    if (!key) {
      return;
    }
    await (await this.#keyValueStore()).setValue(`SDK_${key}`, this.getState());
  }

  /** Stops saving progress on `persistState` events, after saving it one last time. */
  async teardown(): Promise<void> {
    this.#config.getEventManager().off(EventType.PERSIST_STATE, this.#persist);
    await this.persistState();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    for (const request of this.#requests) {
      yield request;
    }
  }

  #add(request: Request): void {
    if (this.#indexByKey.has(request.uniqueKey)) {
      if (!this.#options.keepDuplicateUrls) {
        return;
      }
      request.uniqueKey = `${request.uniqueKey}#dup${this.#requests.length}`;
    }
    this.#indexByKey.set(request.uniqueKey, this.#requests.length);
    this.#requests.push(request);
  }

  async #loadSources(): Promise<void> {
    const sources = this.#options.sourcesFunction
      ? await this.#options.sourcesFunction()
      : this.#options.sources!;
    for (const source of sources) {
      if (isRequestsFromUrl(source)) {
        const { requestsFromUrl, regex, ...rest } = source;
        const urls = await downloadListOfUrls({ url: requestsFromUrl, urlRegExp: regex });
        urls.forEach((url) => this.#add(new Request({ ...rest, url })));
      } else {
        this.#add(toRequest(source));
      }
    }
  }

  async #loadPersistedRequests(): Promise<RequestJSON[] | null> {
    const key = this.#options.persistRequestsKey;
    if (!key) {
      return null;
    }
    return (await this.#keyValueStore()).getValue<RequestJSON[]>(`SDK_${key}`);
  }

  async #persistRequests(): Promise<void> {
    const key = this.#options.persistRequestsKey;
    if (!key) {
      return;
    }
    const json = this.#requests.map((request) => request.toJSON());
    await (await this.#keyValueStore()).setValue(`SDK_${key}`, json);
  }

  async #restoreState(): Promise<void> {
    const key = this.#options.persistStateKey;
    if (!key) {
      return;
    }
    const state = await (await this.#keyValueStore()).getValue<RequestListState>(`SDK_${key}`);
    if (!state) {
      return;
    }
    const nextKey = this.#requests[state.nextIndex]?.uniqueKey ?? null;
    if (state.nextIndex > this.#requests.length || nextKey !== state.nextUniqueKey) {
      throw new InputError(
        `Saved progress of request list "${key}" does not match its sources, which changed ` +
          `since it was saved; delete the record SDK_${key} to start the list over`,
      );
    }
    this.#nextIndex = state.nextIndex;
    this.#handled = state.nextIndex - state.inProgress.length;
    for (const uniqueKey of state.inProgress) {
      if (this.#indexByKey.has(uniqueKey)) {
        this.#inProgress.add(uniqueKey);
        this.#reclaimed.add(uniqueKey);
      }
    }
  }

  async #keyValueStore(): Promise<KeyValueStore> {
    this.#store ??= await KeyValueStore.open(null, { config: this.#config });
    return this.#store;
  }

  #assertInitialized(): void {
    if (!this.#initialized) {
      throw new ConfigurationError(
        'RequestList is not initialized; call initialize() or use RequestList.open()',
      );
    }
  }

  #assertInProgress(request: Request): void {
    this.#assertInitialized();
    if (!this.#inProgress.has(request.uniqueKey)) {
      throw new InputError(
        `Request ${request.url} was not handed out by this request list, or was already handled`,
      );
    }
  }
}

function isRequestsFromUrl(source: RequestListSource): source is RequestsFromUrlSource {
  return typeof source === 'object' && source !== null && 'requestsFromUrl' in source;
}
