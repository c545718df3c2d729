/**
 * Imports a request-queue folder written by Crawlee 3 (one `<id>.json` file per request) into a
 * fresh SQLite queue, so a crawl started with Crawlee resumes on trawl. The JSON files are read,
 * never changed or removed.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type Database from 'better-sqlite3';

import { CorruptStorageFileError } from '../../errors.js';
import { HANDLED, PENDING } from './schema.js';

/** Crawlee names each request file after the request id: 15 base64 characters minus `+/=`. */
const REQUEST_FILE = /^[A-Za-z0-9]{15}\.json$/;

interface CrawleeRequest {
  id: string;
  host: string;
  /** `null` when handled; otherwise the serving order (negative = forefront). */
  orderNo: number | null;
  json: string;
}

/**
 * Imports every Crawlee request file in `dir` into `db`, pending requests in their Crawlee order
 * (forefront first), handled ones as handled. Runs inside the caller's transaction.
 *
 * @returns The number of requests imported.
 * @throws CorruptStorageFileError naming the first file that is not a Crawlee request.
 */
export function importCrawleeRequests(db: Database.Database, dir: string): number {
  const requests = readCrawleeRequests(dir);
  if (requests.length === 0) {
    return 0;
  }

  const pending = requests.filter((request) => request.orderNo !== null);
  // Crawlee serves by ascending orderNo; ties (same millisecond) fall back to the id, for a
  // stable order where Crawlee would use directory order.
  pending.sort((a, b) => a.orderNo! - b.orderNo! || (a.id < b.id ? -1 : 1));
  const insert = db.prepare(
    'INSERT OR IGNORE INTO requests (id, host, state, order_no, json) VALUES (?, ?, ?, ?, ?)',
  );
  let pendingCount = 0;
  for (const [index, request] of pending.entries()) {
    pendingCount += insert.run(request.id, request.host, PENDING, index + 1, request.json).changes;
  }
  let handledCount = 0;
  for (const request of requests.filter((entry) => entry.orderNo === null)) {
    handledCount += insert.run(request.id, request.host, HANDLED, 0, request.json).changes;
  }

  db.prepare(
    `UPDATE meta SET total = total + ?, pending = pending + ?, handled = handled + ?,
       next_order = ?`,
  ).run(pendingCount + handledCount, pendingCount, handledCount, pending.length + 1);
  return pendingCount + handledCount;
}

function readCrawleeRequests(dir: string): CrawleeRequest[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => REQUEST_FILE.test(name));
  } catch {
    return [];
  }
  return names.map((name) => readCrawleeRequest(join(dir, name)));
}

function readCrawleeRequest(path: string): CrawleeRequest {
  const file = parseJson(path, readFileSync(path, 'utf8'), 'the file');
  if (typeof file !== 'object' || file === null) {
    throw new CorruptStorageFileError(path, 'expected a JSON object');
  }
  const { id, orderNo, json } = file as Record<string, unknown>;
  if (typeof id !== 'string' || typeof json !== 'string') {
    throw new CorruptStorageFileError(path, 'expected string fields "id" and "json"');
  }
  if (orderNo !== null && (typeof orderNo !== 'number' || !Number.isFinite(orderNo))) {
    throw new CorruptStorageFileError(path, 'expected "orderNo" to be a number or null');
  }

  return { id, host: readHost(path, parseJson(path, json, 'field "json"')), orderNo, json };
}

function readHost(path: string, request: unknown): string {
  const { url, uniqueKey } = (request ?? {}) as Record<string, unknown>;
  if (typeof url !== 'string' || typeof uniqueKey !== 'string') {
    throw new CorruptStorageFileError(path, 'field "json" lacks a string "url" and "uniqueKey"');
  }
  try {
    return new URL(url).hostname;
  } catch {
    throw new CorruptStorageFileError(path, `field "json" has an invalid url "${url}"`);
  }
}

function parseJson(path: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptStorageFileError(
      path,
      `${what} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
