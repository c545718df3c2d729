/**
 * One navigation over HTTP: the request options the hooks see, sending them through the HTTP
 * client with the session's cookies on every hop, a redirect-loop guard, and reading the body.
 */
import type { Request, Session } from '@trawl/core';

import { RedirectLoopError } from './errors.js';
import type { HttpRequest, StreamingHttpResponse } from './http-client.js';
import type { HttpSettings } from './http-crawler-options.js';
import { NavigationCookies } from './navigation-cookies.js';
import { navigationError } from './response-checks.js';

/** The request options of a navigation, before `preNavigationHooks` change them. */
export function createRequestOptions<Context>(
  request: Request,
  settings: HttpSettings<Context>,
  extras: { session?: Session; proxyUrl?: string; signal: AbortSignal },
): HttpRequest {
  // The request's own Cookie header goes through the cookie jar, merged with the session's.
  const { cookie, Cookie, ...headers } = request.headers;
  const cookieSession = settings.persistCookies ? extras.session : undefined;
  return {
    url: request.url,
    method: request.method,
    headers,
    body: request.payload,
    proxyUrl: extras.proxyUrl,
    timeout: { request: settings.navigationTimeoutSecs * 1000 },
    signal: extras.signal,
    cookieJar: new NavigationCookies(cookieSession, request.url, cookie ?? Cookie),
    followRedirect: true,
    maxRedirects: settings.maxRedirects,
    https: { rejectUnauthorized: !settings.ignoreSslErrors },
    http2: true,
    sessionToken: extras.session,
  };
}

/**
 * Sends the navigation's request and resolves once the final response's headers are in.
 *
 * @throws RedirectLoopError when a redirect repeats an earlier hop with the same cookies
 * @throws NavigationTimeoutError, TooManyRedirectsError, SessionError (a failed proxy) or the
 *   client's own error
 */
export async function sendNavigation<Context>(
  options: HttpRequest,
  settings: HttpSettings<Context>,
): Promise<StreamingHttpResponse> {
  try {
    return await sendWithLoopGuard(options, settings);
  } catch (error) {
    if (!isUncoveredHttp2Origin(error, options)) {
      throw translate(error, options, settings);
    }
  }
  // The HTTP/2 client refuses a session whose certificate does not name the host, even when
  // certificate errors are ignored; HTTP/1.1 accepts it, as a browser told to ignore them would.
  try {
    return await sendWithLoopGuard({ ...options, http2: false }, settings);
  } catch (error) {
    throw translate(error, options, settings);
  }
}

async function sendWithLoopGuard<Context>(
  options: HttpRequest,
  settings: HttpSettings<Context>,
): Promise<StreamingHttpResponse> {
  const chain = [options.url];
  const cookies = options.cookieJar instanceof NavigationCookies ? options.cookieJar : undefined;
  return settings.httpClient.stream(options, ({ toUrl }) => {
    chain.push(toUrl);
    if (cookies?.isRepeat(toUrl)) {
      throw new RedirectLoopError(options.url, chain);
    }
  });
}

function isUncoveredHttp2Origin(error: unknown, options: HttpRequest): boolean {
  const message = error instanceof Error ? error.message : '';
  return (
    options.http2 !== false &&
    options.https?.rejectUnauthorized === false &&
    /^Requested origin \S+ does not match server/.test(message)
  );
}

function translate<Context>(
  error: unknown,
  options: HttpRequest,
  settings: HttpSettings<Context>,
): Error {
  return navigationError(error, {
    url: options.url,
    navigationTimeoutSecs: settings.navigationTimeoutSecs,
    maxRedirects: options.maxRedirects ?? settings.maxRedirects,
    proxyUrl: options.proxyUrl,
  });
}
