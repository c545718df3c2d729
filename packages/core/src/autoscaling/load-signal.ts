/**
 * Load signals: time-stamped overload flags (memory, event loop, CPU, storage client), the history
 * that keeps the recent ones, and the time-weighted verdict the system status is built from.
 */

/** One reading of a load signal. */
export interface LoadSnapshot {
  /** When the reading was taken. */
  createdAt: Date;
  /** Whether the signal was over its limit at that moment. */
  isOverloaded: boolean;
}

/** The verdict on one load signal over a span of snapshots. */
export interface LoadSignalInfo {
  /** Whether `actualRatio` is above `limitRatio`. */
  isOverloaded: boolean;
  /** Share of the span, 0 to 1, that may be overloaded before the signal counts as overloaded. */
  limitRatio: number;
  /** Share of the span, 0 to 1, that was overloaded, rounded to three decimals. */
  actualRatio: number;
}

/** Snapshots closer together than this still weigh something, so a burst is not ignored. */
const MIN_WEIGHT_MILLIS = 1;

/**
 * Judges a span of snapshots: each snapshot's flag counts for the time since the one before it,
 * so a long overloaded stretch outweighs a few quick clean readings.
 *
 * @param sample - Snapshots, oldest first.
 * @param limitRatio - Overloaded share of the span above which the signal is overloaded, 0 to 1.
 * @returns Not overloaded for an empty span; for a single snapshot, its own flag.
 */
export function evaluateLoadSample(
  sample: readonly LoadSnapshot[],
  limitRatio: number,
): LoadSignalInfo {
  if (sample.length === 0) {
    return { isOverloaded: false, limitRatio, actualRatio: 0 };
  }

  const ratio = sample.length === 1 ? Number(sample[0]!.isOverloaded) : weightedRatio(sample);
  const actualRatio = Math.round(ratio * 1000) / 1000;

  return { isOverloaded: actualRatio > limitRatio, limitRatio, actualRatio };
}

function weightedRatio(sample: readonly LoadSnapshot[]): number {
  let overloadedMillis = 0;
  let totalMillis = 0;

  for (let i = 1; i < sample.length; i++) {
    const gap = sample[i]!.createdAt.getTime() - sample[i - 1]!.createdAt.getTime();
    const weight = Math.max(MIN_WEIGHT_MILLIS, gap);
    totalMillis += weight;
    if (sample[i]!.isOverloaded) {
      overloadedMillis += weight;
    }
  }

  return overloadedMillis / totalMillis;
}

/**
 * The snapshots of one signal from the last `historyMillis`, oldest first. Older ones are dropped
 * whenever a new one is added, measured from the new one's `createdAt`.
 */
export class SnapshotHistory<Snapshot extends LoadSnapshot> {
  readonly #historyMillis: number;
  #snapshots: Snapshot[] = [];

  /** @param historyMillis - How long a snapshot is kept, in milliseconds. */
  constructor(historyMillis: number) {
    this.#historyMillis = historyMillis;
  }

  /** Appends a snapshot and forgets those older than the history span. */
  add(snapshot: Snapshot): void {
    const oldestKept = snapshot.createdAt.getTime() - this.#historyMillis;
    const firstKept = this.#snapshots.findIndex((old) => old.createdAt.getTime() >= oldestKept);

    this.#snapshots = firstKept === -1 ? [] : this.#snapshots.slice(firstKept);
    this.#snapshots.push(snapshot);
  }

  /** The newest snapshot, if any. */
  last(): Snapshot | undefined {
    return this.#snapshots.at(-1);
  }

  /**
   * The snapshots taken within `durationMillis` before the newest one, oldest first.
   *
   * @param durationMillis - Span to return, in milliseconds. @default the whole history
   */
  sample(durationMillis?: number): Snapshot[] {
    const newest = this.last();
    if (durationMillis === undefined || newest === undefined) {
      return [...this.#snapshots];
    }

    const start = newest.createdAt.getTime() - durationMillis;
    return this.#snapshots.filter((snapshot) => snapshot.createdAt.getTime() >= start);
  }
}
