/** Reads the fixtures of this folder, with `{{origin}}` replaced by a test server's origin. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { TestServer } from '../../../test/helpers/test-server.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The text of fixture `name`, pointing at `origin`. */
export function fixture(name: string, origin: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8').replaceAll('{{origin}}', origin);
}

/** The origin (`http://127.0.0.1:port`) of a test server. */
export function originOf(server: TestServer): string {
  return server.url('').replace(/\/$/, '');
}

/** Serves `body` at `path` with status 200 and `contentType`. */
export function serve(
  server: TestServer,
  path: string,
  body: string | Buffer,
  contentType = 'application/xml',
): void {
  server.route(path, (_req, res) => {
    res.writeHead(200, { 'content-type': contentType }).end(body);
  });
}

/** Serves fixture `name` at `path`, gzipped when `isGzipped`. */
export function serveFixture(
  server: TestServer,
  path: string,
  name: string,
  options: { contentType?: string; isGzipped?: boolean } = {},
): void {
  const text = fixture(name, originOf(server));
  serve(server, path, options.isGzipped === true ? gzipSync(text) : text, options.contentType);
}

/** A urlset of `count` URLs under `origin`, one `<url>` per line. */
export function urlset(origin: string, count: number, from = 0): string {
  const entries = Array.from(
    { length: count },
    (_, i) => `<url><loc>${origin}/page/${from + i}</loc></url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset>\n${entries.join('\n')}\n</urlset>\n`;
}

/** Every value of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) {
    values.push(value);
  }
  return values;
}
