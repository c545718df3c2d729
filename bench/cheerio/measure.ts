/**
 * One crawl of the benchmark site, run in its own process by `run.ts`:
 *
 *   node --import tsx bench/cheerio/measure.ts <trawl|crawlee|bare> <fixed50|auto> \
 *     <siteUrl> <pages>
 *
 * trawl and Crawlee run the same CheerioCrawler handler (read the title, enqueue the page's
 * links, push one item) on their default local storage in a temporary folder; `fixed50` pins the
 * concurrency at 50, `auto` leaves the crawler's default autoscaling. `bare` fetches the same URLs
 * with Node's fetch, 50 at a time, reading each body and nothing more. The clock starts once the
 * library is imported. Prints one JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HTTP_CRAWLER_DIST = join(import.meta.dirname, '..', '..', 'packages', 'http-crawler', 'dist');

const [library, mode, siteUrl, count] = process.argv.slice(2);
const pages = Number(count);
const LIBRARIES = ['trawl', 'crawlee', 'bare', 'got-scraping'];
if (!LIBRARIES.includes(library!) || !['fixed50', 'auto'].includes(mode!)) {
  throw new Error(
    'Usage: measure.ts <trawl|crawlee|bare|got-scraping> <fixed50|auto> <siteUrl> <pages>',
  );
}

interface Context {
  request: { loadedUrl?: string; url: string };
  $: (selector: string) => { text(): string };
  enqueueLinks(): Promise<unknown>;
  pushData(item: object): Promise<void>;
}

async function handler({ request, $, enqueueLinks, pushData }: Context): Promise<void> {
  await pushData({ url: request.loadedUrl ?? request.url, title: $('title').text() });
  await enqueueLinks();
}

const concurrency = mode === 'fixed50' ? { minConcurrency: 50, maxConcurrency: 50 } : {};

// run.ts names a folder it removes after the last measurement: removing 20,000 files at once
// keeps the disk busy for seconds, which would slow down whichever measurement came next.
const keepParent = process.env.BENCH_STORAGE_PARENT;
const dir = mkdtempSync(join(keepParent ?? tmpdir(), `bench-cheerio-${library}-`));
// Crawlee reads its storage folder from the environment when its configuration is first made.
process.env.CRAWLEE_STORAGE_DIR = dir;

// The libraries are imported before the clock starts: the figure is pages per second of the crawl,
// not of loading the library (trawl takes about 0.5 s to import, Crawlee about 1.4 s).
const trawl =
  library === 'trawl'
    ? await import(pathToFileURL(join(HTTP_CRAWLER_DIST, 'index.js')).href)
    : undefined;
const crawlee = library === 'crawlee' ? await import('crawlee') : undefined;

async function crawlTrawl(dir: string): Promise<number> {
  const config = new trawl.Configuration({ storageClientOptions: { localDataDirectory: dir } });
  const crawler = new trawl.CheerioCrawler(
    {
      requestHandler: handler,
      log: new trawl.Log({ level: trawl.LogLevel.WARNING }),
      ...concurrency,
    },
    config,
  );
  const stats = await crawler.run([`${siteUrl}/page/0`]);
  return stats.requestsFinished;
}

async function crawlCrawlee(): Promise<number> {
  crawlee!.log.setLevel(crawlee!.log.LEVELS.WARNING);
  const crawler = new crawlee!.CheerioCrawler({
    requestHandler: handler as never,
    ...concurrency,
  });
  const stats = await crawler.run([`${siteUrl}/page/0`]);
  return stats.requestsFinished;
}

/** Loads every page with `load`, 50 at a time, and returns how many were loaded. */
async function loadAll(load: (url: string) => Promise<unknown>): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < pages) {
      const index = next++;
      await load(`${siteUrl}/page/${index}`);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  return done;
}

async function fetchAll(): Promise<number> {
  return loadAll(async (url) => (await fetch(url)).text());
}

// The HTTP client the issue prescribes, alone: what no crawler built on it can beat. The copy
// trawl uses; a bare import from here would find Crawlee's, under bench/node_modules.
const GOT_SCRAPING = join(HTTP_CRAWLER_DIST, '..', '..', '..', 'node_modules', 'got-scraping');
const gotScrapingModule =
  library === 'got-scraping'
    ? await import(pathToFileURL(join(GOT_SCRAPING, 'dist', 'index.js')).href)
    : undefined;

async function gotScrapingAll(): Promise<number> {
  const { gotScraping } = gotScrapingModule;
  return loadAll(async (url) => (await gotScraping(url)).body);
}

// CPU milliseconds of the main thread (Linux: /proc) and of the whole process, so that a change's
// effect can be told from the machine's speed of the moment. The table does not print them.
function cpuMillis(): { mainThread?: number; process: number } {
  const { user, system } = process.cpuUsage();
  let mainThread: number | undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    mainThread = ((Number(fields[11]) + Number(fields[12])) * 1_000) / 100;
  } catch {
    mainThread = undefined;
  }
  return { mainThread, process: (user + system) / 1_000 };
}

const started = performance.now();
const finished =
  library === 'trawl'
    ? await crawlTrawl(dir)
    : library === 'crawlee'
      ? await crawlCrawlee()
      : library === 'got-scraping'
        ? await gotScrapingAll()
        : await fetchAll();
const millis = performance.now() - started;
const cpu = cpuMillis();
if (keepParent === undefined) {
  rmSync(dir, { recursive: true, force: true });
}
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `${JSON.stringify({ library, mode, pages: finished, millis, peakRssBytes, cpu })}\n`,
);
process.exit(0);
