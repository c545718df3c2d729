import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

// The names a scraper imports from 'trawl' today; a missing one breaks ports from Crawlee.
const PUBLIC_NAMES = [
  'AutoscaledPool',
  'BasicCrawler',
  'CheerioCrawler',
  'EnqueueStrategy',
  'HttpCrawler',
  'Router',
  'Session',
  'SessionPool',
  'Statistics',
  'createBasicRouter',
  'createCheerioRouter',
  'createHttpRouter',
  'enqueueLinks',
  'Configuration',
  'ConfigurationError',
  'CriticalError',
  'Dataset',
  'EventManager',
  'EventType',
  'InputError',
  'InvalidUrlError',
  'KeyValueStore',
  'LocalEventManager',
  'Log',
  'LogLevel',
  'NonRetryableError',
  'Request',
  'RequestList',
  'RequestQueue',
  'RequestState',
  'RetryRequestError',
  'SessionError',
  'StorageError',
  'TrawlError',
  'isTrawlError',
  'log',
  'purgeDefaultStorages',
];

describe('the built trawl package', () => {
  test('plain Node imports it from dist and finds every public name', async () => {
    expect(existsSync(`${root}/packages/trawl/dist/index.js`), 'run npm run build first').toBe(
      true,
    );
    const script = "const m = await import('trawl'); console.log(JSON.stringify(Object.keys(m)));";

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
    });
    const names: string[] = JSON.parse(stdout);

    expect(names).toEqual(expect.arrayContaining(PUBLIC_NAMES));
  });

  test('the built package resolves to dist, not to the TypeScript sources', async () => {
    const script = "console.log(import.meta.resolve('@trawl/core'))";

    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
    });

    expect(stdout.trim()).toMatch(/packages\/core\/dist\/index\.js$/);
  });
});
