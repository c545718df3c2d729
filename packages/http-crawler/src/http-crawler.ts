/**
 * HttpCrawler: navigates to each request over HTTP, judges the response (DESIGN.md's table),
 * decodes the body and runs the handler with it. Options are in `http-crawler-options.ts`, the
 * navigation in `navigation.ts`, the judging in `response-checks.ts`.
 */
import {
  BasicCrawler,
  CHALLENGE_SCAN_CHARS,
  NonRetryableError,
  RequestState,
  SessionError,
  detectChallengePage,
  matchesEnqueueStrategy,
  runWithTimeout,
  type AutoscaledPoolOptions,
  type ProxyOutcome,
  type Configuration,
  type Request,
  type Session,
} from '@trawl/core';

import { isAcceptedType, parseContentType } from './content-type.js';
import { detectEncoding } from './decode.js';
import { UnsupportedContentTypeError } from './errors.js';
import type { HttpRequest, StreamingHttpResponse } from './http-client.js';
import {
  HTTP_CRAWLER_OPTION_NAMES,
  HTTP_OPTIMIZED_AUTOSCALED_POOL_OPTIONS,
  basicOptionsOf,
  resolveHttpSettings,
  type HttpCrawlerOptions,
  type HttpSettings,
} from './http-crawler-options.js';
import type {
  EnqueueLinksFromPageOptions,
  HttpCrawlingContext,
  InternalHttpCrawlingContext,
} from './http-crawling-context.js';
import { LoadedPage } from './loaded-page.js';
import { createRequestOptions, sendNavigation } from './navigation.js';
import { readBody } from './read-body.js';
import { navigationError, statusError } from './response-checks.js';

type ItemBuffer = Parameters<BasicCrawler['createContext']>[2];

/** The page of one handler call, filled in once the navigation has read it. */
interface PageSlot {
  page?: LoadedPage;
}

/**
 * Crawls over plain HTTP: for each request it sends a browser-like request (got-scraping: HTTP/2
 * where offered, the session's cookies, the session's proxy), then runs your handler with the
 * response and its decoded body. 5xx answers are retried, 429 slows the host down, 401 and 403
 * retire the session, other 4xx reach the handler; content types other than HTML, XML and JSON
 * (plus `additionalMimeTypes`) fail the request at once.
 *
 * @example
 * const crawler = new HttpCrawler({
 *   async requestHandler({ request, body, contentType, pushData }) {
 *     await pushData({ url: request.loadedUrl, type: contentType.type, length: body.length });
 *   },
 * });
 * await crawler.run(['https://example.com/']);
 */
export class HttpCrawler<
  Context extends InternalHttpCrawlingContext<any, any> = HttpCrawlingContext,
> extends BasicCrawler<Context> {
  readonly #settings: HttpSettings<Context>;
  readonly #handlerTimeoutMillis: number;
  readonly #pages = new WeakMap<object, PageSlot>();
  // One accessor for every context: a getter made per context would give each context a shape of
  // its own, and every handler reading a context would then read it the slow way.
  readonly #jsonProperty: PropertyDescriptor = {
    get: (() => {
      const pages = this.#pages;
      return function json(this: object) {
        return pages.get(this)?.page?.json ?? null;
      };
    })(),
    enumerable: true,
    configurable: true,
  };

  /** @throws ConfigurationError on unknown, mistyped or not yet supported options */
  constructor(options: HttpCrawlerOptions<Context> = {}, config?: Configuration) {
    super(basicOptionsOf(options), config);
    if (options.handlePageFunction !== undefined) {
      this.log.deprecated('"handlePageFunction" is deprecated, use "requestHandler" instead');
    }
    this.#settings = resolveHttpSettings<Context>(options, new.target.name);
    const handlerSecs = this.options.requestHandlerTimeoutSecs ?? 60;
    this.#handlerTimeoutMillis = handlerSecs * 1000;
    // The engine's budget covers navigation and handler, plus slack, as in Crawlee.
    this.requestHandlerTimeoutMillis =
      (this.#settings.navigationTimeoutSecs + handlerSecs + 10) * 1000;
  }

  protected override reportProxyOutcome(proxyUrl: string, hostname: string, outcome: ProxyOutcome) {
    this.#settings.proxyConfiguration?.reportOutcome?.(proxyUrl, hostname, outcome);
  }

  protected override async robotsTxtProxyUrl(_url: string): Promise<string | undefined> {
    return (await this.#settings.proxyConfiguration?.newProxyInfo())?.url;
  }

  protected override knownOptions(): ReadonlySet<string> {
    return new Set([...super.knownOptions(), ...HTTP_CRAWLER_OPTION_NAMES]);
  }

  // Crawlee's rule: the HTTP defaults apply only when the user passes no pool options at all.
  protected override defaultAutoscaledPoolOptions(): Partial<AutoscaledPoolOptions> {
    if (this.options.autoscaledPoolOptions !== undefined) {
      return {};
    }
    const defaults = HTTP_OPTIMIZED_AUTOSCALED_POOL_OPTIONS;
    return {
      desiredConcurrency: defaults.desiredConcurrency,
      snapshotterOptions: { ...defaults.snapshotterOptions },
      systemStatusOptions: { ...defaults.systemStatusOptions },
    };
  }

  protected override createContext(
    request: Request,
    session: Session | undefined,
    buffer: ItemBuffer,
    signal: AbortSignal,
  ): Context {
    const context = super.createContext(request, session, buffer, signal);
    const slot: PageSlot = {};
    this.#pages.set(context, slot);
    const enqueueUrls = context.enqueueLinks.bind(context);
    const sendRequest = context.sendRequest.bind(context);
    const page = () => slot.page ?? noPage(request);

    Object.assign(context, {
      response: undefined,
      body: undefined,
      contentType: undefined,
      parseWithCheerio: async (selector?: string) => page().parse(selector),
      waitForSelector: async (selector: string) => void page().parse(selector),
      enqueueLinks: (options: EnqueueLinksFromPageOptions = {}) =>
        enqueueUrls({ ...options, urls: options.urls ?? pageLinks(slot.page, options) }),
      sendRequest: (overrides = {}) =>
        sendRequest({ proxyUrl: context.proxyInfo?.url, ...overrides }),
    } satisfies Partial<InternalHttpCrawlingContext>);
    Object.defineProperty(context, 'json', this.#jsonProperty);
    return context;
  }

  /** The page loaded for a context, once its navigation has read the body. */
  protected loadedPage(context: Context): LoadedPage | undefined {
    return this.#pages.get(context)?.page;
  }

  /** Navigates, judges the response, then runs the handler (or the router) under its timeout. */
  protected override async runRequestHandler(context: Context): Promise<void> {
    const { request } = context;
    if (!request.skipNavigation && !(await this.#navigate(context))) {
      return;
    }
    request.state = RequestState.REQUEST_HANDLER;
    await runWithTimeout(
      () => super.runRequestHandler(context),
      this.#handlerTimeoutMillis,
      undefined,
      request.loadedUrl ?? request.url,
    );
  }

  /** Loads the page into the context; resolves `false` when the request is skipped. */
  async #navigate(context: Context): Promise<boolean> {
    const { request, session } = context;
    const settings = this.#settings;
    context.proxyInfo ??=
      (await settings.proxyConfiguration?.newProxyInfo(session?.id, { request })) ?? undefined;
    const gotOptions = createRequestOptions(request, settings, {
      session,
      proxyUrl: context.proxyInfo?.url,
      signal: context.signal,
    });

    request.state = RequestState.BEFORE_NAV;
    for (const hook of settings.preNavigationHooks) {
      await hook(context, gotOptions);
    }
    const response = await sendNavigation(gotOptions, settings);
    try {
      return await this.#handleResponse(context, response, gotOptions);
    } finally {
      // A body left unread (a skip, an error status) must not hold its connection.
      if (!response.stream.readableEnded) {
        response.stream.destroy();
      }
    }
  }

  async #handleResponse(
    context: Context,
    response: StreamingHttpResponse,
    gotOptions: HttpRequest,
  ): Promise<boolean> {
    const { request, session } = context;
    const settings = this.#settings;
    request.state = RequestState.AFTER_NAV;
    request.loadedUrl = response.url;
    context.response = response;
    this.stats.registerStatusCode(response.statusCode, hostnameOf(response.url));

    const contentType = parseContentType(response.headers, response.url);
    const failure = statusError(response, {
      ignored: settings.ignoredStatusCodes,
      errors: settings.errorStatusCodes,
      blocked: session && this.sessionPool ? this.sessionPool.blockedStatusCodes : undefined,
    });
    // An error status is judged by its status, whatever body type the error page has.
    if (!failure && !isAcceptedType(contentType.type, settings.acceptedTypes)) {
      throw new UnsupportedContentTypeError(response.url, contentType.type, [
        ...settings.acceptedTypes,
      ]);
    }
    for (const hook of settings.postNavigationHooks) {
      await hook(context, gotOptions);
    }
    if (!matchesRedirectStrategy(request)) {
      await this.#skipRedirected(request);
      return false;
    }
    const raw = settings.retryOnBlocked
      ? await this.#readUnlessChallenge(response, gotOptions)
      : undefined;
    if (failure) {
      throw failure;
    }

    const body = raw ?? (await this.#readBody(response, gotOptions));
    const encoding = detectEncoding(body, contentType, {
      forceEncoding: settings.forceEncoding,
      suggestEncoding: settings.suggestEncoding,
    });
    const page = new LoadedPage(response.url, body, { type: contentType.type, encoding });
    this.#pages.get(context)!.page = page;
    context.body = page.body;
    context.contentType = page.contentType;
    return true;
  }

  // With retryOnBlocked every body is read, error pages too, since a challenge page may come with
  // any status; a recognised one retires the session like a blocked status code does.
  async #readUnlessChallenge(
    response: StreamingHttpResponse,
    gotOptions: HttpRequest,
  ): Promise<Buffer> {
    const raw = await this.#readBody(response, gotOptions);
    const service = detectChallengePage({
      url: response.url,
      statusCode: response.statusCode,
      headers: response.headers,
      body: raw.subarray(0, CHALLENGE_SCAN_CHARS).toString('latin1'),
    });
    if (service !== undefined) {
      throw new SessionError(`Blocked by a ${service} challenge page (${response.url})`);
    }
    return raw;
  }

  async #readBody(response: StreamingHttpResponse, gotOptions: HttpRequest): Promise<Buffer> {
    try {
      return await readBody(response.stream, {
        url: response.url,
        maxResponseBytes: this.#settings.maxResponseBytes,
        contentLength: response.headers['content-length'],
      });
    } catch (error) {
      throw navigationError(error, {
        url: response.url,
        navigationTimeoutSecs: this.#settings.navigationTimeoutSecs,
        maxRedirects: this.#settings.maxRedirects,
        proxyUrl: gotOptions.proxyUrl,
      });
    }
  }

  async #skipRedirected(request: Request): Promise<void> {
    request.noRetry = true;
    request.state = RequestState.SKIPPED;
    this.stats.registerSkipped('redirect');
    this.log.debug('Request skipped', {
      url: request.url,
      loadedUrl: request.loadedUrl,
      reason: 'redirect',
    });
    await this.options.onSkippedRequest?.({ url: request.url, reason: 'redirect' });
  }
}

/** Whether a redirect kept the request within the strategy of the `enqueueLinks()` that made it. */
function matchesRedirectStrategy(request: Request): boolean {
  const strategy = request.enqueueStrategy;
  const { url, loadedUrl } = request;
  if (strategy === undefined || loadedUrl === undefined || loadedUrl === url) {
    return true;
  }
  return matchesEnqueueStrategy(strategy, loadedUrl, url);
}

function pageLinks(page: LoadedPage | undefined, options: EnqueueLinksFromPageOptions): string[] {
  if (page === undefined || typeof page.body !== 'string') {
    return [];
  }
  return page.links(options.selector, options.baseUrl);
}

function noPage(request: Request): never {
  throw new NonRetryableError(
    `No page was loaded for ${request.url}: the request skipped navigation or its navigation ` +
      'failed; read the page only in requestHandler',
    { code: 'TRAWL_NO_PAGE' },
  );
}

function hostnameOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
