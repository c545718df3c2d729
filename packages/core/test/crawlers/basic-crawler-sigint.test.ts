import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { RequestQueue } from '../../src/storages/request-queue.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const child = fileURLToPath(new URL('../fixtures/crawler-sigint-child.ts', import.meta.url));

function runChild(
  dir: string,
  env: Record<string, string>,
  interruptOn?: string,
): Promise<{ output: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: root,
      env: { ...process.env, CRAWLEE_STORAGE_DIR: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let interrupted = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (interruptOn && !interrupted && output.includes(interruptOn)) {
        interrupted = true;
        proc.kill('SIGINT');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ output, code }));
  });
}

describe('BasicCrawler and Ctrl+C', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-sigint-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first Ctrl+C pauses, releases leases and says how to resume; a rerun finishes', async () => {
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
