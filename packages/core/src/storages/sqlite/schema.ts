/**
 * The SQLite layout of a request queue and the settings every connection uses.
 *
 * One row per request. `state` is 0 (pending), 1 (leased) or 2 (handled). `order_no` fixes the
 * serving order: forefront requests get negative, decreasing numbers (newest first), the others
 * positive, increasing ones (FIFO); leasing never changes it, so a released lease goes back to its
 * old place. The unique key and URL live only inside `json`; `id` (derived from the unique key)
 * is the dedup key. Partial indexes hold pending or leased rows only, so handled rows cost no
 * index work once handled, and lookups stay logarithmic at millions of rows. The single `meta` row
 * keeps exact counters, updated in the same transaction as the rows they count.
 */

import Database from 'better-sqlite3';

import { StorageError } from '../../errors.js';

/** Request states as stored in `requests.state`. */
export const PENDING = 0;
/** See {@link PENDING}. */
export const LEASED = 1;
/** See {@link PENDING}. */
export const HANDLED = 2;

/** Bumped when the layout changes; a newer file is refused rather than misread. */
export const SCHEMA_VERSION = 1;

const PRAGMAS = [
  'journal_mode = WAL',
  // With WAL, NORMAL loses no committed transaction when the process dies (only on power loss).
  'synchronous = NORMAL',
  'busy_timeout = 10000',
  'temp_store = MEMORY',
  // 16 MiB page cache: the bound on what the queue holds in memory, whatever its length.
  'cache_size = -16384',
  'wal_autocheckpoint = 4000',
  'journal_size_limit = 67108864',
];

const TABLES = `
  CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    state INTEGER NOT NULL,
    order_no INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    json TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS requests_pending ON requests (order_no, host) WHERE state = 0;
  CREATE INDEX IF NOT EXISTS requests_pending_host ON requests (host, order_no) WHERE state = 0;
  CREATE INDEX IF NOT EXISTS requests_leased
    ON requests (lease_owner, lease_expires_at) WHERE state = 1;
  CREATE TABLE IF NOT EXISTS meta (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    total INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    leased INTEGER NOT NULL,
    handled INTEGER NOT NULL,
    next_order INTEGER NOT NULL,
    next_forefront INTEGER NOT NULL,
    first_client TEXT,
    had_multiple_clients INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS clients (
    client_key TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    process_start TEXT
  ) WITHOUT ROWID;
`;

/**
 * Opens (creating when absent) the queue database at `path` and applies the connection settings.
 * `initialize` runs inside the transaction that creates the tables, only for a fresh database,
 * so an import either lands completely or the next open starts over.
 *
 * @throws StorageError naming the file and the fix when it is not a readable queue database.
 */
export function openQueueDatabase(
  path: string,
  initialize: (db: Database.Database) => void,
): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    for (const pragma of PRAGMAS) {
      db.pragma(pragma);
    }
    assertSchemaVersion(db, path);
    db.transaction(() => createSchema(db!, initialize)).immediate();
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StorageError) {
      throw error;
    }
    throw unreadableDatabaseError(path, error);
  }
}

function createSchema(db: Database.Database, initialize: (db: Database.Database) => void): void {
  db.exec(TABLES);
  if (db.prepare('SELECT 1 FROM meta').get() !== undefined) {
    return;
  }

  const now = Date.now();
  db.prepare(`INSERT INTO meta VALUES (1, 0, 0, 0, 0, 1, -1, NULL, 0, ?, ?)`).run(now, now);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  initialize(db);
}

function assertSchemaVersion(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StorageError(
      `Request queue database ${path} has layout version ${version}, newer than this trawl ` +
        `reads (${SCHEMA_VERSION}); upgrade trawl or delete the queue folder`,
      { path },
    );
  }
}

function unreadableDatabaseError(path: string, error: unknown): StorageError {
  const detail = error instanceof Error ? error.message : String(error);
  return new StorageError(
    `Request queue database ${path} cannot be opened (${detail}); delete its folder, or set ` +
      'CRAWLEE_PURGE_ON_START=1 when it is the default queue, and run again',
    { path, cause: error },
  );
}
