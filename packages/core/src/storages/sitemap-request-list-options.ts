/**
 * The options of `SitemapRequestList`: Crawlee 3's names and defaults, checked when the list
 * opens, and the URL filter built from its `globs`, `regexps` and `exclude` with the pattern code
 * of `enqueueLinks()`.
 */
import { parseSitemap, type ParseSitemapOptions } from '@trawl/sitemap';

import { Configuration } from '../configuration.js';
import {
  constructExcludePatternObjects,
  constructGlobObjectsFromGlobs,
  constructRegExpObjectsFromRegExps,
  createPatternMatcher,
  type ExcludeInput,
  type GlobInput,
  type RegExpInput,
  type UrlPatternObject,
} from '../enqueue-links/patterns.js';
import { isEnqueueStrategy, type EnqueueStrategyLike } from '../enqueue-links/strategy.js';
import { ConfigurationError } from '../errors.js';
import type { RequestOptions } from '../request.js';
import { isHttpUrl } from '../utils/url.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';

/** Where the list saves its progress unless `persistStateKey` says otherwise (Crawlee's key). */
export const SITEMAP_REQUEST_LIST_STATE_KEY = 'SITEMAP_REQUEST_LIST_STATE';

/** `parseSitemap()` options the list sets itself, and the list option to use instead. */
const RESERVED_PARSE_OPTIONS: Readonly<Record<string, string>> = {
  signal: 'pass signal to SitemapRequestList.open()',
  enqueueStrategy: 'pass enqueueStrategy to SitemapRequestList.open()',
  emitNestedSitemaps: 'the list reads nested sitemaps itself',
};

/** Options of `parseSitemap()` that {@link SitemapRequestListOptions} passes on. */
export type SitemapRequestListParseOptions = Omit<
  ParseSitemapOptions,
  'signal' | 'enqueueStrategy' | 'emitNestedSitemaps'
>;

/** Options of `SitemapRequestList.open()`; names and defaults are Crawlee 3's. */
export interface SitemapRequestListOptions {
  /** Sitemaps (or sitemap indexes) to read, as absolute http(s) URLs. */
  sitemapUrls: string[];
  /** Proxy for every sitemap request; its credentials never show in errors. @default none */
  proxyUrl?: string;
  /**
   * Globs a URL must match (any of them, with `regexps`) to be kept; a glob object's label, user
   * data, method, payload and headers are set on the requests it matches. Matching ignores case.
   * @default every URL is kept
   */
  globs?: readonly GlobInput[];
  /** Regular expressions a URL must match (any of them, with `globs`) to be kept. */
  regexps?: readonly RegExpInput[];
  /** Globs and regular expressions of URLs never kept, whatever `globs` and `regexps` say. */
  exclude?: readonly ExcludeInput[];
  /**
   * Key-value store key (in the configuration's default store) under which progress is saved and
   * from which a list opened later resumes. Two lists used at once need two keys.
   * @default 'SITEMAP_REQUEST_LIST_STATE'
   */
  persistStateKey?: string;
  /** `enable: false` saves progress only when `persistState()` is called, not on events. */
  persistenceOptions?: {
    /** Save progress on every `persistState` event. @default true */
    enable?: boolean;
  };
  /** Stops loading sitemaps when aborted; the URLs loaded before are still handed out. */
  signal?: AbortSignal;
  /** Stops loading sitemaps after this many milliseconds. `0` or undefined: no limit. */
  timeoutMillis?: number;
  /**
   * Most URLs waiting to be fetched; reading the sitemaps pauses while this many wait, so memory
   * stays flat however long the sitemaps are.
   * @default 200
   */
  maxBufferSize?: number;
  /**
   * Which page URLs and nested sitemaps to keep, compared with the URL of the sitemap listing
   * them (see `EnqueueStrategy`).
   * @default 'same-hostname'
   */
  enqueueStrategy?: EnqueueStrategyLike;
  /**
   * Further options of `parseSitemap()`: retries, timeouts, size limits, `maxDepth`,
   * `nestedSitemapFilter`, and the `onError` and `onWarning` callbacks, which receive each
   * sitemap failure and warning as it happens.
   */
  parseSitemapOptions?: SitemapRequestListParseOptions;
  /** Configuration whose default key-value store and events to use. @default the global one */
  config?: Configuration;
}

/** The options checked, with their defaults applied. */
export interface SitemapRequestListSettings {
  sitemapUrls: string[];
  proxyUrl: string | undefined;
  persistStateKey: string;
  isPersistedOnEvents: boolean;
  signal: AbortSignal | undefined;
  timeoutMillis: number;
  maxBufferSize: number;
  enqueueStrategy: EnqueueStrategyLike;
  parseSitemapOptions: SitemapRequestListParseOptions;
  config: Configuration;
  /** The request options of a URL the patterns keep, or undefined for one they drop. */
  selectUrl: (url: string) => RequestOptions | undefined;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'sitemapUrls',
  'proxyUrl',
  'globs',
  'regexps',
  'exclude',
  'persistStateKey',
  'persistenceOptions',
  'signal',
  'timeoutMillis',
  'maxBufferSize',
  'enqueueStrategy',
  'parseSitemapOptions',
  'config',
]);

/**
 * Checks every option and applies the defaults.
 *
 * @throws ConfigurationError naming the first bad option; InvalidPatternError for a bad pattern;
 *   SitemapError `TRAWL_SITEMAP_INVALID_OPTION` for a bad `parseSitemapOptions` entry.
 */
export async function resolveSitemapRequestListOptions(
  options: SitemapRequestListOptions,
): Promise<SitemapRequestListSettings> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      `SitemapRequestList options must be an object, got ${describeValue(options)}`,
    );
  }
  assertKnownOptions(options, KNOWN_OPTIONS, 'SitemapRequestList');
  checkSitemapUrls(options.sitemapUrls);
  checkScalars(options);
  await checkParseSitemapOptions(options.parseSitemapOptions ?? {});

  return {
    sitemapUrls: [...options.sitemapUrls],
    proxyUrl: options.proxyUrl,
    persistStateKey: options.persistStateKey ?? SITEMAP_REQUEST_LIST_STATE_KEY,
    isPersistedOnEvents: options.persistenceOptions?.enable ?? true,
    signal: options.signal,
    timeoutMillis: options.timeoutMillis ?? 0,
    maxBufferSize: options.maxBufferSize ?? 200,
    enqueueStrategy: options.enqueueStrategy ?? 'same-hostname',
    parseSitemapOptions: { ...options.parseSitemapOptions },
    config: options.config ?? Configuration.getGlobalConfig(),
    selectUrl: createUrlSelector(options),
  };
}

function checkSitemapUrls(sitemapUrls: unknown): asserts sitemapUrls is string[] {
  if (!Array.isArray(sitemapUrls)) {
    throw new ConfigurationError(
      `sitemapUrls must be an array of sitemap URLs, got ${describeValue(sitemapUrls)}`,
      { option: 'sitemapUrls' },
    );
  }
  sitemapUrls.forEach((url: unknown, index) => {
    if (!isHttpUrl(url)) {
      throw new ConfigurationError(
        `sitemapUrls[${index}] must be an absolute http(s) URL, got ${describeValue(url)}; ` +
          'pass one such as "https://example.com/sitemap.xml"',
        { option: 'sitemapUrls' },
      );
    }
  });
}

function checkScalars(options: SitemapRequestListOptions): void {
  const { maxBufferSize, timeoutMillis, persistStateKey, enqueueStrategy } = options;
  if (maxBufferSize !== undefined && !(Number.isInteger(maxBufferSize) && maxBufferSize > 0)) {
    fail('maxBufferSize', 'a positive integer', maxBufferSize);
  }
  if (timeoutMillis !== undefined && !(Number.isFinite(timeoutMillis) && timeoutMillis >= 0)) {
    fail('timeoutMillis', 'a non-negative number of milliseconds', timeoutMillis);
  }
  if (persistStateKey !== undefined && (typeof persistStateKey !== 'string' || !persistStateKey)) {
    fail('persistStateKey', 'a non-empty string', persistStateKey);
  }
  if (enqueueStrategy !== undefined && !isEnqueueStrategy(enqueueStrategy)) {
    fail('enqueueStrategy', 'one of all, same-hostname, same-domain, same-origin', enqueueStrategy);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    fail('signal', 'an AbortSignal', options.signal);
  }
  if (options.proxyUrl !== undefined && typeof options.proxyUrl !== 'string') {
    fail('proxyUrl', 'a string', options.proxyUrl);
  }
  if (options.config !== undefined && !(options.config instanceof Configuration)) {
    fail('config', 'a Configuration', options.config);
  }
}

async function checkParseSitemapOptions(options: unknown): Promise<void> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('parseSitemapOptions', 'an object', options);
  }
  for (const [name, hint] of Object.entries(RESERVED_PARSE_OPTIONS)) {
    if (name in options) {
      throw new ConfigurationError(
        `parseSitemapOptions.${name} is set by SitemapRequestList; ${hint}`,
        { option: 'parseSitemapOptions' },
      );
    }
  }
  // With no sources, parseSitemap() only checks its options: a bad one throws here, at open().
  await parseSitemap([], undefined, options).next();
}

function fail(option: string, expected: string, value: unknown): never {
  throw new ConfigurationError(`${option} must be ${expected}, got ${describeValue(value)}`, {
    option,
  });
}

/**
 * Compiles the patterns once. A URL matching `exclude` is dropped; with `globs` or `regexps`, the
 * first pattern it matches keeps it and gives it that pattern's request options.
 */
function createUrlSelector(
  options: SitemapRequestListOptions,
): (url: string) => RequestOptions | undefined {
  const excluded = constructExcludePatternObjects(options.exclude ?? []).map(createPatternMatcher);
  const patterns: UrlPatternObject[] = [
    ...constructGlobObjectsFromGlobs(options.globs ?? []),
    ...constructRegExpObjectsFromRegExps(options.regexps ?? []),
  ];
  const positive = patterns.map((pattern) => ({ pattern, matches: createPatternMatcher(pattern) }));

  return (url) => {
    if (excluded.some((matches) => matches(url))) {
      return undefined;
    }
    if (positive.length === 0) {
      return { url };
    }
    const hit = positive.find(({ matches }) => matches(url));
    if (hit === undefined) {
      return undefined;
    }
    const { glob: _glob, regexp: _regexp, ...requestOptions } = hit.pattern;
    return { ...requestOptions, url };
  };
}
