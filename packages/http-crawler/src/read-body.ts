/** Reading a response body into memory, with a size limit that cuts the download off. */
import type { Readable } from 'node:stream';

import { ResponseTooLargeError } from './errors.js';

/**
 * Reads `stream` to its end. A declared `Content-Length` over the limit fails before any byte is
 * read; otherwise the stream is destroyed as soon as the decompressed bytes pass
 * `maxResponseBytes`, so a decompression bomb never fills memory.
 *
 * @throws ResponseTooLargeError when the body is larger than `maxResponseBytes`
 */
export async function readBody(
  stream: Readable,
  options: { url: string; maxResponseBytes: number; contentLength?: string },
): Promise<Buffer> {
  const { url, maxResponseBytes } = options;
  const declared = Number(options.contentLength);
  if (Number.isFinite(declared) && declared > maxResponseBytes) {
    stream.destroy();
    throw new ResponseTooLargeError(url, maxResponseBytes);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxResponseBytes) {
      // Leaving the loop destroys the stream, which ends the download.
      throw new ResponseTooLargeError(url, maxResponseBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
