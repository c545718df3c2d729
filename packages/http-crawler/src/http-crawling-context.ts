/**
 * What the HTTP crawlers' handlers receive: the crawling context plus the response, its decoded
 * body, its content type and helpers that read the page.
 */
import type { CheerioAPI } from 'cheerio';

import type {
  Awaitable,
  BatchAddRequestsResult,
  ContextEnqueueLinksOptions,
  CrawlingContext,
  Dictionary,
  ProxyInfo,
  ProxyOutcome,
  Request,
} from '@trawl/core';

import type { HttpRequest, StreamingHttpResponse } from './http-client.js';

/**
 * Options of the page's `enqueueLinks()`: those of `enqueueLinks()` without `requestQueue`, and
 * `urls` optional. Without `urls`, the links are read from the page's elements matching
 * `selector` (`a` by default), resolved against its `<base href>` or the loaded URL.
 */
export interface EnqueueLinksFromPageOptions extends Omit<ContextEnqueueLinksOptions, 'urls'> {
  /** Links to enqueue instead of the page's. */
  urls?: readonly string[];
}

/** The response's content type and the encoding its body was decoded from. */
export interface ResponseContentType {
  /** The type without parameters, lower case: `text/html`. */
  type: string;
  /** The encoding the body was decoded from: `utf-8`, `windows-1250`, `shift_jis`... */
  encoding: string;
}

/** The context of an HTTP crawler's handler. */
export interface InternalHttpCrawlingContext<
  UserData extends Dictionary = Dictionary,
  JSONData = any,
> extends CrawlingContext<UserData> {
  /** The response: status, headers, final URL. Its body has been read into `body`. */
  response: StreamingHttpResponse;
  /** The body: a string for HTML and XML (decoded), a Buffer for other types. */
  body: string | Buffer;
  /** The content type and the encoding used to decode the body. */
  contentType: ResponseContentType;
  /** The body parsed as JSON, on first read, for JSON types; `null` for others. */
  readonly json: JSONData;
  /**
   * The page parsed with cheerio, parsed once per page however often it is called.
   * @throws SelectorNotFoundError when `selector` is given and matches nothing
   */
  parseWithCheerio(selector?: string): Promise<CheerioAPI>;
  /**
   * Checks that `selector` matches an element of the page; there is nothing to wait for in an
   * HTTP response, so it resolves or throws at once.
   * @throws SelectorNotFoundError when nothing matches
   */
  waitForSelector(selector: string): Promise<void>;
  /**
   * Enqueues the page's links (or `options.urls`): strategy `same-hostname` unless patterns
   * are given; children get `crawlDepth + 1`; `maxCrawlDepth` and `maxRequestsPerCrawl` apply.
   */
  enqueueLinks(options?: EnqueueLinksFromPageOptions): Promise<BatchAddRequestsResult>;
}

/** The context of an {@link HttpCrawler}'s handler. */
export type HttpCrawlingContext<
  UserData extends Dictionary = Dictionary,
  JSONData = any,
> = InternalHttpCrawlingContext<UserData, JSONData>;

/** The context of a {@link CheerioCrawler}'s handler: an HTTP context plus `$`. */
export interface CheerioCrawlingContext<
  UserData extends Dictionary = Dictionary,
  JSONData = any,
> extends InternalHttpCrawlingContext<UserData, JSONData> {
  /**
   * The page parsed with cheerio (XML mode for XML types), parsed once on first use; the same
   * object `parseWithCheerio()` returns.
   */
  readonly $: CheerioAPI;
}

/**
 * A navigation hook: `preNavigationHooks` may change `gotOptions` before the request is sent;
 * `postNavigationHooks` run once the response headers are in.
 */
export type HttpHook<Context> = (context: Context, gotOptions: HttpRequest) => Awaitable<void>;

/** A hook of a {@link CheerioCrawler}. */
export type CheerioHook = HttpHook<CheerioCrawlingContext>;

/** A source of proxies, such as a `ProxyConfiguration`: one proxy per session. */
export interface ProxyConfigurationLike {
  /** The proxy for `sessionId`; `undefined` for a direct connection. */
  newProxyInfo(
    sessionId?: string,
    options?: { request?: Request },
  ): Promise<ProxyInfo | undefined> | ProxyInfo | undefined;
  /** Told how each attempt through a proxy went, as {@link ProxyConfiguration.reportOutcome}. */
  reportOutcome?(proxyUrl: string, hostname: string, outcome: ProxyOutcome): void;
}
