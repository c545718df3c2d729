/**
 * Turning what users pass to a request queue (URLs, request options, requests) into the stored
 * form, and reading it back in chunks.
 */

import { InputError } from '../errors.js';
import { getRequestId, Request, type RequestsLike, type Source, toRequest } from '../request.js';
import type { QueuedRequest } from './storage-client.js';

/**
 * Validates a source and returns it in the form a {@link RequestQueueClient} stores. A
 * {@link Request} passed in gets its `id` set, as Crawlee does.
 *
 * @throws InputError when a source carries an `id` (ids are derived from the unique key).
 * @throws The errors of the {@link Request} constructor for an invalid URL or option.
 */
export function toQueuedRequest(source: Source | string): QueuedRequest {
  const request = toRequest(rejectGivenId(source));
  const id = getRequestId(request.uniqueKey);
  if (request.id !== undefined && request.id !== id) {
    throw new InputError(
      `Request ${request.url} has id "${request.id}", which does not match its unique key ` +
        `"${request.uniqueKey}"; leave the id unset, the queue derives it`,
    );
  }

  request.id = id;
  return queuedFrom(request);
}

/** The stored form of a request the queue already knows (its id set or derivable). */
export function queuedFrom(request: Request): QueuedRequest {
  const id = request.id ?? getRequestId(request.uniqueKey);
  const json = JSON.stringify(request.id === undefined ? { ...request.toJSON(), id } : request);
  return { id, uniqueKey: request.uniqueKey, url: request.url, json };
}

/** `source`, unless it is a plain source that carries an `id`. @throws InputError then */
export function rejectGivenId(source: Source | string): Source | string {
  if (typeof source !== 'object' || source === null || source instanceof Request) {
    return source;
  }
  if (source.id !== undefined) {
    throw new InputError(
      `Request source for ${String(source.url)} has an "id" (${String(source.id)}); remove it, ` +
        'the queue derives ids from the unique key',
    );
  }
  return source;
}

/** Reads a list of requests in chunks; see {@link chunkReader}. */
export interface ChunkReader<T> {
  /** The next `size` items or fewer; an empty array once the input is exhausted. */
  read(size: number): Promise<T[]>;
  /** Whether the input is known to have no more items. */
  readonly exhausted: boolean;
}

/**
 * Reads a list or (async) iterable in chunks. An array is known to be exhausted as soon as its
 * last item is read; an iterator only once it reports that it is done.
 */
export function chunkReader<T>(items: Iterable<T> | AsyncIterable<T>): ChunkReader<T> {
  if (Array.isArray(items)) {
    let index = 0;
    return {
      read: async (size) => {
        const chunk = items.slice(index, index + size);
        index += chunk.length;
        return chunk;
      },
      get exhausted() {
        return index >= items.length;
      },
    };
  }

  const iterator =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  let exhausted = false;
  return {
    read: async (size) => {
      const chunk: T[] = [];
      while (chunk.length < size && !exhausted) {
        const next = await iterator.next();
        exhausted = next.done === true;
        if (!exhausted) {
          chunk.push(next.value);
        }
      }
      return chunk;
    },
    get exhausted() {
      return exhausted;
    },
  };
}

/**
 * Checks that a list of requests is an iterable or async iterable.
 * @throws InputError naming what was passed instead.
 */
export function assertRequestsLike(value: unknown, method: string): asserts value is RequestsLike {
  const isIterable =
    typeof value === 'object' &&
    value !== null &&
    (Symbol.iterator in value || Symbol.asyncIterator in value);
  if (!isIterable) {
    throw new InputError(
      `RequestQueue.${method}() takes an array or iterable of URLs and request options, ` +
        `got ${value === null ? 'null' : typeof value}`,
    );
  }
}
