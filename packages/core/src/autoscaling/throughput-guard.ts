/**
 * trawl's check on scaling up: after each step up, the pool compares the tasks finished per second
 * in the next autoscale interval with those of the interval before the step (intervals differ in
 * length while the first reviews come early). When the step did not raise throughput, the pool
 * goes back and holds for a few intervals before probing again.
 */

/** Intervals to hold after a step was undone, before the next step up. */
export const HOLD_INTERVALS = 3;

/** Baselines smaller than this are too noisy to judge a step on; such steps are kept. */
export const MIN_FINISHED_TO_JUDGE = 10;

/** Rise required of a step whose ideal gain is large (1 → 2 doubles capacity). */
const MAX_REQUIRED_RISE = 0.05;

/** What the pool may do at the end of an autoscale interval, as far as throughput goes. */
export interface ThroughputReview {
  /** The concurrency to return to, when the last step up did not pay off. */
  undoTo?: number;
  /** False while holding after an undo. */
  mayScaleUp: boolean;
  /** Steps up in a row that raised throughput; each doubles the next step (slow start). */
  streak: number;
}

interface Probe {
  from: number;
  to: number;
  baselineFinished: number;
  /** Tasks finished per millisecond in the interval before the step. */
  baselineRate: number;
}

/**
 * Counts finished tasks per autoscale interval and judges each step up by them. A step from
 * `from` to `to` tasks could at best raise throughput by `(to - from) / from`; it must deliver
 * half of that, capped at 5 %, so that the +5 % steps above 20 tasks are not held to more than
 * they can give.
 */
export class ThroughputGuard {
  #finished = 0;
  #lastFinished = 0;
  #lastRate = 0;
  #holdLeft = 0;
  #streak = 0;
  #probe?: Probe;

  /** Tasks finished without error since the current interval began. */
  get finishedInInterval(): number {
    return this.#finished;
  }

  /** Counts one task that finished without error in the current interval. */
  recordFinishedTask(): void {
    this.#finished += 1;
  }

  /**
   * Ends the current interval and reviews the step up made at the end of the previous one.
   *
   * @param desired - The desired concurrency now; a probe whose step was since changed (scaled
   *   down, set by the user) is dropped without judgement.
   * @param elapsedMillis - How long the interval lasted; intervals of equal length may omit it.
   */
  closeInterval(desired: number, elapsedMillis = 1): ThroughputReview {
    const finished = this.#finished;
    const rate = finished / Math.max(elapsedMillis, 1);
    const probe = this.#probe;
    this.#finished = 0;
    this.#lastFinished = finished;
    this.#lastRate = rate;
    this.#probe = undefined;

    const verdict = probe !== undefined && probe.to === desired ? judge(probe, rate) : 'none';
    if (verdict === 'failed') {
      this.#holdLeft = HOLD_INTERVALS;
      this.#streak = 0;
      return { undoTo: probe!.from, mayScaleUp: false, streak: 0 };
    }
    // Only a step measured to raise throughput earns a bigger next step.
    this.#streak = verdict === 'paid off' ? this.#streak + 1 : 0;
    if (this.#holdLeft > 0) {
      this.#holdLeft -= 1;
      return { mayScaleUp: false, streak: 0 };
    }
    return { mayScaleUp: true, streak: this.#streak };
  }

  /** Remembers a step up taken just after {@link closeInterval}, to judge it at the next one. */
  recordScaleUp(from: number, to: number): void {
    this.#probe = { from, to, baselineFinished: this.#lastFinished, baselineRate: this.#lastRate };
  }

  /** Forgets counts, probe and hold, for a new run. */
  reset(): void {
    this.#finished = 0;
    this.#lastFinished = 0;
    this.#lastRate = 0;
    this.#holdLeft = 0;
    this.#streak = 0;
    this.#probe = undefined;
  }
}

function judge(probe: Probe, rate: number): 'paid off' | 'failed' | 'too few tasks' {
  if (probe.baselineFinished < MIN_FINISHED_TO_JUDGE) {
    return 'too few tasks';
  }

  const idealRise = (probe.to - probe.from) / probe.from;
  const requiredRise = Math.min(MAX_REQUIRED_RISE, idealRise / 2);
  return rate >= probe.baselineRate * (1 + requiredRise) ? 'paid off' : 'failed';
}
