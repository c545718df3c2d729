/**
 * The HTTP client the HTTP crawlers use by default: got-scraping, which sends browser-like
 * generated headers, speaks HTTP/2 where the server offers it and goes through `proxyUrl`.
 * Navigations go with defaults made once (core's `cheapGotScrapingDefaults`), which send the same
 * request as a plain got-scraping call for less CPU; requests with user hooks or options those
 * defaults cannot take go through an ordinary got-scraping call.
 */
import http, { type Agent } from 'node:http';
import https from 'node:https';

import { cheapGotScrapingDefaults, isCheaplyValid } from '@trawl/core';
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
 * The defaults of every navigation. Its agents wrap the same global agents as got-scraping's, so
 * connections are pooled as before.
 */
const NAVIGATION_DEFAULTS = cheapGotScrapingDefaults({
  ...SHARED_OPTIONS,
  agent: {
    http: new HeaderNameCachingAgent(http.globalAgent),
    https: new HeaderNameCachingAgent(https.globalAgent),
  },
});

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
 * got's options for `request` on {@link NAVIGATION_DEFAULTS}, or `undefined` for a request with
 * hooks of its own or options those defaults cannot take: the ordinary call then handles it,
 * errors included.
 */
function optionsFor(request: HttpRequest, beforeRedirect: BeforeRedirectHook): Options | undefined {
  if (request.hooks !== undefined || !isCheaplyValid(request)) {
    return undefined;
  }
  const { url, ...rest } = request;
  try {
    return new Options(
      url,
      { ...rest, hooks: { beforeRedirect: [beforeRedirect] } } as never,
      NAVIGATION_DEFAULTS,
    );
  } catch {
    return undefined;
  }
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
