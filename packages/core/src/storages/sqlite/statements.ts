/**
 * The prepared statements of a SQLite request queue, compiled once per connection. Every lookup
 * on the hot path (add, fetch, mark, reclaim) goes through an index; none reads handled rows.
 */

import type Database from 'better-sqlite3';

/** A leased row as the fetch statements return it. */
export interface LeasedRow {
  /** The row's rowid, which never changes: a later handled mark finds the row by it. */
  seq: number;
  id: string;
  uniqueKey: string;
  url: string;
  json: string;
}

/** The counters row of `meta`. */
export interface CounterRow {
  total: number;
  pending: number;
  leased: number;
  handled: number;
}

/** The whole `meta` row. */
export interface MetaRow extends CounterRow {
  next_order: number;
  next_forefront: number;
  had_multiple_clients: number;
  created_at: number;
  modified_at: number;
}

const LEASE = 'SET state = 1, lease_owner = ?, lease_expires_at = ?';
const UNLEASE = 'lease_owner = NULL, lease_expires_at = NULL';
const RETURNING_REQUEST = `RETURNING seq, id, json_extract(json, '$.uniqueKey') AS uniqueKey,
  json_extract(json, '$.url') AS url, json`;
const MINE = 'id = ? AND state = 1 AND lease_owner = ?';

type Statement<P extends unknown[] | object = unknown[], R = unknown> = Database.Statement<P, R>;
type ByIdOf<R> = Statement<[string], R>;
/** A state change of one leased row: (json, id or seq, lease owner). */
type Move = Statement<[string, string | number, string]>;

/** The statements of one connection, compiled by {@link prepareStatements}. */
export interface Statements {
  insert: Statement<[string, string, number, string]>;
  stateOf: ByIdOf<number>;
  leaseOwnerOf: ByIdOf<string | null>;
  jsonOf: ByIdOf<string>;
  meta: Statement<[], MetaRow>;
  counters: Statement<[], CounterRow>;
  addCounts: Statement<[number, number, number, number, number, number, number]>;
  moveCounts: Statement<[number, number, number, number]>;
  takeForefrontOrder: Statement<[], number>;
  noteClient: Statement<{ key: string }>;
  leaseFirst: Statement<[string, number], LeasedRow>;
  leaseSeq: Statement<[string, number, number], LeasedRow>;
  headWindow: Statement<[number], { seq: number; host: string }>;
  nextHost: Statement<[string], { seq: number; host: string; orderNo: number }>;
  markHandled: Move;
  markHandledBySeq: Move;
  reclaim: Move;
  reclaimToFront: Statement<[string, number, string, string]>;
  prolong: Statement<[number, string, string]>;
  releaseOwner: Statement<[string | number]>;
  hasExpired: Statement<[number], number>;
  releaseExpired: Statement<[string | number]>;
  leaseOwners: Statement<[], string>;
  clients: Statement<[], { client_key: string; pid: number; process_start: string | null }>;
  registerClient: Statement<[string, number, string | null]>;
  forgetClient: Statement<[string]>;
}

/** Compiles the statements of one connection. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    insert: db.prepare<[string, string, number, string]>(
      `INSERT INTO requests (id, host, state, order_no, json) VALUES (?, ?, 0, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    stateOf: db.prepare<[string], number>('SELECT state FROM requests WHERE id = ?').pluck(),
    leaseOwnerOf: db
      .prepare<[string], string | null>('SELECT lease_owner FROM requests WHERE id = ?')
      .pluck(),
    jsonOf: db.prepare<[string], string>('SELECT json FROM requests WHERE id = ?').pluck(),
    meta: db.prepare<[], MetaRow>('SELECT * FROM meta'),
    counters: db.prepare<[], CounterRow>('SELECT total, pending, leased, handled FROM meta'),
    addCounts: db.prepare<[number, number, number, number, number, number, number]>(
      `UPDATE meta SET total = total + ?, pending = pending + ?, leased = leased + ?,
         handled = handled + ?, next_order = ?, next_forefront = ?, modified_at = ?`,
    ),
    moveCounts: db.prepare<[number, number, number, number]>(
      `UPDATE meta SET pending = pending + ?, leased = leased + ?, handled = handled + ?,
         modified_at = ?`,
    ),
    takeForefrontOrder: db
      .prepare<[], number>(
        'UPDATE meta SET next_forefront = next_forefront - 1 RETURNING next_forefront + 1',
      )
      .pluck(),
    noteClient: db.prepare<{ key: string }>(
      `UPDATE meta SET had_multiple_clients = had_multiple_clients
         OR (first_client IS NOT NULL AND first_client <> :key),
         first_client = coalesce(first_client, :key)`,
    ),
    leaseFirst: db.prepare<[string, number], LeasedRow>(
      `UPDATE requests ${LEASE} WHERE seq =
         (SELECT seq FROM requests WHERE state = 0 ORDER BY order_no LIMIT 1)
       ${RETURNING_REQUEST}`,
    ),
    leaseSeq: db.prepare<[string, number, number], LeasedRow>(
      `UPDATE requests ${LEASE} WHERE seq = ? AND state = 0 ${RETURNING_REQUEST}`,
    ),
    headWindow: db.prepare<[number], { seq: number; host: string }>(
      'SELECT seq, host FROM requests WHERE state = 0 ORDER BY order_no LIMIT ?',
    ),
    // Walks the hosts that have pending requests, one index seek per host; the first entry of a
    // host in (host, order_no) order is that host's next request.
    nextHost: db.prepare<[string], { seq: number; host: string; orderNo: number }>(
      `SELECT seq, host, order_no AS orderNo FROM requests
       WHERE state = 0 AND host > ? ORDER BY host, order_no LIMIT 1`,
    ),
    markHandled: db.prepare<[string, string | number, string]>(
      `UPDATE requests SET state = 2, json = ?, ${UNLEASE} WHERE ${MINE}`,
    ),
    markHandledBySeq: db.prepare<[string, string | number, string]>(
      `UPDATE requests SET state = 2, json = ?, ${UNLEASE}
       WHERE seq = ? AND state = 1 AND lease_owner = ?`,
    ),
    reclaim: db.prepare<[string, string | number, string]>(
      `UPDATE requests SET state = 0, json = ?, ${UNLEASE} WHERE ${MINE}`,
    ),
    reclaimToFront: db.prepare<[string, number, string, string]>(
      `UPDATE requests SET state = 0, json = ?, order_no = ?, ${UNLEASE} WHERE ${MINE}`,
    ),
    prolong: db.prepare<[number, string, string]>(
      `UPDATE requests SET lease_expires_at = ? WHERE ${MINE}`,
    ),
    releaseOwner: db.prepare<[string | number]>(
      `UPDATE requests INDEXED BY requests_leased SET state = 0, ${UNLEASE}
       WHERE state = 1 AND lease_owner = ?`,
    ),
    hasExpired: db
      .prepare<[number], number>(
        `SELECT 1 FROM requests INDEXED BY requests_leased
         WHERE state = 1 AND lease_expires_at <= ? LIMIT 1`,
      )
      .pluck(),
    releaseExpired: db.prepare<[string | number]>(
      `UPDATE requests INDEXED BY requests_leased SET state = 0, ${UNLEASE}
       WHERE state = 1 AND lease_expires_at <= ?`,
    ),
    leaseOwners: db
      .prepare<[], string>(
        `SELECT DISTINCT lease_owner FROM requests INDEXED BY requests_leased WHERE state = 1`,
      )
      .pluck(),
    clients: db.prepare<[], { client_key: string; pid: number; process_start: string | null }>(
      'SELECT client_key, pid, process_start FROM clients',
    ),
    registerClient: db.prepare<[string, number, string | null]>(
      'INSERT OR REPLACE INTO clients (client_key, pid, process_start) VALUES (?, ?, ?)',
    ),
    forgetClient: db.prepare<[string]>('DELETE FROM clients WHERE client_key = ?'),
  };
}
