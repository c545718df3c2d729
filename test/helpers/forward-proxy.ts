/**
 * A local HTTP forward proxy for tests: forwards absolute-URI requests for `http://` targets and
 * opens CONNECT tunnels for `https://` ones. It can demand Basic credentials, send its outgoing
 * connections from a chosen loopback address (so a test site can tell proxies apart), or play a
 * dead proxy that drops every connection. Tests await the requests it records instead of sleeping.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Options of {@link startForwardProxy}. */
export interface ForwardProxyOptions {
  /** Address the proxy listens on, port 0. @default '127.0.0.1' */
  host?: string;
  /**
   * Source address of the proxy's outgoing connections, forwarded requests and CONNECT tunnels
   * alike, e.g. `'127.0.0.5'`; the target sees it as `req.socket.remoteAddress`. `undefined` lets
   * the system choose (127.0.0.1 for loopback targets).
   */
  localAddress?: string;
  /**
   * Credentials the proxy demands in `Proxy-Authorization: Basic ...`; others get 407.
   * `undefined` lets every request through.
   */
  auth?: { username: string; password: string };
  /** Plays a dead proxy: every TCP connection is reset as soon as it is accepted. @default false */
  refuse?: boolean;
}

/** A request the proxy received. */
export interface ProxyLogEntry {
  /** HTTP method, `CONNECT` for tunnels. */
  method: string;
  /** Absolute URL of a forwarded request, or `host:port` of a CONNECT tunnel. */
  target: string;
  /** Arrival time, in milliseconds since the epoch. */
  at: number;
  /**
   * Status the proxy answered: the target's status for a forwarded request, 200 for an
   * established tunnel, 407 without credentials, 502 when the target was unreachable.
   * `undefined` until known.
   */
  status?: number;
}

/** A running forward proxy. */
export interface ForwardProxy {
  /** Proxy URL to hand to a crawler, with credentials when `auth` is set. */
  readonly url: string;
  /** Proxy URL without credentials, e.g. `http://127.0.0.1:40123`. */
  readonly urlWithoutCredentials: string;
  /** Every request received so far, in arrival order. */
  readonly log: ProxyLogEntry[];
  /** TCP connections accepted so far, including the ones a refusing proxy drops. */
  readonly connectionCount: number;
  /** Resolves with the log once it holds at least `count` entries. */
  waitForRequests(count: number): Promise<ProxyLogEntry[]>;
  /** Forgets the log and the connection count. */
  reset(): void;
  /** Stops listening and destroys every open socket, tunnels and upstream connections included. */
  close(): Promise<void>;
}

/** Realm the proxy names in its `Proxy-Authenticate` challenges. */
export const PROXY_REALM = 'trawl-test';

// Headers that describe one connection, not the message (RFC 9110, section 7.6.1), plus the
// proxy's own credentials, which must not travel on to the target.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Starts a forward proxy on `options.host` (127.0.0.1 by default), port 0. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const { host = '127.0.0.1', localAddress, auth, refuse = false } = options;
  const log: ProxyLogEntry[] = [];
  const waiters: { count: number; resolve: (log: ProxyLogEntry[]) => void }[] = [];
  const sockets = new Set<Duplex>();
  let connectionCount = 0;

  const record = (method: string, target: string): ProxyLogEntry => {
    const entry: ProxyLogEntry = { method, target, at: Date.now() };
    log.push(entry);
    for (const waiter of waiters.filter((w) => log.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(log);
    }
    return entry;
  };
  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const isAuthorized = (req: IncomingMessage): boolean =>
    auth === undefined || matchesBasic(req.headers['proxy-authorization'], auth);

  const server = createServer((req, res) => {
    const entry = record(req.method ?? 'GET', req.url ?? '');
    if (!isAuthorized(req)) {
      entry.status = 407;
      res.writeHead(407, { 'proxy-authenticate': `Basic realm="${PROXY_REALM}"` }).end();
      return;
    }
    forward(req, res, entry, { localAddress, track });
  });
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const entry = record('CONNECT', req.url ?? '');
    client.on('error', () => client.destroy());
    if (!isAuthorized(req)) {
      entry.status = 407;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\n' +
          `Proxy-Authenticate: Basic realm="${PROXY_REALM}"\r\n` +
          'Content-Length: 0\r\nConnection: close\r\n\r\n',
      );
      return;
    }
    tunnel(req.url ?? '', client, head, entry, { localAddress, track });
  });
  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    if (refuse) {
      socket.resetAndDestroy();
      return;
    }
    track(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const urlWithoutCredentials = `http://${host}:${port}`;
  const credentials = auth
    ? `${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@`
    : '';

  return {
    url: `http://${credentials}${host}:${port}`,
    urlWithoutCredentials,
    log,
    get connectionCount() {
      return connectionCount;
    },
    waitForRequests(count) {
      if (log.length >= count) {
        return Promise.resolve(log);
      }
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    reset() {
      log.length = 0;
      connectionCount = 0;
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

interface Outgoing {
  localAddress: string | undefined;
  track: (socket: Duplex) => void;
}

/** Whether a `Proxy-Authorization` header carries exactly these Basic credentials. */
function matchesBasic(
  header: string | undefined,
  auth: { username: string; password: string },
): boolean {
  const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) {
    return false;
  }
  return Buffer.from(match[1], 'base64').toString('utf8') === `${auth.username}:${auth.password}`;
}

/** Copies headers minus the hop-by-hop ones, and minus any the `Connection` header names. */
function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase());
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.includes(name)) {
      kept[name] = value;
    }
  }
  return kept;
}

/** Sends an absolute-URI request on to its `http://` target and streams the answer back. */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  entry: ProxyLogEntry,
  { localAddress, track }: Outgoing,
): void {
  const target = URL.canParse(req.url ?? '') ? new URL(req.url ?? '') : undefined;
  if (target?.protocol !== 'http:') {
    // Origin-form requests and https:// targets have no business here: https goes via CONNECT.
    entry.status = 400;
    res.writeHead(400, { 'content-type': 'text/plain' }).end('expected an absolute http:// URL');
    return;
  }

  const upstream = httpRequest({
    host: target.hostname,
    port: target.port || 80,
    method: req.method,
    path: target.pathname + target.search,
    // RFC 9112, section 3.2.2: with an absolute URI, its authority is the Host the target sees.
    headers: { ...endToEnd(req.headers), host: target.host },
    localAddress,
    agent: false,
  });
  upstream.on('socket', track);
  upstream.on('response', (answer) => {
    entry.status = answer.statusCode;
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    entry.status = 502;
    res.writeHead(502, { 'content-type': 'text/plain' }).end('target unreachable');
  });
  req.pipe(upstream);
}

/** Opens a TCP tunnel to `authority` (`host:port`) and pipes bytes both ways. */
function tunnel(
  authority: string,
  client: Duplex,
  head: Buffer,
  entry: ProxyLogEntry,
  { localAddress, track }: Outgoing,
): void {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
  if (!match) {
    entry.status = 400;
    client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }

  const upstream = connect({ host: match[1], port: Number(match[2]), localAddress });
  track(upstream);
  upstream.once('connect', () => {
    entry.status = 200;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) {
      upstream.write(head);
    }
    upstream.pipe(client);
    client.pipe(upstream);
    // Either side hanging up ends the tunnel. Wired only once connected, so that a failed
    // connection's 502 reaches the client before its socket is destroyed.
    upstream.once('close', () => client.destroy());
  });
  upstream.on('error', () => {
    if (entry.status !== undefined) {
      return;
    }
    entry.status = 502;
    client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  client.once('close', () => upstream.destroy());
}
