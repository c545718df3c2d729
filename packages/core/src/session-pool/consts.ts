/**
 * Names and default values shared by {@link Session} and {@link SessionPool}; the values are
 * Crawlee 3's, so a crawl that relies on the defaults behaves the same on trawl.
 */

/** Status codes that retire a session by default: unauthorised, forbidden, too many requests. */
export const BLOCKED_STATUS_CODES: readonly number[] = Object.freeze([401, 403, 429]);

/** Key of the key-value store record that holds the pool's state. */
export const PERSIST_STATE_KEY = 'SDK_SESSION_POOL_STATE';

/** Name of the pool event emitted with a {@link Session} when that session is retired. */
export const EVENT_SESSION_RETIRED = 'sessionRetired';

/** Name of the pool event emitted with the error when saving the pool's state failed. */
export const EVENT_PERSIST_STATE_FAILED = 'persistStateFailed';

/** Default upper bound on the number of sessions a pool holds. */
export const DEFAULT_MAX_POOL_SIZE = 1000;

/** Defaults of a session's limits and scores. */
export const SESSION_DEFAULTS = Object.freeze({
  /** Seconds after creation when a session expires. */
  maxAgeSecs: 3000,
  /** Uses after which a session is no longer handed out. */
  maxUsageCount: 50,
  /** Error score at which a session counts as blocked. */
  maxErrorScore: 3,
  /** How much one good use lowers the error score. */
  errorScoreDecrement: 0.5,
});
