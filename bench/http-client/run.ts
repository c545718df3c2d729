/**
 * HTTP client micro-benchmark: the per-request cost of trawl's clients (`trawl`: got-scraping,
 * `trawl-undici`: the default) against raw got-scraping, undici and Node's fetch, on a local site
 * of small pages.
 *
 *   cd <repo> && node --import tsx bench/http-client/run.ts [--requests 20000] [--rounds 3] \
 *     [--clients fetch,undici,got-scraping,trawl,trawl-undici] [--dist <dir>] [--baseline <dir>]
 *
 * Builds `packages/http-crawler` first; `trawl` measures its `dist`, or the build `--dist` names.
 * `--baseline <dir>` adds a client `baseline`: `trawl` from another build, such as a copy of
 * `dist` made before a change, measured in the same rounds. The site (bench/cheerio/site.ts) runs
 * in a process of its own; each measurement is a fresh process (measure.ts), and the rounds
 * interleave the clients so that load from elsewhere on the machine spreads over all of them.
 * Prints every run and, per client, the median requests per second and CPU microseconds per
 * request. Not part of `npm run bench`; it writes nothing to bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildPackage } from '../results.js';
import { startSite } from '../cheerio/start-site.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const PAGES = 20_000;

interface Measurement {
  client: string;
  requests: number;
  millis: number;
  cpuMicros: number;
}

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: 'fetch,undici,got-scraping,trawl,trawl-undici' },
    dist: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const requests = Number(values.requests);
const rounds = Number(values.rounds);
const clients = values.clients.split(',');
if (values.baseline) {
  clients.push('baseline');
}

function measure(client: string, url: string): Measurement {
  const isBaseline = client === 'baseline';
  const dist = isBaseline ? values.baseline : values.dist;
  const args = [join(import.meta.dirname, 'measure.ts'), isBaseline ? 'trawl' : client, url];
  args.push(String(requests), String(PAGES), ...(dist ? [dist] : []));
  const output = execFileSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { ...(JSON.parse(output.trim().split('\n').pop()!) as Measurement), client };
}

const perSec = (m: Measurement): number => (m.requests / m.millis) * 1_000;
const cpuPerRequest = (m: Measurement): number => m.cpuMicros / m.requests;

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summary(results: Measurement[]): string[] {
  const lines = ['| client | req/s (median) | CPU µs/request (median) | runs (req/s, µs) |'];
  lines.push('|---|---|---|---|');
  for (const client of clients) {
    const runs = results.filter((m) => m.client === client);
    const each = runs.map((m) => `${perSec(m).toFixed(0)}, ${cpuPerRequest(m).toFixed(0)}`);
    const rate = median(runs.map(perSec)).toFixed(0);
    const cpu = median(runs.map(cpuPerRequest)).toFixed(0);
    lines.push(`| ${client} | ${rate} | ${cpu} | ${each.join('; ')} |`);
  }
  return lines;
}

buildPackage('http-crawler');
const site = await startSite(PAGES);
try {
  const results: Measurement[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const client of clients) {
      const result = measure(client, site.url);
      results.push(result);
      const rate = perSec(result).toFixed(0);
      const cpu = cpuPerRequest(result).toFixed(0);
      process.stderr.write(`round ${round}: ${client} ${rate} req/s, ${cpu} µs CPU/request\n`);
    }
  }
  process.stdout.write(`${summary(results).join('\n')}\n`);
} finally {
  site.stop();
}
