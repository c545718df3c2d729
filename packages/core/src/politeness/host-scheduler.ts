/**
 * Decides which hosts may start a request now: per-host concurrency caps, the delay between
 * starts (Crawlee's `sameDomainDelaySecs`, robots.txt `Crawl-delay`), and the slow-down of a host
 * that answers 429, or 503 with `Retry-After`.
 */

import { getDomain } from 'tldts';

import { retryDelayMillis } from './backoff.js';
import {
  resolveHostSchedulerOptions,
  type HostSchedulerOptions,
  type HostState,
  type ThrottleAnswer,
  type ThrottleOutcome,
} from './host-scheduler-options.js';
import { TimerHeap } from './timer-heap.js';

export type { HostSchedulerOptions, HostState, ThrottleAnswer, ThrottleOutcome };

interface DomainRecord {
  readonly key: string;
  nextStartAt: number;
  readonly hosts: Set<HostRecord>;
}

interface HostRecord {
  readonly hostname: string;
  readonly domain: DomainRecord | undefined;
  inFlight: number;
  cap: number;
  readyAt: number;
  throttleLevel: number;
  successes: number;
}

interface Timer {
  readonly at: number;
  readonly host: HostRecord;
}

/** Consecutive successes that take a throttled host one level back toward full speed. */
const RECOVERY_SUCCESSES = 5;
// Level 7 already reaches both caps below; a higher level would only make recovery longer.
const MAX_THROTTLE_LEVEL = 10;
const THROTTLE_BACKOFF = { baseMillis: 1000, maxMillis: 60_000 };
const MAX_THROTTLE_SPACING_MILLIS = 30_000;

/**
 * Tells a crawler which hosts must not start a request now, and learns from what they answer.
 * State is kept per hostname (cap, `Crawl-delay`, throttling) and per registrable domain
 * (`sameDomainDelaySecs`); an idle, healthy host is forgotten, so memory follows the busy hosts.
 *
 * A throttle (429, or 503 with `Retry-After`) pushes the host's next start to `Retry-After` or
 * an exponential back-off (0.5–1 s, 1–2 s, 2–4 s ... up to 30–60 s), halves its cap and
 * widens the spacing of its starts; every 5 consecutive successes undo one such step.
 *
 * @example
 * const scheduler = new HostScheduler({ sameDomainDelaySecs: 1, maxConcurrencyPerHost: 4 });
 * const request = await queue.fetchNextRequest({ excludeHosts: scheduler.excludedHosts() });
 * if (request) {
 *   const { hostname } = new URL(request.url);
 *   // Another task may have started the host during the await: check, then start at once.
 *   if (!scheduler.isAllowed(hostname)) {
 *     await queue.reclaimRequest(request);
 *   } else {
 *     scheduler.onStart(hostname);
 *     // ...navigate, then onSuccess or onThrottled, and onFinish in a finally block
 *   }
 * }
 */
export class HostScheduler {
  readonly #domainDelayMillis: number;
  readonly #maxCap: number;
  readonly #maxWaitMillis: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #hosts = new Map<string, HostRecord>();
  readonly #domains = new Map<string, DomainRecord>();
  readonly #crawlDelays = new Map<string, number>();
  readonly #excluded = new Set<string>();
  readonly #timers = new TimerHeap<Timer>();

  /** @throws ConfigurationError naming an unknown or invalid option. */
  constructor(options: HostSchedulerOptions = {}) {
    const resolved = resolveHostSchedulerOptions(options);
    this.#domainDelayMillis = resolved.domainDelayMillis;
    this.#maxCap = resolved.maxCap;
    this.#maxWaitMillis = resolved.maxWaitMillis;
    this.#now = resolved.now;
    this.#random = resolved.random;
  }

  /**
   * Whether no limit applies anywhere now: no delay between starts, no cap per host, no
   * `Crawl-delay` and no host held back. A crawler may then take several requests at once.
   */
  hasNoLimits(): boolean {
    return (
      this.#domainDelayMillis === 0 &&
      this.#maxCap === Infinity &&
      this.#crawlDelays.size === 0 &&
      this.excludedHosts().size === 0
    );
  }

  /**
   * Hostnames that must not start a request now: at their cap, within a delay, or throttled.
   * Hostnames never seen are allowed. The set is live and updated in place; copy it to keep it.
   */
  excludedHosts(): ReadonlySet<string> {
    this.#advance(this.#now());
    return this.#excluded;
  }

  /**
   * The earliest time, in milliseconds since the epoch, at which a delay or throttle ends, so
   * the crawler can set one timer; `undefined` when none is pending. A host at its cap frees on
   * {@link onFinish} instead, and may still be capped when its delay ends.
   */
  nextReadyAt(): number | undefined {
    this.#advance(this.#now());
    return this.#timers.peek()?.at;
  }

  /**
   * Whether `hostname` may start a request now. It also covers a hostname never seen whose
   * domain is within `sameDomainDelaySecs`, which {@link excludedHosts} cannot list beforehand;
   * such a hostname is remembered and listed from then on.
   */
  isAllowed(hostname: string): boolean {
    const now = this.#now();
    this.#advance(now);
    if (this.#hosts.has(hostname)) {
      return !this.#excluded.has(hostname);
    }

    const domain = this.#domainDelayMillis > 0 ? this.#domains.get(domainKey(hostname)) : undefined;
    if (domain === undefined || domain.nextStartAt <= now) {
      return true;
    }
    this.#host(hostname, now);
    return false;
  }

  /** Records that a request to `hostname` starts now. */
  onStart(hostname: string): void {
    const now = this.#now();
    this.#advance(now);
    const host = this.#host(hostname, now);

    host.inFlight += 1;
    this.#setReadyAt(host, now + this.#spacingMillis(hostname, host.throttleLevel), now);
    if (host.domain !== undefined) {
      this.#delayDomain(host.domain, now + this.#domainDelayMillis, now);
    }
    this.#refresh(host, now);
  }

  /** Records that a request to `hostname` ended, however it ended. */
  onFinish(hostname: string): void {
    const host = this.#hosts.get(hostname);
    if (host === undefined || host.inFlight === 0) {
      return;
    }
    const now = this.#now();

    host.inFlight -= 1;
    this.#refresh(host, now);
    this.#forgetIfIdle(host, now);
  }

  /**
   * Slows `hostname` down after a 429, or a 503 with `Retry-After`: its next start moves to
   * `Retry-After` (capped at `maxThrottleWaitSecs`) or to a back-off by throttle level, its cap
   * is halved (from the requests in flight when it had none), and its starts are spaced wider:
   * 1 s apart at level 1, doubling per level up to 30 s.
   */
  onThrottled(hostname: string, answer: ThrottleAnswer): ThrottleOutcome {
    const now = this.#now();
    this.#advance(now);
    const host = this.#host(hostname, now);

    // Answers to requests that were already in flight when the host throttled belong to the
    // same episode: they must not escalate the slow-down once per request.
    const sameEpisode = host.throttleLevel > 0 && now < host.readyAt;
    if (!sameEpisode) {
      host.throttleLevel = Math.min(MAX_THROTTLE_LEVEL, host.throttleLevel + 1);
      host.cap = halvedCap(host);
    }
    host.successes = 0;
    const askedMillis = this.#throttleWaitMillis(host, answer.retryAfterSecs);
    this.#setReadyAt(host, now + Math.min(askedMillis, this.#maxWaitMillis), now);
    this.#refresh(host, now);

    const waitedMillis = answer.waitedMillis ?? 0;
    const waitMillis = Math.max(0, host.readyAt - now);
    return {
      waitMillis,
      totalWaitMillis: waitedMillis + waitMillis,
      isWaitExhausted: waitedMillis + askedMillis > this.#maxWaitMillis,
    };
  }

  /** Records a 2xx or 3xx answer; consecutive ones bring a throttled host back step by step. */
  onSuccess(hostname: string): void {
    const host = this.#hosts.get(hostname);
    if (host === undefined || host.throttleLevel === 0) {
      return;
    }
    host.successes += 1;
    if (host.successes < RECOVERY_SUCCESSES) {
      return;
    }
    const now = this.#now();

    host.successes = 0;
    host.throttleLevel -= 1;
    host.cap = host.throttleLevel === 0 ? this.#maxCap : Math.min(this.#maxCap, host.cap * 2);
    this.#refresh(host, now);
    this.#forgetIfIdle(host, now);
  }

  /**
   * Sets the robots.txt `Crawl-delay` of `hostname`, in seconds, for its future starts (a host
   * with requests in flight waits the delay from now); `undefined` or `0` removes it.
   * @returns `false`, changing nothing, for a value that is not a finite non-negative number
   *   (a garbled robots.txt line must not stop the crawl).
   */
  setCrawlDelay(hostname: string, secs: number | undefined): boolean {
    if (secs === undefined || secs === 0) {
      this.#crawlDelays.delete(hostname);
      return true;
    }
    if (!Number.isFinite(secs) || secs < 0) {
      return false;
    }
    this.#crawlDelays.set(hostname, secs * 1000);
    // A request already running started without the delay; the next one waits for it from now.
    const host = this.#hosts.get(hostname);
    if (host !== undefined && host.inFlight > 0) {
      const now = this.#now();
      this.#setReadyAt(host, Math.max(host.readyAt, now + secs * 1000), now);
      this.#refresh(host, now);
    }
    return true;
  }

  /** What the scheduler holds for `hostname` now; a hostname never seen gets the defaults. */
  getHostState(hostname: string): HostState {
    const now = this.#now();
    this.#advance(now);
    const host = this.#hosts.get(hostname);
    const level = host?.throttleLevel ?? 0;
    const domain = this.#domainDelayMillis > 0 ? this.#domains.get(domainKey(hostname)) : undefined;

    return {
      inFlight: host?.inFlight ?? 0,
      cap: host?.cap ?? this.#maxCap,
      nextStartAt: host?.readyAt ?? domain?.nextStartAt ?? 0,
      throttleLevel: level,
      delayMillis: Math.max(this.#domainDelayMillis, this.#spacingMillis(hostname, level)),
    };
  }

  #host(hostname: string, now: number): HostRecord {
    const existing = this.#hosts.get(hostname);
    if (existing !== undefined) {
      return existing;
    }
    const domain = this.#domainDelayMillis > 0 ? this.#domain(hostname) : undefined;
    const host: HostRecord = {
      hostname,
      domain,
      inFlight: 0,
      cap: this.#maxCap,
      readyAt: 0,
      throttleLevel: 0,
      successes: 0,
    };

    this.#hosts.set(hostname, host);
    domain?.hosts.add(host);
    this.#setReadyAt(host, domain?.nextStartAt ?? 0, now);
    return host;
  }

  #domain(hostname: string): DomainRecord {
    const key = domainKey(hostname);
    let domain = this.#domains.get(key);
    if (domain === undefined) {
      domain = { key, nextStartAt: 0, hosts: new Set() };
      this.#domains.set(key, domain);
    }
    return domain;
  }

  #delayDomain(domain: DomainRecord, at: number, now: number): void {
    domain.nextStartAt = Math.max(domain.nextStartAt, at);
    for (const host of domain.hosts) {
      this.#setReadyAt(host, domain.nextStartAt, now);
    }
  }

  /** Moves a host's next start later (never earlier) and arms a timer for it. */
  #setReadyAt(host: HostRecord, at: number, now: number): void {
    if (at <= host.readyAt) {
      return;
    }
    host.readyAt = at;
    if (at > now) {
      this.#timers.push({ at, host });
    }
    this.#refresh(host, now);
  }

  #refresh(host: HostRecord, now: number): void {
    if (host.inFlight >= host.cap || host.readyAt > now) {
      this.#excluded.add(host.hostname);
    } else {
      this.#excluded.delete(host.hostname);
    }
  }

  /**
   * Fires the timers that are due and drops stale ones from the top, so the top is the next real
   * boundary. A timer is stale once its host moved `readyAt` later (that pushed a newer timer) or
   * was forgotten; `readyAt` never moves earlier, so one comparison tells.
   */
  #advance(now: number): void {
    for (let timer = this.#timers.peek(); timer !== undefined; timer = this.#timers.peek()) {
      const { at, host } = timer;
      const isCurrent = host.readyAt === at && this.#hosts.get(host.hostname) === host;
      if (isCurrent && at > now) {
        return;
      }
      this.#timers.pop();
      if (isCurrent) {
        this.#refresh(host, now);
        this.#forgetIfIdle(host, now);
      }
    }
  }

  #forgetIfIdle(host: HostRecord, now: number): void {
    if (host.inFlight > 0 || host.throttleLevel > 0 || host.readyAt > now) {
      return;
    }
    this.#hosts.delete(host.hostname);
    this.#excluded.delete(host.hostname);

    const { domain } = host;
    domain?.hosts.delete(host);
    if (domain !== undefined && domain.hosts.size === 0 && domain.nextStartAt <= now) {
      this.#domains.delete(domain.key);
    }
  }

  #spacingMillis(hostname: string, throttleLevel: number): number {
    const throttle =
      throttleLevel === 0 ? 0 : Math.min(MAX_THROTTLE_SPACING_MILLIS, 500 * 2 ** throttleLevel);
    return Math.max(this.#crawlDelays.get(hostname) ?? 0, throttle);
  }

  #throttleWaitMillis(host: HostRecord, retryAfterSecs: number | undefined): number {
    const isSane =
      retryAfterSecs !== undefined && Number.isFinite(retryAfterSecs) && retryAfterSecs >= 0;
    return isSane
      ? retryAfterSecs * 1000
      : retryDelayMillis(host.throttleLevel, { ...THROTTLE_BACKOFF, random: this.#random });
  }
}

/**
 * Half the host's cap, at least 1. An uncapped host is halved from the requests it had in flight,
 * the concurrency that drew the throttle.
 */
function halvedCap(host: HostRecord): number {
  const current = Number.isFinite(host.cap) ? host.cap : Math.max(host.inFlight, 1);
  return Math.max(1, Math.floor(current / 2));
}

/** The registrable domain, or the hostname itself for IP addresses and names like `localhost`. */
function domainKey(hostname: string): string {
  return getDomain(hostname) ?? hostname;
}
