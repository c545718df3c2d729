/** Seconds the window spans, as in `maxTasksPerMinute`. */
const WINDOW_SECS = 60;

/**
 * Counts task starts over the last minute in one-second buckets, for `maxTasksPerMinute`. The
 * window slides a second at a time: a start leaves the count 60 seconds after its second began.
 */
export class TaskStartWindow {
  readonly #counts: number[] = new Array<number>(WINDOW_SECS).fill(0);
  readonly #bucketSecs: number[] = new Array<number>(WINDOW_SECS).fill(-Infinity);
  readonly #now: () => number;

  /** @param now - The clock, in milliseconds since the epoch. @default Date.now */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Counts one task start now. */
  record(): void {
    const second = Math.floor(this.#now() / 1000);
    const index = ((second % WINDOW_SECS) + WINDOW_SECS) % WINDOW_SECS;

    if (this.#bucketSecs[index] !== second) {
      this.#bucketSecs[index] = second;
      this.#counts[index] = 0;
    }
    this.#counts[index]! += 1;
  }

  /** Task starts in the current second and the 59 before it. */
  count(): number {
    const second = Math.floor(this.#now() / 1000);
    let total = 0;

    for (let index = 0; index < WINDOW_SECS; index++) {
      if (second - this.#bucketSecs[index]! < WINDOW_SECS) {
        total += this.#counts[index]!;
      }
    }
    return total;
  }
}
