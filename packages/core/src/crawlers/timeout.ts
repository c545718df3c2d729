import { RequestHandlerTimeoutError } from './errors.js';

/**
 * Runs `task` and rejects with {@link RequestHandlerTimeoutError} after `timeoutMillis`,
 * aborting `controller` (when given) so the handler can stop its I/O. The crawler moves on at
 * once even when the handler ignores the signal; what it pushes after that is refused.
 */
export function runWithTimeout(
  task: () => Promise<void>,
  timeoutMillis: number,
  controller: AbortController | undefined,
  url: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        const error = new RequestHandlerTimeoutError(url, timeoutMillis / 1000);
        controller?.abort(error);
        reject(error);
      },
      Math.min(timeoutMillis, 2 ** 31 - 1),
    );
    // After a timeout the handler may still settle; settling this promise again does nothing, so
    // a late rejection is neither reported nor left unhandled.
    let running: Promise<void>;
    try {
      running = task();
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    running.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
