import type { Awaitable } from '../utils/types.js';
import { TaskTimeoutError } from './errors.js';

/** setTimeout takes at most a signed 32-bit number of milliseconds. */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1;

/**
 * Runs one task, rejecting with {@link TaskTimeoutError} once it has run `timeoutSecs`. The task
 * itself is not stopped: the pool just stops counting it.
 *
 * @param task - The task; a synchronous throw becomes a rejection.
 * @param timeoutSecs - Limit in seconds; 0 means none.
 */
export async function runWithTaskTimeout(
  task: () => Awaitable<unknown>,
  timeoutSecs: number,
): Promise<void> {
  const running = Promise.resolve().then(task);
  if (timeoutSecs === 0) {
    await running;
    return;
  }

  // The task may settle after its timeout; its late rejection must not go unhandled.
  running.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    const fail = () => reject(new TaskTimeoutError(timeoutSecs));
    timer = setTimeout(fail, Math.min(timeoutSecs * 1000, MAX_TIMER_MILLIS));
  });

  try {
    await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
