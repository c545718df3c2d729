/**
 * Committing a handled request with the items its handler pushed. Where the queue has an outbox
 * and the dataset can reserve indexes (the SQLite queue with filesystem datasets), the items are
 * stored in the same transaction as the handled mark, then written to the dataset with their
 * first index recorded beforehand: a crash at any point neither loses nor repeats an item, and
 * the next run writes what is missing ({@link flushOutbox}).
 */
import type { Configuration } from '../configuration.js';
import type { Request } from '../request.js';
import { log } from '../log.js';
import { Dataset } from '../storages/dataset.js';
import type { RequestQueue } from '../storages/request-queue.js';
import type { OutboxEntry, OutboxRow, RequestQueueOutbox } from '../storages/storage-client.js';
import type { Dictionary } from '../utils/types.js';
import type { RequestSource } from './request-source.js';

/** Writes the items a handler pushed and marks its request handled, as one commit. */
export async function commitHandled(
  config: Configuration,
  source: RequestSource,
  request: Request,
  items: Map<string | undefined, Dictionary[]>,
): Promise<void> {
  const entries: OutboxEntry[] = [...items]
    .filter(([, list]) => list.length > 0)
    .map(([name, list]) => ({ dataset: name ?? defaultDataset(config), items: list }));
  const datasets = await Promise.all(entries.map((entry) => openDataset(config, entry.dataset)));
  const outbox = source.queue.client.outbox;
  if (!outbox || !datasets.every((dataset) => dataset.client.pushItemsReserving)) {
    for (const [i, dataset] of datasets.entries()) {
      await dataset.pushData(entries[i]!.items);
    }
    await source.markHandled(request);
    return;
  }

  if (entries.length === 1) {
    await commitToOneDataset(outbox, source, request, entries[0]!, datasets[0]!);
    return;
  }
  const ids = await source.queue.markRequestHandledWithItems(request, entries);
  source.finish(request);
  for (const [i, id] of ids.entries()) {
    await writeRow(outbox, datasets[i]!, { id, ...entries[i]! });
  }
}

// The common case takes one transaction: the dataset reserves its indexes first, and the handled
// mark stores the items with their first index, so nothing is left to record before the write.
// The request is done once that commit is: its item files are written in the background (the
// source tracks them until the crawl ends), since a crash before they are written loses nothing,
// the next run writes them from the outbox.
async function commitToOneDataset(
  outbox: RequestQueueOutbox,
  source: RequestSource,
  request: Request,
  entry: OutboxEntry,
  dataset: Dataset,
): Promise<void> {
  let id: number | undefined;
  let committed!: () => void;
  let failed!: (error: unknown) => void;
  const isCommitted = new Promise<void>((resolve, reject) => {
    committed = resolve;
    failed = reject;
  });
  const writing = dataset.client.pushItemsReserving!(entry.items, async (startIndex) => {
    try {
      [id] = await source.queue.markRequestHandledWithItems(request, [{ ...entry, startIndex }]);
    } catch (error) {
      failed(error);
      throw error;
    }
    source.finish(request);
    committed();
  });
  source.trackWrite(
    writing
      .then(() => outbox.complete(id!))
      .catch((error: unknown) => {
        // Before the commit, the request fails with the error (below); after it, what is left
        // to do waits in the outbox for the next run.
        failed(error);
        if (id !== undefined) {
          log.warning('Items were committed but not all written; the next run writes the rest', {
            url: request.url,
            dataset: entry.dataset,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }),
  );
  await isCommitted;
}

/** Writes outbox rows a previous run left behind (it crashed between commit and write). */
export async function flushOutbox(config: Configuration, queue: RequestQueue): Promise<number> {
  const outbox = queue.client.outbox;
  const rows = outbox ? await outbox.list() : [];
  // Reserved ranges first: an unreserved row takes the next free index, which must not fall
  // inside a range a reserved row still has to fill.
  rows.sort((a, b) => (a.startIndex ?? Infinity) - (b.startIndex ?? Infinity) || a.id - b.id);
  for (const row of rows) {
    await writeRow(outbox!, await openDataset(config, row.dataset), row);
  }
  await outbox?.flush();
  return rows.length;
}

async function writeRow(
  outbox: RequestQueueOutbox,
  dataset: Dataset,
  row: OutboxRow,
): Promise<void> {
  const client = dataset.client;
  if (row.startIndex === undefined) {
    await client.pushItemsReserving!(row.items, (start) => outbox.reserve(row.id, start));
  } else {
    await client.completeItems!(row.startIndex, row.items);
  }
  await outbox.complete(row.id);
}

function defaultDataset(config: Configuration): string {
  return config.get('defaultDatasetId') ?? 'default';
}

function openDataset(config: Configuration, name: string): Promise<Dataset> {
  return Dataset.open(name, { config });
}
