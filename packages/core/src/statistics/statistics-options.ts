/** The options of `crawler.stats` and their checks. */

import type { Configuration } from '../configuration.js';
import { ConfigurationError } from '../errors.js';
import type { Log } from '../log.js';
import type { KeyValueStore } from '../storages/key-value-store.js';
import { assertKnownOptions, describeValue } from '../utils/options.js';

/** Options of {@link Statistics}; names and defaults are Crawlee's, plus `now`. */
export interface StatisticsOptions {
  /** Seconds between two statistics lines while capturing; `0` logs none. @default 60 */
  logIntervalSecs?: number;
  /**
   * Message of the periodic line; crawlers pass `<CrawlerName> request statistics:`.
   * @default 'Statistics'
   */
  logMessage?: string;
  /** Where the periodic line goes. @default the root log's child with prefix `Statistics` */
  log?: Log;
  /**
   * Where the state is saved.
   * @default the default key-value store of `config`, opened on first need
   */
  keyValueStore?: KeyValueStore;
  /** Supplies the event manager and default storage. @default `Configuration.getGlobalConfig()` */
  config?: Configuration;
  /** `enable: false` neither saves nor loads the state. @default { enable: true } */
  persistenceOptions?: { enable?: boolean };
  /** Save a screenshot and HTML with each new error group; not supported yet. @default false */
  saveErrorSnapshots?: boolean;
  /** Names the saved record, `SDK_CRAWLER_STATISTICS_<id>`. @default a process-wide count from 0 */
  id?: number;
  /** The clock, in milliseconds since the epoch; inject one in tests. @default `Date.now` */
  now?: () => number;
}

/** Every option name {@link Statistics} accepts. */
export const STATISTICS_OPTION_NAMES: ReadonlySet<string> = new Set([
  'logIntervalSecs',
  'logMessage',
  'log',
  'keyValueStore',
  'config',
  'persistenceOptions',
  'saveErrorSnapshots',
  'id',
  'now',
]);

/**
 * Checks the options {@link Statistics} is given.
 * @throws ConfigurationError on an unknown option, a bad `logIntervalSecs`, or
 *   `saveErrorSnapshots: true`, which trawl does not implement
 */
export function validateStatisticsOptions(options: StatisticsOptions): void {
  assertKnownOptions(options, STATISTICS_OPTION_NAMES, 'Statistics');
  const interval = options.logIntervalSecs;
  if (interval !== undefined && !(typeof interval === 'number' && interval >= 0)) {
    throw new ConfigurationError(
      `logIntervalSecs must be a non-negative number of seconds, got ${describeValue(interval)}`,
      { option: 'logIntervalSecs' },
    );
  }
  if (options.saveErrorSnapshots === true) {
    throw new ConfigurationError(
      'saveErrorSnapshots is not supported yet; remove the option or set it to false',
      { option: 'saveErrorSnapshots' },
    );
  }
}
