import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { Configuration } from '../../src/configuration.js';
import { BasicCrawler } from '../../src/crawlers/basic-crawler.js';
import { Log, LogLevel } from '../../src/log.js';
import { RequestList } from '../../src/storages/request-list.js';

const quietLog = () => new Log({ level: LogLevel.OFF });

describe('BasicCrawler data, lists and status', () => {
  let dir: string;
  let config: Configuration;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-crawler-'));
    config = new Configuration({
      storageClientOptions: { localDataDirectory: dir },
      purgeOnStart: false,
    });
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs as many requests at once as minConcurrency asks, past a fetch batch', async () => {
    const concurrency = 30;
    let running = 0;
    let releaseAll!: () => void;
    const gate = new Promise<void>((resolve) => (releaseAll = resolve));
    let allRunning!: () => void;
    const reached = new Promise<void>((resolve) => (allRunning = resolve));
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        minConcurrency: concurrency,
        maxConcurrency: concurrency,
        requestHandler: async () => {
          running += 1;
          if (running === concurrency) {
            allRunning();
          }
          await gate;
        },
      },
      config,
    );

    const run = crawler.run(
      Array.from({ length: 2 * concurrency }, (_, i) => `https://example.com/${i}`),
    );
    // Resolves only once every slot runs a handler at the same time.
    await reached;
    releaseAll();
    const stats = await run;

    expect(stats.requestsFinished).toBe(2 * concurrency);
  }, 15_000);

  test('exportData writes the default dataset as CSV and as JSON', async () => {
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        maxConcurrency: 1,
        requestHandler: async ({ request, pushData }) => {
          await pushData({ url: request.url, title: `Title, "${request.url.slice(-1)}"` });
        },
      },
      config,
    );
    await crawler.run(['https://example.com/1', 'https://example.com/2']);

    await crawler.exportData(join(dir, 'out.csv'));
    await crawler.exportData(join(dir, 'out.json'));

    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe(
      'url,title\nhttps://example.com/1,"Title, ""1"""\nhttps://example.com/2,"Title, ""2"""\n',
    );
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'))).toEqual([
      { url: 'https://example.com/1', title: 'Title, "1"' },
      { url: 'https://example.com/2', title: 'Title, "2"' },
    ]);
  });

  test('a request list feeds the queue: list requests first, then what handlers add', async () => {
    const list = await RequestList.open(null, ['https://example.com/a', 'https://example.com/b'], {
      config,
    });
    const seen: string[] = [];
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        maxConcurrency: 1,
        requestList: list,
        requestHandler: async ({ request, addRequests }) => {
          seen.push(request.url);
          if (request.url.endsWith('/a')) {
            await addRequests(['https://example.com/a-child', 'https://example.com/a']);
          }
        },
      },
      config,
    );

    const stats = await crawler.run();

    expect(seen).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/a-child',
    ]);
    expect(stats.requestsFinished).toBe(3);
    expect(await list.isFinished()).toBe(true);
  });

  test('statusMessageCallback gets the status line each statusMessageLoggingInterval', async () => {
    let release!: (message: string) => void;
    const status = new Promise<string>((resolve) => (release = resolve));
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        statusMessageLoggingInterval: 0.05,
        statusMessageCallback: ({ message }) => release(message),
        requestHandler: async ({ request }) => {
          if (request.url.endsWith('/wait')) {
            await status;
          }
        },
      },
      config,
    );

    await crawler.run(['https://example.com/1', 'https://example.com/wait']);

    expect(await status).toMatch(/^Crawled \d+\/2 pages/);
  });

  test('pending requests and data survive into a resumed run of a new crawler', async () => {
    let handled = 0;
    const first: BasicCrawler = new BasicCrawler(
      {
        log: quietLog(),
        maxConcurrency: 1,
        requestHandler: async ({ request, pushData }) => {
          await pushData({ url: request.url });
          handled += 1;
          if (handled === 2) {
            first.stop();
          }
        },
      },
      config,
    );
    await first.run(['https://example.com/1', 'https://example.com/2', 'https://example.com/3']);

    const second = new BasicCrawler(
      {
        log: quietLog(),
        requestHandler: async ({ request, pushData }) => pushData({ url: request.url }),
      },
      config,
    );
    const stats = await second.run();

    const { items } = await second.getData();
    expect(items.map((item) => item.url)).toEqual([
      'https://example.com/1',
      'https://example.com/2',
      'https://example.com/3',
    ]);
    expect(stats.requestsFinished).toBe(1);
  });
});
