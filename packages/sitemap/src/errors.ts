/**
 * The errors of `@trawl/sitemap`. This package sits below `@trawl/core`, so it cannot extend
 * core's `TrawlError`; its errors carry the same marker instead, and core's `isTrawlError()`
 * recognises them. Every message is one sentence naming the URL concerned and what to do, with
 * URL credentials replaced by `***`.
 */

const TRAWL_ERROR = Symbol.for('trawl.error');

/** Stable codes of {@link SitemapError}; documented in `docs/errors.md`, never reused. */
export type SitemapErrorCode =
  | 'TRAWL_SITEMAP_FETCH'
  | 'TRAWL_SITEMAP_PARSE'
  | 'TRAWL_SITEMAP_TOO_LARGE'
  | 'TRAWL_SITEMAP_CONTENT_TYPE'
  | 'TRAWL_SITEMAP_INVALID_URL'
  | 'TRAWL_SITEMAP_INVALID_OPTION'
  | 'TRAWL_SITEMAP_ABORTED'
  | 'TRAWL_SITEMAP_LOAD';

/** Stable codes of {@link RobotsTxtError}; documented in `docs/errors.md`, never reused. */
export type RobotsTxtErrorCode =
  'TRAWL_ROBOTS_UNAVAILABLE' | 'TRAWL_ROBOTS_INVALID_URL' | 'TRAWL_ROBOTS_ABORTED';

/** Options of the errors of this package. */
export interface SitemapErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
}

function initialise(error: Error, name: string): void {
  error.name = name;
  Object.defineProperty(error, TRAWL_ERROR, { value: true });
}

/**
 * A sitemap could not be read: fetching, decompressing or parsing it failed, or an input was
 * invalid. `sitemapUrl` names the sitemap (`raw://…` for a string source), and `code` says what
 * went wrong. Only that sitemap is skipped; its siblings are still read.
 */
export class SitemapError extends Error {
  /** Stable code, such as `TRAWL_SITEMAP_FETCH`. */
  readonly code: SitemapErrorCode;

  /** The sitemap concerned, as given or as found in its parent; undefined for option errors. */
  readonly sitemapUrl: string | undefined;

  /** The HTTP status of the response, when the sitemap was answered with a non-2xx status. */
  readonly statusCode: number | undefined;

  constructor(
    code: SitemapErrorCode,
    message: string,
    sitemapUrl: string | undefined,
    options: SitemapErrorOptions & { statusCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.sitemapUrl = sitemapUrl;
    this.statusCode = options.statusCode;
    initialise(this, new.target.name);
  }
}

/**
 * One or more sitemaps failed while others were read. `parseSitemap()` throws it after yielding
 * every URL it could, when no `onError` callback was given; `Sitemap.load()` throws it with the
 * URLs it did collect in `urls`. `errors` holds each failure, with its sitemap URL.
 */
export class SitemapLoadError extends SitemapError {
  /** Each sitemap that failed, in the order the failures happened. */
  readonly errors: readonly SitemapError[];

  /**
   * The URLs read before and despite the failures: filled by `Sitemap.load()` and its callers,
   * empty when thrown by `parseSitemap()` (which has already yielded them).
   */
  readonly urls: readonly string[];

  constructor(errors: readonly SitemapError[], urls: readonly string[] = []) {
    const [first] = errors;
    const message =
      errors.length === 1
        ? first!.message
        : `${errors.length} sitemaps could not be read, the first: ${first?.message ?? 'unknown'}`;
    super('TRAWL_SITEMAP_LOAD', message, first?.sitemapUrl, { cause: first });
    this.errors = errors;
    this.urls = urls;
  }
}

/**
 * A robots.txt file could not be used: its URL is invalid, the fetch was aborted, or (from
 * `parseSitemaps()`) the file was unreachable so its sitemaps are unknown. `robotsTxtUrl` names it.
 */
export class RobotsTxtError extends Error {
  /** Stable code, such as `TRAWL_ROBOTS_UNAVAILABLE`. */
  readonly code: RobotsTxtErrorCode;

  /** The robots.txt URL concerned, or the URL given when it does not parse. */
  readonly robotsTxtUrl: string;

  constructor(
    code: RobotsTxtErrorCode,
    message: string,
    robotsTxtUrl: string,
    options: SitemapErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.robotsTxtUrl = robotsTxtUrl;
    initialise(this, new.target.name);
  }
}
