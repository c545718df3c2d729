/**
 * A binary min-heap ordered by `at`: the host scheduler keeps the moments its delays end in one,
 * so finding the next boundary costs no scan of every host.
 */

/** A min-heap of entries ordered by their `at` time; entries with equal times pop in any order. */
export class TimerHeap<T extends { readonly at: number }> {
  readonly #items: T[] = [];

  /** Entries held. */
  get size(): number {
    return this.#items.length;
  }

  /** The entry with the earliest `at`, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an entry, in O(log n). */
  push(timer: T): void {
    const items = this.#items;
    let index = items.push(timer) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (items[parent].at <= timer.at) {
        break;
      }
      items[index] = items[parent];
      index = parent;
    }
    items[index] = timer;
  }

  /** Removes the earliest entry, in O(log n). */
  pop(): void {
    const last = this.#items.pop();
    if (last !== undefined && this.#items.length > 0) {
      this.#sink(last);
    }
  }

  #sink(timer: T): void {
    const items = this.#items;
    let index = 0;
    for (let child = 1; child < items.length; child = 2 * index + 1) {
      if (child + 1 < items.length && items[child + 1].at < items[child].at) {
        child += 1;
      }
      if (items[child].at >= timer.at) {
        break;
      }
      items[index] = items[child];
      index = child;
    }
    items[index] = timer;
  }
}
