/** The user handler's own time limit inside the crawler's larger budget. */
import { RequestHandlerTimeoutError } from '@trawl/core';

/** Runs `task`, rejecting with RequestHandlerTimeoutError once `timeoutMillis` have passed. */
export async function withTimeout(
  task: () => Promise<void>,
  timeoutMillis: number,
  url: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new RequestHandlerTimeoutError(url, timeoutMillis / 1000)),
      Math.min(timeoutMillis, 2 ** 31 - 1),
    );
  });
  const running = task();
  // A handler that outlives its timeout must not leave an unhandled rejection behind.
  running.catch(() => undefined);
  try {
    await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
