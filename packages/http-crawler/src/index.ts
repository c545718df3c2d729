// @trawl/http-crawler: HttpCrawler and CheerioCrawler, their routers and response decoding.
// Every name of @trawl/core is re-exported, so one import serves a whole crawler.

export * from '@trawl/core';

// Crawlers
export { HttpCrawler } from './http-crawler.js';
export { CheerioCrawler, type CheerioCrawlerOptions } from './cheerio-crawler.js';
export {
  HTTP_OPTIMIZED_AUTOSCALED_POOL_OPTIONS,
  type HttpCrawlerOptions,
} from './http-crawler-options.js';

// Contexts and hooks
export type {
  CheerioCrawlingContext,
  CheerioHook,
  EnqueueLinksFromPageOptions,
  HttpCrawlingContext,
  HttpHook,
  InternalHttpCrawlingContext,
  ProxyConfigurationLike,
  ResponseContentType,
} from './http-crawling-context.js';

// Routers
export { createCheerioRouter, createHttpRouter } from './routers.js';

// HTTP client
export { GotScrapingHttpClient } from './got-scraping-http-client.js';
export { UndiciHttpClient } from './undici-http-client.js';
export type {
  BaseHttpClient,
  CookieJarLike,
  HttpRequest,
  RedirectHandler,
  RedirectInfo,
  StreamingHttpResponse,
} from './http-client.js';

// Response decoding
export { BASE_MIME_TYPES, parseContentType, type ParsedContentType } from './content-type.js';
export { decodeBody, detectEncoding, normalizeEncoding, type EncodingOptions } from './decode.js';

// Errors
export {
  HttpStatusError,
  NavigationTimeoutError,
  RedirectLoopError,
  ResponseTooLargeError,
  SelectorNotFoundError,
  TooManyRedirectsError,
  UnsupportedContentTypeError,
} from './errors.js';
