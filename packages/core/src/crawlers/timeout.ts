import { RequestHandlerTimeoutError } from './errors.js';

/**
 * Runs `task` and rejects with {@link RequestHandlerTimeoutError} after `timeoutMillis`,
 * aborting `controller` (when given) so the handler can stop its I/O. The crawler moves on at
 * once even when the handler ignores the signal; what it pushes after that is refused.
 */
export async function runWithTimeout(
  task: () => Promise<void>,
  timeoutMillis: number,
  controller: AbortController | undefined,
  url: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => {
        const error = new RequestHandlerTimeoutError(url, timeoutMillis / 1000);
        controller?.abort(error);
        reject(error);
      },
      Math.min(timeoutMillis, 2 ** 31 - 1),
    );
  });
  const running = task();
  // The handler may keep running after a timeout; its late rejection must not go unhandled.
  running.catch(() => undefined);
  try {
    await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
