/**
 * Group commit for a SQLite queue: the writes asked for in one turn of the event loop (within
 * 2 ms while several requests are in progress) run in a single transaction, each inside a
 * savepoint of its own. A commit writes every page it changed to the WAL, and the requests a
 * crawl adds and marks in one turn share most of those pages (the counters, the newest rows, the
 * index leaves), so one commit for many writes costs little more than one for a single write.
 */
import type Database from 'better-sqlite3';

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * How long a write waits for others to share its commit while several requests are in progress.
 * One turn of the event loop gathered about one write per commit in a crawl at concurrency 50;
 * 2 ms gathers about a dozen (strace: 2.6 WAL page writes and 1 lock per request, against 4.4
 * and 2.3), for 2 ms more per request.
 */
const GROUP_COMMIT_MILLIS = 2;

type Outcome = { isDone: true; value: unknown } | { isDone: false; error: unknown };

/** Runs writes in batches; a write that throws is rolled back alone and rejects alone. */
export class WriteBatch {
  #pending: PendingWrite[] = [];
  #runAll: Database.Transaction<(writes: PendingWrite[]) => Outcome[]>;
  readonly #waitsForCompany: () => boolean;

  /**
   * @param waitsForCompany - Whether more writes are expected soon (several requests in
   *   progress): a batch then waits {@link GROUP_COMMIT_MILLIS} for them; otherwise it commits
   *   at the end of the current turn of the event loop, so a lone writer is not slowed down.
   */
  constructor(db: Database.Database, waitsForCompany: () => boolean = () => false) {
    this.#waitsForCompany = waitsForCompany;
    this.#runAll = db.transaction((writes: PendingWrite[]) =>
      writes.map((pending): Outcome => {
        try {
          return { isDone: true, value: pending.write() };
        } catch (error) {
          return { isDone: false, error };
        }
      }),
    );
  }

  /**
   * Runs `write` in the next batch (the constructor says when that commits, unless
   * {@link WriteBatch.flush} commits it sooner), and settles once that commit is done: with the
   * value `write` returned, or with its error (the batch's other writes are kept), or with the
   * commit's error. `write` must make its changes through a better-sqlite3 transaction
   * function: inside the batch that becomes a savepoint, which is what undoes a failed write
   * alone.
   */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length === 1) {
        if (this.#waitsForCompany()) {
          setTimeout(() => this.flush(), GROUP_COMMIT_MILLIS);
        } else {
          setImmediate(() => this.flush());
        }
      }
    });
  }

  /**
   * Commits the waiting writes now. Reads and unbatched writes call it first, so they see every
   * write asked for before them.
   */
  flush(): void {
    const writes = this.#pending;
    if (writes.length === 0) {
      return;
    }
    this.#pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.#runAll.immediate(writes);
    } catch (error) {
      for (const pending of writes) {
        pending.reject(error);
      }
      return;
    }
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.isDone) {
        writes[i]!.resolve(outcome.value);
      } else {
        writes[i]!.reject(outcome.error);
      }
    }
  }
}
