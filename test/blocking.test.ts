/**
 * Getting through sites that block: a CheerioCrawler with default session and proxy settings
 * crawls a local site that blocks sessions, non-browser clients and one of its proxies, through
 * local forward proxies (plain and CONNECT).
 */
import { afterEach, describe, expect, test } from 'vitest';

import { LogLevel, ProxyConfiguration, toSafeString } from '@trawl/core';
import { CheerioCrawler } from '@trawl/http-crawler';

import { memoryConfig, quietLog, recordingLog } from '../packages/http-crawler/test/helpers.js';
import { startBlockingSite, type BlockingSite } from './helpers/blocking-site.js';
import { startForwardProxy, type ForwardProxy } from './helpers/forward-proxy.js';

const PAGES = 30;
const BLOCKED_ADDRESS = '127.0.0.5';

let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.map((close) => close()));
  closers = [];
});

async function site(options: Parameters<typeof startBlockingSite>[0]): Promise<BlockingSite> {
  const started = await startBlockingSite({ pages: PAGES, ...options });
  closers.push(() => started.close());
  return started;
}

async function proxy(options: Parameters<typeof startForwardProxy>[0]): Promise<ForwardProxy> {
  const started = await startForwardProxy(options);
  closers.push(() => started.close());
  return started;
}

function allPaths(): string[] {
  return ['/', ...Array.from({ length: PAGES }, (_, i) => `/page/${i + 1}`)].sort();
}

/** Crawls `target` from its home page through `proxyUrls`; returns the crawler, stats, paths. */
async function crawlThrough(target: BlockingSite, proxyUrls: string[]) {
  const handled: string[] = [];
  const crawler = new CheerioCrawler(
    {
      log: quietLog(),
      proxyConfiguration: new ProxyConfiguration({ proxyUrls }),
      maxConcurrency: 4,
      async requestHandler({ request, enqueueLinks }) {
        handled.push(new URL(request.loadedUrl!).pathname);
        await enqueueLinks();
      },
    },
    memoryConfig(),
  );
  const stats = await crawler.run([target.url('/')]);
  return { crawler, stats, handled };
}

describe.each([
  { scheme: 'http', tls: false },
  { scheme: 'https (CONNECT)', tls: true },
])('a blocking site over $scheme', ({ tls }) => {
  test('is crawled to the end through proxies, one of which it always blocks', async () => {
    const target = await site({
      tls,
      maxRequestsPerSession: 3,
      requireBrowserHeaders: true,
      blockedSourceAddresses: [BLOCKED_ADDRESS],
    });
    const blocked = await proxy({ localAddress: BLOCKED_ADDRESS });
    const good = [
      await proxy({ localAddress: '127.0.0.6' }),
      await proxy({ localAddress: '127.0.0.7' }),
    ];
    const proxyUrls = [blocked.url, ...good.map((p) => p.url)];

    const { crawler, stats, handled } = await crawlThrough(target, proxyUrls);

    expect(stats.requestsFailed).toBe(0);
    expect(handled.sort()).toEqual(allPaths());
    expect(target.handledPaths().sort()).toEqual(allPaths());
    const reasons = new Set(target.log.map((entry) => entry.blockedBy).filter(Boolean));
    expect(reasons).toContain('source-address');
    // Once benched for the host, the blocked proxy was no longer chosen for it.
    const byProxy = crawler.stats.state.attemptsByProxy;
    const blockedStats = byProxy[blocked.url]!;
    expect(blockedStats.blocked).toBeGreaterThanOrEqual(2);
    expect(blockedStats.requests).toBeLessThan(10);
    const goodRequests = good.map((p) => byProxy[p.url]?.requests ?? 0);
    expect(goodRequests.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(PAGES);
  });
});

test('a site blocking each session after three requests is crawled by default', async () => {
  // More pages than the session pool holds (1000), so sessions are reused and get blocked.
  const pages = 2_000;
  const target = await startBlockingSite({ pages, maxRequestsPerSession: 3 });
  closers.push(() => target.close());

  const crawler = new CheerioCrawler(
    {
      log: quietLog(),
      async requestHandler({ enqueueLinks }) {
        await enqueueLinks();
      },
    },
    memoryConfig(),
  );
  const stats = await crawler.run([target.url('/')]);

  expect(stats.requestsFailed).toBe(0);
  expect(target.handledPaths()).toHaveLength(pages + 1);
  expect(target.log.some((entry) => entry.blockedBy === 'session')).toBe(true);
  expect(crawler.stats.state.retriesByReason.session).toBeGreaterThan(0);
});

test('a dead proxy among several loses no page', async () => {
  const target = await site({});
  const dead = await proxy({ refuse: true });
  const alive = await proxy({ localAddress: '127.0.0.6' });

  const { crawler, stats, handled } = await crawlThrough(target, [dead.url, alive.url]);

  expect(stats.requestsFailed).toBe(0);
  expect(handled.sort()).toEqual(allPaths());
  const deadStats = crawler.stats.state.attemptsByProxy[dead.url]!;
  expect(deadStats.errors).toBeGreaterThanOrEqual(2);
  expect(deadStats.requests).toBeLessThan(10);
});

test('tiered proxies escalate while a host blocks and step back down when it stops', async () => {
  const cheap = await proxy({ localAddress: '127.0.0.8' });
  const strong = await proxy({ localAddress: '127.0.0.9' });
  let cheapSeen = 0;
  const target = await site({
    // The first two requests through the cheap tier are blocked, then the site relents.
    blockWhile: (req) =>
      req.socket.remoteAddress?.endsWith('127.0.0.8') === true && ++cheapSeen <= 2,
  });

  const crawler = new CheerioCrawler(
    {
      log: quietLog(),
      proxyConfiguration: new ProxyConfiguration({ tieredProxyUrls: [[cheap.url], [strong.url]] }),
      maxConcurrency: 1,
      async requestHandler({ enqueueLinks }) {
        await enqueueLinks();
      },
    },
    memoryConfig(),
  );
  const stats = await crawler.run([target.url('/')]);

  expect(stats.requestsFailed).toBe(0);
  // From the proxies' own logs, in order: blocked on the cheap tier, served by the strong one,
  // back on the cheap tier (blocked once more, up again), and finally served by the cheap tier.
  const merged = [
    ...cheap.log.map((entry) => ({ ...entry, tier: 0 })),
    ...strong.log.map((entry) => ({ ...entry, tier: 1 })),
  ].sort((a, b) => a.at - b.at);
  const tiers = merged.map((entry) => entry.tier);
  expect(cheap.log.slice(0, 2).map((entry) => entry.status)).toEqual([403, 403]);
  expect(cheap.log.at(-1)!.status).toBe(200);
  expect(strong.log.length).toBeGreaterThanOrEqual(10);
  expect(tiers[0]).toBe(0);
  expect(tiers.indexOf(1)).toBeGreaterThan(0);
  expect(tiers.lastIndexOf(1)).toBeLessThan(tiers.length - 1);
  expect(tiers.at(-1)).toBe(0);
});

test('no proxy password reaches the log, even when the proxy fails', async () => {
  const target = await site({ maxRequestsPerSession: 2 });
  const auth = { username: 'scraper', password: 's3cret-Pa55' };
  const authenticated = await proxy({ localAddress: '127.0.0.6', auth });
  const dead = await proxy({ refuse: true, auth });
  const { log, lines } = recordingLog(LogLevel.DEBUG);

  const crawler = new CheerioCrawler(
    {
      log,
      proxyConfiguration: new ProxyConfiguration({ proxyUrls: [authenticated.url, dead.url] }),
      maxConcurrency: 2,
      statusMessageLoggingInterval: 0.05,
      async requestHandler({ enqueueLinks, proxyInfo }) {
        log.info('Handled through proxy', { proxyInfo });
        await enqueueLinks();
      },
    },
    memoryConfig(),
  );
  const stats = await crawler.run([target.url('/')]);

  expect(stats.requestsFailed).toBe(0);
  const output = lines.join('\n');
  expect(output).toContain('Handled through proxy');
  expect(output).toMatch(/Proxy connection failed|session/i);
  expect(output).not.toContain(auth.password);
  expect(JSON.stringify(crawler.stats.state)).not.toContain(auth.password);
  expect(Object.keys(crawler.stats.state.attemptsByProxy)).toContain(
    toSafeString(authenticated.url),
  );
});

describe('retryOnBlocked', () => {
  // Every fourth request gets the challenge page; a retry on a new session gets through.
  function everyFourth(): () => boolean {
    let seen = 0;
    return () => ++seen % 4 === 0;
  }

  test.each(['cloudflare', 'incapsula', 'google-sorry'] as const)(
    'retries %s challenge pages on new sessions until every page is crawled',
    async (challenge) => {
      const target = await site({ challenge, blockWhile: everyFourth() });
      const titles: string[] = [];
      const crawler = new CheerioCrawler(
        {
          log: quietLog(),
          retryOnBlocked: true,
          maxConcurrency: 2,
          async requestHandler({ $, enqueueLinks }) {
            titles.push($('title').text());
            await enqueueLinks();
          },
        },
        memoryConfig(),
      );
      const stats = await crawler.run([target.url('/')]);

      expect(stats.requestsFailed).toBe(0);
      expect(titles).toHaveLength(PAGES + 1);
      expect(titles.every((title) => title === 'Home' || /^Page \d+$/.test(title))).toBe(true);
      expect(target.log.some((entry) => entry.blockedBy === 'block-while')).toBe(true);
      expect(crawler.stats.state.retriesByReason.session).toBeGreaterThan(0);
    },
  );

  test('without it, a challenge page answered with 200 reaches the handler', async () => {
    const target = await site({ challenge: 'incapsula', blockWhile: everyFourth() });
    const titles: string[] = [];
    const crawler = new CheerioCrawler(
      {
        log: quietLog(),
        maxConcurrency: 1,
        async requestHandler({ $ }) {
          titles.push($('title').text());
        },
      },
      memoryConfig(),
    );
    await crawler.run(Array.from({ length: 4 }, (_, i) => target.url(`/page/${i + 1}`)));

    expect(titles).toHaveLength(4);
    expect(titles.filter((title) => /^Page \d+$/.test(title))).toHaveLength(3);
  });
});
