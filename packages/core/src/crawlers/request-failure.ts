/**
 * What happens when a handler call fails: DESIGN.md's table. Throttling puts the request back
 * without a retry, session errors rotate the session, other errors retry with back-off until
 * the retries run out; then the failed-request handler runs and the failure is recorded.
 */
import type { Configuration } from '../configuration.js';
import { CriticalError, NonRetryableError, RetryRequestError, SessionError } from '../errors.js';
import type { Log } from '../log.js';
import { retryDelayMillis } from '../politeness/backoff.js';
import type { HostScheduler } from '../politeness/host-scheduler.js';
import type { Request } from '../request.js';
import type { Session } from '../session-pool/session.js';
import { errorMessageFor } from '../statistics/error-tracker.js';
import type { Statistics } from '../statistics/statistics.js';
import { commitHandled } from './commit.js';
import { ItemBuffer, type CrawlingContext } from './crawling-context.js';
import { RequestHandlerTimeoutError, ThrottledError } from './errors.js';
import { hostOf, type RequestSource } from './request-source.js';

/** One request's run: its session, the items of the current attempt, its context. */
export class RequestRunState {
  buffer = new ItemBuffer();
  context?: CrawlingContext;

  constructor(
    readonly request: Request,
    public session: Session | undefined,
  ) {}
}

type FailureHandler = (context: CrawlingContext, error: Error) => unknown;

/** What {@link handleRequestFailure} needs from the crawler. */
export interface FailureDeps {
  crawler: unknown;
  log: Log;
  config: Configuration;
  source: RequestSource;
  stats: Statistics;
  scheduler: HostScheduler;
  maxRequestRetries: number;
  maxSessionRotations: number;
  maxThrottleWaitSecs: number;
  retryDelaySecs: number;
  errorHandler?: FailureHandler;
  failedRequestHandler?: FailureHandler;
  createFailureContext: (state: RequestRunState) => CrawlingContext;
  /** Time each throttled request has waited so far, in ms, by unique key. */
  throttleWaits: Map<string, number>;
}

/** Decides retry, rotation, throttling or failure for an error thrown while handling a request. */
export async function handleRequestFailure(
  deps: FailureDeps,
  state: RequestRunState,
  error: Error,
): Promise<void> {
  state.buffer.close();
  const { request } = state;
  if (error instanceof CriticalError) {
    deps.source.finish(request);
    throw error;
  }
  if (error instanceof ThrottledError && retryThrottled(deps, state, error)) {
    return;
  }
  request.pushErrorMessage(error, { omitStack: !(error instanceof TypeError) });
  if (canRetry(deps, request, error)) {
    await retry(deps, state, error);
    return;
  }
  await fail(deps, state, error);
}

/** Slows the host down; returns false when the request has waited too long and must fail. */
function retryThrottled(deps: FailureDeps, state: RequestRunState, error: ThrottledError): boolean {
  const { request } = state;
  const outcome = deps.scheduler.onThrottled(hostOf(request), {
    statusCode: error.statusCode,
    retryAfterSecs: error.retryAfterSecs,
    waitedMillis: deps.throttleWaits.get(request.uniqueKey) ?? 0,
  });
  if (outcome.isWaitExhausted) {
    deps.throttleWaits.delete(request.uniqueKey);
    request.noRetry = true;
    return false;
  }
  deps.throttleWaits.set(request.uniqueKey, outcome.totalWaitMillis);
  if (error.statusCode === 429) {
    state.session?.retire();
  }
  deps.stats.registerRetry('throttled');
  deps.log.debug('Host throttled the request; it goes back to the queue', {
    url: request.url,
    statusCode: error.statusCode,
  });
  deps.source.reclaimLater(request, 0);
  return true;
}

function canRetry(deps: FailureDeps, request: Request, error: Error): boolean {
  if (request.noRetry || error instanceof NonRetryableError) {
    return false;
  }
  if (error instanceof SessionError) {
    return request.sessionRotationCount < deps.maxSessionRotations;
  }
  if (error instanceof RetryRequestError) {
    return true;
  }
  return request.retryCount < (request.maxRetries ?? deps.maxRequestRetries);
}

async function retry(deps: FailureDeps, state: RequestRunState, error: Error): Promise<void> {
  const { request } = state;
  const isSessionError = error instanceof SessionError;
  if (isSessionError) {
    state.session?.retire();
    request.sessionRotationCount += 1;
  } else {
    request.retryCount += 1;
    state.session?.markBad();
  }
  deps.stats.errorTrackerRetry.add(error);
  deps.stats.registerRetry(retryReason(error));
  await deps.errorHandler?.(state.context ?? deps.createFailureContext(state), error);

  deps.log.warning(
    `Reclaiming failed request back to the list or queue. ${errorMessageFor(error)}`,
    {
      id: request.id,
      url: request.url,
      retryCount: request.retryCount,
    },
  );
  const delay = isSessionError
    ? 0
    : retryDelayMillis(request.retryCount, {
        baseMillis: deps.retryDelaySecs * 1000,
      });
  deps.source.reclaimLater(request, delay);
}

async function fail(deps: FailureDeps, state: RequestRunState, error: Error): Promise<void> {
  const { request } = state;
  state.session?.markBad();
  deps.stats.errorTracker.add(error);
  deps.log.error(`Request failed and reached maximum retries. ${errorMessageFor(error)}`, {
    id: request.id,
    url: request.url,
    method: request.method,
    uniqueKey: request.uniqueKey,
    retryCount: request.retryCount,
  });

  // Items the failed-request handler pushes are committed with the failure (DESIGN.md).
  const failureState = new RequestRunState(request, state.session);
  const context = deps.createFailureContext(failureState);
  try {
    await deps.failedRequestHandler?.(context, error);
  } catch (handlerError) {
    deps.log.exception(handlerError as Error, 'failedRequestHandler threw', { url: request.url });
  }
  await commitHandled(deps.config, deps.source, request, failureState.buffer.close());
  deps.stats.failJob(request.id!, request.retryCount);
}

function retryReason(error: Error): string {
  if (error instanceof RequestHandlerTimeoutError) {
    return 'timeout';
  }
  if (error instanceof SessionError) {
    return 'session';
  }
  return error.name;
}
