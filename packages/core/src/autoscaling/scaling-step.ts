import type { PoolSettings } from './autoscaled-pool-options.js';
import type { ThroughputReview } from './throughput-guard.js';

/** What the pool knows at an autoscale interval. */
export interface ScalingInput {
  /** Desired concurrency now. */
  desired: number;
  /**
   * The most tasks that ran at once during the interval. Crawlee looks at the tasks running at
   * the moment of the check, which with short tasks is often a moment between a task's end and
   * the next one's start, and then holds the pool back.
   */
  peak: number;
  minConcurrency: number;
  maxConcurrency: number;
  /** The historical verdict: no load signal overloaded. */
  isSystemIdle: boolean;
  /** The throughput guard's verdict on the last step up. */
  review: ThroughputReview;
}

/** A change of the desired concurrency, and why; logged as "Concurrency scaled". */
export interface ScalingStep {
  to: number;
  reason: 'system overloaded' | 'throughput did not rise' | 'system idle';
}

type StepRatios = Pick<
  PoolSettings,
  'desiredConcurrencyRatio' | 'scaleUpStepRatio' | 'scaleDownStepRatio'
>;

/**
 * Picks the next desired concurrency: down by a step while overloaded; back to where it was when
 * the last step up did not raise throughput; up by a step while idle and nearly all desired
 * tasks run. Steps are a share of the desired concurrency rounded up, so at least one task, and
 * double after each step up that raised throughput (Crawlee's steps stay at 5 %, so a crawl
 * needs minutes to reach a useful concurrency).
 *
 * @returns The step, or undefined to stay; never outside `minConcurrency`..`maxConcurrency`.
 */
export function nextScalingStep(input: ScalingInput, ratios: StepRatios): ScalingStep | undefined {
  const { desired, minConcurrency, maxConcurrency } = input;

  if (!input.isSystemIdle) {
    const to = Math.max(minConcurrency, desired - Math.ceil(desired * ratios.scaleDownStepRatio));
    return to < desired ? { to, reason: 'system overloaded' } : undefined;
  }
  if (input.review.undoTo !== undefined) {
    const to = Math.max(minConcurrency, Math.min(maxConcurrency, input.review.undoTo));
    return { to, reason: 'throughput did not rise' };
  }

  const busyEnough = input.peak >= Math.floor(desired * ratios.desiredConcurrencyRatio);
  if (!input.review.mayScaleUp || !busyEnough || desired >= maxConcurrency) {
    return undefined;
  }
  // Slow start: while each step up raises throughput, the next step doubles, up to doubling the
  // concurrency; a step that does not pay off is undone and the step size starts over.
  const baseStep = Math.ceil(desired * ratios.scaleUpStepRatio);
  const step = Math.min(desired, baseStep * 2 ** Math.min(input.review.streak, 16));
  const to = Math.min(maxConcurrency, desired + step);
  return { to, reason: 'system idle' };
}
