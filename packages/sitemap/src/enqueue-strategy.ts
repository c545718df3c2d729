/**
 * Which URLs found in a sitemap (or robots.txt) are kept, relative to the URL of the file that
 * lists them: Crawlee 3.18's enqueue strategies. Only http and https URLs are ever kept.
 */
import { getDomain } from 'tldts';

import { parseHttpUrl } from './http-url.js';

/**
 * Which URLs to keep, compared with the URL of the sitemap that lists them: `all` keeps every
 * http(s) URL; `same-hostname` (the default) the same host name, any scheme or port;
 * `same-domain` the same registrable domain (`shop.example.com` and `example.com`), or the same
 * origin for IP addresses; `same-origin` the same scheme, host name and port.
 */
export type SitemapEnqueueStrategy = 'all' | 'same-hostname' | 'same-domain' | 'same-origin';

/** Every enqueue strategy, for validation and documentation. */
export const ENQUEUE_STRATEGIES: readonly SitemapEnqueueStrategy[] = [
  'all',
  'same-hostname',
  'same-domain',
  'same-origin',
];

/** What the filter says of one URL: kept, not an absolute http(s) URL, or off the strategy. */
export type UrlVerdict = 'kept' | 'invalid' | 'filtered';

function hostnameOf(url: URL): string {
  // `example.com.` and `example.com` are the same host.
  return url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
}

/**
 * Checks URLs against one strategy and one parent URL. Most sitemap entries start with the
 * parent's own `scheme://host/`, so that prefix is tested first and the URL parser only runs for
 * the others: parsing a million URLs costs about half a second.
 */
export class UrlFilter {
  readonly #strategy: SitemapEnqueueStrategy;
  readonly #parent: URL | undefined;
  readonly #prefixes: string[];
  #parentDomain: string | null | undefined;

  /** `parent` undefined (a string source) keeps every absolute http(s) URL. */
  constructor(parent: URL | undefined, strategy: SitemapEnqueueStrategy) {
    this.#parent = parent;
    this.#strategy = parent === undefined ? 'all' : strategy;
    this.#prefixes = parent === undefined ? [] : this.#fastPrefixes(parent);
  }

  #fastPrefixes(parent: URL): string[] {
    if (this.#strategy === 'same-origin') {
      return [`${parent.origin}/`];
    }
    if (this.#strategy === 'same-hostname' || this.#strategy === 'same-domain') {
      // Any scheme and port will do; the parent's own port is the common case.
      const hosts = new Set([hostnameOf(parent), parent.host]);
      return [...hosts].flatMap((host) => [`https://${host}/`, `http://${host}/`]);
    }
    return [];
  }

  /** Whether `url` (an absolute URL as written in the sitemap) is kept. */
  check(url: string): UrlVerdict {
    for (const prefix of this.#prefixes) {
      if (url.startsWith(prefix)) {
        return 'kept';
      }
    }
    const target = parseHttpUrl(url);
    if (target === undefined) {
      return 'invalid';
    }
    return this.#matches(target) ? 'kept' : 'filtered';
  }

  #matches(target: URL): boolean {
    const parent = this.#parent;
    switch (this.#strategy) {
      case 'all':
        return true;
      case 'same-hostname':
        return hostnameOf(target) === hostnameOf(parent!);
      case 'same-origin':
        return (
          target.protocol === parent!.protocol &&
          hostnameOf(target) === hostnameOf(parent!) &&
          target.port === parent!.port
        );
      case 'same-domain':
        return this.#sameDomain(target, parent!);
    }
  }

  #sameDomain(target: URL, parent: URL): boolean {
    if (this.#parentDomain === undefined) {
      this.#parentDomain = getDomain(hostnameOf(parent), { mixedInputs: false });
    }
    if (this.#parentDomain === null) {
      // An IP address or a bare name has no registrable domain: compare origins instead.
      return target.origin === parent.origin;
    }
    return getDomain(hostnameOf(target), { mixedInputs: false }) === this.#parentDomain;
  }
}
