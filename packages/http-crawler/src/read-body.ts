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
export function readBody(
  stream: Readable,
  options: { url: string; maxResponseBytes: number; contentLength?: string },
): Promise<Buffer> {
  const { url, maxResponseBytes } = options;
  const declared = Number(options.contentLength);
  if (Number.isFinite(declared) && declared > maxResponseBytes) {
    stream.destroy();
    return Promise.reject(new ResponseTooLargeError(url, maxResponseBytes));
  }

  if (stream.destroyed) {
    return Promise.reject(stream.errored ?? closedEarly(url));
  }
  // Events rather than an async iterator: a page is one or two chunks, and the iterator's
  // promise per chunk costs more than reading them.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxResponseBytes) {
        finish();
        stream.destroy();
        reject(new ResponseTooLargeError(url, maxResponseBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      finish();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      finish();
      reject(error);
    };
    // A stream destroyed without an error (by the caller) ends the read as a failure too.
    const onClose = () => {
      finish();
      reject(closedEarly(url));
    };
    const finish = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}

function closedEarly(url: string): Error {
  return new Error(`The body of ${url} was closed before it ended`);
}
