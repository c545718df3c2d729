import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { startForwardProxy, type ForwardProxy } from '../../../test/helpers/forward-proxy.js';
import {
  GotScrapingHttpClient,
  HttpCrawler,
  Session,
  SessionError,
  UndiciHttpClient,
  type HttpRequest,
  type RedirectInfo,
} from '../src/index.js';
import { NavigationCookies } from '../src/navigation-cookies.js';
import { navigationError } from '../src/response-checks.js';
import { memoryConfig, quietLog, selfSignedCertificate } from './helpers.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Seen {
  method: string;
  path: string;
  rawHeaders: string[];
  body: string;
}

/** A plain HTTP server whose routes the tests set, keeping every request it saw. */
async function startServer() {
  const routes = new Map<string, Handler>();
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, path: req.url!, rawHeaders: req.rawHeaders, body });
      const handler = routes.get(req.url!);
      if (handler === undefined) {
        res.writeHead(404).end('not found');
      } else {
        handler(req, res, body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    routes,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const namesOf = (rawHeaders: string[]): string[] => rawHeaders.filter((_, i) => i % 2 === 0);

function valueOf(rawHeaders: string[], name: string): string | undefined {
  const index = namesOf(rawHeaders).findIndex((key) => key.toLowerCase() === name);
  return index === -1 ? undefined : rawHeaders[index * 2 + 1];
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString();
}

describe('UndiciHttpClient over HTTP/1.1', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const client = new UndiciHttpClient();

  beforeAll(async () => {
    server = await startServer();
  });
  afterEach(() => {
    server.routes.clear();
    server.seen.length = 0;
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  const ok: Handler = (_req, res) => void res.writeHead(200).end('ok');

  test("sends a session's generated browser headers, the same every time", async () => {
    server.routes.set('/headers', ok);
    const session = new Session();
    const request = (): HttpRequest => ({
      url: server.url('/headers'),
      headers: { Accept: 'text/html', 'X-Trace': 'abc' },
      sessionToken: session,
    });

    await text((await client.stream(request())).stream);
    await text((await client.stream(request())).stream);

    const [first, second] = server.seen.map((seen) => seen.rawHeaders);
    expect(second).toEqual(first);
    const names = namesOf(first!);
    // Generated names keep a browser's case; the caller's Accept replaces the generated one.
    expect(names).toEqual(expect.arrayContaining(['User-Agent', 'Accept', 'X-Trace']));
    expect(names.filter((name) => name.toLowerCase() === 'accept')).toEqual(['Accept']);
    expect(valueOf(first!, 'accept')).toBe('text/html');
    expect(valueOf(first!, 'user-agent')).toMatch(/^Mozilla\/5\.0 /);
    expect(valueOf(first!, 'accept-encoding')).not.toMatch(/zstd/);
  });

  test('on HTTP/1.1 names and orders headers as got-scraping does', async () => {
    server.routes.set('/order', ok);
    const headers = {
      'x-trace': 'abc',
      'accept-encoding': 'gzip, deflate, br',
      'sec-fetch-dest': 'document',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
      'accept-language': 'en-US',
      accept: 'text/html',
      'upgrade-insecure-requests': '1',
    };
    const request = { url: server.url('/order'), headers, useHeaderGenerator: false };

    await text((await client.stream(request)).stream);
    await text((await new GotScrapingHttpClient().stream(request)).stream);

    // undici writes these three itself (see UndiciHttpClient's documentation).
    const own = new Set(['host', 'connection', 'content-length']);
    const [ours, got] = server.seen.map(({ rawHeaders }) =>
      namesOf(rawHeaders).filter((name) => !own.has(name.toLowerCase())),
    );
    expect(ours).toEqual(got);
    expect(ours).toEqual([
      'User-Agent',
      'Accept',
      'Accept-Language',
      'Accept-Encoding',
      'Upgrade-Insecure-Requests',
      'Sec-Fetch-Dest',
      'x-trace',
    ]);
  });

  test('with useHeaderGenerator false sends only the caller headers', async () => {
    server.routes.set('/plain', ok);

    await text(
      (await client.stream({ url: server.url('/plain'), useHeaderGenerator: false })).stream,
    );

    expect(valueOf(server.seen[0]!.rawHeaders, 'user-agent')).toBeUndefined();
    expect(valueOf(server.seen[0]!.rawHeaders, 'sec-fetch-mode')).toBeUndefined();
  });

  test('follows redirects, reading and storing cookies on every hop', async () => {
    server.routes.set('/start', (_req, res) => {
      res.writeHead(302, { location: '/middle', 'set-cookie': 'a=1; Path=/' }).end();
    });
    server.routes.set('/middle', (_req, res) => {
      res.writeHead(301, { location: '/end', 'set-cookie': ['b=2; Path=/'] }).end('moved');
    });
    server.routes.set('/end', (_req, res) => {
      res.writeHead(200, { 'set-cookie': ['c=3; Path=/', 'd=4; Path=/'] }).end('arrived');
    });
    const session = new Session();
    const redirects: RedirectInfo[] = [];

    const response = await client.stream(
      {
        url: server.url('/start'),
        cookieJar: new NavigationCookies(session, server.url('/start')),
        sessionToken: session,
      },
      (redirect) => void redirects.push(redirect),
    );

    expect(await text(response.stream)).toBe('arrived');
    expect(response.url).toBe(server.url('/end'));
    expect(response.redirectUrls.map(String)).toEqual([server.url('/middle'), server.url('/end')]);
    expect(response.headers['set-cookie']).toEqual(['c=3; Path=/', 'd=4; Path=/']);
    expect(redirects.map(({ fromUrl, toUrl, statusCode }) => [fromUrl, toUrl, statusCode])).toEqual(
      [
        [server.url('/start'), server.url('/middle'), 302],
        [server.url('/middle'), server.url('/end'), 301],
      ],
    );
    expect(server.seen.map((seen) => valueOf(seen.rawHeaders, 'cookie'))).toEqual([
      undefined,
      'a=1',
      'a=1; b=2',
    ]);
    expect(valueOf(server.seen[2]!.rawHeaders, 'referer')).toBe(server.url('/middle'));
    expect(session.getCookieString(server.url('/'))).toBe('a=1; b=2; c=3; d=4');
  });

  test('a 303 turns a POST into a GET without its body; a 307 keeps both', async () => {
    server.routes.set('/form', (_req, res) => void res.writeHead(303, { location: '/done' }).end());
    server.routes.set('/keep', (_req, res) => void res.writeHead(307, { location: '/done' }).end());
    server.routes.set('/done', ok);
    const post = (path: string): HttpRequest => ({
      url: server.url(path),
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'payload',
    });

    await text((await client.stream(post('/form'))).stream);
    await text((await client.stream(post('/keep'))).stream);

    expect(server.seen.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['POST', '/form', 'payload'],
      ['GET', '/done', ''],
      ['POST', '/keep', 'payload'],
      ['POST', '/done', 'payload'],
    ]);
    expect(valueOf(server.seen[1]!.rawHeaders, 'content-type')).toBeUndefined();
  });

  test('returns a redirect as it is when followRedirect is false', async () => {
    server.routes.set('/moved', (_req, res) => void res.writeHead(301, { location: '/x' }).end());

    const response = await client.stream({ url: server.url('/moved'), followRedirect: false });
    response.stream.resume();

    expect([response.statusCode, response.headers.location]).toEqual([301, '/x']);
    expect(server.seen).toHaveLength(1);
  });

  test('stops after maxRedirects, or when the redirect handler throws', async () => {
    server.routes.set('/loop', (_req, res) => void res.writeHead(302, { location: '/loop' }).end());

    await expect(client.stream({ url: server.url('/loop'), maxRedirects: 3 })).rejects.toThrow(
      expect.objectContaining({ name: 'MaxRedirectsError', code: 'ERR_TOO_MANY_REDIRECTS' }),
    );
    expect(server.seen).toHaveLength(4);

    const refusal = new Error('not there');
    await expect(
      client.stream({ url: server.url('/loop') }, () => {
        throw refusal;
      }),
    ).rejects.toBe(refusal);
  });

  test('decodes gzip, deflate and br bodies', async () => {
    const page = '<title>compressed</title>'.repeat(50);
    const encoded = {
      gzip: gzipSync(page),
      deflate: deflateSync(page),
      br: brotliCompressSync(page),
    };
    for (const [encoding, bytes] of Object.entries(encoded)) {
      server.routes.set(`/${encoding}`, (_req, res) => {
        res.writeHead(200, { 'content-encoding': encoding }).end(bytes);
      });
    }

    const bodies = await Promise.all(
      Object.keys(encoded).map(async (encoding) => {
        const response = await client.stream({ url: server.url(`/${encoding}`) });
        return text(response.stream);
      }),
    );

    expect(bodies).toEqual([page, page, page]);
  });

  test('timeout.request covers the body: a stalled body fails with TimeoutError', async () => {
    server.routes.set('/stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<title>half');
    });

    const response = await client.stream({ url: server.url('/stall'), timeout: { request: 300 } });

    await expect(text(response.stream)).rejects.toThrow(
      expect.objectContaining({ name: 'TimeoutError', code: 'ETIMEDOUT' }),
    );
  });

  test("an aborted signal rejects the request with the signal's reason", async () => {
    server.routes.set('/never', () => undefined);
    const controller = new AbortController();
    const sent = client.stream({ url: server.url('/never'), signal: controller.signal });
    await waitFor(() => server.seen.length === 1);

    const reason = new Error('stopped');
    controller.abort(reason);

    await expect(sent).rejects.toBe(reason);
  });

  test('an abort while a compressed body streams destroys it with the reason', async () => {
    const half = gzipSync('<title>half</title>'.repeat(100));
    server.routes.set('/stall-gzip', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.write(half.subarray(0, half.length / 2));
    });
    const controller = new AbortController();
    const response = await client.stream({
      url: server.url('/stall-gzip'),
      signal: controller.signal,
    });

    const reason = new Error('stopped while reading');
    const read = text(response.stream);
    controller.abort(reason);

    await expect(read).rejects.toBe(reason);
  });

  test('a signal aborted before the request rejects it without sending it', async () => {
    const reason = new Error('stopped before');
    const sent = client.stream({ url: server.url('/any'), signal: AbortSignal.abort(reason) });

    await expect(sent).rejects.toBe(reason);
    expect(server.seen).toEqual([]);
  });

  test('hands a request with options it does not take to got-scraping', async () => {
    server.routes.set('/got', ok);
    const seenByHook: string[] = [];

    const response = await client.stream({
      url: server.url('/got'),
      hooks: { beforeRequest: [(options: { url: URL }) => void seenByHook.push(options.url.href)] },
    });
    await text(response.stream);

    expect(seenByHook).toEqual([server.url('/got')]);
    expect(response.statusCode).toBe(200);
  });
});

/** Resolves once `condition` holds, checking on each turn of the event loop. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('UndiciHttpClient over TLS and HTTP/2', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  async function startTlsServer(coversIp: boolean) {
    const { key, cert } = await selfSignedCertificate({ coversIp });
    const seen: { version: string; rawHeaders: string[] }[] = [];
    const sessions = new Set<ServerHttp2Session>();
    const server = createSecureServer({ key, cert, allowHTTP1: true }, (req, res) => {
      seen.push({ version: req.httpVersion, rawHeaders: req.rawHeaders });
      res.writeHead(200, { 'content-type': 'text/html' }).end(`over ${req.httpVersion}`);
    });
    server.on('session', (session) => sessions.add(session));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const close = async () => {
      sessions.forEach((session) => session.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    servers.push({ close });
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
  }

  test('speaks HTTP/2 where offered, then with the HTTP/2 header set', async () => {
    const server = await startTlsServer(true);
    const client = new UndiciHttpClient();
    const session = new Session();
    const request: HttpRequest = {
      url: server.url,
      https: { rejectUnauthorized: false },
      sessionToken: session,
    };

    const responses = [await client.stream(request), await client.stream(request)];
    const bodies = await Promise.all(responses.map((response) => text(response.stream)));
    await client.close();

    expect(bodies).toEqual(['over 2.0', 'over 2.0']);
    expect(responses.map((response) => response.httpVersion)).toEqual(['2.0', '2.0']);
    const names = namesOf(server.seen[1]!.rawHeaders);
    expect(names).toEqual(expect.arrayContaining([':method', 'user-agent', 'accept']));
    expect(names.every((name) => name === name.toLowerCase())).toBe(true);
  });

  test("connects with the TLS settings of each browser family's User-Agent", async () => {
    const server = await startTlsServer(true);
    const client = new UndiciHttpClient();
    const agents = {
      chrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/147.0.0.0 Safari/537.36',
      firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
      safari: 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15',
    };

    const bodies = [];
    for (const userAgent of Object.values(agents)) {
      const response = await client.stream({
        url: server.url,
        headers: { 'user-agent': userAgent },
        https: { rejectUnauthorized: false },
      });
      bodies.push(await text(response.stream));
    }
    await client.close();

    expect(bodies).toEqual(['over 2.0', 'over 2.0', 'over 2.0']);
    expect(server.seen.map(({ rawHeaders }) => valueOf(rawHeaders, 'user-agent'))).toEqual(
      Object.values(agents),
    );
  });

  test('speaks HTTP/1.1 over TLS with http2 false', async () => {
    const server = await startTlsServer(true);
    const client = new UndiciHttpClient();

    const response = await client.stream({
      url: server.url,
      https: { rejectUnauthorized: false },
      http2: false,
    });

    expect([await text(response.stream), response.httpVersion]).toEqual(['over 1.1', '1.1']);
    await client.close();
  });

  test('ignoreSslErrors reaches HTTP/2 even when the certificate names another host', async () => {
    const server = await startTlsServer(false);
    const seen: string[] = [];

    await new HttpCrawler(
      { log: quietLog(), requestHandler: ({ body }) => void seen.push(String(body)) },
      memoryConfig(),
    ).run([server.url]);

    expect(seen).toEqual(['over 2.0']);
  });

  test('refuses a self-signed certificate unless told to accept it', async () => {
    const server = await startTlsServer(true);
    const client = new UndiciHttpClient();

    await expect(client.stream({ url: server.url })).rejects.toThrow(/self[- ]signed certificate/);
    await client.close();
  });
});

describe('UndiciHttpClient through a proxy', () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  let proxy: ForwardProxy;
  let tlsTarget: Server;
  let tlsUrl: string;

  beforeAll(async () => {
    target = await startServer();
    target.routes.set('/page', (_req, res) => void res.writeHead(200).end('via proxy'));
    proxy = await startForwardProxy({ auth: { username: 'scraper', password: 's3cret' } });
    const { key, cert } = await selfSignedCertificate();
    const https = await import('node:https');
    tlsTarget = https.createServer({ key, cert }, (_req, res) => void res.end('tunnelled'));
    await new Promise<void>((resolve) => tlsTarget.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://127.0.0.1:${(tlsTarget.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await Promise.all([target.close(), proxy.close()]);
    tlsTarget.closeAllConnections();
    await new Promise<void>((resolve) => tlsTarget.close(() => resolve()));
  });

  test('sends plain-HTTP requests to the proxy by absolute URL and tunnels HTTPS', async () => {
    const client = new UndiciHttpClient();
    proxy.reset();

    const plain = await client.stream({ url: target.url('/page'), proxyUrl: proxy.url });
    const tunnelled = await client.stream({
      url: tlsUrl,
      proxyUrl: proxy.url,
      https: { rejectUnauthorized: false },
    });

    expect([await text(plain.stream), await text(tunnelled.stream)]).toEqual([
      'via proxy',
      'tunnelled',
    ]);
    expect(proxy.log.map(({ method, target: to, status }) => [method, to, status])).toEqual([
      ['GET', target.url('/page'), 200],
      ['CONNECT', new URL(tlsUrl).host, 200],
    ]);
    await client.close();
  });

  test('a tunnel the proxy refuses fails as a proxy error, which rotates the session', async () => {
    const client = new UndiciHttpClient();
    const proxyUrl = proxy.urlWithoutCredentials;

    const error = await client
      .stream({ url: tlsUrl, proxyUrl, https: { rejectUnauthorized: false } })
      .then(
        () => undefined,
        (reason: Error) => reason,
      );

    expect(error?.message).toMatch(/Proxy response \(407\)/);
    const translated = navigationError(error, {
      url: tlsUrl,
      navigationTimeoutSecs: 30,
      maxRedirects: 10,
      proxyUrl,
    });
    expect(translated).toBeInstanceOf(SessionError);
    await client.close();
  });
});
