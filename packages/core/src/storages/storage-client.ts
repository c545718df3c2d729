/**
 * The storage client interface: how datasets, key-value stores and request queues reach their
 * backend. Three implementations: memory, filesystem (the default) and Redis. The shape follows
 * the Apify API client's collection/resource split, so that client can also serve on the platform.
 */

/** Facts about one storage, as every client reports them. */
export interface StorageInfo {
  id: string;
  name?: string;
  createdAt: Date;
  modifiedAt: Date;
  accessedAt: Date;
}

/** Facts about a dataset. */
export interface DatasetInfo extends StorageInfo {
  itemCount: number;
}

/** Facts about a request queue; the counts are exact. */
export interface RequestQueueInfo extends StorageInfo {
  totalRequestCount: number;
  handledRequestCount: number;
  pendingRequestCount: number;
  hadMultipleClients: boolean;
}

/** A page of dataset items. */
export interface PaginatedList<T> {
  items: T[];
  /** Items in the whole dataset. */
  total: number;
  /** Items on this page. */
  count: number;
  offset: number;
  limit: number;
  desc: boolean;
}

/** Options of {@link DatasetClient.listItems}. */
export interface DatasetClientListOptions {
  /** Items to skip. @default 0 */
  offset?: number;
  /** Items to return at most. @default all */
  limit?: number;
  /** Newest first. @default false */
  desc?: boolean;
}

/** Reads and writes one dataset. */
export interface DatasetClient {
  get(): Promise<DatasetInfo | undefined>;
  delete(): Promise<void>;
  /** Appends items (already validated plain objects) in order. */
  pushItems(items: Record<string, unknown>[]): Promise<void>;
  listItems(options?: DatasetClientListOptions): Promise<PaginatedList<Record<string, unknown>>>;
  /**
   * Appends items like {@link DatasetClient.pushItems}, first reporting the index their first
   * item gets, before anything is written. Clients that cannot leave it undefined.
   */
  pushItemsReserving?(
    items: Record<string, unknown>[],
    onReserve: (startIndex: number) => Promise<void>,
  ): Promise<void>;
  /** Writes the items of a reserved range that are not on disk yet (recovery after a crash). */
  completeItems?(startIndex: number, items: Record<string, unknown>[]): Promise<void>;
}

/** One record of a key-value store. */
export interface KeyValueStoreRecord {
  key: string;
  /** Parsed JSON for JSON records, a string for text, a Buffer otherwise. */
  value: unknown;
  contentType?: string;
}

/** A key as listed by {@link KeyValueStoreClient.listKeys}. */
export interface KeyValueStoreItemData {
  key: string;
  /** Bytes. */
  size: number;
}

/** Options of {@link KeyValueStoreClient.listKeys}. */
export interface KeyValueStoreListOptions {
  limit?: number;
  exclusiveStartKey?: string;
  prefix?: string;
}

/** A page of keys. */
export interface KeyValueStoreListResult {
  items: KeyValueStoreItemData[];
  count: number;
  limit: number;
  isTruncated: boolean;
  exclusiveStartKey?: string;
  nextExclusiveStartKey?: string;
}

/** Reads and writes one key-value store. */
export interface KeyValueStoreClient {
  get(): Promise<StorageInfo | undefined>;
  delete(): Promise<void>;
  getRecord(key: string): Promise<KeyValueStoreRecord | undefined>;
  /** Stores a string, a Buffer or a parsed JSON value under `key`. */
  setRecord(record: { key: string; value: string | Buffer; contentType: string }): Promise<void>;
  deleteRecord(key: string): Promise<void>;
  recordExists(key: string): Promise<boolean>;
  listKeys(options?: KeyValueStoreListOptions): Promise<KeyValueStoreListResult>;
  /** A URL at which the record can be read, for a filesystem store a `file://` URL. */
  getPublicUrl(key: string): string;
}

/** A request as a queue stores it: the Request's JSON plus the fields the queue indexes. */
export interface QueuedRequest {
  id: string;
  uniqueKey: string;
  url: string;
  /** The Request's full `toJSON()` output. */
  json: string;
}

/** The outcome of adding one request. */
export interface ProcessedRequest {
  requestId: string;
  uniqueKey: string;
  wasAlreadyPresent: boolean;
  wasAlreadyHandled: boolean;
  forefront?: boolean;
}

/** A request that could not be added, with the reason. */
export interface UnprocessedRequest {
  uniqueKey: string;
  url: string;
  method?: string;
  reason?: string;
}

/** The outcome of a batch add. */
export interface BatchAddRequestsResult {
  processedRequests: ProcessedRequest[];
  unprocessedRequests: UnprocessedRequest[];
}

/** Options of {@link RequestQueueClient.fetchNext}. */
export interface FetchNextOptions {
  /** How long the lease lasts before another client may take the request, in seconds. */
  leaseSecs: number;
  /**
   * Hosts whose requests must not be handed out now (politeness); pending requests of other
   * hosts are served in queue order.
   */
  excludeHosts?: ReadonlySet<string>;
}

/** Items to write to a dataset once their request is marked handled. */
export interface OutboxEntry {
  dataset: string;
  items: Record<string, unknown>[];
  /** The dataset index of the first item, when it was reserved before the commit. */
  startIndex?: number;
}

/** A stored {@link OutboxEntry}, with the index of its first item once reserved. */
export interface OutboxRow extends OutboxEntry {
  id: number;
}

/**
 * Items committed together with their request's handled mark, written to datasets afterwards
 * (exactly once, even across crashes). Queues that cannot do this leave `outbox` undefined.
 */
export interface RequestQueueOutbox {
  /** Rows not yet written to their dataset, oldest first. */
  list(): Promise<OutboxRow[]>;
  /** Records the dataset index of a row's first item, before any item is written. */
  reserve(id: number, startIndex: number): Promise<void>;
  /** Deletes a row whose items are all written; the deletion may wait for {@link flush}. */
  complete(id: number): Promise<void>;
  /** Carries out the deletions {@link complete} deferred. */
  flush(): Promise<void>;
}

/**
 * Reads and writes one request queue. Every request is pending, leased (handed out, with an owner
 * and an expiry) or handled. A lease left by a dead client returns to pending.
 */
export interface RequestQueueClient {
  /** The identity of this client in leases. */
  readonly clientKey: string;
  get(): Promise<RequestQueueInfo | undefined>;
  delete(): Promise<void>;
  /** Adds requests not seen before; `forefront` puts them ahead of every pending request. */
  batchAddRequests(
    requests: QueuedRequest[],
    options?: { forefront?: boolean },
  ): Promise<BatchAddRequestsResult>;
  /** The stored JSON of a request by id. */
  getRequest(id: string): Promise<string | undefined>;
  /** Leases the first pending request (forefront first, then in order of addition), or null. */
  fetchNext(options: FetchNextOptions): Promise<QueuedRequest | null>;
  /**
   * Leases up to `count` pending requests at once, in the order {@link fetchNext} would; clients
   * that cannot leave it undefined and are asked one at a time.
   */
  fetchNextBatch?(count: number, options: FetchNextOptions): Promise<QueuedRequest[]>;
  /**
   * Marks a leased request handled and stores its final JSON; with `outbox` entries (when the
   * client has an {@link RequestQueueClient.outbox}), stores them in the same transaction and
   * returns their row ids.
   */
  markHandled(
    request: QueuedRequest,
    outbox?: OutboxEntry[],
  ): Promise<ProcessedRequest & { outboxIds?: number[] }>;
  /** The outbox, for queues that commit dataset items with the handled mark. */
  readonly outbox?: RequestQueueOutbox;
  /** Returns a leased request to pending, at the head with `forefront`, storing its JSON. */
  reclaim(request: QueuedRequest, options?: { forefront?: boolean }): Promise<ProcessedRequest>;
  /** Extends this client's lease on a request; false when the lease was lost. */
  prolongLease(id: string, leaseSecs: number): Promise<boolean>;
  /** Returns every request this client holds to pending, in its original place. */
  releaseLeases(): Promise<void>;
  /** Counts of pending (not leased), leased and handled requests. */
  counts(): Promise<{ pending: number; leased: number; handled: number }>;
  /** Frees resources (database handles); the queue stays on disk. */
  close(): Promise<void>;
}

/** The storages of one backend. */
export interface StorageClient {
  /** Opens (creating when absent) the dataset with this name. */
  dataset(name: string): Promise<DatasetClient>;
  /** Opens (creating when absent) the key-value store with this name. */
  keyValueStore(name: string): Promise<KeyValueStoreClient>;
  /** Opens (creating when absent) the request queue with this name. */
  requestQueue(name: string, options?: { clientKey?: string }): Promise<RequestQueueClient>;
  /**
   * Clears the default storages, keeping the `INPUT` records of the default key-value store.
   * Named storages are never purged.
   */
  purge(defaults: {
    datasetName: string;
    keyValueStoreName: string;
    requestQueueName: string;
  }): Promise<void>;
  /** Frees every handle this client holds. */
  teardown(): Promise<void>;
}
