import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { startTestServer, type TestServer } from '../../../../test/helpers/test-server.js';
import { Configuration } from '../../src/configuration.js';
import { BasicCrawler } from '../../src/crawlers/basic-crawler.js';
import { ThrottledError } from '../../src/crawlers/errors.js';
import { Log, LogLevel } from '../../src/log.js';

const memoryConfig = () => new Configuration({ persistStorage: false, purgeOnStart: false });
const quietLog = () => new Log({ level: LogLevel.OFF });

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]!);
}

describe('BasicCrawler politeness', () => {
  let hostA: TestServer;
  let hostB: TestServer;

  beforeAll(async () => {
    hostA = await startTestServer('127.0.0.2');
    hostB = await startTestServer('127.0.0.3');
  });

  afterAll(async () => {
    await Promise.all([hostA.close(), hostB.close()]);
  });

  const pages = (server: TestServer, count: number) =>
    Array.from({ length: count }, (_unused, i) => server.url(`/p${i}`));

  test('sameDomainDelaySecs spaces the starts per host while other hosts go on', async () => {
    hostA.reset();
    hostB.reset();
    for (const server of [hostA, hostB]) {
      for (let i = 0; i < 4; i += 1) {
        server.route(`/p${i}`, 'ok');
      }
    }
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        sameDomainDelaySecs: 0.3,
        minConcurrency: 4,
        requestHandler: async ({ sendRequest }) => void (await sendRequest()),
      },
      memoryConfig(),
    );

    const stats = await crawler.run([...pages(hostA, 4), ...pages(hostB, 4)]);

    const timesA = hostA.seen.map((r) => r.at);
    const timesB = hostB.seen.map((r) => r.at);
    expect(stats.requestsFinished).toBe(8);
    // The crawler spaces the starts; arrival at the server may shift by the client's own work
    // (header generation, connection setup), hence the 100 ms of slack.
    for (const gap of [...gaps(timesA), ...gaps(timesB)]) {
      expect(gap).toBeGreaterThanOrEqual(200);
    }
    expect(Math.min(...timesB)).toBeLessThan(Math.max(...timesA));
  });

  test('maxConcurrencyPerHost caps the requests in flight to one host', async () => {
    hostA.reset();
    let inFlight = 0;
    let most = 0;
    for (let i = 0; i < 12; i += 1) {
      hostA.route(`/p${i}`, async (_req, res) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 30));
        inFlight -= 1;
        res.end('ok');
      });
    }
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        maxConcurrencyPerHost: 2,
        minConcurrency: 10,
        requestHandler: async ({ sendRequest }) => void (await sendRequest()),
      },
      memoryConfig(),
    );

    const stats = await crawler.run(pages(hostA, 12));

    expect(stats.requestsFinished).toBe(12);
    expect(most).toBeLessThanOrEqual(2);
    expect(hostA.seen).toHaveLength(12);
  });

  test('a host that throttles with 429 and Retry-After still gets every page handled', async () => {
    hostB.reset();
    const recent: number[] = [];
    let throttled = 0;
    for (let i = 0; i < 15; i += 1) {
      hostB.route(`/p${i}`, (_req, res) => {
        const now = Date.now();
        while (recent.length > 0 && now - recent[0]! > 300) {
          recent.shift();
        }
        if (recent.length >= 3) {
          throttled += 1;
          res.writeHead(429, { 'retry-after': '1' }).end('slow down');
          return;
        }
        recent.push(now);
        res.end('ok');
      });
    }
    const crawler = new BasicCrawler(
      {
        log: quietLog(),
        minConcurrency: 10,
        requestHandler: async ({ request, sendRequest }) => {
          const response = await sendRequest();
          if (response.statusCode === 429) {
            const retryAfterSecs = Number(response.headers['retry-after']);
            throw new ThrottledError(request.url, { statusCode: 429, retryAfterSecs });
          }
        },
      },
      memoryConfig(),
    );

    const stats = await crawler.run(pages(hostB, 15));

    expect(throttled).toBeGreaterThan(0);
    expect(stats.requestsFinished).toBe(15);
    expect(stats.requestsFailed).toBe(0);
    expect(crawler.stats.state.retriesByReason.throttled).toBeGreaterThan(0);
  });
});
