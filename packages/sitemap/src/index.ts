// Sitemaps: streaming parser, in-memory loader, discovery.
export { parseSitemap } from './parse-sitemap.js';
export type {
  NestedSitemap,
  ParsedSitemapItem,
  SitemapChangeFreq,
  SitemapSource,
  SitemapUrl,
} from './sitemap-url.js';
export type { NetworkTimeouts, ParseSitemapOptions } from './parse-sitemap-options.js';
export { Sitemap } from './sitemap.js';
export {
  discoverValidSitemaps,
  SITEMAP_LOCATIONS,
  type DiscoverValidSitemapsOptions,
} from './discover-valid-sitemaps.js';

// robots.txt
export {
  RobotsFile,
  RobotsTxtFile,
  type RobotsTxtFileSitemapsOptions,
  type RobotsTxtFindOptions,
  type RobotsTxtStatus,
} from './robots-txt-file.js';

// Which URLs are kept
export type { SitemapEnqueueStrategy } from './enqueue-strategy.js';

// Errors and warnings
export {
  RobotsTxtError,
  SitemapError,
  SitemapLoadError,
  type RobotsTxtErrorCode,
  type SitemapErrorCode,
  type SitemapErrorOptions,
} from './errors.js';
export type { SitemapWarning, SitemapWarningCode } from './warnings.js';
