/**
 * The HTTP client interface the HTTP crawlers navigate through. Two implementations ship:
 * {@link UndiciHttpClient}, the default, and {@link GotScrapingHttpClient}, Crawlee's default;
 * pass either, or another, as the crawler's `httpClient` option.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

import type { Awaitable } from '@trawl/core';

/** A cookie store the client reads before each hop and writes after each response. */
export interface CookieJarLike {
  /** The `Cookie` header value to send to `url`. */
  getCookieString(url: string): Awaitable<string>;
  /** Stores one `Set-Cookie` value received from `url`. */
  setCookie(rawCookie: string, url: string): Awaitable<unknown>;
}

/**
 * One request for the client, in got's option names (what `preNavigationHooks` receive as
 * `gotOptions`). Options beyond the listed ones are passed to the client as they are.
 */
export interface HttpRequest {
  /** The absolute URL. */
  url: string;
  /** The method. @default 'GET' */
  method?: string;
  /** Headers to send; browser-like headers are generated for the rest. */
  headers?: Record<string, string | string[] | undefined>;
  /** The request body. */
  body?: string | Buffer;
  /** A proxy to go through: `http://user:pass@host:port`. */
  proxyUrl?: string;
  /** Timeouts in milliseconds; `request` covers the whole exchange, body included. */
  timeout?: { request?: number; [phase: string]: number | undefined };
  /** Aborts the exchange. */
  signal?: AbortSignal;
  /** Cookies, read before and written after every hop, redirects included. */
  cookieJar?: CookieJarLike;
  /** Follow redirects. @default true */
  followRedirect?: boolean;
  /** Redirects to follow at most. @default 10 */
  maxRedirects?: number;
  /** TLS options; `rejectUnauthorized: false` accepts any certificate. */
  https?: { rejectUnauthorized?: boolean; [option: string]: unknown };
  /** Use HTTP/2 where the server offers it (ALPN). @default true */
  http2?: boolean;
  /** An object identifying the session, so its generated headers stay the same. */
  sessionToken?: object;
  /** Further options of the client. */
  [option: string]: unknown;
}

/** A response whose headers have arrived; its body is still to be read from `stream`. */
export interface StreamingHttpResponse {
  /** The URL finally loaded, after redirects. */
  url: string;
  /** The status code. */
  statusCode: number;
  /** The status text, or the standard one for the code. */
  statusMessage?: string;
  /** The response headers, names in lower case. */
  headers: IncomingHttpHeaders;
  /** The URLs redirected to, in order; empty without redirects. */
  redirectUrls: URL[];
  /** The remote address, when known. */
  ip?: string;
  /** The HTTP version used: `'1.1'` or `'2.0'`. */
  httpVersion?: string;
  /** The body, decompressed. Read it or destroy it. */
  stream: Readable;
}

/** What a client tells about one redirect hop, before following it. */
export interface RedirectInfo {
  /** The URL that answered with the redirect. */
  fromUrl: string;
  /** The URL about to be requested. */
  toUrl: string;
  /** The redirect's status code. */
  statusCode: number;
  /** The redirect response's headers. */
  headers: IncomingHttpHeaders;
}

/**
 * Called before each redirect is followed; throwing stops the navigation, and `stream()`
 * rejects with the error thrown.
 */
export type RedirectHandler = (redirect: RedirectInfo) => Awaitable<void>;

/** An HTTP client for the HTTP crawlers. */
export interface BaseHttpClient {
  /**
   * Sends `request` and resolves once the final response's headers have arrived, redirects
   * followed. HTTP error statuses resolve like any other; network errors and timeouts reject.
   */
  stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse>;
}
