/**
 * A stand-in for a request queue that records what `enqueueLinks()` hands it: the requests and
 * the options of each `addRequestsBatched` call. Like the real queue, it skips unique keys it
 * already holds and honours `maxNewRequests`, returning the rest as `requestsOverLimit`.
 */

import { toRequest, type Request, type Source } from '../../src/request.js';
import type { RequestQueue } from '../../src/storages/request-queue.js';
import type {
  AddRequestsBatchedOptions,
  AddRequestsBatchedResult,
} from '../../src/storages/request-queue-types.js';
import type { ProcessedRequest } from '../../src/storages/storage-client.js';

/** One recorded `addRequestsBatched` call. */
export interface RecordedCall {
  requests: Request[];
  options: AddRequestsBatchedOptions;
}

/** The fake queue and what it recorded. */
export interface FakeQueue {
  queue: Pick<RequestQueue, 'addRequestsBatched'>;
  calls: RecordedCall[];
  /** Requests added (new to the queue), in order. */
  added: Request[];
  /** Unique keys the queue holds; seed it to simulate earlier requests. */
  held: Set<string>;
}

/** Creates an empty fake queue. */
export function createFakeQueue(): FakeQueue {
  const fake: FakeQueue = { queue: { addRequestsBatched }, calls: [], added: [], held: new Set() };

  async function addRequestsBatched(
    requests: Parameters<RequestQueue['addRequestsBatched']>[0],
    options: AddRequestsBatchedOptions = {},
  ): Promise<AddRequestsBatchedResult> {
    const received: Request[] = [];
    for await (const source of requests) {
      received.push(toRequest(source));
    }
    fake.calls.push({ requests: received, options });

    let budget = options.maxNewRequests ?? Infinity;
    const addedRequests: ProcessedRequest[] = [];
    const requestsOverLimit: Source[] = [];
    for (const request of received) {
      if (budget <= 0) {
        requestsOverLimit.push(request);
        continue;
      }
      addedRequests.push(add(request));
      budget -= addedRequests.at(-1)?.wasAlreadyPresent ? 0 : 1;
    }

    const waitForAllRequestsToBeAdded = Promise.resolve([]);
    return { addedRequests, waitForAllRequestsToBeAdded, requestsOverLimit };
  }

  function add(request: Request): ProcessedRequest {
    const wasAlreadyPresent = fake.held.has(request.uniqueKey);
    if (!wasAlreadyPresent) {
      fake.held.add(request.uniqueKey);
      fake.added.push(request);
    }
    const { uniqueKey } = request;
    return { requestId: uniqueKey, uniqueKey, wasAlreadyPresent, wasAlreadyHandled: false };
  }

  return fake;
}

/** The URLs of `requests`, for compact assertions. */
export function urlsOf(requests: readonly { url: string }[]): string[] {
  return requests.map((request) => request.url);
}
