/**
 * Warnings: conditions worth telling the user about that do not stop a sitemap. This package
 * never prints; it hands each warning to the `onWarning` callback, and the crawler logs it.
 */

/**
 * Stable codes of {@link SitemapWarning}:
 * - `TRAWL_SITEMAP_TOO_MANY_URLS`: a sitemap lists more than 50,000 entries, the protocol's
 *   limit; every entry is still read. Given once per sitemap.
 * - `TRAWL_SITEMAP_URLS_FILTERED`: entries were skipped because `enqueueStrategy` keeps only
 *   URLs related to the sitemap's own URL. Given once per sitemap, with the count.
 * - `TRAWL_SITEMAP_INVALID_URLS`: entries were skipped because they are not absolute http(s)
 *   URLs. Given once per sitemap, with the count.
 * - `TRAWL_SITEMAP_URLS_TOO_LONG`: entries longer than `maxUrlLength` were skipped. Given once
 *   per sitemap, with the count.
 * - `TRAWL_SITEMAP_NESTED_FILTERED`: a nested sitemap was not followed because of
 *   `enqueueStrategy`, or because it is not an absolute http(s) URL. `url` names it.
 * - `TRAWL_SITEMAP_MAX_DEPTH`: a nested sitemap was not followed because it lies deeper than
 *   `maxDepth`. `url` names it.
 * - `TRAWL_SITEMAP_RETRY`: fetching a sitemap failed and will be tried again; `attempt` is the
 *   attempt that failed (1 for the first).
 * - `TRAWL_SITEMAP_ROBOTS_FILTERED`: a `Sitemap:` line of a robots.txt was skipped because of
 *   `enqueueStrategy`. `url` names it.
 */
export type SitemapWarningCode =
  | 'TRAWL_SITEMAP_TOO_MANY_URLS'
  | 'TRAWL_SITEMAP_URLS_FILTERED'
  | 'TRAWL_SITEMAP_INVALID_URLS'
  | 'TRAWL_SITEMAP_URLS_TOO_LONG'
  | 'TRAWL_SITEMAP_NESTED_FILTERED'
  | 'TRAWL_SITEMAP_MAX_DEPTH'
  | 'TRAWL_SITEMAP_RETRY'
  | 'TRAWL_SITEMAP_ROBOTS_FILTERED';

/** Something about a sitemap the user should know; the sitemap was still read. */
export interface SitemapWarning {
  /** Stable code; see {@link SitemapWarningCode}. */
  code: SitemapWarningCode;
  /** One sentence for a log line, credentials redacted. */
  message: string;
  /** The sitemap concerned (`raw://…` for a string source), or the robots.txt URL. */
  sitemapUrl: string;
  /** The URL concerned, for warnings about one nested sitemap or robots.txt line. */
  url?: string;
  /** How many entries the warning covers, for the counting warnings. */
  count?: number;
  /** The attempt that failed, for `TRAWL_SITEMAP_RETRY`. */
  attempt?: number;
  /** The failure that caused a retry, for `TRAWL_SITEMAP_RETRY`. */
  error?: Error;
}
