/**
 * CheerioCrawler benchmark: trawl against Crawlee 3 on a local site of 20,000 small pages, with a
 * bare fetch loop over the same URLs as the ceiling.
 *
 *   cd <repo> && node --import tsx bench/cheerio/run.ts [--pages 20000]
 *
 * Builds trawl first (`tsc -b packages/http-crawler`). The site runs in a process of its own;
 * every measurement runs in a fresh process (measure.ts), one after the other, in one run. Prints
 * a table and rewrites the `## Cheerio` section of bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildPackage, machine, updateResultsSection, verdict } from '../results.js';
import { startSite } from './start-site.js';

const BENCH_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(BENCH_DIR, '..');

interface Measurement {
  library: 'trawl' | 'crawlee' | 'bare' | 'got-scraping';
  mode: 'fixed50' | 'auto';
  pages: number;
  millis: number;
  peakRssBytes: number;
}

const { values } = parseArgs({ options: { pages: { type: 'string', default: '20000' } } });
const pages = Number(values.pages);

const storageParent = mkdtempSync(join(os.tmpdir(), 'bench-cheerio-'));
// A folder in RAM, where the machine has one: the same crawl with storage off the disk.
const RAM_DIR = '/dev/shm';
const ramParent = existsSync(RAM_DIR) ? mkdtempSync(join(RAM_DIR, 'bench-cheerio-')) : undefined;

function measure(library: string, mode: string, url: string, parent = storageParent): Measurement {
  process.stderr.write(`cheerio bench: ${library} ${mode} in ${parent} (${pages} pages)\n`);
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'measure.ts'), library, mode, url, String(pages)],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_STORAGE_PARENT: parent },
    },
  );
  const result = JSON.parse(output.trim().split('\n').pop()!) as Measurement;
  if (result.pages !== pages) {
    throw new Error(`${library} ${mode} handled ${result.pages} of ${pages} pages`);
  }
  return result;
}

/**
 * Microseconds the calling thread spends creating one new, small file in `parent`, over 2,000
 * files: every item a crawler pushes is such a file, so a slow disk slows every crawler.
 */
function fileCreationMicros(parent: string): number {
  const dir = mkdtempSync(join(parent, 'probe-'));
  const started = performance.now();
  for (let i = 0; i < 2_000; i += 1) {
    writeFileSync(join(dir, `${i}.json`), '{"probe":true}', { flag: 'wx' });
  }
  // The files stay until the storage folder goes, after the last run: on this kind of disk,
  // creating files soon after deleting many costs the kernel far more (ext4 skips the inodes it
  // freed in the last seconds), which would slow down the crawls measured next.
  return ((performance.now() - started) * 1_000) / 2_000;
}

const perSec = (m: Measurement): number => (m.pages / m.millis) * 1_000;
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

function row(label: string, m: Measurement): string {
  const seconds = (m.millis / 1_000).toFixed(1);
  return `| ${label} | ${format(perSec(m))} | ${seconds} | ${mib(m.peakRssBytes)} |`;
}

function ratios(label: string, trawl: Measurement, crawlee: Measurement, bare: Measurement) {
  const speed = perSec(trawl) / perSec(crawlee);
  const ofBare = perSec(trawl) / perSec(bare);
  const memory = trawl.peakRssBytes / crawlee.peakRssBytes;
  return (
    `- ${label}: trawl / Crawlee pages/s ${speed.toFixed(2)}x ` +
    `(target ≥ 2x: ${verdict(speed >= 2)}); ` +
    `trawl / bare loop ${ofBare.toFixed(2)} (target ≥ 0.5: ${verdict(ofBare >= 0.5)}); ` +
    `trawl / Crawlee peak RSS ${memory.toFixed(2)} (target ≤ 0.5: ${verdict(memory <= 0.5)}).`
  );
}

interface Results {
  bare: Measurement;
  gotScraping: Measurement;
  trawlFixed: Measurement;
  crawleeFixed: Measurement;
  trawlAuto: Measurement;
  crawleeAuto: Measurement;
  trawlFixedInRam?: Measurement;
  fileMicros: { disk: number; ram?: number };
}

// What the disk costs: the file-creation probe, and trawl again with its storage in RAM.
function storageLines(results: Results): string[] {
  const { bare, trawlFixed, trawlFixedInRam, fileMicros } = results;
  const ramProbe =
    fileMicros.ram === undefined ? '' : `, in ${RAM_DIR} ${fileMicros.ram.toFixed(0)}`;
  const lines = [
    '- Creating one small new file (each dataset item is one) took ' +
      `${fileMicros.disk.toFixed(0)} µs on the disk${ramProbe}, measured before the runs.`,
  ];
  if (trawlFixedInRam !== undefined) {
    const ofBare = perSec(trawlFixedInRam) / perSec(bare);
    const ofDisk = perSec(trawlFixedInRam) / perSec(trawlFixed);
    lines.push(
      `- trawl with its storage in ${RAM_DIR}, concurrency 50: trawl / bare loop ` +
        `${ofBare.toFixed(2)}, ${ofDisk.toFixed(2)}x trawl on the disk (for comparison only; ` +
        'the targets are judged on the default storage above).',
    );
  }
  return lines;
}

function report(results: Results): string[] {
  const { bare, gotScraping, trawlFixed, crawleeFixed, trawlAuto, crawleeAuto } = results;
  const ramRow = results.trawlFixedInRam && [
    row(`trawl, concurrency 50, storage in ${RAM_DIR}`, results.trawlFixedInRam),
  ];
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    'Command (repo root): `node --import tsx bench/cheerio/run.ts` (builds `packages/http-crawler`',
    `first). A local site of ${format(pages)} small pages (about 1.3 KB of HTML; every page`,
    'links to the three pages of its navigation bar, and the first fifth of the pages to five new',
    'pages each) runs in its own process on 127.0.0.1; each line below is a fresh process,',
    'all in one run. trawl (built `dist`) and Crawlee 3.18.1 run the same CheerioCrawler handler:',
    'read the title, `enqueueLinks()`, `pushData()` one item, on their default local storage in a',
    'temporary folder (all removed after the last run, so that no run waits on the disk while',
    'the previous one is deleted), log level WARNING. "concurrency 50" sets `minConcurrency` and',
    '`maxConcurrency` to 50; "autoscaled" passes no concurrency option. The bare loop is Node',
    '`fetch` over the same URLs, 50 at a time, each body read, nothing parsed or stored; the',
    'got-scraping loop is the same with a plain `gotScraping(url)` call: the HTTP client of',
    "Crawlee and of trawl's `GotScrapingHttpClient`, so it bounds what any crawler on it can",
    "reach; trawl's default client, `UndiciHttpClient`, is not bound by it. Peak RSS is",
    '`process.resourceUsage().maxRSS` of the measuring process. The clock starts after the',
    'library is imported (trawl about 0.5 s, Crawlee about 1.4 s, got-scraping about 0.4 s), so',
    'the figures are of crawling, not of loading code; earlier results included the import.',
    '',
    '| run | pages/s | seconds | peak RSS (MiB) |',
    '|---|---|---|---|',
    row('bare fetch loop, 50 at a time', bare),
    row('got-scraping loop, 50 at a time', gotScraping),
    row('trawl, concurrency 50', trawlFixed),
    row('Crawlee 3.18.1, concurrency 50', crawleeFixed),
    row('trawl, autoscaled', trawlAuto),
    row('Crawlee 3.18.1, autoscaled', crawleeAuto),
    ...(ramRow ?? []),
    '',
    ratios('concurrency 50', trawlFixed, crawleeFixed, bare),
    ratios('autoscaled', trawlAuto, crawleeAuto, bare),
    `- got-scraping loop / bare loop: ${(perSec(gotScraping) / perSec(bare)).toFixed(2)}; ` +
      'trawl / got-scraping loop: ' +
      `${(perSec(trawlFixed) / perSec(gotScraping)).toFixed(2)} (concurrency 50), ` +
      `${(perSec(trawlAuto) / perSec(gotScraping)).toFixed(2)} (autoscaled).`,
    ...storageLines(results),
  ];
}

buildPackage('http-crawler');
const site = await startSite(pages);
try {
  const fileMicros = {
    disk: fileCreationMicros(storageParent),
    ram: ramParent === undefined ? undefined : fileCreationMicros(ramParent),
  };
  const results: Results = {
    fileMicros,
    bare: measure('bare', 'fixed50', site.url),
    gotScraping: measure('got-scraping', 'fixed50', site.url),
    trawlFixed: measure('trawl', 'fixed50', site.url),
    crawleeFixed: measure('crawlee', 'fixed50', site.url),
    trawlAuto: measure('trawl', 'auto', site.url),
    crawleeAuto: measure('crawlee', 'auto', site.url),
    trawlFixedInRam:
      ramParent === undefined ? undefined : measure('trawl', 'fixed50', site.url, ramParent),
  };
  const lines = report(results);
  process.stdout.write(`## Cheerio\n\n${lines.join('\n')}\n`);
  updateResultsSection('Cheerio', lines);
} finally {
  site.stop();
  rmSync(storageParent, { recursive: true, force: true });
  if (ramParent !== undefined) {
    rmSync(ramParent, { recursive: true, force: true });
  }
}
