import { Configuration } from '../configuration.js';
import { StorageError } from '../errors.js';
import { EventType } from '../events/event-manager.js';
import { Request, type RequestsLike, type Source, toRequest } from '../request.js';
import { assertKnownOptions } from '../utils/options.js';
import type { Dictionary } from '../utils/types.js';
import { addInBatches } from './request-queue-batches.js';
import { KnownRequests } from './known-requests.js';
import {
  assertRequestsLike,
  queuedFrom,
  rejectGivenId,
  toQueuedRequest,
} from './request-queue-sources.js';
import type {
  BatchAddRequestsResult,
  OutboxEntry,
  ProcessedRequest,
  QueuedRequest,
  RequestQueueClient,
  RequestQueueInfo,
  StorageClient,
} from './storage-client.js';
import type {
  AddRequestsBatchedOptions,
  AddRequestsBatchedResult,
  AddRequestsOptions,
  FetchNextRequestOptions,
  RequestQueueOperationInfo,
  RequestQueueOperationOptions,
  RequestQueueOptions,
} from './request-queue-types.js';
import { forgetStorage, openStorage, type StorageManagerOptions } from './storage-manager.js';

export type {
  AddRequestsBatchedOptions,
  AddRequestsBatchedResult,
  AddRequestsOptions,
  FetchNextRequestOptions,
  RequestQueueOperationInfo,
  RequestQueueOperationOptions,
  RequestQueueOptions,
} from './request-queue-types.js';

const BATCH_SIZE = 1_000;
// Remembers between 25,000 and 50,000 requests: a few MB, whatever the queue's length.
const KNOWN_REQUESTS_GENERATION = 25_000;
const OPTIONS = new Set(['id', 'name', 'client', 'config', 'storageClient']);
const OPERATION_OPTIONS = new Set(['forefront']);
const ADD_OPTIONS = new Set(['forefront', 'cache']);
const BATCHED_OPTIONS = new Set([
  'forefront',
  'batchSize',
  'waitForAllRequestsToBeAdded',
  'waitBetweenBatchesMillis',
  'maxNewRequests',
]);

/**
 * A deduplicating queue of requests to crawl, stored by the configured storage client (a SQLite
 * file under `request_queues/<name>/` by default). Crawlee 3's API: a request is pending, then
 * leased by `fetchNextRequest()` for `requestLockSecs`, then handled or reclaimed. Leases of a
 * killed process return to pending when the queue is opened again; counts are exact.
 *
 * @example
 * const queue = await RequestQueue.open();
 * await queue.addRequests(['https://shop.example/', 'https://shop.example/about']);
 * let request;
 * while ((request = await queue.fetchNextRequest())) {
 *   // ... crawl request.url ...
 *   await queue.markRequestHandled(request);
 * }
 */
export class RequestQueue {
  /** The queue's id; for local storages, its name. */
  readonly id: string;
  /** The queue's name. */
  readonly name?: string;
  /** The storage behind the queue. */
  readonly client: RequestQueueClient;
  /** The configuration whose events the queue listens to. */
  readonly config: Configuration;
  /** Identity of this queue's leases in storage. */
  readonly clientKey: string;
  /** How long a fetched request stays leased to this queue, in seconds. @default 180 */
  requestLockSecs = 180;

  #storageClient?: StorageClient;
  // Requests known to be in the queue: a request is never removed, so adding one of them again
  // needs no storage call (Crawlee keeps the same cache).
  #known = new KnownRequests(KNOWN_REQUESTS_GENERATION);
  #counts = { total: 0, handled: 0 };
  #batchesInProgress = 0;
  #backgroundError: unknown;
  #releaseLeases = (): Promise<void> => this.client.releaseLeases();

  /** Wraps a storage client's queue; prefer {@link RequestQueue.open}. */
  constructor(options: RequestQueueOptions) {
    assertKnownOptions(options, OPTIONS, 'RequestQueue');
    this.id = options.id;
    this.name = options.name;
    this.client = options.client;
    this.clientKey = options.client.clientKey;
    this.config = options.config ?? Configuration.getGlobalConfig();
    this.#storageClient = options.storageClient;

    const events = this.config.getEventManager();
    events.on(EventType.ABORTING, this.#releaseLeases);
    events.on(EventType.MIGRATING, this.#releaseLeases);
  }

  /**
   * Opens the queue with this name (the configuration's default queue, `'default'`, when none is
   * given), creating it when absent. Opening the same name again returns the same instance.
   *
   * @throws InputError when the name has characters other than letters, digits, `.`, `_`, `-`.
   * @throws StorageError when the stored queue cannot be read.
   */
  static async open(
    nameOrId?: string | null,
    options: StorageManagerOptions = {},
  ): Promise<RequestQueue> {
    assertKnownOptions(options, new Set(['config', 'storageClient']), 'RequestQueue.open');
    return openStorage('requestQueue', nameOrId, options, async (storageClient, name, config) => {
      const client = await storageClient.requestQueue(name);
      const queue = new RequestQueue({ id: name, name, client, config, storageClient });
      await queue.#refreshCounts();
      return queue;
    });
  }

  /**
   * Adds one request unless one with the same unique key is already in the queue.
   *
   * @throws InputError when the source has an `id`, InvalidUrlError for a URL that is not http
   *   or https, ConfigurationError for an unknown or mistyped option.
   */
  async addRequest(
    source: Source | string,
    options: RequestQueueOperationOptions = {},
  ): Promise<RequestQueueOperationInfo> {
    assertKnownOptions(options, OPERATION_OPTIONS, 'RequestQueue.addRequest');
    const forefront = options.forefront ?? false;
    const [result] = await this.#add([source], forefront);
    return { ...result, forefront };
  }

  /**
   * Adds many requests: every one is validated first, then they are written in transactions of
   * 1,000. Duplicates (of the queue or of each other) are reported as `wasAlreadyPresent`.
   *
   * @throws The errors of {@link RequestQueue.addRequest} for the first invalid item; nothing
   *   is written then.
   */
  async addRequests(
    requestsLike: RequestsLike,
    options: AddRequestsOptions = {},
  ): Promise<BatchAddRequestsResult> {
    assertKnownOptions(options, ADD_OPTIONS, 'RequestQueue.addRequests');
    assertRequestsLike(requestsLike, 'addRequests');

    let sources: (Source | string)[] = [];
    if (Array.isArray(requestsLike)) {
      sources = requestsLike;
    } else {
      for await (const source of requestsLike) {
        sources.push(source);
      }
    }
    const processedRequests = await this.#add(sources, options.forefront ?? false);
    return { processedRequests, unprocessedRequests: [] };
  }

  /**
   * Adds the first batch of requests, then the rest in the background, so crawling can start at
   * once; {@link RequestQueue.isFinished} stays false until the background batches are done.
   * Each batch is validated before it is written.
   *
   * @throws The errors of {@link RequestQueue.addRequest} for an invalid item of the first
   *   batch; a later batch's error rejects `waitForAllRequestsToBeAdded` instead.
   */
  async addRequestsBatched(
    requests: RequestsLike,
    options: AddRequestsBatchedOptions = {},
  ): Promise<AddRequestsBatchedResult> {
    assertKnownOptions(options, BATCHED_OPTIONS, 'RequestQueue.addRequestsBatched');
    assertRequestsLike(requests, 'addRequestsBatched');
    return addInBatches(requests, options, {
      add: async (chunk) => {
        const { forefront } = options;
        return (await this.addRequests(chunk, { forefront })).processedRequests;
      },
      track: (background) => this.#track(background),
    });
  }

  /**
   * Leases the next request: forefront requests first (newest first), then the others in the
   * order they were added. Returns `null` only when no request is pending and unleased, so a
   * `while ((request = await queue.fetchNextRequest()))` loop drains the queue. Mark the request
   * handled or reclaim it within `requestLockSecs`, or another client may take it.
   *
   * @param options - trawl-specific: `excludeHosts` skips requests of busy hosts (politeness).
   */
  async fetchNextRequest<T extends Dictionary = Dictionary>(
    options: FetchNextRequestOptions = {},
  ): Promise<Request<T> | null> {
    const queued = await this.client.fetchNext({
      leaseSecs: this.requestLockSecs,
      excludeHosts: options.excludeHosts,
    });
    return queued === null ? null : restore<T>(queued.id, queued.json);
  }

  /**
   * trawl: leases up to `count` requests at once, in the order
   * {@link RequestQueue.fetchNextRequest} would hand them out one by one, in one storage
   * transaction where the client can. An empty array means no request is pending and unleased.
   */
  async fetchNextRequests<T extends Dictionary = Dictionary>(count: number): Promise<Request<T>[]> {
    const leaseSecs = this.requestLockSecs;
    if (this.client.fetchNextBatch === undefined) {
      const first = await this.fetchNextRequest<T>();
      return first === null ? [] : [first];
    }
    const rows = await this.client.fetchNextBatch(count, { leaseSecs });
    return rows.map((row) => restore<T>(row.id, row.json));
  }

  /**
   * Marks a fetched request handled (setting `handledAt`); it is never served again.
   * @throws StorageError when this queue does not hold the request's lease.
   */
  async markRequestHandled(request: Request): Promise<RequestQueueOperationInfo> {
    const { outboxIds: _ids, ...result } = await this.#markHandled(request, []);
    return { ...result, forefront: false };
  }

  /**
   * trawl: marks a fetched request handled and, in the same transaction, stores items to write
   * to datasets afterwards (the client's outbox), so a crash never loses or repeats them.
   * Returns the outbox row ids; the crawler writes the items and completes the rows.
   */
  async markRequestHandledWithItems(request: Request, outbox: OutboxEntry[]): Promise<number[]> {
    return (await this.#markHandled(request, outbox)).outboxIds ?? [];
  }

  async #markHandled(
    request: Request,
    outbox: OutboxEntry[],
  ): ReturnType<RequestQueueClient['markHandled']> {
    request.handledAt ??= new Date().toISOString();
    const result = await this.client.markHandled(queuedFrom(request), outbox);
    this.#counts.handled += 1;
    this.#known.remember(request.uniqueKey, result.requestId, true);
    return result;
  }

  /**
   * Returns a fetched request to the queue with its changes (retry count, error messages). It
   * keeps its place in the queue, or goes to the front with `forefront`. Crawlee puts it last.
   *
   * @throws StorageError when this queue does not hold the request's lease.
   */
  async reclaimRequest(
    request: Request,
    options: RequestQueueOperationOptions = {},
  ): Promise<RequestQueueOperationInfo> {
    assertKnownOptions(options, OPERATION_OPTIONS, 'RequestQueue.reclaimRequest');
    const forefront = options.forefront ?? false;
    const result = await this.client.reclaim(queuedFrom(request), { forefront });
    return { ...result, forefront };
  }

  /** The stored request with this id, or `null`. */
  async getRequest<T extends Dictionary = Dictionary>(id: string): Promise<Request<T> | null> {
    const json = await this.client.getRequest(id);
    return json === undefined ? null : restore<T>(id, json);
  }

  /** Whether no request is waiting to be fetched; leased requests may still be in progress. */
  async isEmpty(): Promise<boolean> {
    return (await this.#refreshCounts()).pending === 0;
  }

  /**
   * Whether every request is handled: none pending, none leased (by any live client) and no
   * background batch of {@link RequestQueue.addRequestsBatched} still running.
   *
   * @throws The error of a background batch that failed since the last call.
   */
  async isFinished(): Promise<boolean> {
    if (this.#backgroundError !== undefined) {
      const error = this.#backgroundError;
      this.#backgroundError = undefined;
      throw error;
    }
    if (this.#batchesInProgress > 0) {
      return false;
    }
    const { pending, leased } = await this.#refreshCounts();
    return pending === 0 && leased === 0;
  }

  /** The number of handled requests, read from storage. */
  async handledCount(): Promise<number> {
    return (await this.#refreshCounts()).handled;
  }

  /**
   * Requests in the queue, handled or not, as this queue last knew it (exact for a single
   * client; refreshed by every count read from storage). Synchronous, as in Crawlee.
   */
  getTotalCount(): number {
    return this.#counts.total;
  }

  /** Requests not yet handled, leased ones included; see {@link RequestQueue.getTotalCount}. */
  getPendingCount(): number {
    return this.#counts.total - this.#counts.handled;
  }

  /**
   * trawl: what this queue remembers of `uniqueKey` without reading storage: its request id and
   * whether it was handled, for requests this queue object added, served or marked lately (the
   * last 25,000 to 50,000 of them). `undefined` means not remembered, not absent.
   */
  knownRequest(uniqueKey: string): ProcessedRequest | undefined {
    const known = this.#known.get(uniqueKey);
    return known === undefined
      ? undefined
      : {
          requestId: known.id,
          uniqueKey,
          wasAlreadyPresent: true,
          wasAlreadyHandled: known.handled,
        };
  }

  /** Facts about the queue with exact counts; `pendingRequestCount` includes leased requests. */
  async getInfo(): Promise<RequestQueueInfo | undefined> {
    const info = await this.client.get();
    if (info !== undefined) {
      this.#counts = { total: info.totalRequestCount, handled: info.handledRequestCount };
    }
    return info;
  }

  /** Deletes the queue and its storage; a later `open()` of the name starts empty. */
  async drop(): Promise<void> {
    const events = this.config.getEventManager();
    events.off(EventType.ABORTING, this.#releaseLeases);
    events.off(EventType.MIGRATING, this.#releaseLeases);
    this.#known.clear();
    await this.client.delete();
    if (this.#storageClient !== undefined) {
      forgetStorage(this.#storageClient, 'requestQueue', this.name ?? this.id);
    }
  }

  /**
   * Fetches requests until none is pending, as Crawlee's iterator does: each request yielded is
   * leased, so mark it handled or reclaim it.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    for (let request = await this.fetchNextRequest(); request;) {
      yield request;
      request = await this.fetchNextRequest();
    }
  }

  // Sources validated, those already known answered from memory, the others written; results in
  // the order of the sources.
  async #add(sources: (Source | string)[], forefront: boolean): Promise<ProcessedRequest[]> {
    const results: ProcessedRequest[] = new Array(sources.length);
    const queued: QueuedRequest[] = [];
    const positions: number[] = [];
    for (const [position, source] of sources.entries()) {
      const request = toRequest(rejectGivenId(source));
      const known = this.#known.get(request.uniqueKey);
      if (known === undefined || (request.id !== undefined && request.id !== known.id)) {
        queued.push(toQueuedRequest(request));
        positions.push(position);
        continue;
      }
      request.id ??= known.id;
      results[position] = {
        requestId: known.id,
        uniqueKey: request.uniqueKey,
        wasAlreadyPresent: true,
        wasAlreadyHandled: known.handled,
        forefront,
      };
    }

    const written = await this.#write(queued, forefront);
    for (const [index, result] of written.entries()) {
      results[positions[index]!] = result;
      this.#known.remember(result.uniqueKey, result.requestId, result.wasAlreadyHandled);
    }
    return results;
  }

  async #write(queued: QueuedRequest[], forefront: boolean): Promise<ProcessedRequest[]> {
    const results: ProcessedRequest[] = [];
    for (let start = 0; start < queued.length; start += BATCH_SIZE) {
      const batch = queued.slice(start, start + BATCH_SIZE);
      const { processedRequests } = await this.client.batchAddRequests(batch, { forefront });
      results.push(...processedRequests);
    }
    this.#counts.total += results.filter((result) => !result.wasAlreadyPresent).length;
    return results;
  }

  #track(background: Promise<unknown>): void {
    this.#batchesInProgress += 1;
    // The error is kept for isFinished(), so it surfaces even when nobody awaits the batches.
    void background
      .catch((error: unknown) => {
        this.#backgroundError = error;
      })
      .finally(() => {
        this.#batchesInProgress -= 1;
      });
  }

  async #refreshCounts() {
    const counts = await this.client.counts();
    this.#counts = {
      total: counts.pending + counts.leased + counts.handled,
      handled: counts.handled,
    };
    return counts;
  }
}

function restore<T extends Dictionary>(id: string, json: string): Request<T> {
  try {
    return Request.fromJSON<T>(JSON.parse(json));
  } catch (error) {
    throw new StorageError(
      `Stored request ${id} cannot be restored (${(error as Error).message}); the queue holds ` +
        'data trawl did not write, so drop the queue or delete its folder',
      { cause: error },
    );
  }
}
