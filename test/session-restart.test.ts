/**
 * Sessions survive a restart: a crawl in one process keeps its sessions and their cookies in the
 * default key-value store, and a crawl in a new process on the same storage carries on with them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, expect, test } from 'vitest';

import { runCrawlChild } from '../packages/core/test/helpers/crawl-child.js';
import { startBlockingSite, type BlockingSite } from './helpers/blocking-site.js';

const child = fileURLToPath(new URL('./fixtures/session-restart-child.ts', import.meta.url));

let dir: string;
let site: BlockingSite;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trawl-sessions-'));
  site = await startBlockingSite({ pages: 10 });
});

afterEach(async () => {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
});

async function crawl(paths: string[], purge: boolean): Promise<string[]> {
  const { output, code } = await runCrawlChild(child, {
    CRAWLEE_STORAGE_DIR: dir,
    CRAWLEE_PURGE_ON_START: purge ? '1' : '0',
    SITE_URL: site.url('/'),
    PATHS: paths.join(','),
  });
  expect(code, output).toBe(0);
  const match = /SESSIONS (\[.*\])/.exec(output);
  expect(match, output).not.toBe(null);
  return JSON.parse(match![1]!) as string[];
}

test('a restarted crawl uses the saved sessions and sends their cookies', async () => {
  const first = await crawl(['/page/1', '/page/2', '/page/3', '/page/4'], true);
  const cookiesSet = new Set(site.log.map((entry) => entry.sid).filter(Boolean));
  expect(first).toHaveLength(2);
  expect(cookiesSet.size).toBe(2);
  const seenBefore = site.log.length;

  const second = await crawl(['/page/5', '/page/6', '/page/7'], false);

  expect(new Set([...first, ...second]).size).toBe(2);
  const after = site.log.slice(seenBefore);
  expect(after).toHaveLength(3);
  // Every request of the new process carried a cookie the first process was given.
  for (const entry of after) {
    expect(cookiesSet.has(entry.sid!), `sid ${entry.sid}`).toBe(true);
  }
});
