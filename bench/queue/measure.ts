/**
 * One queue measurement, run in its own process by `run.ts`:
 *
 *   node --expose-gc --import tsx bench/queue/measure.ts <trawl|crawlee> <timing|memory> <n>
 *
 * `timing` adds n unique requests (addRequests, batches of 1,000) to a fresh file queue in a
 * temporary folder, then drains it (fetchNextRequest + markRequestHandled), timing both phases.
 * `memory` only adds, and reports the RSS growth per pending request (after a full GC). Prints one
 * JSON line.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CORE_DIST = join(import.meta.dirname, '..', '..', 'packages', 'core', 'dist');
const BATCH = 1_000;

/** The part of both libraries' RequestQueue that the benchmark uses. */
interface Queue {
  addRequests(requests: string[]): Promise<unknown>;
  fetchNextRequest(): Promise<object | null>;
  markRequestHandled(request: never): Promise<unknown>;
}

const [library, mode, count] = process.argv.slice(2);
const n = Number(count);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !['trawl', 'crawlee'].includes(library) || !['timing', 'memory'].includes(mode) || !n) {
  throw new Error(
    'Usage: node --expose-gc --import tsx measure.ts <trawl|crawlee> <timing|memory> <n>',
  );
}

async function openTrawl(dir: string): Promise<Queue> {
  const load = (path: string) => import(pathToFileURL(join(CORE_DIST, path)).href);
  const { Configuration } = await load('configuration.js');
  const { RequestQueue } = await load('storages/request-queue.js');
  const config = new Configuration({
    storageClientOptions: { localDataDirectory: dir },
    purgeOnStart: false,
  });
  return RequestQueue.open(null, { config });
}

async function openCrawlee(dir: string): Promise<Queue> {
  process.env.CRAWLEE_STORAGE_DIR = dir;
  const { RequestQueue } = await import('crawlee');
  return (await RequestQueue.open()) as unknown as Queue;
}

function urlsFrom(start: number): string[] {
  const end = Math.min(start + BATCH, n);
  return Array.from({ length: end - start }, (_, i) => {
    const index = start + i;
    return `https://shop-${index % 50}.example.com/products/${index}?page=${index % 7}`;
  });
}

function rssAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().rss;
}

async function addAll(queue: Queue): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < n; start += BATCH) {
    await queue.addRequests(urlsFrom(start));
  }
  return performance.now() - started;
}

async function drainAll(queue: Queue): Promise<{ millis: number; drained: number }> {
  const started = performance.now();
  let drained = 0;
  for (let request = await queue.fetchNextRequest(); request;) {
    await queue.markRequestHandled(request as never);
    drained += 1;
    request = await queue.fetchNextRequest();
  }
  return { millis: performance.now() - started, drained };
}

const dir = mkdtempSync(join(tmpdir(), `queue-bench-${library}-`));
try {
  const queue = library === 'trawl' ? await openTrawl(dir) : await openCrawlee(dir);
  const rssBefore = rssAfterGc();
  const addMillis = await addAll(queue);
  const rssAfterAdd = rssAfterGc();
  const result: Record<string, number | string> = {
    library,
    mode,
    n,
    addMillis,
    bytesPerPending: (rssAfterAdd - rssBefore) / n,
    rssBeforeBytes: rssBefore,
    rssAfterAddBytes: rssAfterAdd,
  };
  if (mode === 'timing') {
    const { millis, drained } = await drainAll(queue);
    if (drained !== n) {
      throw new Error(`Drained ${drained} requests of ${n}; the queue lost or kept some`);
    }
    result.drainMillis = millis;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Crawlee keeps timers and background writes alive; the figures are out, so stop here.
process.exit(0);
