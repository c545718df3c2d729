/**
 * Where a crawler's requests come from: the request list (which feeds the queue, as in Crawlee)
 * and the queue, fetched politely (only hosts the scheduler allows now), within the exact
 * `maxRequestsPerCrawl` budget, with retries held back for their back-off delay.
 */
import type { HostScheduler } from '../politeness/host-scheduler.js';
import type { Request } from '../request.js';
import type { IRequestList } from '../storages/request-list.js';
import type { RequestQueue } from '../storages/request-queue.js';

/** Options of {@link RequestSource}. */
export interface RequestSourceOptions {
  queue: RequestQueue;
  list?: IRequestList;
  scheduler: HostScheduler;
  /** Requests that may start in this crawl at most, counting those finished before a resume. */
  maxRequestsPerCrawl?: number;
  /** Requests finished or failed so far (restored statistics included). */
  countDone: () => number;
  /** Called when a held request or a host becomes available, to wake the pool. */
  onWake: () => void;
}

/** Requests leased at once when no politeness limit applies. */
const FETCH_BATCH = 16;

// A request's hostname is asked for several times per attempt; its URL is parsed once.
const hostnames = new WeakMap<Request, { url: string; hostname: string }>();

/** The hostname of a request's URL. */
export function hostOf(request: Request): string {
  const known = hostnames.get(request);
  if (known?.url === request.url) {
    return known.hostname;
  }
  const { hostname } = new URL(request.url);
  hostnames.set(request, { url: request.url, hostname });
  return hostname;
}

/** Hands requests to the crawler and takes them back; see the file comment. */
export class RequestSource {
  #options: RequestSourceOptions;
  /**
   * Requests started and not yet finished, retries waiting included: when each was taken from
   * the queue, by id.
   */
  #inProgress = new Map<string, number>();
  #prefetched: Request[] = [];
  #held = new Map<string, NodeJS.Timeout>();
  readonly #writes = new Set<Promise<void>>();
  #wakeTimer?: NodeJS.Timeout;
  #wakeAt = Infinity;

  constructor(options: RequestSourceOptions) {
    this.#options = options;
  }

  /** The queue requests come from. */
  get queue(): RequestQueue {
    return this.#options.queue;
  }

  /** Requests started and not finished (retries waiting included). */
  get inProgressCount(): number {
    return this.#inProgress.size;
  }

  /** True when the budget of `maxRequestsPerCrawl` is used by finished and running requests. */
  isLimitReached(): boolean {
    const limit = this.#options.maxRequestsPerCrawl;
    return limit !== undefined && this.#options.countDone() + this.#inProgress.size >= limit;
  }

  /** Requests that may still be added before the limit, or undefined without a limit. */
  remainingBudget(): number | undefined {
    const limit = this.#options.maxRequestsPerCrawl;
    if (limit === undefined) {
      return undefined;
    }
    // The queue's pending count includes leased requests, so those in progress are in it.
    const pending = this.#options.queue.getPendingCount();
    return Math.max(0, limit - this.#options.countDone() - pending);
  }

  /** Fetches a request a task may start now, keeping it for {@link RequestSource.take}. */
  async isReady(): Promise<boolean> {
    if (this.#prefetched.length > 0) {
      return true;
    }
    const request = await this.#fetch();
    if (request) {
      // Ahead of the rest of a batch, which #fetch put in the buffer.
      this.#prefetched.unshift(request);
      return true;
    }
    this.#armWakeTimer();
    return false;
  }

  /** The request fetched by the last successful {@link RequestSource.isReady}. */
  take(): Request | undefined {
    return this.#prefetched.shift();
  }

  /** When a request in progress was taken from the queue (ms since the epoch), else Infinity. */
  startedAt(request: Request): number {
    return this.#inProgress.get(request.id!) ?? Infinity;
  }

  /** Marks a request done (handled or failed) in the queue. */
  async markHandled(request: Request): Promise<void> {
    await this.#options.queue.markRequestHandled(request);
    this.#finish(request);
  }

  /** Forgets a request that finished without a queue write (its handled mark was committed). */
  finish(request: Request): void {
    this.#finish(request);
  }

  /**
   * Keeps work that goes on after a request finished (writing the items its commit stored)
   * until it settles; {@link RequestSource.settleWrites} waits for all of it. `write` must not
   * reject.
   */
  trackWrite(write: Promise<void>): void {
    this.#writes.add(write);
    void write.then(() => this.#writes.delete(write));
  }

  /** Waits for the work given to {@link RequestSource.trackWrite}, also work added meanwhile. */
  async settleWrites(): Promise<void> {
    while (this.#writes.size > 0) {
      await Promise.all(this.#writes);
    }
  }

  /** Returns a request to the queue after `delayMillis`, keeping its lease meanwhile. */
  reclaimLater(request: Request, delayMillis: number): void {
    this.#options.scheduler.onFinish(hostOf(request));
    const timer = setTimeout(() => {
      this.#held.delete(request.id!);
      void this.#options.queue.reclaimRequest(request).finally(() => {
        this.#inProgress.delete(request.id!);
        this.#options.onWake();
      });
    }, delayMillis);
    this.#held.set(request.id!, timer);
  }

  /** True when nothing is pending, leased, held or started, or the budget is used up. */
  async isFinished(): Promise<boolean> {
    if (this.#inProgress.size > 0 || this.#prefetched.length > 0) {
      return false;
    }
    if (this.isLimitReached()) {
      return true;
    }
    const listDone = this.#options.list ? await this.#options.list.isFinished() : true;
    return listDone && (await this.#options.queue.isFinished());
  }

  /** Returns every held and prefetched request to the queue at once (pause, Ctrl+C). */
  async releaseAll(): Promise<void> {
    clearTimeout(this.#wakeTimer);
    for (const [id, timer] of this.#held) {
      clearTimeout(timer);
      this.#held.delete(id);
    }
    this.#prefetched = [];
    this.#inProgress.clear();
    await this.#options.queue.client.releaseLeases();
  }

  async #fetch(): Promise<Request | null> {
    if (this.isLimitReached()) {
      return null;
    }
    await this.#feedFromList();
    const { scheduler, queue } = this.#options;
    if (scheduler.hasNoLimits()) {
      return this.#fetchBatch();
    }
    const request = await queue.fetchNextRequest({ excludeHosts: scheduler.excludedHosts() });
    return request && (await this.#start(request)) ? request : null;
  }

  // Without politeness limits, several requests are leased in one storage transaction; the
  // ones not started now wait in the prefetch buffer, counted as in progress.
  async #fetchBatch(): Promise<Request | null> {
    const limit = this.#options.maxRequestsPerCrawl;
    const budget = limit === undefined ? Infinity : limit - this.#options.countDone();
    const count = Math.min(FETCH_BATCH, budget - this.#inProgress.size);
    const requests = await this.#options.queue.fetchNextRequests(count);
    const started: Request[] = [];
    for (const request of requests) {
      if (await this.#start(request)) {
        started.push(request);
      }
    }
    this.#prefetched.push(...started.slice(1));
    return started[0] ?? null;
  }

  // The excluded set cannot name a host first seen now whose domain is still delayed, and
  // another task may have started the host while the fetch was awaited.
  async #start(request: Request): Promise<boolean> {
    if (!this.#options.scheduler.isAllowed(hostOf(request))) {
      await this.#options.queue.reclaimRequest(request);
      return false;
    }
    this.#inProgress.set(request.id!, Date.now());
    this.#options.scheduler.onStart(hostOf(request));
    return true;
  }

  async #feedFromList(): Promise<void> {
    const list = this.#options.list;
    const request = list ? await list.fetchNextRequest() : null;
    if (!list || !request) {
      return;
    }
    await this.#options.queue.addRequest(request, { forefront: true });
    await list.markRequestHandled(request);
  }

  #finish(request: Request): void {
    this.#inProgress.delete(request.id!);
    this.#options.scheduler.onFinish(hostOf(request));
    this.#options.onWake();
  }

  #armWakeTimer(): void {
    const at = this.#options.scheduler.nextReadyAt();
    if (at === undefined || at >= this.#wakeAt) {
      return;
    }
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = setTimeout(
      () => {
        this.#wakeAt = Infinity;
        this.#options.onWake();
      },
      Math.max(0, at - Date.now()),
    );
  }
}
