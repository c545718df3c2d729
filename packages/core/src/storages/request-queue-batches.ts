/**
 * The batching behind {@link RequestQueue.addRequestsBatched}: the first batch is added before
 * returning, the rest in the background, within an optional budget of new requests.
 */

import { setTimeout as sleep } from 'node:timers/promises';

import { ConfigurationError } from '../errors.js';
import type { RequestsLike, Source } from '../request.js';
import { type ChunkReader, chunkReader } from './request-queue-sources.js';
import type { AddRequestsBatchedOptions, AddRequestsBatchedResult } from './request-queue-types.js';
import type { ProcessedRequest } from './storage-client.js';

const BATCH_SIZE = 1_000;

type Chunk = (Source | string)[];

/** How {@link addInBatches} writes a chunk and reports its background work. */
export interface BatchTarget {
  /** Validates and adds one chunk (one transaction). */
  add(chunk: Chunk): Promise<ProcessedRequest[]>;
  /** Called with the background batches' promise, when there is one. */
  track(background: Promise<ProcessedRequest[]>): void;
}

/**
 * Adds `requests` in chunks of `batchSize`: the first before resolving, the others in the
 * background, unless the options ask to wait. With `maxNewRequests`, chunks shrink to the budget
 * left, every chunk is awaited, and the input beyond the budget is returned as
 * `requestsOverLimit`.
 *
 * @throws ConfigurationError for a batch size, pause or budget that is not a valid integer.
 */
export async function addInBatches(
  requests: RequestsLike,
  options: AddRequestsBatchedOptions,
  target: BatchTarget,
): Promise<AddRequestsBatchedResult> {
  const { batchSize = BATCH_SIZE, waitBetweenBatchesMillis = 0, maxNewRequests } = options;
  assertCount('batchSize', batchSize, 1);
  assertCount('waitBetweenBatchesMillis', waitBetweenBatchesMillis, 0);
  if (maxNewRequests !== undefined) {
    assertCount('maxNewRequests', maxNewRequests, 0);
  }

  const reader = chunkReader<Source | string>(requests);
  let budget = maxNewRequests ?? Infinity;
  const next = () => reader.read(Math.min(batchSize, budget));
  const add = async (chunk: Chunk) => {
    const results = await target.add(chunk);
    budget -= results.filter((result) => !result.wasAlreadyPresent).length;
    return results;
  };

  const addedRequests = await add(await next());
  let rest: Promise<ProcessedRequest[]> = Promise.resolve([]);
  if (!reader.exhausted && budget > 0) {
    rest = addRest(next, add, waitBetweenBatchesMillis);
    target.track(rest);
  }
  if (options.waitForAllRequestsToBeAdded || maxNewRequests !== undefined) {
    addedRequests.push(...(await rest));
  }
  const requestsOverLimit = maxNewRequests === undefined ? [] : await overLimit(reader);
  return { addedRequests, waitForAllRequestsToBeAdded: rest, requestsOverLimit };
}

async function addRest(
  next: () => Promise<Chunk>,
  add: (chunk: Chunk) => Promise<ProcessedRequest[]>,
  pauseMillis: number,
): Promise<ProcessedRequest[]> {
  const results: ProcessedRequest[] = [];
  for (let chunk = await next(); chunk.length > 0; chunk = await next()) {
    if (pauseMillis > 0) {
      await sleep(pauseMillis);
    }
    results.push(...(await add(chunk)));
  }
  return results;
}

async function overLimit(reader: ChunkReader<Source | string>): Promise<Source[]> {
  const rest = await reader.read(Infinity);
  return rest.map((source) => (typeof source === 'string' ? { url: source } : source));
}

function assertCount(option: string, value: unknown, min: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new ConfigurationError(
      `addRequestsBatched option ${option} must be an integer of at least ${min}, ` +
        `got ${String(value)}`,
      { option },
    );
  }
}
