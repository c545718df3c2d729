/**
 * What `parseSitemap()` takes and yields: sitemap sources, page URLs with their metadata, and
 * nested sitemaps. Crawlee 3's shapes.
 */
import type { ParseSitemapOptions } from './parse-sitemap-options.js';
import type { ScannedEntry } from './xml-scanner.js';

/** A sitemap to read: a URL to fetch, or the content itself (XML or one URL per line). */
export type SitemapSource = ({ type: 'url'; url: string } | { type: 'raw'; content: string }) & {
  /** How deep this source already is in a sitemap index tree. @default 0 */
  depth?: number;
};

/** How often a page changes, as the sitemap says. */
export type SitemapChangeFreq =
  'always' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'never';

/** A page URL from a sitemap, with the metadata the sitemap gave for it. */
export interface SitemapUrl {
  /** The page URL, as written in the sitemap (entities decoded). */
  loc: string;
  /** `<lastmod>`, when present and a valid date. */
  lastmod?: Date;
  /** `<changefreq>`, when present and one of the protocol's values. */
  changefreq?: SitemapChangeFreq;
  /** `<priority>`, when present and a number. */
  priority?: number;
  /** The sitemap that listed it; `raw://<sha256 of the content>` for a string source. */
  originSitemapUrl: string;
}

/** A nested sitemap found in a sitemap index, yielded with `emitNestedSitemaps`. */
export interface NestedSitemap {
  loc: string;
  originSitemapUrl: null;
}

/** What {@link parseSitemap} yields for the given options. */
export type ParsedSitemapItem<T extends ParseSitemapOptions> = T['emitNestedSitemaps'] extends true
  ? SitemapUrl | NestedSitemap
  : SitemapUrl;

const CHANGE_FREQS = new Set(['always', 'hourly', 'daily', 'weekly', 'monthly', 'yearly', 'never']);

/** The entry as a `SitemapUrl`: a date, a known frequency and a number, or left out. */
export function toSitemapUrl(entry: ScannedEntry, origin: string): SitemapUrl {
  const item: SitemapUrl = { loc: entry.loc, originSitemapUrl: origin };
  if (entry.lastmod !== undefined) {
    const lastmod = new Date(entry.lastmod);
    if (!Number.isNaN(lastmod.getTime())) {
      item.lastmod = lastmod;
    }
  }
  const changefreq = entry.changefreq?.toLowerCase();
  if (changefreq !== undefined && CHANGE_FREQS.has(changefreq)) {
    item.changefreq = changefreq as SitemapChangeFreq;
  }
  if (entry.priority !== undefined && entry.priority.length > 0) {
    const priority = Number(entry.priority);
    if (Number.isFinite(priority)) {
      item.priority = priority;
    }
  }
  return item;
}
