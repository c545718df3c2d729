/**
 * A local HTTP server for tests: listens on 127.0.0.1 (or another loopback address), port 0, and
 * answers from routes the test sets. Tests await the requests it records instead of sleeping.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route handler; it may write the response itself. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A request the server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

/** A running test server. */
export interface TestServer {
  /** Absolute URL of `path` on this server. */
  url(path?: string): string;
  /** Answers `path` (exact match, query included or not) with `handler`, or a fixed body. */
  route(path: string, handler: RouteHandler | string, contentType?: string): void;
  /** Forgets every route and seen request. */
  reset(): void;
  /** Every request seen so far, in arrival order. */
  readonly seen: SeenRequest[];
  /** Resolves with the first request to `path`, already seen or yet to come. */
  waitForRequest(path: string): Promise<SeenRequest>;
  close(): Promise<void>;
}

/** Starts a test server on `host` (127.0.0.1 by default), port 0. */
export async function startTestServer(host = '127.0.0.1'): Promise<TestServer> {
  const routes = new Map<string, RouteHandler>();
  const seen: SeenRequest[] = [];
  const waiters: { path: string; resolve: (request: SeenRequest) => void }[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: req.headers,
      at: Date.now(),
    };
    seen.push(request);
    waiters.filter((w) => w.path === request.path).forEach((w) => w.resolve(request));
    const handler = routes.get(url.pathname + url.search) ?? routes.get(url.pathname);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    void Promise.resolve(handler(req, res)).catch((error: Error) => {
      res.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = '/') => `http://${host}:${port}${path}`,
    route(path, handler, contentType = 'text/html; charset=utf-8') {
      const answer: RouteHandler =
        typeof handler === 'string'
          ? (_req, res) => void res.writeHead(200, { 'content-type': contentType }).end(handler)
          : handler;
      routes.set(path, answer);
    },
    reset() {
      routes.clear();
      seen.length = 0;
    },
    seen,
    waitForRequest(path) {
      const already = seen.find((request) => request.path === path);
      if (already) {
        return Promise.resolve(already);
      }
      return new Promise((resolve) => waiters.push({ path, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
