/**
 * The outbox: dataset items a handler pushed, stored in the queue database in the same
 * transaction that marks their request handled. They are then written to the dataset and the
 * row deleted; a crash in between leaves the row, and the next run writes what is missing. The
 * first item index is recorded before any file is written, so no item is ever written twice.
 * Deletions are batched: a row left behind by a crash after its items were written costs the
 * next run a check of its files, nothing more.
 */
import type Database from 'better-sqlite3';

import type { OutboxEntry, OutboxRow, RequestQueueOutbox } from '../storage-client.js';

const TABLE = `
  CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    dataset TEXT NOT NULL,
    items TEXT NOT NULL,
    start_index INTEGER
  );
`;

/** Completed rows deleted together, in one transaction. */
const COMPLETE_BATCH = 200;

interface RawRow {
  id: number;
  dataset: string;
  items: string;
  start_index: number | null;
}

/** The outbox of one queue database; `markHandled` runs inside the transaction it is given. */
export class SqliteOutbox implements RequestQueueOutbox {
  #insert: Database.Statement<[string, string, number | null]>;
  #list: Database.Statement<[], RawRow>;
  #reserve: Database.Statement<[number, number]>;
  #delete: Database.Statement<[number]>;
  #markHandled: Database.Transaction<(entries: OutboxEntry[], mark: () => void) => number[]>;
  #deleteMany: Database.Transaction<(ids: number[]) => void>;
  #completed: number[] = [];

  constructor(db: Database.Database) {
    db.exec(TABLE);
    this.#insert = db.prepare('INSERT INTO outbox (dataset, items, start_index) VALUES (?, ?, ?)');
    this.#list = db.prepare('SELECT id, dataset, items, start_index FROM outbox ORDER BY id');
    this.#reserve = db.prepare('UPDATE outbox SET start_index = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM outbox WHERE id = ?');
    this.#markHandled = db.transaction((entries: OutboxEntry[], mark: () => void) => {
      mark();
      return entries.map((entry) =>
        Number(
          this.#insert.run(entry.dataset, JSON.stringify(entry.items), entry.startIndex ?? null)
            .lastInsertRowid,
        ),
      );
    });
    this.#deleteMany = db.transaction((ids: number[]) => {
      for (const id of ids) {
        this.#delete.run(id);
      }
    });
  }

  /** Runs `mark` (the handled mark) and stores the entries atomically; returns the row ids. */
  markHandledWith(entries: OutboxEntry[], mark: () => void): number[] {
    return this.#markHandled.immediate(entries, mark);
  }

  async list(): Promise<OutboxRow[]> {
    await this.flush();
    return this.#list.all().map((row) => ({
      id: row.id,
      dataset: row.dataset,
      items: JSON.parse(row.items) as Record<string, unknown>[],
      startIndex: row.start_index ?? undefined,
    }));
  }

  async reserve(id: number, startIndex: number): Promise<void> {
    this.#reserve.run(startIndex, id);
  }

  async complete(id: number): Promise<void> {
    this.#completed.push(id);
    if (this.#completed.length >= COMPLETE_BATCH) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    const ids = this.#completed;
    this.#completed = [];
    if (ids.length > 0) {
      this.#deleteMany.immediate(ids);
    }
  }
}
