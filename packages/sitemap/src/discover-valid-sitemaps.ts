/**
 * `discoverValidSitemaps()`: finds the sitemaps of the sites some URLs belong to, from their
 * robots.txt, from the URLs themselves, and by probing the usual locations.
 */
import { SitemapError } from './errors.js';
import { probe } from './http.js';
import { parseHttpUrl } from './http-url.js';
import { redact } from './redact.js';
import { RobotsTxtFile } from './robots-txt-file.js';

/** Options of {@link discoverValidSitemaps}. */
export interface DiscoverValidSitemapsOptions {
  /** Proxy for every request; its credentials never show in messages. */
  proxyUrl?: string;
  /**
   * Most time for the whole discovery, in milliseconds; when it runs out, the discovery ends
   * quietly with what it found.
   * @default 60_000
   */
  timeoutMillis?: number;
  /** Ends the discovery quietly, as the timeout does. */
  signal?: AbortSignal;
  /**
   * Most time for each request (robots.txt, each probe), in milliseconds.
   * @default 20_000
   */
  requestTimeoutMillis?: number;
}

/** A URL that is a sitemap by its name alone. */
const SITEMAP_PATH = /sitemap(_index)?\.(xml|txt)(\.gz)?$/i;

/**
 * Where sites usually keep their sitemaps, probed in this order when neither robots.txt nor the
 * URLs given name one. The common names first, then those of shop systems (Magento's
 * `/media/sitemap/...`, product indexes).
 */
export const SITEMAP_LOCATIONS: readonly string[] = [
  '/sitemap.xml',
  '/sitemap_index.xml',
  '/sitemap.xml.gz',
  '/sitemap_index.xml.gz',
  '/sitemap.txt',
  '/sitemaps/sitemap_index.xml',
  '/sitemap/sitemap.xml',
  '/product_index.xml',
  '/sitemap/product_index.xml',
  '/media/sitemap.xml',
  '/media/sitemap/sitemap.xml',
  '/media/sitemap/index.xml',
];

/** Probes in flight per host; hosts discovered at once. */
const PROBES_PER_HOST = 4;
const HOSTS_AT_ONCE = 8;

interface Discovery {
  proxyUrl?: string;
  signal: AbortSignal;
  requestTimeoutMillis: number;
}

/** Yields the values of `iterables` as they come, running at most `limit` of them at once. */
async function* merge<T>(iterables: AsyncIterable<T>[], limit: number): AsyncGenerator<T> {
  const iterators = iterables.map((iterable) => iterable[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<[number, IteratorResult<T>]>>();
  const pull = (index: number): void => {
    pending.set(
      index,
      iterators[index]!.next().then((result) => [index, result]),
    );
  };
  let started = 0;
  for (; started < Math.min(limit, iterators.length); started++) {
    pull(started);
  }
  while (pending.size > 0) {
    const [index, result] = await Promise.race(pending.values());
    if (result.done !== true) {
      pull(index);
      yield result.value;
      continue;
    }
    pending.delete(index);
    if (started < iterators.length) {
      pull(started);
      started += 1;
    }
  }
}

/** Whether a probe's answer looks like a sitemap: 2xx, and not an HTML page (a soft 404). */
async function isSitemapAt(url: string, discovery: Discovery): Promise<boolean> {
  try {
    const { statusCode, headers } = await probe(url, {
      proxyUrl: discovery.proxyUrl,
      signal: discovery.signal,
      timeoutMillis: discovery.requestTimeoutMillis,
    });
    const isHtml = /^\s*text\/html/i.test(headers['content-type'] ?? '');
    return statusCode >= 200 && statusCode < 300 && !isHtml;
  } catch {
    // A location that cannot be fetched holds no sitemap we can use.
    return false;
  }
}

async function* probeLocations(origin: string, discovery: Discovery): AsyncGenerator<string> {
  const candidates = SITEMAP_LOCATIONS.map((path) => new URL(path, origin).href);
  for (let i = 0; i < candidates.length && !discovery.signal.aborted; i += PROBES_PER_HOST) {
    const batch = candidates.slice(i, i + PROBES_PER_HOST);
    const found = await Promise.all(batch.map((url) => isSitemapAt(url, discovery)));
    yield* batch.filter((_, k) => found[k]);
  }
}

async function* discoverHost(urls: URL[], discovery: Discovery): AsyncGenerator<string> {
  let isFound = false;
  try {
    const robots = await RobotsTxtFile.find(urls[0]!.href, discovery.proxyUrl, {
      signal: discovery.signal,
      timeoutMillis: discovery.requestTimeoutMillis,
    });
    // Every listed sitemap, other hosts included: parseSitemap() applies the strategy later.
    for (const sitemap of robots.getSitemaps({ enqueueStrategy: 'all' })) {
      isFound = true;
      yield sitemap;
    }
  } catch {
    // Only an abort gets here (a failed fetch is an unreachable file): the discovery is over.
    return;
  }
  for (const url of urls.filter((candidate) => SITEMAP_PATH.test(candidate.pathname))) {
    isFound = true;
    yield url.href;
  }
  if (!isFound) {
    yield* probeLocations(urls[0]!.origin, discovery);
  }
}

function groupByHostname(urls: readonly string[]): URL[][] {
  const groups = new Map<string, URL[]>();
  for (const text of urls) {
    const url = parseHttpUrl(text);
    if (url === undefined) {
      const message =
        `URL "${redact(String(text))}" is not an absolute http(s) URL; ` +
        'pass pages or sitemaps of the sites to discover';
      throw new SitemapError('TRAWL_SITEMAP_INVALID_URL', message, String(text));
    }
    const group = groups.get(url.hostname) ?? [];
    group.push(url);
    groups.set(url.hostname, group);
  }
  return [...groups.values()];
}

/**
 * Finds sitemaps for the sites of `urls`, as Crawlee 3's `discoverValidSitemaps()` does, and
 * yields each sitemap URL once, as soon as it is known. Per host name: the `Sitemap:` lines of
 * its robots.txt, then those of `urls` that look like sitemaps (`sitemap.xml`,
 * `sitemap_index.xml.gz`, `sitemap.txt`, ...); when neither gave any, the usual locations in
 * {@link SITEMAP_LOCATIONS} are probed, and one answering 2xx with a non-HTML type counts.
 * Hosts are searched in parallel. Running out of time or an abort ends the iteration quietly.
 * @throws SitemapError `TRAWL_SITEMAP_INVALID_URL` when one of `urls` is not an http(s) URL,
 *   before anything is fetched.
 */
export async function* discoverValidSitemaps(
  urls: readonly string[],
  options: DiscoverValidSitemapsOptions = {},
): AsyncGenerator<string, void, undefined> {
  const { proxyUrl, timeoutMillis = 60_000, signal, requestTimeoutMillis = 20_000 } = options;
  const groups = groupByHostname(urls);
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  const timer = setTimeout(abort, timeoutMillis).unref();
  signal?.addEventListener('abort', abort, { once: true });
  if (signal?.aborted === true) {
    abort();
  }
  const discovery = { proxyUrl, signal: controller.signal, requestTimeoutMillis };
  const seen = new Set<string>();
  try {
    const hosts = groups.map((group) => discoverHost(group, discovery));
    for await (const sitemap of merge(hosts, HOSTS_AT_ONCE)) {
      if (!seen.has(sitemap)) {
        seen.add(sitemap);
        yield sitemap;
      }
    }
  } finally {
    // Also stops requests still in flight when the caller leaves the loop early.
    abort();
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
}
