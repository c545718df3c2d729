/**
 * What a response means, as DESIGN.md's table says: which statuses throttle the host, retire the
 * session or retry the request, which content types are refused, and which errors of the
 * navigation become trawl errors.
 */
import { STATUS_CODES } from 'node:http';

import { SessionError, ThrottledError, isTrawlError, parseRetryAfter } from '@trawl/core';

import { HttpStatusError, NavigationTimeoutError, TooManyRedirectsError } from './errors.js';
import type { StreamingHttpResponse } from './http-client.js';

/** What {@link statusError} needs to judge a status. */
export interface StatusRules {
  /** Codes that reach the handler whatever they are (`ignoreHttpErrorStatusCodes`). */
  ignored: ReadonlySet<number>;
  /** Codes retried as errors besides 5xx (`additionalHttpErrorStatusCodes`). */
  errors: ReadonlySet<number>;
  /** The session pool's blocked codes; `undefined` without a session pool. */
  blocked?: readonly number[];
}

/**
 * The error a response's status calls for, or `undefined` when the handler should run: 429, and
 * 503 with `Retry-After`, throttle the host; a blocked code (with a session pool) retires the
 * session; 5xx and `additionalHttpErrorStatusCodes` retry; any other status reaches the handler.
 */
export function statusError(
  response: StreamingHttpResponse,
  rules: StatusRules,
  nowMillis = Date.now(),
): Error | undefined {
  const { statusCode, url } = response;
  if (rules.ignored.has(statusCode)) {
    return undefined;
  }
  const retryAfter = header(response, 'retry-after');
  const retryAfterSecs = parseRetryAfter(retryAfter, nowMillis);
  if (statusCode === 429 || (statusCode === 503 && retryAfterSecs !== undefined)) {
    return new ThrottledError(url, { statusCode, retryAfterSecs });
  }
  if (rules.blocked?.includes(statusCode)) {
    return new SessionError(`Request blocked - received ${statusCode} status code (${url})`);
  }
  if (statusCode >= 500 || rules.errors.has(statusCode)) {
    const reason = response.statusMessage || STATUS_CODES[statusCode] || 'Unknown status';
    return new HttpStatusError(url, statusCode, reason);
  }
  return undefined;
}

// Crawlee rotates the session on these; trawl does so only when a proxy was in use, since
// without one a refused connection says nothing about the session.
const PROXY_ERROR_MARKS = [
  'econnreset',
  'econnrefused',
  'err_proxy_connection_failed',
  'err_tunnel_connection_failed',
  'proxy responded with',
  // undici's refused CONNECT tunnel: "Proxy response (407) !== 200 when HTTP Tunneling".
  'proxy response (',
];

/** What {@link navigationError} needs to translate an error. */
export interface NavigationErrorContext {
  url: string;
  navigationTimeoutSecs: number;
  maxRedirects: number;
  proxyUrl?: string;
}

/**
 * Turns an error of the HTTP client into what the crawler acts on: a timeout into
 * NavigationTimeoutError, too many redirects into TooManyRedirectsError, a failed proxy
 * connection into SessionError (the session, and so the proxy, is rotated). Trawl errors pass as
 * they are.
 */
export function navigationError(error: unknown, context: NavigationErrorContext): Error {
  if (!(error instanceof Error) || isTrawlError(error)) {
    return error as Error;
  }
  const { code } = error as { code?: string };
  if (error.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new NavigationTimeoutError(context.url, context.navigationTimeoutSecs, { cause: error });
  }
  if (error.name === 'MaxRedirectsError' || code === 'ERR_TOO_MANY_REDIRECTS') {
    return new TooManyRedirectsError(context.url, context.maxRedirects, { cause: error });
  }
  const text = `${code ?? ''} ${error.message}`.toLowerCase();
  if (context.proxyUrl && PROXY_ERROR_MARKS.some((mark) => text.includes(mark))) {
    const message = hideCredentials(error.message);
    return new SessionError(`Proxy connection failed for ${context.url}: ${message}`, {
      cause: error,
      code: 'TRAWL_PROXY_CONNECTION',
    });
  }
  return error;
}

/** `text` with the user and password of any URL in it replaced by `***`. */
export function hideCredentials(text: string): string {
  return text.replace(/\/\/[^/\s@]+@/g, '//***@');
}

function header(response: StreamingHttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
