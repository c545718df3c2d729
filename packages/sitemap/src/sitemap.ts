/**
 * `Sitemap`: Crawlee's class that loads sitemaps into one array of URLs. Unlike Crawlee's, its
 * `load()` never hides a failure behind an empty result.
 */
import { SitemapError, SitemapLoadError } from './errors.js';
import { parseHttpUrl } from './http-url.js';
import type { ParseSitemapOptions } from './parse-sitemap-options.js';
import { parseSitemap } from './parse-sitemap.js';
import type { SitemapSource } from './sitemap-url.js';
import { redact } from './redact.js';

/** Where `tryCommonNames()` looks, as Crawlee does. */
const COMMON_NAMES = ['/sitemap.xml', '/sitemap.txt'];

/**
 * The page URLs of one or more sitemaps, held in memory. Loading follows sitemap indexes, reads
 * gzip, XML and text sitemaps, and keeps only URLs on the sitemap's own host name unless
 * `enqueueStrategy` says otherwise. For sitemaps too large to hold, iterate `parseSitemap()`.
 *
 * @example
 * ```ts
 * const { urls } = await Sitemap.load('https://example.com/sitemap_index.xml');
 * await crawler.addRequests(urls);
 * ```
 */
export class Sitemap {
  /** The page URLs, in the order the sitemaps listed them. */
  readonly urls: string[];

  /** Wraps URLs already known. */
  constructor(urls: string[]) {
    this.urls = urls;
  }

  /**
   * Loads the sitemaps at the usual locations of `url`'s origin, `/sitemap.xml` and
   * `/sitemap.txt`. A location that is missing, unreachable or not a sitemap (an HTML page, say)
   * is skipped quietly; for the `Sitemap:` lines of robots.txt use `RobotsTxtFile`.
   * @throws SitemapLoadError when a sitemap found there is broken (bad XML, gzip, too large);
   *   `urls` holds what was read. SitemapError `TRAWL_SITEMAP_INVALID_URL` for a bad `url`.
   */
  static async tryCommonNames(url: string, proxyUrl?: string): Promise<Sitemap> {
    const base = parseHttpUrl(url);
    if (base === undefined) {
      const shown = redact(String(url));
      const message = `URL "${shown}" is not an absolute http(s) URL; pass a page of the site`;
      throw new SitemapError('TRAWL_SITEMAP_INVALID_URL', message, url);
    }
    const urls = COMMON_NAMES.map((pathname) => new URL(pathname, base.origin).href);
    const errors: SitemapError[] = [];
    const onError = (error: SitemapError): void => {
      if (error.code !== 'TRAWL_SITEMAP_CONTENT_TYPE') {
        errors.push(error);
      }
    };
    const sitemap = await Sitemap.load(urls, proxyUrl, { reportNetworkErrors: false, onError });
    if (errors.length > 0) {
      throw new SitemapLoadError(errors, sitemap.urls);
    }
    return sitemap;
  }

  /**
   * Fetches the sitemaps at `urls`, with the sitemaps they list, and returns all their page
   * URLs. Takes the options of `parseSitemap()`: with `onError`, failures go there and `load()`
   * returns what it read.
   * @throws SitemapLoadError when sitemaps failed and no `onError` was given, after reading
   *   all the others; its `urls` holds every URL read, its `errors` each failure.
   */
  static async load(
    urls: string | string[],
    proxyUrl?: string,
    parseSitemapOptions?: ParseSitemapOptions,
  ): Promise<Sitemap> {
    const list = Array.isArray(urls) ? urls : [urls];
    return Sitemap.parse(
      list.map((url) => ({ type: 'url', url })),
      proxyUrl,
      parseSitemapOptions,
    );
  }

  /**
   * Reads a sitemap given as a string (XML, or one URL per line) and returns its page URLs,
   * fetching the sitemaps it lists when it is an index. Its URLs are not filtered by host, since
   * a string has none.
   * @throws SitemapLoadError when the string or a sitemap it lists is broken; `urls` holds what
   *   was read.
   */
  static async fromXmlString(content: string, proxyUrl?: string): Promise<Sitemap> {
    return Sitemap.parse([{ type: 'raw', content }], proxyUrl);
  }

  /** Collects the URLs of `sources`; a `SitemapLoadError` gets them too. */
  protected static async parse(
    sources: SitemapSource[],
    proxyUrl?: string,
    parseSitemapOptions?: ParseSitemapOptions,
  ): Promise<Sitemap> {
    const urls: string[] = [];
    try {
      for await (const item of parseSitemap(sources, proxyUrl, {
        ...parseSitemapOptions,
        emitNestedSitemaps: false,
      })) {
        urls.push(item.loc);
      }
    } catch (error) {
      if (error instanceof SitemapLoadError) {
        throw new SitemapLoadError(error.errors, urls);
      }
      throw error;
    }
    return new Sitemap(urls);
  }
}
