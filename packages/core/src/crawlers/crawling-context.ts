/**
 * The crawling context: what a handler receives for one request. Items a handler pushes are
 * buffered here and committed by the crawler together with the request's handled mark.
 */
import type { EnqueueLinksOptions } from '../enqueue-links/enqueue-links.js';
import { InputError } from '../errors.js';
import type { Log } from '../log.js';
import type { Request, RequestsLike } from '../request.js';
import type { Session } from '../session-pool/session.js';
import { normaliseItem } from '../storages/dataset-items.js';
import type { KeyValueStore } from '../storages/key-value-store.js';
import type { BatchAddRequestsResult } from '../storages/storage-client.js';
import type { Dictionary } from '../utils/types.js';
import type { SendRequestOptions, SendRequestResponse } from './send-request.js';

/** The proxy a request goes through; {@link ProxyConfiguration.newProxyInfo} makes them. */
export interface ProxyInfo {
  url: string;
  sessionId?: string;
  hostname?: string;
  port?: number | string;
  username?: string;
  password?: string;
}

/** Options of `context.addRequests`. */
export interface ContextAddRequestsOptions {
  forefront?: boolean;
  waitForAllRequestsToBeAdded?: boolean;
  batchSize?: number;
}

/** What `context.enqueueLinks` takes in BasicCrawler: `urls` are required, as in Crawlee. */
export type ContextEnqueueLinksOptions = Omit<EnqueueLinksOptions, 'requestQueue'>;

/** What every crawler's handler receives. */
export interface CrawlingContext<UserData extends Dictionary = Dictionary> {
  /** A random id of this handler call. */
  id: string;
  /** The crawler running the handler. */
  crawler: unknown;
  /** The crawler's logger. */
  log: Log;
  /** The request being handled. */
  request: Request<UserData>;
  /** The session the request uses, when the crawler has a session pool. */
  session?: Session;
  /** The proxy the request uses, when the crawler has a proxy configuration. */
  proxyInfo?: ProxyInfo;
  /** trawl: aborted when the handler times out or the crawl stops; pass it to your I/O. */
  signal: AbortSignal;
  /** Adds links to the queue; children get `crawlDepth + 1`. */
  enqueueLinks(options: ContextEnqueueLinksOptions): Promise<BatchAddRequestsResult>;
  /** Adds requests to the queue; children get `crawlDepth + 1`. */
  addRequests(requests: RequestsLike, options?: ContextAddRequestsOptions): Promise<void>;
  /** Stores items; they are written when the request is marked handled, never twice. */
  pushData(data: Dictionary | Dictionary[], datasetIdOrName?: string): Promise<void>;
  /** The crawler's shared, auto-saved state object. */
  useState<State extends Dictionary = Dictionary>(defaultValue?: State): Promise<State>;
  /** Opens a key-value store, the default one when no name is given. */
  getKeyValueStore(idOrName?: string): Promise<KeyValueStore>;
  /** Sends an HTTP request with the request's URL, headers, session and proxy as defaults. */
  sendRequest(overrides?: SendRequestOptions): Promise<SendRequestResponse>;
}

/** Items pushed during one handler call, by dataset name (`undefined` for the default). */
export class ItemBuffer {
  #items = new Map<string | undefined, Dictionary[]>();
  #closed = false;

  /** Adds items; after `close()` (a timed-out or failed attempt) it refuses them. */
  push(data: Dictionary | Dictionary[], datasetName?: string): void {
    if (this.#closed) {
      throw new InputError(
        'pushData was called after the handler timed out or finished; await every pushData call',
      );
    }
    const items = Array.isArray(data) ? data : [data];
    const list = this.#items.get(datasetName) ?? [];
    items.forEach((item, index) => {
      list.push(normaliseItem(item, Array.isArray(data) ? `at index ${index} ` : ''));
    });
    this.#items.set(datasetName, list);
  }

  /** Stops accepting items and returns what was pushed, by dataset name. */
  close(): Map<string | undefined, Dictionary[]> {
    this.#closed = true;
    return this.#items;
  }
}
