/**
 * BasicCrawler: the engine every crawler builds on. It fetches requests politely from the queue,
 * runs the handler under a timeout with a fresh context, commits pushed items with the handled
 * mark, retries failures with back-off and keeps statistics. Failure handling lives in
 * `request-failure.ts`, the context in `crawling-context.ts`, options in
 * `basic-crawler-options.ts`.
 */
import { randomBytes } from 'node:crypto';

import { AutoscaledPool, type AutoscaledPoolOptions } from '../autoscaling/autoscaled-pool.js';
import { Configuration } from '../configuration.js';
import {
  enqueueLinks,
  resolveBaseUrlForEnqueueLinksFiltering,
  type SkippedRequestReason,
} from '../enqueue-links/enqueue-links.js';
import { ConfigurationError, SessionError, isTrawlError } from '../errors.js';
import { log as rootLog, type Log } from '../log.js';
import { HostScheduler } from '../politeness/host-scheduler.js';
import { RobotsTxtPolicy } from '../politeness/robots-txt-policy.js';
import { toSafeString } from '../proxy-configuration.js';
import type { ProxyOutcome } from '../proxy-health.js';
import type { Request } from '../request.js';
import { toRequest, type RequestsLike, type Source } from '../request.js';
import { Router, type RouterHandler } from '../router.js';
import { SessionPool } from '../session-pool/session-pool.js';
import type { Session } from '../session-pool/session.js';
import { Statistics, type AttemptOutcome, type FinalStatistics } from '../statistics/statistics.js';
import { Dataset } from '../storages/dataset.js';
import { KeyValueStore } from '../storages/key-value-store.js';
import { RequestQueue } from '../storages/request-queue.js';
import { purgeDefaultStorages } from '../storages/storage-manager.js';
import type { AddRequestsBatchedOptions } from '../storages/request-queue-types.js';
import type { Dictionary } from '../utils/types.js';
import { resolveSharedUrl } from '../utils/url.js';
import {
  BASIC_CRAWLER_OPTIONS,
  normalizeBasicOptions,
  type BasicCrawlerOptions,
} from './basic-crawler-options.js';
import type { ItemBuffer } from './crawling-context.js';
import { type CrawlingContext } from './crawling-context.js';
import { ThrottledError } from './errors.js';
import { RequestRunState, handleRequestFailure } from './request-failure.js';
import { passesRobotsTxt, type RobotsGateDeps } from './robots-gate.js';
import { RequestSource, hostOf } from './request-source.js';
import { sendRequest } from './send-request.js';
import { logFinalStatistics, startStatusLine } from './status.js';
import { commitHandled, flushOutbox } from './commit.js';
import { installSigintHandler } from './sigint.js';
import { runWithTimeout } from './timeout.js';

/** Options of {@link BasicCrawler.run}. */
export interface CrawlerRunOptions {
  /** On a second run, drop the default queue first, as Crawlee does. @default true */
  purgeRequestQueue?: boolean;
}

/** Options of {@link BasicCrawler.addRequests}. */
export interface CrawlerAddRequestsOptions {
  forefront?: boolean;
  batchSize?: number;
  waitForAllRequestsToBeAdded?: boolean;
  waitBetweenBatchesMillis?: number;
}

const STATE_KEY = 'CRAWLEE_STATE';

/**
 * Crawls by calling your `requestHandler` for each request; you fetch pages yourself (with
 * `context.sendRequest`) or use HttpCrawler, CheerioCrawler or PlaywrightCrawler, which navigate
 * for you.
 *
 * @example
 * const crawler = new BasicCrawler({
 *   async requestHandler({ request, sendRequest, pushData }) {
 *     const { body } = await sendRequest();
 *     await pushData({ url: request.url, length: body.length });
 *   },
 * });
 * await crawler.run(['https://example.com/']);
 */
export class BasicCrawler<Context extends CrawlingContext = CrawlingContext> {
  /** The crawler's logger, prefixed with its class name. */
  readonly log: Log;
  /** The configuration its storages and events come from. */
  readonly config: Configuration;
  /** Statistics of the crawl. */
  readonly stats: Statistics;
  /** Dispatches requests by label when no `requestHandler` is given. */
  readonly router: RouterHandler<Context> = Router.create<Context>();
  /** The queue, once opened. */
  requestQueue?: RequestQueue;
  /** The list, when one was given. */
  requestList?: BasicCrawlerOptions['requestList'];
  /** The session pool, while running with `useSessionPool`. */
  sessionPool?: SessionPool;
  /** The pool running the tasks, while running. */
  autoscaledPool?: AutoscaledPool;
  /** Whether `run()` is in progress. */
  running = false;
  /** Whether `run()` has completed once. */
  hasFinishedBefore = false;

  protected readonly options: BasicCrawlerOptions<Context>;
  /** Time a handler call may take, in milliseconds; subclasses add navigation time. */
  protected requestHandlerTimeoutMillis: number;
  #scheduler: HostScheduler;
  #robots?: RobotsGateDeps;
  #source?: RequestSource;
  #runController = new AbortController();
  /** The signals of the attempts running now, aborted with the run's (one listener for all). */
  readonly #attemptControllers = new Set<AbortController>();
  #stopReason?: string;
  #throttleWaits = new Map<string, number>();

  /** @throws ConfigurationError on unknown, mistyped or not yet supported options */
  constructor(options: BasicCrawlerOptions<Context> = {}, config?: Configuration) {
    const log = options.log ?? rootLog.child({ prefix: new.target.name });
    this.options = normalizeBasicOptions(options, this.knownOptions(), new.target.name, log);
    this.log = log;
    this.config = config ?? Configuration.getGlobalConfig();
    this.requestList = this.options.requestList;
    this.requestQueue = this.options.requestQueue;
    this.requestHandlerTimeoutMillis = (this.options.requestHandlerTimeoutSecs ?? 60) * 1000;
    this.stats = new Statistics({
      logMessage: `${new.target.name} request statistics:`,
      log,
      config: this.config,
      ...this.options.statisticsOptions,
    });
    this.#scheduler = new HostScheduler({
      sameDomainDelaySecs: this.options.sameDomainDelaySecs ?? 0,
      maxConcurrencyPerHost: this.options.maxConcurrencyPerHost ?? Infinity,
      maxThrottleWaitSecs: this.options.maxThrottleWaitSecs ?? 600,
    });
    this.#robots = this.#createRobotsPolicy();
  }

  /** Option names this crawler accepts; subclasses add theirs. */
  protected knownOptions(): ReadonlySet<string> {
    return BASIC_CRAWLER_OPTIONS;
  }

  /** The politeness state of the crawl's hosts. */
  get hostScheduler(): HostScheduler {
    return this.#scheduler;
  }

  /**
   * Adds `requests`, then crawls until the queue is empty (or `keepAlive` is off and the limit is
   * reached), and resolves with the final statistics.
   * @throws CriticalError (or MissingRouteError) thrown by a handler, which stops the crawl
   */
  async run(requests?: RequestsLike, options: CrawlerRunOptions = {}): Promise<FinalStatistics> {
    if (this.running) {
      throw new ConfigurationError(
        'This crawler is already running; await run() before calling it again',
      );
    }
    this.running = true;
    this.#stopReason = undefined;
    this.#runController = new AbortController();
    const runSignal = this.#runController.signal;
    const abortAttempts = () => {
      for (const controller of this.#attemptControllers) {
        controller.abort(runSignal.reason);
      }
    };
    runSignal.addEventListener('abort', abortAttempts, { once: true });
    try {
      await this.#prepareRun(options);
      if (requests) {
        await this.addRequests(requests);
      }
      return await this.#crawl();
    } finally {
      this.running = false;
      this.hasFinishedBefore = true;
    }
  }

  /**
   * Adds requests to the queue: the first 1,000 before it resolves, the rest in the background.
   * Requests deeper than `maxCrawlDepth` or over `maxRequestsPerCrawl` are skipped.
   */
  async addRequests(
    requests: RequestsLike,
    options: CrawlerAddRequestsOptions = {},
  ): Promise<Awaited<ReturnType<RequestQueue['addRequestsBatched']>>> {
    const queue = await this.getRequestQueue();
    return queue.addRequestsBatched(this.#filterAdded(requests, 0), {
      forefront: options.forefront,
      batchSize: options.batchSize,
      waitForAllRequestsToBeAdded: options.waitForAllRequestsToBeAdded,
      waitBetweenBatchesMillis: options.waitBetweenBatchesMillis,
      maxNewRequests: this.#source?.remainingBudget() ?? this.#budgetBeforeRun(),
    });
  }

  /** Opens the crawler's queue: the one given, or the default one. */
  async getRequestQueue(): Promise<RequestQueue> {
    this.requestQueue ??= await RequestQueue.open(null, { config: this.config });
    return this.requestQueue;
  }

  /** Pushes items to a dataset at once (outside a handler; inside, use `context.pushData`). */
  async pushData(data: Dictionary | Dictionary[], datasetIdOrName?: string): Promise<void> {
    await (await this.getDataset(datasetIdOrName)).pushData(data);
  }

  /** Opens a dataset, the default one when no name is given. */
  async getDataset(idOrName?: string): Promise<Dataset> {
    return Dataset.open(idOrName ?? null, { config: this.config });
  }

  /** Items of the default dataset, as `Dataset.getData` returns them. */
  async getData(...args: Parameters<Dataset['getData']>): ReturnType<Dataset['getData']> {
    return (await this.getDataset()).getData(...args);
  }

  /** Writes the default dataset to a JSON or CSV file; the format comes from the extension. */
  async exportData(path: string, format?: 'json' | 'csv'): Promise<void> {
    await (await this.getDataset()).exportToFile(path, format);
  }

  /** The crawler's state object, saved in the default key-value store as `CRAWLEE_STATE`. */
  async useState<State extends Dictionary = Dictionary>(
    defaultValue = {} as State,
  ): Promise<State> {
    const store = await KeyValueStore.open(null, { config: this.config });
    return store.getAutoSavedValue<State>(STATE_KEY, defaultValue);
  }

  /** Stops taking new requests; running ones finish, then `run()` resolves. */
  stop(reason = 'The crawler has been gracefully stopped.'): void {
    this.#stopReason = reason;
    this.log.info(reason);
    // Running requests finish and are committed; the pool then sees the crawl finished.
    this.autoscaledPool?.notify();
  }

  /** Stops at once: persists state, tears down the session pool and aborts the pool. */
  async teardown(): Promise<void> {
    this.#runController.abort();
    await this.autoscaledPool?.abort();
    await this.#source?.releaseAll();
    await this.sessionPool?.teardown();
    await this.stats.persistState();
  }

  /**
   * Runs the user's handler (or the router) for a prepared context. HttpCrawler and the browser
   * crawlers override it to navigate first.
   */
  protected async runRequestHandler(context: Context): Promise<void> {
    const handler = this.options.requestHandler ?? this.router;
    await handler(context);
  }

  /** Builds the context of one handler call; subclasses extend it. */
  protected createContext(
    request: Request,
    session: Session | undefined,
    buffer: ItemBuffer,
    signal: AbortSignal,
  ): Context {
    const context: CrawlingContext = {
      id: nextContextId(),
      crawler: this,
      log: this.log,
      request,
      session,
      signal,
      enqueueLinks: (options) => this.#enqueueFromContext(request, options),
      addRequests: async (requests, options = {}) => {
        const queue = await this.getRequestQueue();
        const result = await queue.addRequestsBatched(
          this.#filterAdded(requests, request.crawlDepth + 1),
          { ...options, maxNewRequests: this.#source?.remainingBudget() },
        );
        this.#reportOverLimit(result.requestsOverLimit);
      },
      pushData: async (data, datasetIdOrName) => buffer.push(data, datasetIdOrName),
      useState: (defaultValue) => this.useState(defaultValue),
      getKeyValueStore: (idOrName) => KeyValueStore.open(idOrName ?? null, { config: this.config }),
      sendRequest: (overrides = {}) => sendRequest(request, overrides, { session, signal }),
    };
    return context as Context;
  }

  async #prepareRun(options: CrawlerRunOptions): Promise<void> {
    if (this.hasFinishedBefore) {
      await this.#resetForSecondRun(options);
    }
    if (this.config.get('purgeOnStart')) {
      await purgeDefaultStorages({ onlyPurgeOnce: true, config: this.config });
    }
    const written = await flushOutbox(this.config, await this.getRequestQueue());
    if (written > 0) {
      this.log.info('Wrote the items a crashed run had committed but not stored', {
        batches: written,
      });
    }
    if (this.options.useSessionPool ?? true) {
      this.sessionPool = await SessionPool.open(
        { ...this.options.sessionPoolOptions, log: this.log },
        this.config,
      );
    }
  }

  async #resetForSecondRun(options: CrawlerRunOptions): Promise<void> {
    const queue = this.requestQueue;
    if ((options.purgeRequestQueue ?? true) && queue && queue.name === 'default') {
      await queue.drop();
      this.requestQueue = undefined;
    }
    this.stats.reset();
  }

  async #crawl(): Promise<FinalStatistics> {
    const events = this.config.getEventManager();
    await events.init();
    await this.stats.startCapturing();
    const source = this.#createSource();
    const pool = this.#createPool(source);
    const stopStatus = startStatusLine(
      this,
      this.options.statusMessageLoggingInterval ?? 10,
      this.options.statusMessageCallback,
    );
    const removeSigint = installSigintHandler(this, source);
    this.log.info('Starting the crawler.');
    try {
      await pool.run();
    } finally {
      stopStatus();
      removeSigint();
      // Requests fetched but not started (the limit was reached, or stop()) go back at once.
      await source.releaseAll();
      await source.settleWrites();
      await source.queue.client.outbox?.flush();
      await this.sessionPool?.teardown();
      await this.stats.stopCapturing();
      this.autoscaledPool = undefined;
    }
    this.#logListErrors();
    const final = this.stats.getFinalStatistics();
    logFinalStatistics(this.log, this.stats, final, this.#stopReason);
    return final;
  }

  // A SitemapRequestList keeps the sitemaps it could not read instead of printing them.
  #logListErrors(): void {
    const errors = (this.requestList as { errors?: readonly Error[] } | undefined)?.errors ?? [];
    for (const error of errors) {
      const { sitemapUrl, code } = error as Error & { sitemapUrl?: string; code?: string };
      this.log.warning('Sitemap skipped', { sitemapUrl, code, reason: error.message });
    }
  }

  #createSource(): RequestSource {
    this.#source = new RequestSource({
      queue: this.requestQueue!,
      list: this.requestList,
      scheduler: this.#scheduler,
      maxRequestsPerCrawl: this.options.maxRequestsPerCrawl,
      countDone: () => this.stats.state.requestsFinished + this.stats.state.requestsFailed,
      onWake: () => this.autoscaledPool?.notify(),
    });
    return this.#source;
  }

  #createPool(source: RequestSource): AutoscaledPool {
    const user = this.options.autoscaledPoolOptions ?? {};
    const options: AutoscaledPoolOptions = {
      ...this.defaultAutoscaledPoolOptions(),
      ...user,
      minConcurrency: this.options.minConcurrency ?? user.minConcurrency,
      maxConcurrency: this.options.maxConcurrency ?? user.maxConcurrency,
      maxTasksPerMinute: this.options.maxRequestsPerMinute ?? user.maxTasksPerMinute,
      log: this.log,
      config: this.config,
      runTaskFunction: () => this.#runTask(source),
      isTaskReadyFunction: async () => !this.#stopReason && (await source.isReady()),
      isFinishedFunction: async () =>
        this.#stopReason !== undefined || (!this.options.keepAlive && (await source.isFinished())),
    };
    this.autoscaledPool = new AutoscaledPool(options);
    return this.autoscaledPool;
  }

  /** AutoscaledPool options used when the user gives none; HTTP crawlers change them. */
  protected defaultAutoscaledPoolOptions(): Partial<AutoscaledPoolOptions> {
    return {};
  }

  async #runTask(source: RequestSource): Promise<void> {
    const request = source.take();
    if (!request) {
      return;
    }
    const session = await this.sessionPool?.getSession();
    const state = new RequestRunState(request, session);
    try {
      if (this.#robots && !(await passesRobotsTxt(this.#robots, request, source))) {
        return;
      }
      this.stats.startJob(request.id!);
      await this.#attempt(state, source);
      this.#recordAttempt(state);
    } catch (error) {
      this.#recordAttempt(state, error as Error);
      await handleRequestFailure(this.#failureDeps(source), state, error as Error);
    }
  }

  /** The proxy a robots.txt is fetched through; HTTP crawlers use their proxy configuration. */
  protected async robotsTxtProxyUrl(_url: string): Promise<string | undefined> {
    return undefined;
  }

  #createRobotsPolicy(): RobotsGateDeps | undefined {
    const option = this.options.respectRobotsTxtFile;
    if (!option) {
      return undefined;
    }
    const policy = new RobotsTxtPolicy({
      userAgent: typeof option === 'object' ? option.userAgent : undefined,
      maxWaitSecs: this.options.maxRobotsTxtWaitSecs ?? 300,
      onCrawlDelay: (hostname, secs) => this.#scheduler.setCrawlDelay(hostname, secs),
      proxyUrlFor: (url) => this.robotsTxtProxyUrl(url),
    });
    const onSkipped = (url: string, reason: SkippedRequestReason) => this.#onSkipped(url, reason);
    return { policy, log: this.log, stats: this.stats, config: this.config, onSkipped };
  }

  /**
   * Reports how an attempt through a proxy went, so the proxy configuration can stop choosing a
   * proxy a host keeps blocking. HttpCrawler and the browser crawlers pass it on.
   */
  protected reportProxyOutcome(_proxyUrl: string, _hostname: string, _outcome: ProxyOutcome) {
    // BasicCrawler has no proxy configuration of its own.
  }

  // Counts the attempt per proxy and per session, and tells the proxy configuration about blocks
  // and failed proxy connections (other failures say nothing about the proxy).
  #recordAttempt(state: RequestRunState, error?: Error): void {
    const kind = attemptOutcome(error);
    const outcome = kind === 'proxy-error' ? 'error' : kind;
    const proxyUrl = state.context?.proxyInfo?.url;
    this.stats.registerAttempt(outcome, proxyUrl && toSafeString(proxyUrl), state.session?.id);
    if (proxyUrl !== undefined && kind !== 'error') {
      this.reportProxyOutcome(proxyUrl, hostOf(state.request), outcome);
    }
  }

  async #attempt(state: RequestRunState, source: RequestSource): Promise<void> {
    const { request, session } = state;
    const controller = new AbortController();
    this.#attemptControllers.add(controller);
    request.loadedUrl = undefined;
    const context = this.createContext(request, session, state.buffer, controller.signal);
    state.context = context;
    try {
      await runWithTimeout(
        () => this.runRequestHandler(context),
        this.requestHandlerTimeoutMillis,
        controller,
        request.url,
      );
    } finally {
      this.#attemptControllers.delete(controller);
    }
    await commitHandled(this.config, source, request, state.buffer.close());
    this.stats.finishJob(request.id!, request.retryCount);
    this.#scheduler.onSuccess(hostOf(request));
    session?.markGood();
  }

  #failureDeps(source: RequestSource): Parameters<typeof handleRequestFailure>[0] {
    return {
      crawler: this,
      log: this.log,
      config: this.config,
      source,
      stats: this.stats,
      scheduler: this.#scheduler,
      maxRequestRetries: this.options.maxRequestRetries ?? 3,
      maxSessionRotations: this.options.maxSessionRotations ?? 10,
      maxThrottleWaitSecs: this.options.maxThrottleWaitSecs ?? 600,
      retryDelaySecs: this.options.retryDelaySecs ?? 1,
      errorHandler: this.options.errorHandler as never,
      failedRequestHandler: this.options.failedRequestHandler as never,
      throttleWaits: this.#throttleWaits,
      createFailureContext: (state) =>
        this.createContext(
          state.request,
          state.session,
          state.buffer,
          new AbortController().signal,
        ),
    };
  }

  async #enqueueFromContext(
    request: Request,
    options: Parameters<CrawlingContext['enqueueLinks']>[0],
  ): ReturnType<CrawlingContext['enqueueLinks']> {
    const queue = await this.getRequestQueue();
    const depth = request.crawlDepth + 1;
    const loadedUrl = request.loadedUrl ?? request.url;
    // Links resolve against the page actually loaded; they are filtered against the original
    // request's origin, so a redirect never widens the crawl (Crawlee's rule).
    const urls = options.urls?.map((url) => resolveLink(url, loadedUrl));
    const baseUrl = resolveBaseUrlForEnqueueLinksFiltering({
      enqueueStrategy: options.strategy,
      originalRequestUrl: request.url,
      finalRequestUrl: loadedUrl,
      userProvidedBaseUrl: options.baseUrl,
    });
    const maxDepth = this.options.maxCrawlDepth;
    const depthFilteredQueue = {
      addRequestsBatched: (requests: RequestsLike, batchOptions?: AddRequestsBatchedOptions) =>
        queue.addRequestsBatched(this.#filterAdded(requests, depth), batchOptions),
      // Links past maxCrawlDepth are reported as skipped, known or not.
      knownRequest:
        maxDepth === undefined || depth <= maxDepth
          ? (uniqueKey: string) => queue.knownRequest(uniqueKey)
          : undefined,
    };
    return enqueueLinks({
      ...options,
      urls,
      baseUrl,
      requestQueue: depthFilteredQueue,
      limit: minDefined(options.limit, this.#source?.remainingBudget()),
      onSkippedRequest: async (skipped) => {
        await this.#onSkipped(skipped.url, skipped.reason);
        await options.onSkippedRequest?.(skipped);
      },
    });
  }

  // An array stays an array, so the queue reads it without a turn of the event loop per item.
  #filterAdded(requests: RequestsLike, depth: number): RequestsLike {
    const object = Object(requests) as object;
    if (!(Symbol.iterator in object) && !(Symbol.asyncIterator in object)) {
      throw new ConfigurationError('addRequests takes an array or iterable of URLs and sources');
    }
    if (!Array.isArray(requests)) {
      return this.#filterAddedLazily(requests, depth);
    }
    const kept: Request[] = [];
    for (const item of requests as (Source | string)[]) {
      const request = this.#atDepth(item, depth);
      if (request !== undefined) {
        kept.push(request);
      }
    }
    return kept;
  }

  async *#filterAddedLazily(requests: RequestsLike, depth: number): AsyncGenerator<Source> {
    for await (const item of requests) {
      const request = this.#atDepth(item, depth);
      if (request !== undefined) {
        yield request;
      }
    }
  }

  // The request for `item` at `depth`, or undefined (reported) when deeper than maxCrawlDepth.
  #atDepth(item: Source | string, depth: number): Request | undefined {
    const request = toRequest(item);
    if (depth > 0) {
      request.crawlDepth = depth;
    }
    const maxDepth = this.options.maxCrawlDepth;
    if (maxDepth !== undefined && request.crawlDepth > maxDepth) {
      void this.#onSkipped(request.url, 'depth');
      return undefined;
    }
    return request;
  }

  #budgetBeforeRun(): number | undefined {
    const limit = this.options.maxRequestsPerCrawl;
    if (limit === undefined) {
      return undefined;
    }
    const pending = this.requestQueue?.getPendingCount() ?? 0;
    const done = this.stats.state.requestsFinished + this.stats.state.requestsFailed;
    return Math.max(0, limit - done - pending);
  }

  #reportOverLimit(over: Source[] | undefined): void {
    for (const source of over ?? []) {
      void this.#onSkipped(typeof source === 'string' ? source : source.url, 'limit');
    }
  }

  async #onSkipped(url: string, reason: SkippedRequestReason): Promise<void> {
    this.stats.registerSkipped(reason);
    this.log.debug('Request skipped', { url, reason });
    await this.options.onSkippedRequest?.({ url, reason });
  }
}

/** `url` made absolute against `base`; left as it is when it does not parse. */
function resolveLink(url: string, base: string): string {
  return resolveSharedUrl(url, base)?.href ?? url;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) {
    return b;
  }
  return b === undefined ? a : Math.min(a, b);
}

/** How an attempt went: blocks are session errors and 429s; failed proxy connections apart. */
function attemptOutcome(error?: Error): AttemptOutcome | 'proxy-error' {
  if (error === undefined) {
    return 'success';
  }
  if (isTrawlError(error, 'TRAWL_PROXY_CONNECTION')) {
    return 'proxy-error';
  }
  if (
    error instanceof SessionError ||
    (error instanceof ThrottledError && error.statusCode === 429)
  ) {
    return 'blocked';
  }
  return 'error';
}

// Context ids only need to be unique within the process: a random prefix and a counter cost far
// less per request than fresh random bytes.
const CONTEXT_ID_PREFIX = randomBytes(3).toString('hex');
let contextCount = 0;

function nextContextId(): string {
  contextCount += 1;
  return `${CONTEXT_ID_PREFIX}${contextCount.toString(36)}`;
}
