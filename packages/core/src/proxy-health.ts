/**
 * Proxy health per hostname: a proxy whose requests to a host keep getting blocked, or keep
 * failing to connect, is benched for that host for a while and then tried again, for longer
 * each time it fails again. Other hosts keep using it: sites block by their own lists.
 */

/** How an attempt through a proxy went. */
export type ProxyOutcome = 'success' | 'blocked' | 'error';

/** Options of {@link ProxyHealth}. */
export interface ProxyHealthOptions {
  /** Blocks or connection errors in a row that bench a proxy for a host. @default 2 */
  failuresToBench?: number;
  /** The first bench, in milliseconds; each further one doubles it. @default 30000 */
  benchMillis?: number;
  /** The longest bench, in milliseconds. @default 600000 */
  maxBenchMillis?: number;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
}

interface HealthRecord {
  failuresInARow: number;
  benches: number;
  benchedUntil: number;
}

/** Hosts tracked per proxy at most; the least recently reported are forgotten first. */
const MAX_TRACKED = 10_000;

/** Tracks outcomes per proxy and hostname; see the file comment. */
export class ProxyHealth {
  readonly #failuresToBench: number;
  readonly #benchMillis: number;
  readonly #maxBenchMillis: number;
  readonly #now: () => number;
  #records = new Map<string, HealthRecord>();

  constructor(options: ProxyHealthOptions = {}) {
    this.#failuresToBench = options.failuresToBench ?? 2;
    this.#benchMillis = options.benchMillis ?? 30_000;
    this.#maxBenchMillis = options.maxBenchMillis ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one attempt; returns true when it benched the proxy for the host. */
  record(proxyUrl: string, hostname: string, outcome: ProxyOutcome): boolean {
    const key = keyOf(proxyUrl, hostname);
    const record = this.#records.get(key) ?? { failuresInARow: 0, benches: 0, benchedUntil: 0 };
    this.#records.delete(key);
    this.#records.set(key, record);
    if (this.#records.size > MAX_TRACKED) {
      this.#records.delete(this.#records.keys().next().value!);
    }

    if (outcome === 'success') {
      record.failuresInARow = 0;
      record.benches = 0;
      return false;
    }
    record.failuresInARow += 1;
    if (record.failuresInARow < this.#failuresToBench) {
      return false;
    }
    const millis = Math.min(this.#benchMillis * 2 ** record.benches, this.#maxBenchMillis);
    record.benches += 1;
    record.failuresInARow = 0;
    record.benchedUntil = this.#now() + millis;
    return true;
  }

  /** When the proxy may be used for the host again (ms since the epoch), or 0 when it may now. */
  benchedUntil(proxyUrl: string, hostname: string): number {
    const until = this.#records.get(keyOf(proxyUrl, hostname))?.benchedUntil ?? 0;
    return until > this.#now() ? until : 0;
  }
}

function keyOf(proxyUrl: string, hostname: string): string {
  return `${proxyUrl}\u0000${hostname}`;
}
