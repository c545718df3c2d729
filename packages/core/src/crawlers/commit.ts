import type { Configuration } from '../configuration.js';
import type { Request } from '../request.js';
import { Dataset } from '../storages/dataset.js';
import type { Dictionary } from '../utils/types.js';
import type { RequestSource } from './request-source.js';

/**
 * Writes the items a handler pushed and marks its request handled.
 * Limitation: the items are written before the handled mark, not in one transaction with it, so
 * a crash between the two writes repeats the request and duplicates its items.
 */
export async function commitHandled(
  config: Configuration,
  source: RequestSource,
  request: Request,
  items: Map<string | undefined, Dictionary[]>,
): Promise<void> {
  for (const [datasetName, list] of items) {
    if (list.length > 0) {
      await (await Dataset.open(datasetName ?? null, { config })).pushData(list);
    }
  }
  await source.markHandled(request);
}
