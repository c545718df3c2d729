/**
 * Errors of the HTTP crawlers. Each says what the crawler does next: the non-retryable ones fail
 * the request at once, the others are retried like any error.
 */
import { NonRetryableError, TrawlError, type TrawlErrorOptions } from '@trawl/core';

/**
 * The server answered with a status the crawler treats as an error: 5xx (unless listed in
 * `ignoreHttpErrorStatusCodes`) or one of `additionalHttpErrorStatusCodes`. The request is
 * retried, counting a retry.
 */
export class HttpStatusError extends TrawlError {
  /** The status code received. */
  readonly statusCode: number;
  /** The URL that answered, after redirects. */
  readonly url: string;

  constructor(url: string, statusCode: number, reason: string) {
    super('TRAWL_HTTP_STATUS', `${statusCode} - ${reason} (${url})`);
    this.statusCode = statusCode;
    this.url = url;
  }
}

/**
 * The response's content type is not one the crawler accepts (the HTML, XML and JSON types plus
 * `additionalMimeTypes`). The request fails at once; add the type to `additionalMimeTypes` to
 * accept it.
 */
export class UnsupportedContentTypeError extends NonRetryableError {
  /** The content type received, without parameters. */
  readonly contentType: string;
  /** The URL that answered, after redirects. */
  readonly url: string;

  constructor(url: string, contentType: string, accepted: readonly string[]) {
    super(
      `Content type ${contentType} of ${url} is not accepted (accepted: ${accepted.join(', ')}); ` +
        'add it to additionalMimeTypes to handle it',
      { code: 'TRAWL_UNSUPPORTED_CONTENT_TYPE' },
    );
    this.contentType = contentType;
    this.url = url;
  }
}

/**
 * The response body grew past `maxResponseBytes` (decompressed). The download is cut off and
 * the request fails at once.
 */
export class ResponseTooLargeError extends NonRetryableError {
  /** The limit that was exceeded, in bytes. */
  readonly maxResponseBytes: number;
  /** The URL that answered, after redirects. */
  readonly url: string;

  constructor(url: string, maxResponseBytes: number) {
    super(
      `Response of ${url} is larger than maxResponseBytes (${maxResponseBytes} bytes); ` +
        'the download was cut off; raise maxResponseBytes to accept it',
      { code: 'TRAWL_RESPONSE_TOO_LARGE' },
    );
    this.maxResponseBytes = maxResponseBytes;
    this.url = url;
  }
}

/**
 * A redirect led back to a URL already visited in the same chain with the same cookies, so
 * following it would never end. The request fails at once.
 */
export class RedirectLoopError extends NonRetryableError {
  /** The URLs of the chain, the repeated one last. */
  readonly redirectChain: readonly string[];

  constructor(url: string, redirectChain: readonly string[]) {
    super(`Redirect loop for ${url}: ${redirectChain.join(' -> ')}`, {
      code: 'TRAWL_REDIRECT_LOOP',
    });
    this.redirectChain = redirectChain;
  }
}

/** The server redirected more than `maxRedirects` times. The request is retried. */
export class TooManyRedirectsError extends TrawlError {
  constructor(url: string, maxRedirects: number, options: TrawlErrorOptions = {}) {
    super(
      'TRAWL_TOO_MANY_REDIRECTS',
      `${url} redirected more than maxRedirects (${maxRedirects}) times`,
      options,
    );
  }
}

/**
 * The navigation took longer than `navigationTimeoutSecs`. The request is retried and the
 * session marked bad.
 */
export class NavigationTimeoutError extends TrawlError {
  constructor(url: string, timeoutSecs: number, options: TrawlErrorOptions = {}) {
    super(
      'TRAWL_NAVIGATION_TIMEOUT',
      `Navigation to ${url} timed out after ${timeoutSecs} seconds (navigationTimeoutSecs)`,
      options,
    );
  }
}

/**
 * `waitForSelector()` or `parseWithCheerio(selector)` found no element for the selector. The
 * request is retried like any error thrown by a handler.
 */
export class SelectorNotFoundError extends TrawlError {
  /** The selector that matched nothing. */
  readonly selector: string;

  constructor(selector: string, url: string) {
    super('TRAWL_SELECTOR_NOT_FOUND', `Selector "${selector}" matched nothing on ${url}`);
    this.selector = selector;
  }
}
