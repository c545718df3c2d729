/**
 * A small local site that blocks scrapers the way real sites do: it limits how many requests one
 * session cookie may make, wants browser-like headers, bans source addresses (how a test models a
 * proxy the site always blocks), and can answer blocks with a bot-wall challenge page instead of a
 * bare 403. Over HTTP by default, or HTTPS with a throw-away certificate so that proxies tunnel.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import { selfSignedCertificate } from '../../packages/http-crawler/test/helpers.js';

/** Bot-wall challenge pages the site can answer blocked requests with. */
export type ChallengeKind = 'cloudflare' | 'incapsula' | 'google-sorry';

/** Which rule blocked a request. */
export type BlockReason = 'source-address' | 'headers' | 'block-while' | 'session';

/** Options of {@link startBlockingSite}. */
export interface BlockingSiteOptions {
  /** Loopback address the site listens on, port 0. @default '127.0.0.1' */
  host?: string;
  /** Number of pages `/page/1` to `/page/N` that `/` links to. @default 30 */
  pages?: number;
  /**
   * Serves HTTPS with a self-signed certificate made at start, so crawlers need
   * `ignoreSslErrors` and proxies tunnel with CONNECT. @default false
   */
  tls?: boolean;
  /**
   * Requests one `sid` cookie may make, the one that was issued the cookie included; further
   * requests with it get 403 "blocked session". `undefined` never blocks a session.
   */
  maxRequestsPerSession?: number;
  /**
   * Blocks requests without a `Mozilla/` user agent, an `accept-language` header and either
   * `sec-ch-ua` or `sec-fetch-mode` with 403 "not a browser". @default false
   */
  requireBrowserHeaders?: boolean;
  /** Source addresses (`req.socket.remoteAddress`, IPv4 form) always blocked with 403. */
  blockedSourceAddresses?: string[];
  /** Blocks a request with 403 while it returns true, so tests can switch blocking on and off. */
  blockWhile?: (req: IncomingMessage) => boolean;
  /** Answers blocked requests with this challenge page instead of a bare 403. */
  challenge?: ChallengeKind;
}

/** A request the site answered. */
export interface SiteLogEntry {
  /** Path and query string. */
  path: string;
  /** Session cookie the request carried or was issued. */
  sid?: string;
  /** Source address, IPv4 form (without `::ffff:`). */
  remoteAddress: string;
  status: number;
  /** Arrival time, in milliseconds since the epoch. */
  at: number;
  /** The rule that blocked the request; `undefined` when it was not blocked. */
  blockedBy?: BlockReason;
}

/** A running blocking site. */
export interface BlockingSite {
  /** `http://host:port` or `https://host:port`. */
  readonly origin: string;
  /** Absolute URL of `path` on this site. */
  url(path?: string): string;
  /** Every request answered so far, in arrival order. */
  readonly log: SiteLogEntry[];
  /** Paths answered 200 with a real page, each once, in the order first answered. */
  handledPaths(): string[];
  /** Resolves with the log once it holds at least `count` entries. */
  waitForRequests(count: number): Promise<SiteLogEntry[]>;
  /** Forgets the log and every session's request count. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Path of the page a `google-sorry` challenge redirects to; with that challenge it always
 * answers 429, whatever the rules say.
 */
export const SORRY_PATH = '/sorry/index';

type Block = { reason: BlockReason; message: string };

/** Starts a blocking site on `options.host` (127.0.0.1 by default), port 0. */
export async function startBlockingSite(options: BlockingSiteOptions = {}): Promise<BlockingSite> {
  const { host = '127.0.0.1', pages = 30, tls = false } = options;
  const log: SiteLogEntry[] = [];
  const waiters: { count: number; resolve: (log: SiteLogEntry[]) => void }[] = [];
  const requestsBySid = new Map<string, number>();
  const sockets = new Set<Socket>();
  // Ids run on across reset(), so a cookie from before a reset never names a newer session.
  let sessionsIssued = 0;
  let origin = '';

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? '/';
    const entry: SiteLogEntry = {
      path,
      remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      status: 0,
      at: Date.now(),
    };
    let sid = readSid(req.headers.cookie);
    const block = blockOf(req, entry.remoteAddress, sid, options, requestsBySid);
    const isSorryPage =
      options.challenge === 'google-sorry' && new URL(path, origin).pathname === SORRY_PATH;

    if (isSorryPage) {
      // Checked before the rules: blocking the sorry page too would redirect it to itself.
      entry.status = 429;
      res.writeHead(429, { 'content-type': 'text/html; charset=utf-8' }).end(sorryPage());
    } else if (block) {
      entry.blockedBy = block.reason;
      entry.status = answerBlock(res, block, options.challenge, origin + path);
    } else {
      if (sid === undefined) {
        sessionsIssued += 1;
        sid = `sid-${sessionsIssued}`;
        res.setHeader('set-cookie', `sid=${sid}; Path=/`);
      }
      requestsBySid.set(sid, (requestsBySid.get(sid) ?? 0) + 1);
      entry.status = answerPage(res, path, pages);
    }

    entry.sid = sid;
    log.push(entry);
    for (const waiter of waiters.filter((w) => log.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(log);
    }
  };

  const server = tls
    ? createHttpsServer(await selfSignedCertificate(), handle)
    : createHttpServer(handle);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  origin = `${tls ? 'https' : 'http'}://${host}:${port}`;

  return {
    origin,
    url: (path = '/') => origin + path,
    log,
    handledPaths: () => [
      ...new Set(log.filter((e) => e.status === 200 && !e.blockedBy).map((e) => e.path)),
    ],
    waitForRequests(count) {
      if (log.length >= count) {
        return Promise.resolve(log);
      }
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    reset() {
      log.length = 0;
      requestsBySid.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) {
          socket.destroy();
        }
      }),
  };
}

/** The `sid` cookie's value, if the request carries one. */
function readSid(cookieHeader: string | undefined): string | undefined {
  const match = /(?:^|;\s*)sid=([^;]*)/.exec(cookieHeader ?? '');
  return match?.[1] || undefined;
}

/**
 * The first rule that blocks the request, checked in this order: source address, browser
 * headers, `blockWhile`, session request count.
 */
function blockOf(
  req: IncomingMessage,
  remoteAddress: string,
  sid: string | undefined,
  options: BlockingSiteOptions,
  requestsBySid: Map<string, number>,
): Block | undefined {
  if (options.blockedSourceAddresses?.includes(remoteAddress)) {
    return { reason: 'source-address', message: 'blocked address' };
  }
  if (options.requireBrowserHeaders && !looksLikeBrowser(req)) {
    return { reason: 'headers', message: 'not a browser' };
  }
  if (options.blockWhile?.(req)) {
    return { reason: 'block-while', message: 'blocked' };
  }
  const limit = options.maxRequestsPerSession;
  if (limit !== undefined && sid !== undefined && (requestsBySid.get(sid) ?? 0) >= limit) {
    return { reason: 'session', message: 'blocked session' };
  }
  return undefined;
}

/** Whether the headers are ones a browser, or got-scraping posing as one, would send. */
function looksLikeBrowser(req: IncomingMessage): boolean {
  const { headers } = req;
  return (
    (headers['user-agent'] ?? '').includes('Mozilla/') &&
    headers['accept-language'] !== undefined &&
    (headers['sec-ch-ua'] !== undefined || headers['sec-fetch-mode'] !== undefined)
  );
}

/** Writes the answer to a blocked request and returns its status. */
function answerBlock(
  res: ServerResponse,
  block: Block,
  challenge: ChallengeKind | undefined,
  requestedUrl: string,
): number {
  const html = { 'content-type': 'text/html; charset=utf-8' };
  switch (challenge) {
    case 'cloudflare':
      res.writeHead(403, { ...html, server: 'cloudflare', 'cf-mitigated': 'challenge' });
      res.end(cloudflarePage());
      return 403;
    case 'incapsula':
      // Incapsula answers 200, so only the body gives the block away.
      res.writeHead(200, { ...html, 'x-cdn': 'Incapsula' }).end(incapsulaPage());
      return 200;
    case 'google-sorry':
      res.writeHead(302, {
        location: `${SORRY_PATH}?continue=${encodeURIComponent(requestedUrl)}`,
      });
      res.end();
      return 302;
    default:
      res.writeHead(403, { 'content-type': 'text/plain' }).end(block.message);
      return 403;
  }
}

/** Writes `/`, a `/page/N` or a 404 and returns the status. */
function answerPage(res: ServerResponse, path: string, pages: number): number {
  const pathname = new URL(path, 'http://site').pathname;
  const html = { 'content-type': 'text/html; charset=utf-8' };
  if (pathname === '/') {
    const links = Array.from(
      { length: pages },
      (_, i) => `<li><a href="/page/${i + 1}">Page ${i + 1}</a></li>`,
    );
    res.writeHead(200, html).end(page('Home', `<ul>\n${links.join('\n')}\n</ul>`));
    return 200;
  }
  const n = Number(/^\/page\/([1-9]\d*)$/.exec(pathname)?.[1] ?? 0);
  if (n < 1 || n > pages) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return 404;
  }
  const next = n < pages ? ` <a href="/page/${n + 1}">Next</a>` : '';
  res
    .writeHead(200, html)
    .end(page(`Page ${n}`, `<p>Content of page ${n}.</p>\n<a href="/">Home</a>${next}`));
  return 200;
}

/** A minimal HTML document whose `<title>` and `<h1>` read `title`. */
function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n` +
    `<body><h1>${title}</h1>\n${body}\n</body></html>\n`
  );
}

const CHALLENGE_SCRIPT = '/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1?ray=trawl-test';

/** A challenge page in the manner of Cloudflare's: it asks for JavaScript before letting in. */
function cloudflarePage(): string {
  return page(
    'Just a moment...',
    '<p>Checking that your connection is safe before you go on. ' +
      'Turn on JavaScript and cookies.</p>\n' +
      `<script src="${CHALLENGE_SCRIPT}"></script>`,
  );
}

/** A block page in the manner of Incapsula's, served with status 200. */
function incapsulaPage(): string {
  return (
    '<html><head><meta name="robots" content="noindex,nofollow">\n' +
    '<script src="/_Incapsula_Resource?SWJIYLWA=trawl-test"></script></head>\n' +
    '<body><iframe src="/_Incapsula_Resource?CWUDNSAI=1&incident_id=0-trawl-test">' +
    'This request was not accepted. Incapsula incident ID: 0-trawl-test</iframe></body></html>\n'
  );
}

/** The page a `google-sorry` challenge redirects to. */
function sorryPage(): string {
  return page(
    'Sorry',
    '<p>Our systems have detected unusual traffic from your computer network. ' +
      'Try your request again later.</p>',
  );
}
