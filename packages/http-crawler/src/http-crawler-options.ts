/**
 * HttpCrawler's options: Crawlee 3's names and defaults, trawl's additions (`maxResponseBytes`,
 * `maxRedirects`), their checks, and the settings the crawler derives from them.
 */
import {
  ConfigurationError,
  type AutoscaledPoolOptions,
  type BasicCrawlerOptions,
  type RequestHandler,
} from '@trawl/core';

import { BASE_MIME_TYPES } from './content-type.js';
import { normalizeEncoding } from './decode.js';
import { UndiciHttpClient } from './undici-http-client.js';
import type { BaseHttpClient } from './http-client.js';
import type {
  HttpHook,
  InternalHttpCrawlingContext,
  ProxyConfigurationLike,
} from './http-crawling-context.js';

/** Options of {@link HttpCrawler}, in addition to BasicCrawler's. */
export interface HttpCrawlerOptions<
  Context extends InternalHttpCrawlingContext = InternalHttpCrawlingContext,
> extends BasicCrawlerOptions<Context> {
  /**
   * Time the navigation may take, in seconds: connecting, redirects and reading the body. The
   * crawler gives the handler call `navigationTimeoutSecs + requestHandlerTimeoutSecs + 10`.
   * @default 30
   */
  navigationTimeoutSecs?: number;
  /** Accept any TLS certificate (expired, self-signed, wrong host). @default true */
  ignoreSslErrors?: boolean;
  /** Content types accepted besides HTML, XML and JSON; `'*\/*'` accepts any. @default [] */
  additionalMimeTypes?: string[];
  /** Encoding of bodies whose headers and page declare none, such as `windows-1250`. */
  suggestResponseEncoding?: string;
  /** Encoding of every body, whatever its headers and page declare. */
  forceResponseEncoding?: string;
  /** Where each session's proxy comes from; the proxy is `context.proxyInfo`. */
  proxyConfiguration?: ProxyConfigurationLike;
  /**
   * Keep cookies in the session across its requests (and redirect hops). Needs the session pool.
   * @default true with `useSessionPool`, else false
   */
  persistCookiesPerSession?: boolean;
  /** Run before each navigation with the context and the request options, which they may change. */
  preNavigationHooks?: HttpHook<Context>[];
  /** Run after each navigation, once the response headers are in, before the handler. */
  postNavigationHooks?: HttpHook<Context>[];
  /** Status codes that reach the handler even though they would fail or retry the request. */
  ignoreHttpErrorStatusCodes?: number[];
  /** Status codes below 500 to retry as errors, as 5xx are. */
  additionalHttpErrorStatusCodes?: number[];
  /**
   * trawl: size a body may reach, in bytes, after decompression; a larger download is cut off
   * and the request fails without retries. @default 52428800 (50 MiB)
   */
  maxResponseBytes?: number;
  /** trawl: redirects followed per navigation at most; `0` follows none. @default 10 */
  maxRedirects?: number;
  /** The HTTP client navigations go through. @default a new UndiciHttpClient */
  httpClient?: BaseHttpClient;
  /** @deprecated Use `requestHandler`. */
  handlePageFunction?: RequestHandler<Context>;
}

/** Pool options HTTP crawlers use when the user passes no `autoscaledPoolOptions` (Crawlee's). */
export const HTTP_OPTIMIZED_AUTOSCALED_POOL_OPTIONS: Readonly<Partial<AutoscaledPoolOptions>> =
  Object.freeze({
    desiredConcurrency: 10,
    snapshotterOptions: { eventLoopSnapshotIntervalSecs: 2, maxBlockedMillis: 100 },
    systemStatusOptions: { maxEventLoopOverloadedRatio: 0.7 },
  });

/** Option names HttpCrawler adds to BasicCrawler's. */
export const HTTP_CRAWLER_OPTION_NAMES: readonly string[] = [
  'navigationTimeoutSecs',
  'ignoreSslErrors',
  'additionalMimeTypes',
  'suggestResponseEncoding',
  'forceResponseEncoding',
  'proxyConfiguration',
  'persistCookiesPerSession',
  'preNavigationHooks',
  'postNavigationHooks',
  'ignoreHttpErrorStatusCodes',
  'additionalHttpErrorStatusCodes',
  'maxResponseBytes',
  'maxRedirects',
  'httpClient',
  'handlePageFunction',
];

/** What the crawler reads from its options at every navigation, checked and with defaults. */
export interface HttpSettings<Context> {
  navigationTimeoutSecs: number;
  ignoreSslErrors: boolean;
  acceptedTypes: ReadonlySet<string>;
  forceEncoding?: string;
  suggestEncoding?: string;
  proxyConfiguration?: ProxyConfigurationLike;
  persistCookies: boolean;
  preNavigationHooks: readonly HttpHook<Context>[];
  postNavigationHooks: readonly HttpHook<Context>[];
  ignoredStatusCodes: ReadonlySet<number>;
  errorStatusCodes: ReadonlySet<number>;
  maxResponseBytes: number;
  maxRedirects: number;
  httpClient: BaseHttpClient;
  retryOnBlocked: boolean;
}

/** 50 MiB: far above any web page, small enough that a few in flight never exhaust memory. */
const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/**
 * The options BasicCrawler gets: without `httpClient` (which it refuses, not knowing this one)
 * and with the deprecated `handlePageFunction` as `requestHandler`.
 */
export function basicOptionsOf<Options extends HttpCrawlerOptions<any>>(options: Options): Options {
  const { httpClient: _client, handlePageFunction, ...rest } = options;
  if (handlePageFunction !== undefined) {
    rest.requestHandler ??= handlePageFunction;
  }
  return rest as Options;
}

/**
 * Checks the HTTP options and fills in their defaults.
 * @throws ConfigurationError naming the first option with a wrong value
 */
export function resolveHttpSettings<Context>(
  options: HttpCrawlerOptions<any>,
  owner: string,
): HttpSettings<Context> {
  const check = checker(owner);
  check.number('navigationTimeoutSecs', options.navigationTimeoutSecs, 'positive');
  check.number('maxResponseBytes', options.maxResponseBytes, 'positive');
  check.number('maxRedirects', options.maxRedirects, 'count');
  check.list('additionalMimeTypes', options.additionalMimeTypes, isMimeType, 'content types');
  check.list('ignoreHttpErrorStatusCodes', options.ignoreHttpErrorStatusCodes, isStatus, 'codes');
  check.list(
    'additionalHttpErrorStatusCodes',
    options.additionalHttpErrorStatusCodes,
    isStatus,
    'codes',
  );
  check.list('preNavigationHooks', options.preNavigationHooks, isFunction, 'functions');
  check.list('postNavigationHooks', options.postNavigationHooks, isFunction, 'functions');
  check.method('proxyConfiguration', options.proxyConfiguration, 'newProxyInfo');
  check.method('httpClient', options.httpClient, 'stream');
  const useSessionPool = options.useSessionPool ?? true;
  if (options.persistCookiesPerSession === true && !useSessionPool) {
    throw new ConfigurationError(
      `${owner} option persistCookiesPerSession needs the session pool; ` +
        'set useSessionPool to true or drop persistCookiesPerSession',
      { option: 'persistCookiesPerSession' },
    );
  }

  return {
    navigationTimeoutSecs: options.navigationTimeoutSecs ?? 30,
    ignoreSslErrors: options.ignoreSslErrors ?? true,
    acceptedTypes: new Set([
      ...BASE_MIME_TYPES,
      ...(options.additionalMimeTypes ?? []).map((type) => type.toLowerCase()),
    ]),
    forceEncoding: check.encoding('forceResponseEncoding', options.forceResponseEncoding),
    suggestEncoding: check.encoding('suggestResponseEncoding', options.suggestResponseEncoding),
    proxyConfiguration: options.proxyConfiguration,
    persistCookies: options.persistCookiesPerSession ?? useSessionPool,
    preNavigationHooks: options.preNavigationHooks ?? [],
    postNavigationHooks: options.postNavigationHooks ?? [],
    ignoredStatusCodes: new Set(options.ignoreHttpErrorStatusCodes ?? []),
    errorStatusCodes: new Set(options.additionalHttpErrorStatusCodes ?? []),
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxRedirects: options.maxRedirects ?? 10,
    httpClient: options.httpClient ?? new UndiciHttpClient(),
    retryOnBlocked: options.retryOnBlocked ?? false,
  };
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isStatus = (value: unknown): boolean =>
  Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 599;
const isMimeType = (value: unknown): boolean =>
  typeof value === 'string' && /^[\w.+*-]+\/[\w.+*-]+$/.test(value);

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

function checker(owner: string) {
  const fail = (option: string, expected: string, value: unknown): never => {
    throw new ConfigurationError(
      `${option} must be ${expected} for ${owner}, got ${describe(value)}`,
      { option },
    );
  };
  return {
    number(option: string, value: unknown, kind: 'positive' | 'count'): void {
      if (value === undefined) {
        return;
      }
      const isValid =
        kind === 'positive'
          ? typeof value === 'number' && value > 0
          : Number.isSafeInteger(value) && (value as number) >= 0;
      if (!isValid) {
        fail(option, kind === 'positive' ? 'a positive number' : 'a non-negative integer', value);
      }
    },
    list(option: string, value: unknown, isItem: (item: unknown) => boolean, what: string): void {
      if (value !== undefined && !(Array.isArray(value) && value.every(isItem))) {
        fail(option, `an array of ${what}`, value);
      }
    },
    method(option: string, value: unknown, name: string): void {
      const holder = value as Record<string, unknown> | undefined;
      if (value !== undefined && typeof holder?.[name] !== 'function') {
        fail(option, `an object with a ${name}() method`, value);
      }
    },
    encoding(option: string, value: unknown): string | undefined {
      if (value === undefined) {
        return undefined;
      }
      const encoding = typeof value === 'string' ? normalizeEncoding(value) : undefined;
      return (
        encoding ?? fail(option, 'an encoding iconv-lite knows, such as "windows-1250"', value)
      );
    },
  };
}
