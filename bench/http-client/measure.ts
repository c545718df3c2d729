/**
 * One client's run of the HTTP client micro-benchmark, in its own process (started by `run.ts`):
 *
 *   node --import tsx bench/http-client/measure.ts <client> <siteUrl> \
 *     <requests> <pages> [httpCrawlerDist]
 *
 * Sends `requests` GETs to the site, 50 at a time, reading every body. `fetch` is Node's fetch;
 * `undici` calls undici's `request` with no options; `got-scraping` calls `gotScraping` with the
 * options trawl's client passed it before it was tuned; `trawl` calls
 * `GotScrapingHttpClient.stream` and `trawl-undici` calls `UndiciHttpClient.stream` (the
 * default), from the built `packages/http-crawler/dist`, or from the build `httpCrawlerDist`
 * names. got-scraping and the trawl clients get what a navigation passes (session cookies, a
 * session token, an abort signal), with a new session every 50 requests. A warm-up of 1,000
 * requests runs first and is not counted. Prints one JSON line with the wall time and the CPU time
 * (`process.cpuUsage`, user + system) of the measured part.
 */
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import type * as GotScraping from 'got-scraping';

const CONCURRENCY = 50;
const REQUESTS_PER_SESSION = 50;
const WARM_UP_REQUESTS = 1_000;

type Send = (url: string, sessionIndex: number) => Promise<void>;

const [client, siteUrl, count, pageCount, dist] = process.argv.slice(2);
const CLIENTS = ['fetch', 'undici', 'got-scraping', 'trawl', 'trawl-undici'];
if (!CLIENTS.includes(client!) || !siteUrl) {
  throw new Error(
    `Usage: measure.ts <${CLIENTS.join('|')}> <siteUrl> <requests> <pages> [httpCrawlerDist]`,
  );
}
const requests = Number(count ?? 20_000);
const pages = Number(pageCount ?? 20_000);
const REPO_ROOT = join(import.meta.dirname, '..', '..');
const DIST = resolve(dist ?? join(REPO_ROOT, 'packages', 'http-crawler', 'dist'));
const GOT_SCRAPING = join(REPO_ROOT, 'node_modules', 'got-scraping', 'dist', 'index.js');

async function drain(stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    // Reading is the point; the bytes are dropped.
  }
}

async function sendWithUndici(): Promise<Send> {
  const undici = await import('undici');
  return async (url) => {
    const response = await undici.request(url);
    await response.body.arrayBuffer();
  };
}

function sendWithFetch(): Send {
  return async (url) => {
    const response = await fetch(url);
    await response.text();
  };
}

/** The pieces of a navigation's options that do not depend on the HTTP client. */
async function navigationParts() {
  const trawl = await import(pathToFileURL(join(DIST, 'index.js')).href);
  const { NavigationCookies } = await import(
    pathToFileURL(join(DIST, 'navigation-cookies.js')).href
  );
  const sessions: unknown[] = [];
  const sessionAt = (index: number) => (sessions[index] ??= new trawl.Session());
  return (url: string, sessionIndex: number) => {
    const session = sessionAt(sessionIndex);
    return {
      url,
      method: 'GET',
      headers: {},
      body: undefined,
      proxyUrl: undefined,
      timeout: { request: 30_000 },
      signal: new AbortController().signal,
      cookieJar: new NavigationCookies(session, url),
      followRedirect: true,
      maxRedirects: 10,
      https: { rejectUnauthorized: false },
      http2: true,
      sessionToken: session,
    };
  };
}

/** `gotScraping` called the way trawl's client called it before it was tuned. */
async function sendWithGotScraping(): Promise<Send> {
  // The copy trawl uses: a bare import from here would find Crawlee's, under bench/node_modules.
  const { gotScraping } = (await import(pathToFileURL(GOT_SCRAPING).href)) as typeof GotScraping;
  const optionsFor = await navigationParts();
  return async (target, sessionIndex) => {
    const { url, ...options } = optionsFor(target, sessionIndex);
    const beforeRedirect = async () => {};
    const stream = gotScraping(url, {
      ...options,
      isStream: true,
      throwHttpErrors: false,
      retry: { limit: 0 },
      hooks: { beforeRedirect: [beforeRedirect] },
    } as never) as unknown as Readable;
    await new Promise((resolve, reject) => {
      stream.once('error', reject);
      stream.once('response', resolve);
    });
    await drain(stream);
  };
}

async function sendWithTrawl(className: string): Promise<Send> {
  const trawl = await import(pathToFileURL(join(DIST, 'index.js')).href);
  const optionsFor = await navigationParts();
  const httpClient = new trawl[className]();
  return async (url, sessionIndex) => {
    const response = await httpClient.stream(optionsFor(url, sessionIndex), () => {});
    await drain(response.stream);
  };
}

async function runAll(send: Send, total: number, firstSession: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const sessionIndex = firstSession + Math.floor(index / REQUESTS_PER_SESSION);
      await send(`${siteUrl}/page/${index % pages}`, sessionIndex);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const send =
  client === 'fetch'
    ? sendWithFetch()
    : client === 'undici'
      ? await sendWithUndici()
      : client === 'got-scraping'
        ? await sendWithGotScraping()
        : await sendWithTrawl(client === 'trawl' ? 'GotScrapingHttpClient' : 'UndiciHttpClient');
await runAll(send, WARM_UP_REQUESTS, 1_000_000);

const cpuBefore = process.cpuUsage();
const started = performance.now();
await runAll(send, requests, 0);
const millis = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMicros = cpu.user + cpu.system;
process.stdout.write(`${JSON.stringify({ client, requests, millis, cpuMicros })}\n`);
process.exit(0);
