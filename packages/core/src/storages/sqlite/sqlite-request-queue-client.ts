import { randomBytes } from 'node:crypto';
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type Database from 'better-sqlite3';

import { InputError, StorageError } from '../../errors.js';
import type {
  OutboxEntry,
  BatchAddRequestsResult,
  FetchNextOptions,
  ProcessedRequest,
  QueuedRequest,
  RequestQueueClient,
  RequestQueueInfo,
} from '../storage-client.js';
import { importCrawleeRequests } from './crawlee-import.js';
import { SqliteOutbox } from './outbox.js';
import { HANDLED, LEASED, openQueueDatabase, PENDING } from './schema.js';
import { prepareStatements, type Statements } from './statements.js';
import {
  alreadyPresent,
  HANDLE,
  prepareTransactions,
  RECLAIM,
  recoverLeases,
  type Transactions,
} from './transactions.js';
import { WriteBatch } from './write-batch.js';

/** Options of {@link SqliteRequestQueueClient.open}. */
export interface SqliteRequestQueueClientOptions {
  /** Name of the queue, reported by `get()`. */
  name: string;
  /** The database file, or `':memory:'` for a queue that lives as long as the client. */
  path: string;
  /** Identity of this client in leases. @default `${process.pid}:${random hex}` */
  clientKey?: string;
  /** The clock leases are timed by, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** Expired leases are looked for at most this often while fetching. */
const SWEEP_INTERVAL_MILLIS = 1_000;

/**
 * A request queue in one SQLite file (WAL mode): the local queue behind the filesystem and
 * memory storage clients. Several processes may share the file; a lease belongs to one client,
 * and the leases of a client whose process died return to pending, in their old place, as soon as
 * the queue is opened again. Counts are kept exact in the same transactions as the requests.
 *
 * When the folder of a new database holds Crawlee's request files, they are imported first.
 */
export class SqliteRequestQueueClient implements RequestQueueClient {
  /** Identity of this client in leases. */
  readonly clientKey: string;
  /** Name of the queue. */
  readonly name: string;
  /** The database file, or `':memory:'`. */
  readonly path: string;

  /** Dataset items committed with their handled marks, not yet written to their datasets. */
  readonly outbox: SqliteOutbox;
  #db: Database.Database;
  #sql: Statements;
  #tx: Transactions;
  #batch: WriteBatch;
  #now: () => number;
  #lastSweepAt = 0;
  #closed = false;
  // Requests this client leased and has not yet marked or reclaimed (a hint, not a count kept
  // exact through lease expiry): with several in progress, more writes are coming.
  #inProgress = 0;
  /** The rowid of each request this client leased and has not marked: marks find rows by it. */
  readonly #leasedSeqs = new Map<string, number>();

  private constructor(db: Database.Database, options: SqliteRequestQueueClientOptions) {
    this.#db = db;
    this.name = options.name;
    this.path = options.path;
    this.#now = options.now ?? Date.now;
    this.clientKey = options.clientKey ?? `${process.pid}:${randomBytes(6).toString('hex')}`;
    this.#sql = prepareStatements(db);
    this.#tx = prepareTransactions(db, this.#sql, this.clientKey);
    this.outbox = new SqliteOutbox(db);
    this.#batch = new WriteBatch(db, () => this.#inProgress > 1);
  }

  /**
   * Opens the queue at `path`, creating it (and importing Crawlee request files found beside
   * it) when absent, then releases leases whose owner process died or whose time ran out.
   *
   * @throws StorageError when the file is not a readable queue database.
   * @throws CorruptStorageFileError when a Crawlee request file to import is not valid JSON.
   */
  static async open(options: SqliteRequestQueueClientOptions): Promise<SqliteRequestQueueClient> {
    const inMemory = options.path === ':memory:';
    const db = openQueueDatabase(options.path, (fresh) => {
      if (!inMemory) {
        importCrawleeRequests(fresh, dirname(options.path));
      }
    });
    const client = new SqliteRequestQueueClient(db, options);
    const now = client.#now();
    recoverLeases(client.#sql, client.#tx, client.clientKey, now);
    client.#sweep(now);
    return client;
  }

  /** Facts about the queue with exact counts; pending includes leased, as in Crawlee. */
  async get(): Promise<RequestQueueInfo> {
    const now = this.#openNow();
    this.#sweep(now);
    const meta = this.#statements().meta.get()!;
    return {
      id: this.name,
      name: this.name,
      createdAt: new Date(meta.created_at),
      modifiedAt: new Date(meta.modified_at),
      accessedAt: new Date(Math.max(now, meta.modified_at)),
      totalRequestCount: meta.total,
      handledRequestCount: meta.handled,
      // Crawlee counts requests in progress as pending too.
      pendingRequestCount: meta.pending + meta.leased,
      hadMultipleClients: meta.had_multiple_clients === 1,
    };
  }

  /**
   * Adds the requests not yet in the queue, in one transaction, in the given order.
   * @throws InputError when a request URL has no host; nothing is written then.
   */
  async batchAddRequests(
    requests: QueuedRequest[],
    options: { forefront?: boolean } = {},
  ): Promise<BatchAddRequestsResult> {
    this.#statements();
    const hosts = requests.map((request) => hostOf(request.url));
    const forefront = options.forefront ?? false;

    const processedRequests = await this.#batch.run(() =>
      this.#tx.add.immediate(requests, hosts, forefront, this.#now()),
    );
    return { processedRequests, unprocessedRequests: [] };
  }

  /** The stored JSON of a request, handled or not, by id. */
  async getRequest(id: string): Promise<string | undefined> {
    this.#openNow();
    return this.#sql.jsonOf.get(id);
  }

  /**
   * Leases the first pending request in queue order (of a host not in `excludeHosts`) to this
   * client for `leaseSecs`, or returns `null` when there is none.
   */
  async fetchNext(options: FetchNextOptions): Promise<QueuedRequest | null> {
    const now = this.#openNow();
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MILLIS) {
      this.#sweep(now);
    }

    const expiresAt = now + options.leaseSecs * 1_000;
    const { excludeHosts } = options;
    let row = this.#tx.lease.immediate(expiresAt, now, excludeHosts);
    // An empty head may hide leases that expired since the last sweep.
    if (row === undefined && this.#lastSweepAt !== now && this.#sweep(now) > 0) {
      row = this.#tx.lease.immediate(expiresAt, now, excludeHosts);
    }
    if (row === undefined) {
      return null;
    }
    this.#inProgress += 1;
    this.#leasedSeqs.set(row.id, row.seq);
    return row;
  }

  /** Leases up to `count` pending requests in queue order in one transaction. */
  async fetchNextBatch(count: number, options: FetchNextOptions): Promise<QueuedRequest[]> {
    const now = this.#openNow();
    if (now - this.#lastSweepAt >= SWEEP_INTERVAL_MILLIS) {
      this.#sweep(now);
    }
    const expiresAt = now + options.leaseSecs * 1_000;
    let rows = this.#tx.leaseMany.immediate(count, expiresAt, now);
    // An empty head may hide leases that expired since the last sweep.
    if (rows.length === 0 && this.#lastSweepAt !== now && this.#sweep(now) > 0) {
      rows = this.#tx.leaseMany.immediate(count, expiresAt, now);
    }
    this.#inProgress += rows.length;
    for (const row of rows) {
      this.#leasedSeqs.set(row.id, row.seq);
    }
    return rows;
  }

  /**
   * Marks a request this client leases handled, storing its final JSON.
   * @throws StorageError (`TRAWL_REQUEST_NOT_LEASED`) saying why, when this client does not
   *   hold the lease.
   */
  async markHandled(
    request: QueuedRequest,
    outbox: OutboxEntry[] = [],
  ): Promise<ProcessedRequest & { outboxIds?: number[] }> {
    this.#statements();
    this.#finishedOne();
    const seq = this.#leasedSeqs.get(request.id);
    this.#leasedSeqs.delete(request.id);
    const mark = () => {
      const sql = this.#statements();
      // Runs inside the outbox's transaction, so the move needs no savepoint of its own.
      const moved =
        seq === undefined
          ? this.#tx.moveWithin(sql.markHandled, request, HANDLE, this.#now())
          : this.#tx.moveWithin(sql.markHandledBySeq, request, HANDLE, this.#now(), seq);
      if (!moved) {
        throw this.#notLeasedError(request, 'marked handled');
      }
    };
    const outboxIds = await this.#batch.run(() => this.outbox.markHandledWith(outbox, mark));
    return { ...alreadyPresent(request, false), outboxIds };
  }

  /**
   * Returns a request this client leases to pending with its new JSON: in its old place, or
   * before every pending request with `forefront`.
   * @throws StorageError (`TRAWL_REQUEST_NOT_LEASED`) when this client does not hold the lease.
   */
  async reclaim(
    request: QueuedRequest,
    options: { forefront?: boolean } = {},
  ): Promise<ProcessedRequest> {
    const sql = this.#statements();
    this.#finishedOne();
    this.#leasedSeqs.delete(request.id);
    const done = await this.#batch.run(() => {
      const now = this.#now();
      return options.forefront
        ? this.#tx.reclaimToFront.immediate(request, now)
        : this.#tx.move.immediate(sql.reclaim, request, RECLAIM, now);
    });
    if (!done) {
      throw this.#notLeasedError(request, 'reclaimed');
    }
    return { ...alreadyPresent(request, false), forefront: options.forefront ?? false };
  }

  /** Extends this client's lease to `leaseSecs` from now; false when the lease is not held. */
  async prolongLease(id: string, leaseSecs: number): Promise<boolean> {
    const now = this.#openNow();
    return this.#statements().prolong.run(now + leaseSecs * 1_000, id, this.clientKey).changes > 0;
  }

  /** Returns every request this client leases to pending, in its old place. */
  async releaseLeases(): Promise<void> {
    this.#tx.releaseOwner.immediate(this.clientKey, this.#openNow());
    this.#inProgress = 0;
    this.#leasedSeqs.clear();
  }

  #finishedOne(): void {
    this.#inProgress = Math.max(0, this.#inProgress - 1);
  }

  /** Exact counts of pending (unleased), leased and handled requests. */
  async counts(): Promise<{ pending: number; leased: number; handled: number }> {
    this.#sweep(this.#openNow());
    const { pending, leased, handled } = this.#statements().counters.get()!;
    return { pending, leased, handled };
  }

  /** Whether `close()` or `delete()` was called; a closed client cannot be used again. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Closes the database and removes the queue's files, with any imported Crawlee files. */
  async delete(): Promise<void> {
    await this.close();
    if (this.path === ':memory:') {
      return;
    }
    for (const suffix of ['', '-wal', '-shm']) {
      rmSync(`${this.path}${suffix}`, { force: true });
    }
    removeCrawleeFiles(dirname(this.path));
  }

  /** Releases this client's leases and closes the database; the queue stays on disk. */
  async close(): Promise<void> {
    if (this.#closed) {
      return;
    }
    this.#batch.flush();
    await this.outbox.flush();
    this.#tx.releaseOwner.immediate(this.clientKey, this.#now());
    this.#statements().forgetClient.run(this.clientKey);
    this.#closed = true;
    this.#db.close();
  }

  /** Returns expired leases of every client to pending; returns how many. */
  #sweep(now: number): number {
    const sql = this.#statements();
    this.#lastSweepAt = now;
    if (sql.hasExpired.get(now) === undefined) {
      return 0;
    }
    return this.#tx.releaseExpired.immediate(now);
  }

  #statements(): Statements {
    if (this.#closed) {
      throw new StorageError(
        `Request queue "${this.name}" was closed or dropped; open it again before using it`,
        { path: this.path },
      );
    }
    return this.#sql;
  }

  /**
   * The time now; checks the client is open first, and commits the batched writes so that what
   * follows sees them.
   */
  #openNow(): number {
    this.#statements();
    this.#batch.flush();
    return this.#now();
  }

  #notLeasedError(request: QueuedRequest, action: string): StorageError {
    const sql = this.#sql;
    const state = sql.stateOf.get(request.id);
    const owner = state === LEASED ? sql.leaseOwnerOf.get(request.id) : undefined;
    const why =
      state === undefined
        ? 'it is not in the queue'
        : state === HANDLED
          ? 'it is already handled'
          : state === PENDING
            ? 'it is pending (never fetched, or its lease expired or was released)'
            : `it is leased by client ${owner}`;
    return new StorageError(
      `Request ${request.url} cannot be ${action} by client ${this.clientKey} because ${why}; ` +
        'only a request fetched by this client and not yet marked or reclaimed can be',
      { code: 'TRAWL_REQUEST_NOT_LEASED' },
    );
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch (error) {
    throw new InputError(`Request URL "${url}" is not an absolute URL; pass an http or https URL`, {
      cause: error,
    });
  }
}

/** Removes the Crawlee request files an import may have read, and the folder when empty. */
function removeCrawleeFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (/^[A-Za-z0-9]{15}\.json$/.test(name) || name === '__metadata__.json') {
      rmSync(join(dir, name), { force: true });
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // The folder holds files that are not the queue's; leave them.
  }
}
