import { RetryRequestError, TrawlError, type TrawlErrorOptions } from '../errors.js';

/**
 * The host is throttling the crawl (429, or 503 with `Retry-After`). The crawler slows the host
 * down and returns the request to the queue without counting a retry; a request throttled for
 * longer than `maxThrottleWaitSecs` fails. HttpCrawler throws it on such answers; throw it from a
 * BasicCrawler handler when your own requests get them.
 */
export class ThrottledError extends RetryRequestError {
  /** The status code that signalled throttling. */
  readonly statusCode: number;
  /** Seconds the host asked to wait, from `Retry-After`, when it said. */
  readonly retryAfterSecs?: number;

  constructor(
    url: string,
    details: { statusCode: number; retryAfterSecs?: number },
    options: TrawlErrorOptions = {},
  ) {
    const wait =
      details.retryAfterSecs === undefined ? '' : `, retry after ${details.retryAfterSecs} s`;
    super(`Host throttled the request to ${url} (status ${details.statusCode}${wait})`, {
      ...options,
      code: 'TRAWL_THROTTLED',
    });
    this.statusCode = details.statusCode;
    this.retryAfterSecs = details.retryAfterSecs;
  }
}

/** A handler ran past `requestHandlerTimeoutSecs`; the request is retried (counting a retry). */
export class RequestHandlerTimeoutError extends TrawlError {
  constructor(url: string, timeoutSecs: number) {
    super(
      'TRAWL_REQUEST_HANDLER_TIMEOUT',
      `requestHandler timed out after ${timeoutSecs} seconds (requestHandlerTimeoutSecs) ` +
        `for ${url}; raise the limit or make the handler faster`,
    );
  }
}
