import type { BasicCrawler } from './basic-crawler.js';
import type { RequestSource } from './request-source.js';

const PAUSE_TIMEOUT_SECS = 20;

/**
 * First Ctrl+C: stop taking requests, let running ones finish (up to 20 s), save state, release
 * every lease so a resumed run starts at once, and print how to resume. Second Ctrl+C: exit.
 * Returns a function that removes the handler.
 */
export function installSigintHandler(
  crawler: BasicCrawler<any>,
  source: RequestSource,
): () => void {
  const onSecond = () => {
    crawler.log.warning('Exiting at once; requests in flight will be served again on resume.');
    process.exit(130);
  };
  const onFirst = () => {
    process.once('SIGINT', onSecond);
    crawler.log.info(
      'Pausing... Press CTRL+C again to force exit. ' +
        'To resume, run again with CRAWLEE_PURGE_ON_START=0.',
    );
    void pauseAndRelease(crawler, source);
  };
  process.once('SIGINT', onFirst);
  return () => {
    process.off('SIGINT', onFirst);
    process.off('SIGINT', onSecond);
  };
}

async function pauseAndRelease(crawler: BasicCrawler<any>, source: RequestSource): Promise<void> {
  const pool = crawler.autoscaledPool;
  await pool?.pause(PAUSE_TIMEOUT_SECS);
  await source.releaseAll();
  await crawler.stats.persistState();
  crawler.config.getEventManager().emit('persistState', { isMigrating: false });
  await crawler.config.getEventManager().waitForAllListenersToComplete();
  const queue = crawler.requestQueue;
  const pending = queue ? (await queue.getInfo())?.pendingRequestCount : undefined;
  crawler.log.info('Paused: state saved and leases released.', { pendingRequests: pending });
  crawler.stop('The crawler was paused by Ctrl+C.');
  // The pool is paused and its tasks are done (or past the pause timeout, in which case their
  // commits fail harmlessly and the requests run again on resume): end run() now.
  await pool?.abort();
}
