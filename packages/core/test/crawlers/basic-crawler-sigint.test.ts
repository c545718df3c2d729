import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { RequestQueue } from '../../src/storages/request-queue.js';
import { runCrawlChild } from '../helpers/crawl-child.js';

const child = fileURLToPath(new URL('../fixtures/crawler-sigint-child.ts', import.meta.url));

function runChild(dir: string, env: Record<string, string>, interruptOn?: string) {
  const trigger = interruptOn ? { text: interruptOn, signal: 'SIGINT' as const } : undefined;
  return runCrawlChild(child, { CRAWLEE_STORAGE_DIR: dir, ...env }, trigger);
}

describe('BasicCrawler and Ctrl+C', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-sigint-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first Ctrl+C pauses, frees leases, says how to resume; a rerun finishes', async () => {
    const paused = await runChild(dir, {}, 'STARTED https://example.com/item/3');

    expect(paused.code).toBe(0);
    expect(paused.output).toContain('Pausing... Press CTRL+C again to force exit.');
    expect(paused.output).toContain('CRAWLEE_PURGE_ON_START=0');
    const handledBefore = Number(/FINISHED (\d+)/.exec(paused.output)![1]);
    expect(handledBefore).toBeLessThan(20);

    const config = new Configuration({
      storageClientOptions: { localDataDirectory: dir },
      purgeOnStart: false,
    });
    const queue = await RequestQueue.open(null, { config });
    const counts = await queue.client.counts();
    expect(counts).toEqual({ pending: 20 - handledBefore, leased: 0, handled: handledBefore });
    await queue.client.close();

    const resumed = await runChild(dir, { CRAWLEE_PURGE_ON_START: '0' });
    expect(resumed.output).toContain(`FINISHED ${20}`);
  });
});
