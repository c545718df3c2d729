// @trawl/core: requests, configuration, logging, events and storages. Grouped by concept.

// Errors
export {
  ConfigurationError,
  CorruptStorageFileError,
  CriticalError,
  InputError,
  InvalidUrlError,
  NonRetryableError,
  RetryRequestError,
  SessionError,
  StorageError,
  TrawlError,
  isTrawlError,
  type TrawlErrorOptions,
} from './errors.js';

// Logging and events
export { Log, LogLevel, log, parseLogLevel, type LogOptions, type LogWriter } from './log.js';
export {
  EventManager,
  EventType,
  LocalEventManager,
  type EventManagerOptions,
  type SystemInfoEvent,
} from './events/event-manager.js';

// Configuration
export { Configuration, defaultStorageDir, type ConfigurationOptions } from './configuration.js';

// Requests
export {
  Request,
  RequestState,
  getRequestId,
  toRequest,
  type AllowedHttpMethods,
  type RequestJSON,
  type RequestOptions,
  type RequestsLike,
  type Source,
} from './request.js';
export { normalizeUrl } from './utils/url.js';
export type { Dictionary } from './utils/types.js';
export {
  URL_NO_COMMAS_REGEX,
  URL_WITH_COMMAS_REGEX,
  downloadListOfUrls,
  extractUrls,
  type DownloadListOfUrlsOptions,
} from './utils/download-urls.js';

// Storages
export { purgeDefaultStorages, type StorageManagerOptions } from './storages/storage-manager.js';
export {
  Dataset,
  MAX_PAYLOAD_SIZE_BYTES,
  type DatasetContent,
  type DatasetDataOptions,
  type DatasetExportToFileOptions,
  type DatasetExportToOptions,
  type DatasetIteratorOptions,
} from './storages/dataset.js';
export {
  KeyValueStore,
  type KeyValueStoreIteratorOptions,
  type RecordOptions,
} from './storages/key-value-store.js';
export {
  RequestQueue,
  type AddRequestsBatchedOptions,
  type AddRequestsBatchedResult,
  type AddRequestsOptions,
  type FetchNextRequestOptions,
  type RequestQueueOperationInfo,
  type RequestQueueOperationOptions,
  type RequestQueueOptions,
} from './storages/request-queue.js';
export {
  RequestList,
  type IRequestList,
  type RequestListOptions,
  type RequestListSource,
  type RequestListState,
  type RequestsFromUrlSource,
} from './storages/request-list.js';
export {
  SitemapRequestList,
  type SitemapRequestListState,
} from './storages/sitemap-request-list.js';
export type {
  SitemapRequestListOptions,
  SitemapRequestListParseOptions,
} from './storages/sitemap-request-list-options.js';
export type {
  InProgressSitemap,
  PendingSitemap,
  SitemapParsingProgress,
} from './storages/sitemap-request-list-loader.js';

// Storage clients
export type * from './storages/storage-client.js';
export {
  FilesystemStorageClient,
  type FilesystemStorageClientOptions,
} from './storages/filesystem/filesystem-storage-client.js';
export { MemoryStorageClient } from './storages/memory/memory-storage-client.js';
export {
  SqliteRequestQueueClient,
  type SqliteRequestQueueClientOptions,
} from './storages/sqlite/sqlite-request-queue-client.js';

// Scaling
export { AutoscaledPool, type AutoscaledPoolOptions } from './autoscaling/autoscaled-pool.js';
export { Snapshotter, type SnapshotterOptions } from './autoscaling/snapshotter.js';
export {
  SystemStatus,
  type SystemInfo,
  type SystemStatusOptions,
} from './autoscaling/system-status.js';
export {
  HostScheduler,
  type HostSchedulerOptions,
  type HostState,
} from './politeness/host-scheduler.js';
export {
  RobotsTxtPolicy,
  type RobotsTxtPolicyOptions,
  type RobotsVerdict,
} from './politeness/robots-txt-policy.js';
export { parseRetryAfter, retryDelayMillis } from './politeness/backoff.js';

// Sessions
export { Session, type SessionOptions, type SessionState } from './session-pool/session.js';
export {
  SessionPool,
  type CreateSession,
  type SessionPoolOptions,
  type SessionPoolState,
} from './session-pool/session-pool.js';
export { CookieParseError } from './session-pool/errors.js';
export { BLOCKED_STATUS_CODES } from './session-pool/consts.js';
export {
  CHALLENGE_SCAN_CHARS,
  detectChallengePage,
  type LoadedPageFacts,
} from './session-pool/challenge-page.js';

// Statistics
export {
  MAX_SESSIONS_COUNTED,
  Statistics,
  type AttemptOutcome,
  type FinalStatistics,
  type StatisticState,
  type StatisticsOptions,
} from './statistics/statistics.js';
export { ErrorTracker, type ErrorTrackerOptions } from './statistics/error-tracker.js';

// Routing and links
export {
  MissingRouteError,
  Router,
  createBasicRouter,
  type RouteHandler,
  type RouterHandler,
  type RouterRoutes,
} from './router.js';
export * from './enqueue-links/index.js';

// Crawlers
export {
  BasicCrawler,
  type CrawlerAddRequestsOptions,
  type CrawlerRunOptions,
} from './crawlers/basic-crawler.js';
export {
  type BasicCrawlerOptions,
  type ErrorHandler,
  type RequestHandler,
  type StatusMessageCallbackParams,
} from './crawlers/basic-crawler-options.js';
export {
  type ContextEnqueueLinksOptions,
  type CrawlingContext,
  type ProxyInfo,
} from './crawlers/crawling-context.js';
export { RequestHandlerTimeoutError, ThrottledError } from './crawlers/errors.js';
export { runWithTimeout } from './crawlers/timeout.js';
export type { SendRequestOptions, SendRequestResponse } from './crawlers/send-request.js';
export { cheapGotScrapingDefaults, isCheaplyValid } from './crawlers/got-scraping-options.js';
export type { Awaitable } from './utils/types.js';

// Proxies
export {
  ProxyConfiguration,
  toSafeString,
  type NewProxyUrlOptions,
  type ProxyConfigurationOptions,
  type ProxyUrlFunction,
} from './proxy-configuration.js';
export { ProxyHealth, type ProxyHealthOptions, type ProxyOutcome } from './proxy-health.js';
