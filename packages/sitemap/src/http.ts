/**
 * Small HTTP requests through got-scraping, for robots.txt files and sitemap probes: statuses
 * are returned, never thrown, and a body is read only up to a byte limit.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

import { gotScraping } from 'got-scraping';

/** How to send one request. */
export interface HttpSettings {
  proxyUrl?: string;
  signal?: AbortSignal;
  /** Whole request, in milliseconds; undefined for none. */
  timeoutMillis?: number;
  /** Redirects followed; got's default (10) when undefined. */
  maxRedirects?: number;
}

/** What came back: the final status, headers, and the body up to the limit. */
export interface HttpAnswer {
  statusCode: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Whether the body was longer than the limit and was cut. */
  isTruncated: boolean;
}

function open(url: string, method: 'GET' | 'HEAD', settings: HttpSettings): Readable {
  return gotScraping.stream({
    url,
    method,
    proxyUrl: settings.proxyUrl,
    headers: { accept: '*/*' },
    retry: { limit: 0 },
    throwHttpErrors: false,
    signal: settings.signal,
    ...(settings.timeoutMillis === undefined
      ? {}
      : { timeout: { request: settings.timeoutMillis } }),
    ...(settings.maxRedirects === undefined ? {} : { maxRedirects: settings.maxRedirects }),
  }) as unknown as Readable;
}

function responseOf(stream: Readable): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    stream.once('response', resolve);
    stream.once('error', reject);
  });
}

async function readUpTo(stream: Readable, maxBytes: number): Promise<[Buffer, boolean]> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length > maxBytes) {
      return [Buffer.concat(chunks).subarray(0, maxBytes), true];
    }
  }
  return [Buffer.concat(chunks), false];
}

/**
 * GETs `url` and reads a 2xx body up to `maxBytes` (after decompression); other statuses come
 * back with an empty body.
 * @throws got's error for a network failure, a timeout, too many redirects or an abort.
 */
export async function fetchLimited(
  url: string,
  maxBytes: number,
  settings: HttpSettings,
): Promise<HttpAnswer> {
  const stream = open(url, 'GET', settings);
  try {
    const response = await responseOf(stream);
    const statusCode = response.statusCode ?? 0;
    if (statusCode < 200 || statusCode >= 300) {
      return { statusCode, headers: response.headers, body: Buffer.alloc(0), isTruncated: false };
    }
    const [body, isTruncated] = await readUpTo(stream, maxBytes);
    return { statusCode, headers: response.headers, body, isTruncated };
  } finally {
    stream.destroy();
  }
}

async function headersOf(
  url: string,
  method: 'GET' | 'HEAD',
  settings: HttpSettings,
): Promise<HttpAnswer> {
  const stream = open(url, method, settings);
  try {
    const response = await responseOf(stream);
    const statusCode = response.statusCode ?? 0;
    return { statusCode, headers: response.headers, body: Buffer.alloc(0), isTruncated: false };
  } finally {
    stream.destroy();
  }
}

/**
 * Asks whether `url` exists without downloading it: HEAD, or a GET dropped after its headers
 * when the server refuses HEAD (405, 501).
 * @throws got's error for a network failure, a timeout or an abort.
 */
export async function probe(url: string, settings: HttpSettings): Promise<HttpAnswer> {
  const answer = await headersOf(url, 'HEAD', settings);
  const isHeadRefused = answer.statusCode === 405 || answer.statusCode === 501;
  return isHeadRefused ? headersOf(url, 'GET', settings) : answer;
}
