/**
 * Request queue benchmark: trawl's SQLite queue against Crawlee 3's default local queue.
 *
 *   cd <repo> && npx tsc -b packages/core && node --import tsx bench/queue/run.ts
 *
 * Options: --crawlee-n (default 20000), --trawl-n (default 1000000). Each measurement runs in its
 * own `node --expose-gc` process (see measure.ts). Prints a table and rewrites the `## Queue`
 * section of bench/RESULTS.md.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { machine, updateResultsSection, verdict } from '../results.js';

const BENCH_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(BENCH_DIR, '..');
const BUILT_QUEUE = join(REPO_ROOT, 'packages/core/dist/storages/request-queue.js');
const TARGET_RATIO = 10;
const TARGET_BYTES = 300;

interface Measurement {
  library: string;
  mode: string;
  n: number;
  addMillis: number;
  drainMillis?: number;
  bytesPerPending: number;
}

const { values } = parseArgs({
  options: {
    'crawlee-n': { type: 'string', default: '20000' },
    'trawl-n': { type: 'string', default: '1000000' },
  },
});
const crawleeN = Number(values['crawlee-n']);
const trawlN = Number(values['trawl-n']);

function ensureBuilt(): void {
  // Builds core when its dist is missing; other packages' type errors do not stop tsc's output.
  if (!existsSync(BUILT_QUEUE)) {
    spawnSync('npx', ['tsc', '-b', 'packages/core'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  if (!existsSync(BUILT_QUEUE)) {
    throw new Error(`${BUILT_QUEUE} is missing; run "npx tsc -b packages/core" and fix its errors`);
  }
}

function measure(library: string, mode: string, n: number): Measurement {
  process.stderr.write(`queue bench: ${library} ${mode} n=${n}\n`);
  const script = join(import.meta.dirname, 'measure.ts');
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, library, mode, String(n)],
    { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = output.trim().split('\n').pop()!;
  return JSON.parse(line) as Measurement;
}

const opsPerSec = (n: number, millis: number): number => Math.round((n / millis) * 1_000);
const format = (value: number): string => value.toLocaleString('en-US');

function row(label: string, m: Measurement): string {
  const add = opsPerSec(m.n, m.addMillis);
  const drain = m.drainMillis === undefined ? '—' : format(opsPerSec(m.n, m.drainMillis));
  const both =
    m.drainMillis === undefined ? '—' : format(opsPerSec(m.n, m.addMillis + m.drainMillis));
  const seconds = ((m.addMillis + (m.drainMillis ?? 0)) / 1_000).toFixed(1);
  const bytes = Math.round(m.bytesPerPending);
  return (
    `| ${label} | ${format(m.n)} | ${format(add)} | ` +
    `${drain} | ${both} | ${seconds} | ${bytes} |`
  );
}

function ratio(trawl: Measurement, crawlee: Measurement, phase: 'add' | 'drain' | 'both'): number {
  const millis = (m: Measurement) =>
    phase === 'add'
      ? m.addMillis
      : phase === 'drain'
        ? m.drainMillis!
        : m.addMillis + m.drainMillis!;
  return opsPerSec(trawl.n, millis(trawl)) / opsPerSec(crawlee.n, millis(crawlee));
}

function report(results: Record<string, Measurement>): string[] {
  const { trawlSmall, crawleeSmall, trawlLarge, trawlMemory } = results;
  const both = ratio(trawlSmall, crawleeSmall, 'both');
  const bytes = trawlMemory.bytesPerPending;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    'Command (repo root): `npx tsc -b packages/core && node --import tsx bench/queue/run.ts`;',
    'trawl runs from the built `packages/core/dist` (RequestQueue.open on a file queue),',
    'Crawlee 3.18.1 with its default persisted local storage (`CRAWLEE_STORAGE_DIR` = temp dir).',
    'Each line is a separate `node --expose-gc` process; add = `addRequests` in batches of',
    '1,000 unique URLs, drain = `fetchNextRequest` + `markRequestHandled` until `null`.',
    '',
    '| queue | requests | add ops/s | drain ops/s | add+drain ops/s | seconds | bytes/pending |',
    '|---|---|---|---|---|---|---|',
    row('Crawlee 3.18.1', crawleeSmall),
    row('trawl', trawlSmall),
    row('trawl', trawlLarge),
    row('trawl (memory only)', trawlMemory),
    '',
    `- trawl / Crawlee ops/s at ${format(crawleeSmall.n)}:` +
      ` add ${ratio(trawlSmall, crawleeSmall, 'add').toFixed(1)}x,` +
      ` drain ${ratio(trawlSmall, crawleeSmall, 'drain').toFixed(1)}x,` +
      ` add+drain ${both.toFixed(1)}x` +
      ` (target ≥ ${TARGET_RATIO}x: ${verdict(both >= TARGET_RATIO)}).`,
    `- RSS per pending request at ${format(trawlMemory.n)}: ${Math.round(bytes)} bytes` +
      ` (target < ${TARGET_BYTES}: ${verdict(bytes < TARGET_BYTES)});` +
      ' RSS after adding (after GC) minus RSS before, divided by the number of requests.',
    '- bytes/pending in the timing lines is measured the same way, between the two phases.',
  ];
}

ensureBuilt();
const results = {
  trawlSmall: measure('trawl', 'timing', crawleeN),
  crawleeSmall: measure('crawlee', 'timing', crawleeN),
  trawlLarge: measure('trawl', 'timing', trawlN),
  trawlMemory: measure('trawl', 'memory', trawlN),
};
const lines = report(results);
process.stdout.write(`## Queue\n\n${lines.join('\n')}\n`);
updateResultsSection('Queue', lines);
