/**
 * `RobotsTxtFile` (alias `RobotsFile`): fetches and queries a robots.txt file with RFC 9309's
 * rules for what an answer means, which differ from Crawlee's on errors:
 * - 2xx: the file is parsed; an empty or garbled file allows everything.
 * - 4xx but 429, or more than five redirects: there is no file, so everything is allowed.
 * - 429, 5xx, network error, timeout: the file is unreachable, so everything on the origin is
 *   disallowed for now. `find()` does not throw; `status` is `unreachable` so the crawler can
 *   put the host aside and fetch the file again later.
 */
import robotsParserImport from 'robots-parser';

import { ENQUEUE_STRATEGIES, type SitemapEnqueueStrategy, UrlFilter } from './enqueue-strategy.js';
import { RobotsTxtError, SitemapError } from './errors.js';
import { fetchLimited } from './http.js';
import { parseHttpUrl } from './http-url.js';
import type { ParseSitemapOptions } from './parse-sitemap-options.js';
import { redact, secretsOf } from './redact.js';
import { Sitemap } from './sitemap.js';
import type { SitemapWarning } from './warnings.js';

// robots-parser's typings declare an ES default export, but the package is CommonJS.
const robotsParser = ((robotsParserImport as unknown as { default?: unknown }).default ??
  robotsParserImport) as typeof robotsParserImport.default;

type Robots = ReturnType<typeof robotsParser>;

/** RFC 9309 §2.5: parse at least 500 KiB; the rest of a longer file is ignored. */
const MAX_ROBOTS_BYTES = 512 * 1024;
/** RFC 9309 §2.3.1.2: follow at least five consecutive redirects. */
const MAX_REDIRECTS = 5;
const DEFAULT_TIMEOUT_MILLIS = 20_000;
const DISALLOW_ALL = 'User-agent: *\nDisallow: /\n';

/**
 * What became of the robots.txt: `ok` (fetched and parsed), `missing` (4xx, or too many
 * redirects: everything is allowed) or `unreachable` (429, 5xx, network error, timeout:
 * everything on the origin is disallowed until it can be fetched).
 */
export type RobotsTxtStatus = 'ok' | 'missing' | 'unreachable';

/** Options of {@link RobotsTxtFile.find}. */
export interface RobotsTxtFindOptions {
  /** Cancels the fetch; `find()` then throws `TRAWL_ROBOTS_ABORTED`. */
  signal?: AbortSignal;
  /**
   * Most time for the whole fetch, in milliseconds; past it the file is `unreachable`.
   * @default 20_000
   */
  timeoutMillis?: number;
}

/** Options of {@link RobotsTxtFile.getSitemaps}. */
export interface RobotsTxtFileSitemapsOptions {
  /**
   * Which `Sitemap:` URLs to keep, relative to the robots.txt URL; `all` keeps every one.
   * @default 'same-hostname'
   */
  enqueueStrategy?: SitemapEnqueueStrategy;
  /** Receives a `TRAWL_SITEMAP_ROBOTS_FILTERED` warning for each `Sitemap:` URL skipped. */
  onWarning?: (warning: SitemapWarning) => void;
}

interface RobotsTxtFileInit {
  url: string;
  content: string;
  status: RobotsTxtStatus;
  statusCode?: number;
  unreachableReason?: string;
  proxyUrl?: string;
}

function truncate(content: string): string {
  if (Buffer.byteLength(content) <= MAX_ROBOTS_BYTES) {
    return content;
  }
  // Cut at the last line break within the limit, so no rule is read half.
  const head = Buffer.from(content).subarray(0, MAX_ROBOTS_BYTES).toString('utf8');
  return head.slice(0, head.lastIndexOf('\n') + 1);
}

function robotsUrlOf(url: string): string {
  const parsed = parseHttpUrl(url);
  if (parsed === undefined) {
    throw new RobotsTxtError(
      'TRAWL_ROBOTS_INVALID_URL',
      `URL "${redact(String(url))}" is not an absolute http(s) URL; pass a page of the site`,
      String(url),
    );
  }
  return new URL('/robots.txt', parsed.origin).href;
}

/**
 * A robots.txt file: whether a URL may be crawled, the crawl delay, and the sitemaps it lists.
 *
 * @example
 * ```ts
 * const robots = await RobotsTxtFile.find('https://example.com/some/page');
 * if (robots.status === 'unreachable') {
 *   // Come back later: RFC 9309 says to crawl nothing on the site meanwhile.
 * }
 * if (robots.isAllowed('https://example.com/products')) {
 *   await crawler.addRequests(await robots.parseUrlsFromSitemaps());
 * }
 * ```
 */
export class RobotsTxtFile {
  /** The robots.txt URL (`<origin>/robots.txt` for a file found by `find()`). */
  readonly url: string;
  /** Whether the file was parsed, is missing (allow all) or unreachable (disallow all). */
  readonly status: RobotsTxtStatus;
  /** The HTTP status of the last answer, when there was one. */
  readonly statusCode: number | undefined;
  /** Why the file is unreachable (`status 503`, a network error), credentials removed. */
  readonly unreachableReason: string | undefined;
  readonly #robots: Robots;
  readonly #proxyUrl: string | undefined;

  private constructor(init: RobotsTxtFileInit) {
    this.url = init.url;
    this.status = init.status;
    this.statusCode = init.statusCode;
    this.unreachableReason = init.unreachableReason;
    this.#proxyUrl = init.proxyUrl;
    const content = init.status === 'unreachable' ? DISALLOW_ALL : truncate(init.content);
    this.#robots = robotsParser(init.url, content);
  }

  /**
   * Fetches the robots.txt of `url`'s origin. Never throws for what the server answers, nor
   * for a network failure: check `status`.
   * @param url any URL of the site.
   * @param proxyUrl proxy for the request; its credentials never show in `unreachableReason`.
   * @throws RobotsTxtError `TRAWL_ROBOTS_INVALID_URL` when `url` is not http(s),
   *   `TRAWL_ROBOTS_ABORTED` when `options.signal` aborts.
   */
  static async find(
    url: string,
    proxyUrl?: string,
    options: RobotsTxtFindOptions = {},
  ): Promise<RobotsTxtFile> {
    const robotsUrl = robotsUrlOf(url);
    const base = { url: robotsUrl, proxyUrl, content: '' };
    try {
      const answer = await fetchLimited(robotsUrl, MAX_ROBOTS_BYTES, {
        proxyUrl,
        signal: options.signal,
        timeoutMillis: options.timeoutMillis ?? DEFAULT_TIMEOUT_MILLIS,
        maxRedirects: MAX_REDIRECTS,
      });
      const { statusCode } = answer;
      if (statusCode >= 200 && statusCode < 300) {
        const content = answer.body.toString('utf8');
        return new RobotsTxtFile({ ...base, statusCode, content, status: 'ok' });
      }
      if (statusCode === 429 || statusCode >= 500) {
        const unreachableReason = `status ${statusCode}`;
        return new RobotsTxtFile({ ...base, statusCode, status: 'unreachable', unreachableReason });
      }
      return new RobotsTxtFile({ ...base, statusCode, status: 'missing' });
    } catch (error) {
      return RobotsTxtFile.#failed(base, error, options.signal);
    }
  }

  static #failed(
    base: Omit<RobotsTxtFileInit, 'status'>,
    error: unknown,
    signal: AbortSignal | undefined,
  ): RobotsTxtFile {
    if (signal?.aborted === true) {
      throw new RobotsTxtError(
        'TRAWL_ROBOTS_ABORTED',
        `Fetching ${base.url} was aborted by the signal`,
        base.url,
        { cause: signal.reason },
      );
    }
    if ((error as { name?: unknown }).name === 'MaxRedirectsError') {
      // RFC 9309 §2.3.1.2: after five redirects the file may be taken as unavailable.
      return new RobotsTxtFile({ ...base, status: 'missing' });
    }
    const message = error instanceof Error ? error.message : String(error);
    const unreachableReason = redact(message, secretsOf(base.proxyUrl));
    return new RobotsTxtFile({ ...base, status: 'unreachable', unreachableReason });
  }

  /**
   * Wraps robots.txt content already at hand; `status` is `ok`.
   * @param url the robots.txt URL; its origin is the one the rules apply to.
   */
  static from(url: string, content: string, proxyUrl?: string): RobotsTxtFile {
    return new RobotsTxtFile({ url, content, proxyUrl, status: 'ok' });
  }

  /**
   * Whether `userAgent` may fetch `url`. A URL on another origin, or with no rule matching, is
   * allowed; `/robots.txt` itself always is (RFC 9309 §2.2.2).
   */
  isAllowed(url: string, userAgent = '*'): boolean {
    if (parseHttpUrl(url)?.pathname === '/robots.txt') {
      return true;
    }
    return this.#robots.isAllowed(url, userAgent) ?? true;
  }

  /**
   * The `Crawl-delay` for `userAgent` (its own group, else `*`), in seconds; undefined when
   * the file sets none or a value that is not a non-negative number.
   */
  getCrawlDelay(userAgent = '*'): number | undefined {
    const delay = this.#robots.getCrawlDelay(userAgent);
    return delay !== undefined && Number.isFinite(delay) && delay >= 0 ? delay : undefined;
  }

  /**
   * The URLs of the `Sitemap:` lines, without repeats, keeping those that match
   * `enqueueStrategy` relative to the robots.txt URL; none for a missing or unreachable file.
   */
  getSitemaps(options: RobotsTxtFileSitemapsOptions = {}): string[] {
    const { enqueueStrategy = 'same-hostname', onWarning } = options;
    if (!ENQUEUE_STRATEGIES.includes(enqueueStrategy)) {
      const message =
        `enqueueStrategy must be one of ${ENQUEUE_STRATEGIES.join(', ')}, ` +
        `got "${String(enqueueStrategy)}"`;
      throw new SitemapError('TRAWL_SITEMAP_INVALID_OPTION', message, undefined);
    }
    const filter = new UrlFilter(parseHttpUrl(this.url), enqueueStrategy);
    const sitemaps = new Set<string>();
    for (const url of this.#robots.getSitemaps()) {
      if (filter.check(url) === 'kept') {
        sitemaps.add(url);
        continue;
      }
      onWarning?.({
        code: 'TRAWL_SITEMAP_ROBOTS_FILTERED',
        message:
          `Sitemap ${redact(url)} listed in ${redact(this.url)} was skipped: it is not an ` +
          `http(s) URL matching enqueueStrategy "${enqueueStrategy}"`,
        sitemapUrl: this.url,
        url,
      });
    }
    return [...sitemaps];
  }

  /**
   * Loads every sitemap the file lists (see `getSitemaps()`), as `Sitemap.load()` does; the
   * options go to both.
   * @throws RobotsTxtError `TRAWL_ROBOTS_UNAVAILABLE` when the file is unreachable, since its
   *   sitemaps are then unknown; SitemapLoadError as `Sitemap.load()` does.
   */
  async parseSitemaps(options: ParseSitemapOptions = {}): Promise<Sitemap> {
    if (this.status === 'unreachable') {
      throw new RobotsTxtError(
        'TRAWL_ROBOTS_UNAVAILABLE',
        `${redact(this.url)} is unreachable (${this.unreachableReason ?? 'unknown reason'}), so ` +
          'its sitemaps are unknown; try again later',
        this.url,
      );
    }
    const sitemaps = this.getSitemaps(options);
    return Sitemap.load(sitemaps, this.#proxyUrl, options);
  }

  /** The page URLs of every sitemap the file lists: `(await parseSitemaps(options)).urls`. */
  async parseUrlsFromSitemaps(options: ParseSitemapOptions = {}): Promise<string[]> {
    return (await this.parseSitemaps(options)).urls;
  }
}

export { RobotsTxtFile as RobotsFile };
