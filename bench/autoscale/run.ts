/**
 * Autoscaling benchmark: on a steady local load (a server answering every page after a fixed
 * delay, in its own process), crawl with BasicCrawler + sendRequest at several fixed
 * concurrencies, then with autoscaling, and compare steady throughput (pages per second over the
 * last part of each run). Target: autoscaled at least 90% of the best fixed concurrency.
 *
 *   cd <repo> && npx tsc -b && node --import tsx bench/autoscale/run.ts
 *
 * Options: --fixed-secs (default 20), --auto-secs (default 90), --delay-ms (default 20).
 * Rewrites the `## Autoscale` section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type * as CoreNamespace from '../../packages/core/src/index.js';
import { updateResultsSection } from '../results.js';

type CoreModule = typeof CoreNamespace;

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const core = (await import(join(REPO_ROOT, 'packages/core/dist/index.js'))) as CoreModule;

const { values } = parseArgs({
  options: {
    'fixed-secs': { type: 'string', default: '20' },
    'auto-secs': { type: 'string', default: '90' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const fixedSecs = Number(values['fixed-secs']);
const autoSecs = Number(values['auto-secs']);
const delayMs = Number(values['delay-ms']);
const FIXED = [5, 10, 20, 40, 80];

async function startServer(): Promise<{ url: string; stop: () => void }> {
  const proc = spawn(process.execPath, [join(import.meta.dirname, 'server.mjs'), String(delayMs)]);
  const port = await new Promise<string>((resolve) =>
    proc.stdout.once('data', (d) => resolve(String(d).trim())),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => proc.kill() };
}

interface Run {
  label: string;
  pagesPerSec: number;
  finalConcurrency: number;
}

/** Crawls for `secs` seconds; throughput is measured over the last third of the run. */
async function crawl(
  base: string,
  label: string,
  secs: number,
  pool: Record<string, number>,
): Promise<Run> {
  const config = new core.Configuration({ persistStorage: false, purgeOnStart: false });
  const finishedAt: number[] = [];
  const crawler = new core.BasicCrawler(
    {
      log: new core.Log({ level: core.LogLevel.OFF }),
      useSessionPool: false,
      autoscaledPoolOptions: pool,
      requestHandler: async ({ sendRequest }) => {
        await sendRequest();
        finishedAt.push(Date.now());
      },
    },
    config,
  );
  const urls = Array.from({ length: Math.ceil(secs * 3000) }, (_u, i) => `${base}/p/${i}`);
  const started = Date.now();
  const timer = setTimeout(() => crawler.stop(), secs * 1000);
  let finalConcurrency = 0;
  const sampler = setInterval(() => {
    finalConcurrency = crawler.autoscaledPool?.desiredConcurrency ?? finalConcurrency;
  }, 500);
  await crawler.run(urls);
  clearTimeout(timer);
  clearInterval(sampler);
  const windowStart = started + (secs * 1000 * 2) / 3;
  const windowEnd = Math.min(Date.now(), started + secs * 1000);
  const inWindow = finishedAt.filter((t) => t >= windowStart && t <= windowEnd).length;
  return { label, pagesPerSec: inWindow / ((windowEnd - windowStart) / 1000), finalConcurrency };
}

const server = await startServer();
const runs: Run[] = [];
for (const n of FIXED) {
  const run = await crawl(server.url, `fixed ${n}`, fixedSecs, {
    minConcurrency: n,
    maxConcurrency: n,
    desiredConcurrency: n,
  });
  runs.push(run);
  console.log(`${run.label}: ${run.pagesPerSec.toFixed(0)} pages/s`);
}
const auto = await crawl(server.url, 'autoscaled', autoSecs, { desiredConcurrency: 10 });
console.log(
  `autoscaled: ${auto.pagesPerSec.toFixed(0)} pages/s, ` +
    `desired concurrency ${auto.finalConcurrency}`,
);
server.stop();

const best = runs.reduce((a, b) => (b.pagesPerSec > a.pagesPerSec ? b : a));
const ratio = auto.pagesPerSec / best.pagesPerSec;
const rows = [...runs, auto].map(
  (r) =>
    `| ${r.label} | ${r.pagesPerSec.toFixed(0)} | ` +
    `${r.label === 'autoscaled' ? r.finalConcurrency : r.label.split(' ')[1]} |`,
);
updateResultsSection('Autoscale', [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} CPUs, ` +
    `Node ${process.version}.`,
  `Command (repo root): \`npx tsc -b && node --import tsx bench/autoscale/run.ts\`.`,
  `Load: a local server in its own process answering every page after ${delayMs} ms; BasicCrawler`,
  `with \`sendRequest\` (got-scraping), memory storage. Fixed runs last ${fixedSecs} s, the`,
  `autoscaled run (starting at desiredConcurrency 10, as HTTP crawlers do) ${autoSecs} s;`,
  'throughput is pages per second over the last third of each run.',
  '',
  '| run | pages/s | concurrency |',
  '|---|---|---|',
  ...rows,
  '',
  `- autoscaled / best fixed (${best.label}): ${(ratio * 100).toFixed(0)}% ` +
    `(target at least 90%: ${ratio >= 0.9 ? 'met' : 'not met'}).`,
]);
console.log(`autoscaled / best fixed (${best.label}) = ${(ratio * 100).toFixed(1)}%`);
