/**
 * One read of the benchmark sitemaps, run in its own process by `run.ts`:
 *
 *   node --import tsx bench/sitemap/measure.ts <trawl|crawlee> <stream|load> <indexUrl>
 *
 * `stream` iterates `parseSitemap()` and counts the URLs; `load` calls `Sitemap.load()`, which
 * holds every URL in an array (Crawlee's way). trawl runs from the built `packages/sitemap/dist`,
 * Crawlee 3 from `@crawlee/utils` in bench/node_modules. RSS is sampled every 20 ms; the growth
 * is the peak minus the RSS after the imports. Prints one JSON line.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const SITEMAP_DIST = join(import.meta.dirname, '..', '..', 'packages', 'sitemap', 'dist');

const [library, mode, indexUrl] = process.argv.slice(2);
if (!['trawl', 'crawlee'].includes(library!) || !['stream', 'load'].includes(mode!)) {
  throw new Error('Usage: measure.ts <trawl|crawlee> <stream|load> <indexUrl>');
}

interface SitemapModule {
  parseSitemap(
    sources: { type: 'url'; url: string }[],
    proxyUrl?: string,
  ): AsyncIterable<{ loc: string }>;
  Sitemap: { load(urls: string): Promise<{ urls: string[] }> };
}

const sitemapModule = (
  library === 'trawl'
    ? await import(pathToFileURL(join(SITEMAP_DIST, 'index.js')).href)
    : await import('@crawlee/utils')
) as SitemapModule;

async function count(): Promise<number> {
  if (mode === 'load') {
    const sitemap = await sitemapModule.Sitemap.load(indexUrl!);
    return sitemap.urls.length;
  }
  let urls = 0;
  for await (const item of sitemapModule.parseSitemap([{ type: 'url', url: indexUrl! }])) {
    if (item.loc.length > 0) {
      urls += 1;
    }
  }
  return urls;
}

const baselineRssBytes = process.memoryUsage.rss();
let peakRssBytes = baselineRssBytes;
const sampler = setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
}, 20);
const started = performance.now();
const urls = await count();
const millis = performance.now() - started;
clearInterval(sampler);
peakRssBytes = Math.max(
  peakRssBytes,
  process.memoryUsage.rss(),
  process.resourceUsage().maxRSS * 1024,
);
process.stdout.write(
  `${JSON.stringify({ library, mode, urls, millis, peakRssBytes, baselineRssBytes })}\n`,
);
process.exit(0);
