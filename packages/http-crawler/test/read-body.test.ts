import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { ResponseTooLargeError } from '../src/errors.js';
import { readBody } from '../src/read-body.js';

const URL = 'http://127.0.0.1/page';

describe('readBody', () => {
  it('joins the chunks of a body in order', async () => {
    const stream = new PassThrough();
    const read = readBody(stream, { url: URL, maxResponseBytes: 100 });
    stream.write('<html>');
    stream.write('<title>t</title>');
    stream.end('</html>');

    expect((await read).toString()).toBe('<html><title>t</title></html>');
  });

  it('destroys the stream once the bytes pass the limit', async () => {
    const stream = new PassThrough();
    const read = readBody(stream, { url: URL, maxResponseBytes: 10 });
    stream.write('0123456789');
    stream.write('x');

    await expect(read).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(stream.destroyed).toBe(true);
  });

  it("fails with the stream's error, and when it is destroyed before its end", async () => {
    const failing = new PassThrough();
    const failed = readBody(failing, { url: URL, maxResponseBytes: 100 });
    const reason = new Error('connection reset');
    failing.destroy(reason);
    await expect(failed).rejects.toBe(reason);

    const closed = new PassThrough();
    const cut = readBody(closed, { url: URL, maxResponseBytes: 100 });
    closed.write('<html>');
    closed.destroy();
    await expect(cut).rejects.toThrow(`The body of ${URL} was closed before it ended`);

    await expect(readBody(closed, { url: URL, maxResponseBytes: 100 })).rejects.toThrow(
      'closed before it ended',
    );
  });
});
