/**
 * The write transactions of a SQLite request queue. Each changes requests and the `meta`
 * counters together, and runs as `BEGIN IMMEDIATE`, so writers of several processes queue up
 * (under `busy_timeout`) instead of deadlocking.
 */

import type Database from 'better-sqlite3';

import type { ProcessedRequest, QueuedRequest } from '../storage-client.js';
import { isProcessAlive, readProcessStartTime } from './process-liveness.js';
import { HANDLED } from './schema.js';
import type { LeasedRow, Statements } from './statements.js';

/** Counter changes (pending, leased, handled) of one request changing state. */
export type Counts = [pending: number, leased: number, handled: number];
/** Handling a leased request. */
export const HANDLE: Counts = [0, -1, 1];
/** Reclaiming a leased request. */
export const RECLAIM: Counts = [1, -1, 0];

/** A state change of one leased row: (json, id or seq, lease owner). */
type Move = Database.Statement<[string, string | number, string]>;
type MoveFunction = (
  statement: Move,
  request: QueuedRequest,
  counts: Counts,
  now: number,
  key?: string | number,
) => boolean;
type Transaction<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

/** The compiled transactions of one client; call them with `.immediate(...)`. */
export interface Transactions {
  add: Transaction<
    (
      requests: QueuedRequest[],
      hosts: string[],
      forefront: boolean,
      now: number,
    ) => ProcessedRequest[]
  >;
  lease: Transaction<
    (expiresAt: number, now: number, excludeHosts?: ReadonlySet<string>) => LeasedRow | undefined
  >;
  leaseMany: Transaction<(count: number, expiresAt: number, now: number) => LeasedRow[]>;
  move: Transaction<MoveFunction>;
  /** `move` for a caller already inside a transaction: no savepoint of its own. */
  moveWithin: MoveFunction;
  reclaimToFront: Transaction<(request: QueuedRequest, now: number) => boolean>;
  releaseExpired: Transaction<(now: number) => number>;
  releaseOwner: Transaction<(owner: string, now: number) => number>;
}

/** Pending requests examined in queue order before `excludeHosts` falls back to a host walk. */
const HEAD_WINDOW = 256;
const OWN_START_TIME = readProcessStartTime(process.pid) ?? null;

/** Compiles the transactions of the client `clientKey` on `db`. */
export function prepareTransactions(
  db: Database.Database,
  sql: Statements,
  clientKey: string,
): Transactions {
  let hasLeased = false;
  const release = (
    statement: Database.Statement<[string | number]>,
    arg: string | number,
    now: number,
  ) => {
    const released = statement.run(arg).changes;
    sql.moveCounts.run(released, -released, 0, now);
    return released;
  };

  const noteLeased = (count: number, now: number) => {
    if (count === 0) {
      return;
    }
    sql.moveCounts.run(-count, count, 0, now);
    if (!hasLeased) {
      sql.noteClient.run({ key: clientKey });
      hasLeased = true;
    }
  };

  const move = (
    statement: Move,
    request: QueuedRequest,
    counts: Counts,
    now: number,
    key: string | number = request.id,
  ) => {
    if (statement.run(request.json, key, clientKey).changes === 0) {
      return false;
    }
    sql.moveCounts.run(...counts, now);
    return true;
  };

  return {
    add: db.transaction(
      (requests: QueuedRequest[], hosts: string[], forefront: boolean, now: number) =>
        insertRequests(sql, requests, hosts, forefront, now),
    ),
    lease: db.transaction((expiresAt: number, now: number, excludeHosts?: ReadonlySet<string>) => {
      const row = leaseNext(sql, clientKey, expiresAt, excludeHosts);
      noteLeased(row === undefined ? 0 : 1, now);
      return row;
    }),
    leaseMany: db.transaction((count: number, expiresAt: number, now: number) => {
      const rows: LeasedRow[] = [];
      for (let row; rows.length < count && (row = sql.leaseFirst.get(clientKey, expiresAt));) {
        rows.push(row);
      }
      noteLeased(rows.length, now);
      return rows;
    }),
    move: db.transaction(move),
    moveWithin: move,
    reclaimToFront: db.transaction((request: QueuedRequest, now: number) => {
      const orderNo = sql.takeForefrontOrder.get()!;
      const { changes } = sql.reclaimToFront.run(request.json, orderNo, request.id, clientKey);
      return changes > 0 && sql.moveCounts.run(1, -1, 0, now).changes > 0;
    }),
    releaseExpired: db.transaction((now: number) => release(sql.releaseExpired, now, now)),
    releaseOwner: db.transaction((owner: string, now: number) =>
      release(sql.releaseOwner, owner, now),
    ),
  };
}

/**
 * At open: returns to pending the leases of clients whose process is gone (or whose pid now
 * belongs to another process), then registers `clientKey` as a client of this process. Leases of
 * live clients, other clients of this process included, stay until they expire.
 */
export function recoverLeases(sql: Statements, tx: Transactions, clientKey: string, now: number) {
  const clients = new Map(sql.clients.all().map((client) => [client.client_key, client]));
  for (const [key, client] of clients) {
    if (!isProcessAlive(client.pid, client.process_start)) {
      tx.releaseOwner.immediate(key, now);
      sql.forgetClient.run(key);
    }
  }
  for (const owner of sql.leaseOwners.all()) {
    if (!clients.has(owner) && !isUnknownOwnerAlive(owner)) {
      tx.releaseOwner.immediate(owner, now);
    }
  }

  sql.registerClient.run(clientKey, process.pid, OWN_START_TIME);
}

/** The outcome of adding a request that was already in the queue. */
export function alreadyPresent(
  request: QueuedRequest,
  wasAlreadyHandled: boolean,
): ProcessedRequest {
  return {
    requestId: request.id,
    uniqueKey: request.uniqueKey,
    wasAlreadyPresent: true,
    wasAlreadyHandled,
  };
}

function insertRequests(
  sql: Statements,
  requests: QueuedRequest[],
  hosts: string[],
  forefront: boolean,
  now: number,
): ProcessedRequest[] {
  const meta = sql.meta.get()!;
  let nextOrder = meta.next_order;
  let nextForefront = meta.next_forefront;
  let added = 0;

  const results = requests.map((request, index) => {
    const orderNo = forefront ? nextForefront : nextOrder;
    if (sql.insert.run(request.id, hosts[index], orderNo, request.json).changes === 0) {
      return { ...alreadyPresent(request, sql.stateOf.get(request.id) === HANDLED), forefront };
    }
    added += 1;
    nextForefront -= forefront ? 1 : 0;
    nextOrder += forefront ? 0 : 1;
    return { ...alreadyPresent(request, false), wasAlreadyPresent: false, forefront };
  });

  sql.addCounts.run(added, added, 0, 0, nextOrder, nextForefront, now);
  return results;
}

function leaseNext(
  sql: Statements,
  clientKey: string,
  expiresAt: number,
  excludeHosts?: ReadonlySet<string>,
): LeasedRow | undefined {
  if (excludeHosts === undefined || excludeHosts.size === 0) {
    return sql.leaseFirst.get(clientKey, expiresAt);
  }
  const seq = pickAllowed(sql, excludeHosts);
  return seq === undefined ? undefined : sql.leaseSeq.get(clientKey, expiresAt, seq);
}

/** The first pending request, in queue order, of a host not in `excludeHosts`. */
function pickAllowed(sql: Statements, excludeHosts: ReadonlySet<string>): number | undefined {
  const head = sql.headWindow.all(HEAD_WINDOW);
  const allowed = head.find((entry) => !excludeHosts.has(entry.host));
  if (allowed !== undefined || head.length < HEAD_WINDOW) {
    return allowed?.seq;
  }

  // The head is all excluded hosts: compare the next request of every other host instead.
  let best: { seq: number; orderNo: number } | undefined;
  for (let next = sql.nextHost.get(''); next; next = sql.nextHost.get(next.host)) {
    if (!excludeHosts.has(next.host) && (best === undefined || next.orderNo < best.orderNo)) {
      best = next;
    }
  }
  return best?.seq;
}

/** A lease owner that never registered: alive unless its key names a pid that is gone. */
function isUnknownOwnerAlive(owner: string): boolean {
  const pid = Number(owner.split(':')[0]);
  return !Number.isSafeInteger(pid) || pid === process.pid || isProcessAlive(pid);
}
