/**
 * Options and results of {@link RequestQueue}'s methods; names and defaults are Crawlee 3's.
 */

import type { Configuration } from '../configuration.js';
import type { Source } from '../request.js';
import type { ProcessedRequest, RequestQueueClient, StorageClient } from './storage-client.js';

/** Options of {@link RequestQueue.addRequest} and {@link RequestQueue.reclaimRequest}. */
export interface RequestQueueOperationOptions {
  /**
   * Serve the request before every pending one; among forefront requests the newest comes
   * first, as in Crawlee. @default false
   */
  forefront?: boolean;
}

/** Options of {@link RequestQueue.addRequests}. */
export interface AddRequestsOptions extends RequestQueueOperationOptions {
  /** Accepted for Crawlee compatibility and ignored: trawl dedupes in storage. @default true */
  cache?: boolean;
}

/** What adding one request did. */
export interface RequestQueueOperationInfo extends ProcessedRequest {
  /** Whether the request was asked to go to the front. */
  forefront: boolean;
}

/** Options of {@link RequestQueue.addRequestsBatched}. */
export interface AddRequestsBatchedOptions extends RequestQueueOperationOptions {
  /** Requests written per transaction. @default 1000 */
  batchSize?: number;
  /** Resolve only once every batch is added, not after the first. @default false */
  waitForAllRequestsToBeAdded?: boolean;
  /**
   * Pause between background batches, in milliseconds. Crawlee waits 1,000 ms to respect the
   * Apify API's rate limit; trawl's local queue has none, so it does not wait. @default 0
   */
  waitBetweenBatchesMillis?: number;
  /**
   * Add at most this many requests that are new to the queue; the rest of the input is returned
   * in `requestsOverLimit`. Setting it waits for every batch. @default unlimited
   */
  maxNewRequests?: number;
}

/** What {@link RequestQueue.addRequestsBatched} returns. */
export interface AddRequestsBatchedResult {
  /** Outcomes of the batches added before returning (the first, or all). */
  addedRequests: ProcessedRequest[];
  /** Outcomes of the background batches, once all are added; rejects if one fails. */
  waitForAllRequestsToBeAdded: Promise<ProcessedRequest[]>;
  /** Input left out because `maxNewRequests` was reached; empty without the option. */
  requestsOverLimit?: Source[];
}

/** Options of {@link RequestQueue.fetchNextRequest}. */
export interface FetchNextRequestOptions {
  /**
   * trawl-specific, used by crawlers for politeness: hosts (as `URL.hostname`) whose requests
   * must not be served now. The first pending request of any other host is served instead.
   */
  excludeHosts?: ReadonlySet<string>;
}

/** Options of the {@link RequestQueue} constructor; use {@link RequestQueue.open} instead. */
export interface RequestQueueOptions {
  /** The queue's id; for local storages, its name. */
  id: string;
  /** The queue's name. */
  name?: string;
  /** The storage behind the queue. */
  client: RequestQueueClient;
  /** Whose event manager's `aborting` and `migrating` events release leases. @default global */
  config?: Configuration;
  /** The storage client `client` came from, forgotten on `drop()`. */
  storageClient?: StorageClient;
}
