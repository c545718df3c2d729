/**
 * Sitemap benchmark: trawl against Crawlee 3 reading 1,000,000 URLs from a sitemap index of
 * gzipped sitemaps on a local site.
 *
 *   cd <repo> && node --import tsx bench/sitemap/run.ts [--children 20] [--urls-per-child 50000]
 *
 * Builds trawl first (`tsc -b packages/sitemap`). The site runs in a process of its own; every
 * measurement runs in a fresh process (measure.ts), one after the other, in one run. Prints a
 * table and rewrites the `## Sitemap` section of bench/RESULTS.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { buildPackage, machine, updateResultsSection, verdict } from '../results.js';

const BENCH_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(BENCH_DIR, '..');
const MIB = 2 ** 20;
const RUNS = 2;

interface Measurement {
  library: 'trawl' | 'crawlee';
  mode: 'stream' | 'load';
  urls: number;
  millis: number;
  peakRssBytes: number;
  baselineRssBytes: number;
}

const { values } = parseArgs({
  options: {
    children: { type: 'string', default: '20' },
    'urls-per-child': { type: 'string', default: '50000' },
  },
});
const children = Number(values.children);
const urlsPerChild = Number(values['urls-per-child']);
const expectedUrls = children * urlsPerChild;

async function startSite(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'site.ts'),
      String(children),
      String(urlsPerChild),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { url } = JSON.parse(line) as { url: string };
  return { url, stop: () => void child.kill('SIGTERM') };
}

function measure(library: string, mode: string, indexUrl: string): Measurement {
  process.stderr.write(`sitemap bench: ${library} ${mode} (${expectedUrls} URLs)\n`);
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'measure.ts'), library, mode, indexUrl],
    { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const result = JSON.parse(output.trim().split('\n').pop()!) as Measurement;
  if (result.urls !== expectedUrls) {
    throw new Error(`${library} ${mode} read ${result.urls} of ${expectedUrls} URLs`);
  }
  return result;
}

/** The measurements, in the order of one round; `RUNS` rounds are made. */
const PLAN = [
  ['trawlStream', 'trawl', 'stream'],
  ['crawleeStream', 'crawlee', 'stream'],
  ['trawlLoad', 'trawl', 'load'],
  ['crawleeLoad', 'crawlee', 'load'],
] as const;

function fastest(runs: Measurement[]): Measurement {
  return runs.reduce((best, run) => (run.millis < best.millis ? run : best));
}

const perSec = (m: Measurement): number => (m.urls / m.millis) * 1_000;
const mib = (bytes: number): string => (bytes / MIB).toFixed(0);
const growth = (m: Measurement): number => m.peakRssBytes - m.baselineRssBytes;
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

function row(label: string, m: Measurement): string {
  const seconds = (m.millis / 1_000).toFixed(1);
  return (
    `| ${label} | ${format(m.urls)} | ${format(perSec(m))} | ${seconds} | ` +
    `${mib(m.peakRssBytes)} | ${mib(growth(m))} |`
  );
}

/** Speed from the fastest runs; memory from the trawl run that grew most. */
function verdicts(trawlRuns: Measurement[], trawl: Measurement, crawlee: Measurement): string[] {
  const speed = perSec(trawl) / perSec(crawlee);
  const grown = Math.max(...trawlRuns.map(growth));
  return [
    `- trawl \`parseSitemap\`: all ${format(trawl.urls)} URLs in every run ` +
      `(target all: ${verdict(trawlRuns.every((run) => run.urls === expectedUrls))}); ` +
      `RSS growth at most ${mib(grown)} MiB over ${trawlRuns.length} runs ` +
      `(target under 100 MB: ${verdict(grown < 100e6)}).`,
    `- trawl / Crawlee \`parseSitemap\` URLs/s ${speed.toFixed(2)}x ` +
      `(target ≥ 1x: ${verdict(speed >= 1)}).`,
  ];
}

function report(
  results: Record<string, Measurement>,
  runs: Record<string, Measurement[]>,
): string[] {
  const { trawlStream, crawleeStream, trawlLoad, crawleeLoad } = results as Record<
    string,
    Measurement
  >;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    'Command (repo root): `node --import tsx bench/sitemap/run.ts` (builds `packages/sitemap`',
    'first). A local site on 127.0.0.1, in its own process, serves a sitemap index of',
    `${children} gzipped sitemaps of ${format(urlsPerChild)} URLs each (pretty-printed`,
    '`<url>` entries with `lastmod`, `changefreq` and `priority`, about 190 bytes each),',
    'generated and gzipped once at start. trawl (built `dist`) and Crawlee 3.18.1',
    '(`@crawlee/utils`) read the index with their defaults, each run in a fresh process;',
    `${RUNS} rounds of the four runs, and each line shows the faster of its ${RUNS} runs.`,
    '"parseSitemap" iterates the async generator and counts the URLs; "Sitemap.load" collects',
    'them in one array, as Crawlee does, so its memory grows with the URL count by design. Peak',
    'RSS is the highest of `process.memoryUsage.rss()` sampled every 20 ms and',
    '`process.resourceUsage().maxRSS`; growth is the peak minus the RSS after the imports.',
    '',
    '| run | URLs | URLs/s | seconds | peak RSS (MiB) | RSS growth (MiB) |',
    '|---|---|---|---|---|---|',
    row('trawl, parseSitemap', trawlStream!),
    row('Crawlee 3.18.1, parseSitemap', crawleeStream!),
    row('trawl, Sitemap.load', trawlLoad!),
    row('Crawlee 3.18.1, Sitemap.load', crawleeLoad!),
    '',
    ...verdicts(runs.trawlStream!, trawlStream!, crawleeStream!),
  ];
}

buildPackage('sitemap');
const site = await startSite();
try {
  const indexUrl = `${site.url}/sitemap_index.xml`;
  const runs: Record<string, Measurement[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [key, library, mode] of PLAN) {
      runs[key] = [...(runs[key] ?? []), measure(library, mode, indexUrl)];
    }
  }
  const results = Object.fromEntries(
    Object.entries(runs).map(([key, measured]) => [key, fastest(measured)]),
  );
  const lines = report(results, runs);
  process.stdout.write(`## Sitemap\n\n${lines.join('\n')}\n`);
  updateResultsSection('Sitemap', lines);
} finally {
  site.stop();
}
