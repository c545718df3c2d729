import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { BasicCrawler } from '../../src/crawlers/basic-crawler.js';
import { Log, LogLevel } from '../../src/log.js';
import { Dataset } from '../../src/storages/dataset.js';
import { runCrawlChild } from '../helpers/crawl-child.js';
import { RequestQueue } from '../../src/storages/request-queue.js';

const child = fileURLToPath(new URL('../fixtures/crawler-kill-child.ts', import.meta.url));

/** Runs the child crawl; SIGKILLs it once it prints `killOn`. */
async function runChild(
  dir: string,
  env: Record<string, string>,
  killOn?: string,
): Promise<string> {
  const trigger = killOn ? { text: killOn, signal: 'SIGKILL' as const } : undefined;
  const result = await runCrawlChild(child, { CRAWLEE_STORAGE_DIR: dir, ...env }, trigger);
  return result.output;
}

function datasetUrls(dir: string): string[] {
  const folder = join(dir, 'datasets', 'default');
  return readdirSync(folder)
    .filter((name) => /^\d{9}\.json$/.test(name))
    .map((name) => (JSON.parse(readFileSync(join(folder, name), 'utf8')) as { url: string }).url);
}

describe('BasicCrawler after kill -9', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-crash-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a crawl killed in a handler just after pushData resumes with every item once', async () => {
    const killed = await runChild(dir, { HANG_AT: 'https://example.com/item/14' }, 'HANG');
    expect(killed).toContain('HANG');
    expect(killed).not.toContain('FINISHED');

    const resumed = await runChild(dir, { CRAWLEE_PURGE_ON_START: '0' });

    expect(resumed).toContain('FINISHED');
    const expected = Array.from({ length: 30 }, (_unused, i) => `https://example.com/item/${i}`);
    const stored = datasetUrls(dir);
    expect(stored.sort()).toEqual(expected.sort());
    const config = new Configuration({
      storageClientOptions: { localDataDirectory: dir },
      purgeOnStart: false,
    });
    const info = await (await RequestQueue.open(null, { config })).getInfo();
    expect(info).toMatchObject({ handledRequestCount: 30, pendingRequestCount: 0 });
  });

  test('unwritten items committed with the handled mark are written on the next run', async () => {
    const config = new Configuration({
      storageClientOptions: { localDataDirectory: dir },
      purgeOnStart: false,
    });
    const queue = await RequestQueue.open(null, { config });
    const dataset = await Dataset.open(null, { config });
    await dataset.pushData({ url: 'https://example.com/before' });
    await queue.addRequests(['https://example.com/a', 'https://example.com/b']);
    // Simulate two crashes: one right after the commit, one after one of two items was written.
    const a = (await queue.fetchNextRequest())!;
    await queue.markRequestHandledWithItems(a, [
      { dataset: 'default', items: [{ url: 'https://example.com/a' }] },
    ]);
    const b = (await queue.fetchNextRequest())!;
    const [rowB] = await queue.markRequestHandledWithItems(b, [
      {
        dataset: 'default',
        items: [{ url: 'https://example.com/b1' }, { url: 'https://example.com/b2' }],
      },
    ]);
    await queue.client.outbox!.reserve(rowB!, 2);
    await dataset.client.completeItems!(2, [{ url: 'https://example.com/b1' }]);
    // A third, committed with its reserved index, was killed while writing its first item file.
    await queue.addRequest('https://example.com/c');
    const c = (await queue.fetchNextRequest())!;
    const cItems = [{ url: 'https://example.com/c1' }, { url: 'https://example.com/c2' }];
    await queue.markRequestHandledWithItems(c, [
      { dataset: 'default', items: cItems, startIndex: 4 },
    ]);
    writeFileSync(join(dir, 'datasets', 'default', '000000004.json'), '{\n\t"url": "https://ex');

    const crawler = new BasicCrawler(
      { log: new Log({ level: LogLevel.OFF }), requestHandler: () => undefined },
      config,
    );
    await crawler.run();

    expect(datasetUrls(dir).sort()).toEqual(
      [
        'https://example.com/a',
        'https://example.com/b1',
        'https://example.com/b2',
        'https://example.com/before',
        'https://example.com/c1',
        'https://example.com/c2',
      ].sort(),
    );
    expect(await queue.client.outbox!.list()).toEqual([]);
  });
});
