/**
 * The HTTP client the HTTP crawlers use by default: got-scraping, which sends browser-like
 * generated headers, speaks HTTP/2 where the server offers it and goes through `proxyUrl`.
 *
 * A navigation's options nearly always have the shape `createRequestOptions` gives them, and for
 * that shape the client builds got's `Options` itself, on defaults merged once. That skips what
 * a got-scraping call does for arbitrary options on every request: merging a plain object into
 * got's defaults, and validating got-scraping's own options with `ow`, which takes a stack trace
 * each time. Any other request goes through an ordinary got-scraping call.
 */
import http, { type Agent } from 'node:http';
import https from 'node:https';

import {
  gotScraping,
  Options,
  TransformHeadersAgent,
  type BeforeRedirectHook,
  type PlainResponse,
  type Request,
} from 'got-scraping';

import type {
  BaseHttpClient,
  HttpRequest,
  RedirectHandler,
  StreamingHttpResponse,
} from './http-client.js';

/** What got returns: a stream, or a promise rejected with its error for unusable options. */
type Sent = Request | Promise<never>;

/** The options every navigation shares. */
const SHARED_OPTIONS = { isStream: true, throwHttpErrors: false, retry: { limit: 0 } } as const;

/** got-scraping's own options, which it moves into got's `context` before validating them. */
const CONTEXT_OPTIONS = [
  'proxyUrl',
  'sessionToken',
  'headerGeneratorOptions',
  'useHeaderGenerator',
  'insecureHTTPParser',
] as const;

/** The options {@link setOptions} sets; a request with any other goes the ordinary way. */
const SETTABLE_OPTIONS = new Set<string>([
  ...CONTEXT_OPTIONS,
  'url',
  'method',
  'headers',
  'body',
  'timeout',
  'signal',
  'cookieJar',
  'followRedirect',
  'maxRedirects',
  'https',
  'http2',
]);

/** How many capitalized header names {@link HeaderNameCachingAgent} keeps at most. */
const MAX_CACHED_HEADER_NAMES = 1_000;

/**
 * got-scraping's agent that capitalizes and orders HTTP/1.1 headers as browsers send them,
 * remembering each name's capitalized form instead of computing it for every header of every
 * request.
 */
class HeaderNameCachingAgent<T extends Agent> extends TransformHeadersAgent<T> {
  readonly #names = new Map<string, string>();

  override toPascalCase(header: string): string {
    let name = this.#names.get(header);
    if (name === undefined) {
      name = super.toPascalCase(header);
      if (this.#names.size < MAX_CACHED_HEADER_NAMES) {
        this.#names.set(header, name);
      }
    }
    return name;
  }
}

/**
 * got-scraping's defaults, as they are when this module loads, with {@link SHARED_OPTIONS} merged
 * in. Its agents wrap the same global agents as got-scraping's, so connections are pooled as
 * before.
 */
const NAVIGATION_DEFAULTS = new Options(
  undefined,
  {
    ...SHARED_OPTIONS,
    agent: {
      http: new HeaderNameCachingAgent(http.globalAgent),
      https: new HeaderNameCachingAgent(https.globalAgent),
    },
  },
  gotScraping.defaults.options,
);
// got spreads `cacheOptions` into the options of every native request; while it has keys (all
// undefined unless a cache is used, and the cache options are not settable here), V8 takes tens of
// microseconds to build that object.
NAVIGATION_DEFAULTS.cacheOptions = {};

/**
 * Sends requests with got-scraping. It never retries and never throws on an HTTP error status:
 * the crawler decides what a status means.
 *
 * @example
 * const client = new GotScrapingHttpClient();
 * const response = await client.stream({ url: 'https://example.com/' });
 * response.stream.resume();
 */
export class GotScrapingHttpClient implements BaseHttpClient {
  /** Sends `request`; see {@link BaseHttpClient.stream}. */
  stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    let redirectError: unknown;
    const beforeRedirect: BeforeRedirectHook = async (options, response) => {
      try {
        await onRedirect?.({
          fromUrl: response.url,
          toUrl: options.url!.toString(),
          statusCode: response.statusCode,
          headers: response.headers,
        });
      } catch (error) {
        redirectError = error;
        throw error;
      }
    };
    const options = optionsFor(request, beforeRedirect);
    const stream = options
      ? (gotScraping(undefined, undefined, options) as Sent)
      : sendOrdinarily(request, beforeRedirect);
    if ('then' in stream) {
      return Promise.resolve(stream);
    }

    return new Promise((resolve, reject) => {
      // got wraps errors thrown by hooks; the caller gets the redirect handler's own error.
      const onError = (error: Error) => reject(redirectError ?? error);
      stream.once('error', onError);
      stream.once('response', (response: PlainResponse) => {
        stream.off('error', onError);
        // Errors while the body is read reach its reader; this listener keeps an unread body's
        // late error from crashing the process.
        stream.on('error', () => undefined);
        resolve({
          url: response.url,
          statusCode: response.statusCode,
          statusMessage: response.statusMessage,
          headers: response.headers,
          redirectUrls: response.redirectUrls,
          ip: response.ip,
          httpVersion: response.httpVersion,
          stream,
        });
      });
    });
  }
}

/**
 * got's options for `request`, as an ordinary got-scraping call would build them, or
 * `undefined` when the request has an option {@link setOptions} does not set or a value that
 * got or got-scraping refuses: the ordinary call then handles it, errors included.
 */
function optionsFor(request: HttpRequest, beforeRedirect: BeforeRedirectHook): Options | undefined {
  for (const key in request) {
    if (!SETTABLE_OPTIONS.has(key)) {
      return undefined;
    }
  }
  if (!hasValidContextOptions(request)) {
    return undefined;
  }
  try {
    const options = new Options(undefined, undefined, NAVIGATION_DEFAULTS);
    setOptions(options, request);
    options.hooks.beforeRedirect.push(beforeRedirect);
    // got sets the URL last, as its setter reads options set before it.
    options.url = request.url;
    return options;
  } catch {
    return undefined;
  }
}

/** Sets what got's merge would set: defined values only, objects merged over the defaults. */
function setOptions(options: Options, request: HttpRequest): void {
  const { method, headers, body, timeout, signal, cookieJar, https } = request;
  if (method !== undefined) {
    options.method = method as Options['method'];
  }
  if (headers !== undefined) {
    options.headers = { ...options.headers, ...headers };
  }
  if (body !== undefined) {
    options.body = body;
  }
  if (timeout !== undefined) {
    options.timeout = { ...options.timeout, ...timeout };
  }
  if (signal !== undefined) {
    options.signal = signal;
  }
  if (cookieJar !== undefined) {
    options.cookieJar = cookieJar as Options['cookieJar'];
  }
  if (request.followRedirect !== undefined) {
    options.followRedirect = request.followRedirect;
  }
  if (request.maxRedirects !== undefined) {
    options.maxRedirects = request.maxRedirects;
  }
  // The usual TLS options equal the defaults; skipping the setter then skips its 20 checks.
  if (https !== undefined && !hasValues(options.https, https)) {
    options.https = { ...options.https, ...https };
  }
  if (request.http2 !== undefined) {
    options.http2 = request.http2;
  }
  // got-scraping's init hook moves its own options into the context when they are present.
  for (const name of CONTEXT_OPTIONS) {
    if (name in request) {
      options.context[name] = request[name];
    }
  }
}

/** Whether `target` already has every key of `values`, each with the same value. */
function hasValues(target: object, values: object): boolean {
  for (const [key, value] of Object.entries(values)) {
    if (!(key in target) || (target as Record<string, unknown>)[key] !== value) {
      return false;
    }
  }
  return true;
}

/** Whether got-scraping's own options hold values its validation (`ow`) accepts. */
function hasValidContextOptions(request: HttpRequest): boolean {
  const { proxyUrl, useHeaderGenerator, insecureHTTPParser } = request;
  return (
    (proxyUrl === undefined || (typeof proxyUrl === 'string' && URL.canParse(proxyUrl))) &&
    (useHeaderGenerator === undefined || typeof useHeaderGenerator === 'boolean') &&
    (insecureHTTPParser === undefined || typeof insecureHTTPParser === 'boolean') &&
    isObjectOrUndefined(request.headerGeneratorOptions) &&
    isObjectOrUndefined(request.sessionToken)
  );
}

/** The rule of `ow.object`: an object or a function, not `null`. */
function isObjectOrUndefined(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null)
  );
}

/** An ordinary got-scraping call, for requests {@link optionsFor} leaves alone. */
function sendOrdinarily(request: HttpRequest, beforeRedirect: BeforeRedirectHook): Sent {
  const { url, hooks, ...options } = request;
  const userHooks = (hooks ?? {}) as { beforeRedirect?: BeforeRedirectHook[] };
  return gotScraping(url, {
    ...options,
    ...SHARED_OPTIONS,
    hooks: {
      ...userHooks,
      beforeRedirect: [...(userHooks.beforeRedirect ?? []), beforeRedirect],
    },
  } as never) as unknown as Sent;
}
