/**
 * `respectRobotsTxtFile` at the start of each request: a disallowed request is skipped (reason
 * `robotsTxt`), one whose robots.txt cannot be fetched is held back and, after
 * `maxRobotsTxtWaitSecs`, failed, and one taken from the queue before its host's `Crawl-delay` was
 * known goes back to be spaced.
 */
import type { Configuration } from '../configuration.js';
import type { SkippedRequestReason } from '../enqueue-links/enqueue-links.js';
import { NonRetryableError } from '../errors.js';
import type { Log } from '../log.js';
import type { RobotsTxtPolicy } from '../politeness/robots-txt-policy.js';
import { RequestState, type Request } from '../request.js';
import type { Statistics } from '../statistics/statistics.js';
import { commitHandled } from './commit.js';
import type { RequestSource } from './request-source.js';

/** What {@link passesRobotsTxt} needs from the crawler. */
export interface RobotsGateDeps {
  policy: RobotsTxtPolicy;
  log: Log;
  stats: Statistics;
  config: Configuration;
  onSkipped: (url: string, reason: SkippedRequestReason) => Promise<void>;
}

/**
 * Whether `request` may start now; when not, it has been skipped or handed back to `source`.
 * @throws NonRetryableError (`TRAWL_ROBOTS_UNREACHABLE`) once its robots.txt has been unreachable
 *   for `maxRobotsTxtWaitSecs`
 */
export async function passesRobotsTxt(
  deps: RobotsGateDeps,
  request: Request,
  source: RequestSource,
): Promise<boolean> {
  const verdict = await deps.policy.check(request.url);
  const knownAt = verdict.kind === 'allowed' ? verdict.crawlDelayKnownAt : undefined;
  if (knownAt !== undefined && source.startedAt(request) < knownAt) {
    source.reclaimLater(request, 0);
    return false;
  }
  if (verdict.kind === 'allowed') {
    return true;
  }
  if (verdict.kind === 'wait') {
    deps.log.debug('Request waits for its robots.txt', { url: request.url, ...verdict });
    source.reclaimLater(request, verdict.millis);
    return false;
  }
  request.noRetry = true;
  if (verdict.kind === 'unreachable') {
    deps.stats.startJob(request.id!);
    throw new NonRetryableError(
      `robots.txt of ${new URL(request.url).origin} could not be fetched for ` +
        `${Math.round(verdict.waitedSecs)} s (${verdict.reason}); RFC 9309 forbids crawling ` +
        'the origin meanwhile. Raise maxRobotsTxtWaitSecs to wait longer',
      { code: 'TRAWL_ROBOTS_UNREACHABLE' },
    );
  }
  request.state = RequestState.SKIPPED;
  await commitHandled(deps.config, source, request, new Map());
  await deps.onSkipped(request.url, 'robotsTxt');
  return false;
}
