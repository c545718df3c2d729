/** Errors of the autoscaled pool; each makes `AutoscaledPool.run()` reject. */

import { TrawlError } from '../errors.js';

/** A task ran longer than the pool's `taskTimeoutSecs`; `run()` rejects with this error. */
export class TaskTimeoutError extends TrawlError {
  /** The limit that was exceeded, in seconds. */
  readonly timeoutSecs: number;

  constructor(timeoutSecs: number) {
    super('TRAWL_TASK_TIMEOUT', `Task timed out after ${timeoutSecs} seconds (taskTimeoutSecs)`);
    this.timeoutSecs = timeoutSecs;
  }
}

/** `run()` was called while the same pool was still running; await the first run instead. */
export class PoolAlreadyRunningError extends TrawlError {
  constructor() {
    super(
      'TRAWL_POOL_ALREADY_RUNNING',
      'The autoscaled pool is already running; await its run() before calling run() again',
    );
  }
}
