/**
 * Fetches a sitemap and turns its body into text, a chunk at a time: gzip is recognised by its
 * magic bytes (1f 8b) whatever the file name or content type, decompressed as a stream, and the
 * bytes are counted after every decompression so a gzip bomb stops at the limit.
 */
import type { IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type ZlibOptions } from 'node:zlib';

import { gotScraping } from 'got-scraping';

import type { NetworkTimeouts } from './parse-sitemap-options.js';
import { SitemapFailure } from './sitemap-failure.js';

/** How to fetch one sitemap. */
export interface FetchSettings {
  proxyUrl?: string;
  timeouts: NetworkTimeouts;
  signal?: AbortSignal;
  /** Most bytes of content after decompression. */
  maxBytes: number;
}

const CHUNK_BYTES = 64 * 1024;
const READ_AHEAD_BYTES = 1024 * 1024;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openBody(url: string, settings: FetchSettings): Promise<Readable> {
  const stream = gotScraping.stream({
    url,
    proxyUrl: settings.proxyUrl,
    method: 'GET',
    headers: { accept: '*/*' },
    timeout: settings.timeouts,
    retry: { limit: 0 },
    throwHttpErrors: false,
    signal: settings.signal,
  }) as unknown as Readable;
  let response: IncomingMessage;
  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', reject);
    });
  } catch (error) {
    stream.destroy();
    throw new SitemapFailure('fetch', describe(error), undefined, error);
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    stream.destroy();
    throw new SitemapFailure('fetch', `status ${status}`, status);
  }
  return stream;
}

/** The first two bytes (or fewer, for a shorter body) and an iterable of the whole body. */
async function peek(body: Readable): Promise<[Buffer, AsyncIterable<Buffer>]> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let isDone = false;
  while (head.length < 2 && !isDone) {
    const next = await iterator.next();
    isDone = next.done === true;
    head = isDone ? head : Buffer.concat([head, next.value]);
  }
  const whole = async function* (): AsyncGenerator<Buffer> {
    if (head.length > 0) {
      yield head;
    }
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      yield next.value;
    }
  };
  return [head, whole()];
}

function failureOf(error: unknown): SitemapFailure {
  if (error instanceof SitemapFailure) {
    return error;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new SitemapFailure('parse', `is not valid gzip (${describe(error)})`, undefined, error);
  }
  return new SitemapFailure('fetch', describe(error), undefined, error);
}

/** The bytes of `body`, gunzipped when they start with the gzip magic, at most `maxBytes`. */
async function* contentBytes(body: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let total = 0;
  try {
    const [head, whole] = await peek(body);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      // A deep output buffer lets zlib (on the thread pool) run ahead of the parser.
      // zlib's options go on to its stream, but its typings omit `highWaterMark`.
      const options = { chunkSize: CHUNK_BYTES, highWaterMark: READ_AHEAD_BYTES };
      gunzip = createGunzip(options as ZlibOptions);
    }
    const source = gunzip === undefined ? whole : pipeline(Readable.from(whole), gunzip, () => {});
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        yield chunk.subarray(0, chunk.length - (total - maxBytes));
        throw new SitemapFailure('too-large', `is larger than ${maxBytes} bytes`);
      }
      yield chunk;
    }
  } catch (error) {
    throw failureOf(error);
  } finally {
    gunzip?.destroy();
  }
}

/** Decodes `bytes` as UTF-8 (the protocol's encoding), a chunk at a time. */
export async function* decodeUtf8(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  // Limitation: the encoding an XML declaration names is not honoured, so a sitemap written in
  // another encoding than UTF-8 reads its non-ASCII characters wrong.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of bytes) {
    yield decoder.write(chunk);
  }
  yield decoder.end();
}

/**
 * Fetches `url` and yields its content as text. Stopping the iteration closes the connection.
 * @throws SitemapFailure `fetch` for a non-2xx status or a network error, `parse` for broken
 *   gzip, `too-large` past `maxBytes`.
 */
export async function* fetchSitemapText(
  url: string,
  settings: FetchSettings,
): AsyncGenerator<string> {
  const body = await openBody(url, settings);
  try {
    yield* decodeUtf8(contentBytes(body, settings.maxBytes));
  } finally {
    body.destroy();
  }
}
