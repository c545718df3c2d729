/**
 * The HTTP client the HTTP crawlers navigate with by default: undici (the library Node's `fetch`
 * is built on), sending the browser-like headers got-scraping generates, the same for a whole
 * session, with a browser's TLS ciphers, HTTP/2 where the server offers it, cookies read and
 * written on every redirect hop, and `proxyUrl`. It costs a fraction of got-scraping's CPU per
 * request. A request with options it does not take (got hooks, `headerGeneratorOptions`, TLS
 * options beyond `rejectUnauthorized`, timeouts of single phases, any other got option) goes
 * through {@link GotScrapingHttpClient} instead, so a `preNavigationHook` written for got keeps
 * working.
 */
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

import { gotScraping } from 'got-scraping';
import { Agent, buildConnector, ProxyAgent, type Dispatcher } from 'undici';

import { GotScrapingHttpClient } from './got-scraping-http-client.js';
import type {
  BaseHttpClient,
  HttpRequest,
  RedirectHandler,
  StreamingHttpResponse,
} from './http-client.js';
import { remembered } from './remembered.js';

/** The request options this client sends itself; a request with any other goes to got. */
const OWN_OPTIONS = new Set([
  'url',
  'method',
  'headers',
  'body',
  'proxyUrl',
  'timeout',
  'signal',
  'cookieJar',
  'followRedirect',
  'maxRedirects',
  'https',
  'http2',
  'sessionToken',
  'useHeaderGenerator',
]);

/** Statuses followed as redirects when they come with a `Location` header, as got follows. */
const REDIRECT_STATUSES = new Set([300, 301, 302, 303, 307, 308]);

/** How many proxy agents are kept open at once; the least recently used one closes first. */
const MAX_PROXY_AGENTS = 100;

/** The TLS settings of a browser family: cipher suites, signature algorithms, curves. */
interface TlsProfile {
  /** Names the profile in agent keys. */
  name: string;
  ciphers: string;
  sigalgs: string;
  ecdhCurve: string;
}

// The orders below are those the browsers' own TLS stacks offer, so that the TLS handshake does
// not contradict the generated `User-Agent` more than Node's OpenSSL must. SHA-1 signatures,
// which browsers still offer, are left out: OpenSSL 3 refuses them at its default security level.
const CHROME_TLS: TlsProfile = {
  name: 'chrome',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA',
    'AES128-GCM-SHA256',
    'AES256-GCM-SHA384',
    'AES128-SHA',
    'AES256-SHA',
  ].join(':'),
  sigalgs: [
    'ecdsa_secp256r1_sha256',
    'rsa_pss_rsae_sha256',
    'rsa_pkcs1_sha256',
    'ecdsa_secp384r1_sha384',
    'rsa_pss_rsae_sha384',
    'rsa_pkcs1_sha384',
    'rsa_pss_rsae_sha512',
    'rsa_pkcs1_sha512',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1',
};

const FIREFOX_TLS: TlsProfile = {
  name: 'firefox',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-AES256-SHA',
    'ECDHE-ECDSA-AES128-SHA',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA',
    'AES128-GCM-SHA256',
    'AES256-GCM-SHA384',
    'AES128-SHA',
    'AES256-SHA',
  ].join(':'),
  sigalgs: [
    'ecdsa_secp256r1_sha256',
    'ecdsa_secp384r1_sha384',
    'ecdsa_secp521r1_sha512',
    'rsa_pss_rsae_sha256',
    'rsa_pss_rsae_sha384',
    'rsa_pss_rsae_sha512',
    'rsa_pkcs1_sha256',
    'rsa_pkcs1_sha384',
    'rsa_pkcs1_sha512',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1:secp521r1:ffdhe2048:ffdhe3072',
};

const SAFARI_TLS: TlsProfile = {
  name: 'safari',
  ciphers: [
    'TLS_AES_128_GCM_SHA256',
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES256-SHA',
    'ECDHE-ECDSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA',
    'ECDHE-RSA-AES128-SHA',
    'AES256-GCM-SHA384',
    'AES128-GCM-SHA256',
    'AES256-SHA',
    'AES128-SHA',
  ].join(':'),
  sigalgs: [
    'ecdsa_secp256r1_sha256',
    'rsa_pss_rsae_sha256',
    'rsa_pkcs1_sha256',
    'ecdsa_secp384r1_sha384',
    'rsa_pss_rsae_sha384',
    'rsa_pkcs1_sha384',
    'rsa_pss_rsae_sha512',
    'rsa_pkcs1_sha512',
  ].join(':'),
  ecdhCurve: 'X25519:prime256v1:secp384r1:secp521r1',
};

/** What a TLS connection is given of `profile`. */
function tlsOptions({ ciphers, sigalgs, ecdhCurve }: TlsProfile) {
  return { ciphers, sigalgs, ecdhCurve };
}

/** The TLS profile matching a `User-Agent` (remembered: sessions reuse a handful of agents). */
const tlsProfileOfAgent = remembered(tlsProfileOfUncached, 1_000);

/** The TLS profile matching a `User-Agent`: Firefox's, Safari's, or Chrome's for the rest. */
function tlsProfileOf(userAgent: string | undefined): TlsProfile {
  return userAgent === undefined ? CHROME_TLS : tlsProfileOfAgent(userAgent);
}

function tlsProfileOfUncached(userAgent: string): TlsProfile {
  if (userAgent.includes('Firefox/')) {
    return FIREFOX_TLS;
  }
  const isSafari = userAgent.includes('Safari/') && !/Chrome\/|Chromium\/|Edg\//.test(userAgent);
  return isSafari ? SAFARI_TLS : CHROME_TLS;
}

type Headers = Record<string, string>;

/** header-generator's generator as got-scraping holds it. */
interface HeaderGeneratorLike {
  getHeaders(options: { httpVersion: '1' | '2' }): Headers;
  /** The headers in the order the browser of their `User-Agent` sends them. */
  orderHeaders(headers: Headers): Headers;
}

/** The generator got-scraping uses, so that both clients draw from the same one. */
const headerGenerator = (gotScraping.defaults.options.context as { headerGenerator?: unknown })
  .headerGenerator as HeaderGeneratorLike | undefined;

/** Whether this Node decompresses Zstandard (22.15 and later; not Node 20). */
const HAS_ZSTD = 'createZstdDecompress' in zlib;

/**
 * Generated headers without what this client sends itself (`Connection`) or cannot decode
 * (`zstd` in `Accept-Encoding` where Node lacks it).
 */
function usable(generated: Headers): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(generated)) {
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      continue;
    }
    headers[name] = lower === 'accept-encoding' && !HAS_ZSTD ? withoutToken(value, 'zstd') : value;
  }
  return headers;
}

function withoutToken(list: string, token: string): string {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== token)
    .join(', ');
}

/**
 * A session's generated headers, one set per HTTP version, made when first needed; `sent1` and
 * `sent2` are those sets as sent (named and ordered) by a hop that adds no header of its own.
 */
type SessionHeaders = { 1?: Headers; 2?: Headers; sent1?: Headers; sent2?: Headers };

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The TLS and proxy settings an agent is made for. */
interface AgentKey {
  rejectUnauthorized: boolean;
  http2: boolean;
  tls: TlsProfile;
  proxyUrl?: string;
}

/** What one hop of a navigation sends. */
interface Hop {
  url: URL;
  method: string;
  headers: Headers;
  body?: string | Buffer;
}

/**
 * Sends requests with undici. It never retries and never throws on an HTTP error status: the
 * crawler decides what a status means. Differences from {@link GotScrapingHttpClient} on the
 * wire: undici writes `host` and `connection` in lower case on HTTP/1.1, and sends no
 * `Content-Length` on a GET; the first request to an HTTPS origin, before its protocol is known,
 * carries the HTTP/1.1 header set.
 *
 * @example
 * const client = new UndiciHttpClient();
 * const response = await client.stream({ url: 'https://example.com/' });
 * response.stream.resume();
 */
export class UndiciHttpClient implements BaseHttpClient {
  readonly #fallback = new GotScrapingHttpClient();
  readonly #agents = new Map<string, Dispatcher>();
  readonly #sessionHeaders = new WeakMap<object, SessionHeaders>();
  /** The protocol ALPN chose for each `host:port` connected to directly. */
  readonly #protocols = new Map<string, string>();

  /** Sends `request`; see {@link BaseHttpClient.stream}. */
  stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    if (!isOwnRequest(request)) {
      return this.#fallback.stream(request, onRedirect);
    }
    return this.#send(request, onRedirect);
  }

  /** Closes every connection this client keeps open. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  async #send(
    request: HttpRequest,
    onRedirect: RedirectHandler | undefined,
  ): Promise<StreamingHttpResponse> {
    const abort = new Deadline(request.timeout?.request, request.signal);
    try {
      const response = await this.#follow(request, onRedirect, abort);
      abort.releaseWith(response.stream);
      return response;
    } catch (error) {
      abort.release();
      throw error;
    }
  }

  async #follow(
    request: HttpRequest,
    onRedirect: RedirectHandler | undefined,
    deadline: Deadline,
  ): Promise<StreamingHttpResponse> {
    const maxRedirects = request.maxRedirects ?? 10;
    const redirectUrls: URL[] = [];
    let hop: Hop = {
      url: new URL(request.url),
      method: (request.method ?? 'GET').toUpperCase(),
      headers: withoutUndefined(request.headers),
      body: request.body,
    };
    for (;;) {
      const response = await this.#sendHop(request, hop, deadline);
      const location = header(response.headers, 'location');
      const follows =
        request.followRedirect !== false &&
        location !== undefined &&
        REDIRECT_STATUSES.has(response.statusCode);
      if (!follows) {
        return this.#streamingResponse(hop.url, response, redirectUrls, deadline);
      }
      // Reading a short redirect body to its end keeps the connection for the next hop.
      response.body.dump().catch(() => undefined);
      if (redirectUrls.length >= maxRedirects) {
        throw new MaxRedirectsError(maxRedirects);
      }
      const next = redirected(hop, response.statusCode, new URL(location, hop.url));
      await onRedirect?.({
        fromUrl: hop.url.href,
        toUrl: next.url.href,
        statusCode: response.statusCode,
        headers: response.headers,
      });
      redirectUrls.push(next.url);
      hop = next;
    }
  }

  async #sendHop(request: HttpRequest, hop: Hop, signal: Deadline) {
    const href = hop.url.href;
    const headers = this.#headersFor(request, hop);
    const jar = request.cookieJar;
    if (jar !== undefined) {
      const cookies = await jar.getCookieString(href);
      if (cookies !== '') {
        setHeader(headers, 'cookie', cookies);
      }
    }
    const userAgent = headers['User-Agent'] ?? headers['user-agent'];
    const dispatcher = this.#agentFor({
      rejectUnauthorized: request.https?.rejectUnauthorized ?? true,
      http2: request.http2 !== false,
      tls: tlsProfileOf(userAgent),
      proxyUrl: request.proxyUrl,
    });
    // The dispatcher directly: undici's top-level request() would parse the URL again.
    const response = await dispatcher.request({
      origin: hop.url.origin,
      path: `${hop.url.pathname}${hop.url.search}`,
      method: hop.method as Dispatcher.HttpMethod,
      headers,
      body: hop.body,
      // undici takes any object with aborted, reason and (add|remove)EventListener.
      signal: signal as unknown as AbortSignal,
    });
    if (jar !== undefined) {
      const setCookies = response.headers['set-cookie'];
      for (const raw of setCookies === undefined ? [] : [setCookies].flat()) {
        await jar.setCookie(raw, href);
      }
    }
    return response;
  }

  /** The generated headers for `hop`, overridden by the request's own (case-insensitively). */
  #headersFor(request: HttpRequest, hop: Hop): Headers {
    const version = this.#versionFor(request, hop.url);
    const isGenerated = request.useHeaderGenerator !== false && headerGenerator !== undefined;
    const session = request.sessionToken;
    // Most hops add nothing to the session's headers: those are prepared once per session.
    if (isGenerated && isObject(session) && Object.keys(hop.headers).length === 0) {
      const prepared = this.#sessionStore(session);
      prepared[`sent${version}`] ??= this.#prepared(
        this.#generatedHeaders(session, version),
        version,
      );
      return { ...prepared[`sent${version}`] };
    }
    const headers = { ...(isGenerated ? this.#generatedHeaders(session, version) : {}) };
    for (const [name, value] of Object.entries(hop.headers)) {
      setHeader(headers, name, value);
    }
    return this.#prepared(headers, version);
  }

  // As got-scraping sends HTTP/1.1: names capitalized (but `x-` ones), in the browser's order.
  #prepared(headers: Headers, version: '1' | '2'): Headers {
    if (version === '2') {
      return headers;
    }
    const named: Headers = {};
    for (const [name, value] of Object.entries(headers)) {
      named[browserCase(name)] = value;
    }
    return headerGenerator === undefined ? named : headerGenerator.orderHeaders(named);
  }

  #versionFor(request: HttpRequest, url: URL): '1' | '2' {
    const isH2 =
      url.protocol === 'https:' &&
      request.http2 !== false &&
      request.proxyUrl === undefined &&
      this.#protocols.get(`${url.hostname}:${url.port || 443}`) === 'h2';
    return isH2 ? '2' : '1';
  }

  #generatedHeaders(token: unknown, version: '1' | '2'): Headers {
    if (!isObject(token)) {
      return usable(headerGenerator!.getHeaders({ httpVersion: version }));
    }
    const forSession = this.#sessionStore(token);
    return (forSession[version] ??= usable(headerGenerator!.getHeaders({ httpVersion: version })));
  }

  #sessionStore(token: object): SessionHeaders {
    let forSession = this.#sessionHeaders.get(token);
    if (forSession === undefined) {
      forSession = {};
      this.#sessionHeaders.set(token, forSession);
    }
    return forSession;
  }

  #agentFor(key: AgentKey): Dispatcher {
    const id = `${key.rejectUnauthorized}|${key.http2}|${key.tls.name}|${key.proxyUrl ?? ''}`;
    let agent = this.#agents.get(id);
    if (agent !== undefined) {
      if (key.proxyUrl !== undefined) {
        // Most recently used last, so the first is the one to close when there are too many.
        this.#agents.delete(id);
        this.#agents.set(id, agent);
      }
      return agent;
    }
    agent = key.proxyUrl === undefined ? this.#directAgent(key) : proxyAgent(key);
    if (key.proxyUrl !== undefined) {
      this.#closeLeastUsedProxyAgent();
    }
    this.#agents.set(id, agent);
    return agent;
  }

  #directAgent(key: AgentKey): Dispatcher {
    const connector = buildConnector({
      ...tlsOptions(key.tls),
      rejectUnauthorized: key.rejectUnauthorized,
      allowH2: key.http2,
    } as buildConnector.BuildOptions);
    const protocols = this.#protocols;
    return new Agent({
      allowH2: key.http2,
      connect(options, callback) {
        connector(options, (error, socket) => {
          if (socket !== null && socket !== undefined && 'alpnProtocol' in socket) {
            const protocol = socket.alpnProtocol;
            const port = options.port || (options.protocol === 'https:' ? '443' : '80');
            protocols.set(
              `${options.hostname}:${port}`,
              typeof protocol === 'string' ? protocol : '',
            );
          }
          // undici's callback takes the error or the socket, never both.
          (callback as (error: Error | null, socket: unknown) => void)(error, socket);
        });
      },
    });
  }

  #closeLeastUsedProxyAgent(): void {
    let proxies = 0;
    let oldest: string | undefined;
    for (const id of this.#agents.keys()) {
      if (!id.endsWith('|')) {
        proxies += 1;
        oldest ??= id;
      }
    }
    if (proxies >= MAX_PROXY_AGENTS && oldest !== undefined) {
      // close() lets the requests under way finish first.
      void this.#agents.get(oldest)!.close();
      this.#agents.delete(oldest);
    }
  }

  #streamingResponse(
    url: URL,
    response: Dispatcher.ResponseData,
    redirectUrls: URL[],
    deadline: Deadline,
  ): StreamingHttpResponse {
    const headers = response.headers as IncomingHttpHeaders;
    const setCookie = headers['set-cookie'];
    if (typeof setCookie === 'string') {
      headers['set-cookie'] = [setCookie];
    }
    const stream = decompressed(response.body, header(headers, 'content-encoding'), deadline);
    // Errors while the body is read reach its reader; this listener keeps an unread body's late
    // error (destroying an unread body is one) from crashing the process.
    stream.on('error', () => undefined);
    const protocol = this.#protocols.get(`${url.hostname}:${url.port || 443}`);
    const isH2 = url.protocol === 'https:' && protocol === 'h2';
    return {
      url: url.href,
      statusCode: response.statusCode,
      statusMessage: STATUS_CODES[response.statusCode],
      headers,
      redirectUrls,
      httpVersion: isH2 ? '2.0' : '1.1',
      stream,
    };
  }
}

function proxyAgent(key: AgentKey): Dispatcher {
  return new ProxyAgent({
    uri: key.proxyUrl!,
    // Plain-HTTP targets go to the proxy as absolute URLs, as browsers and got send them;
    // HTTPS targets go through a CONNECT tunnel.
    proxyTunnel: false,
    allowH2: key.http2,
    requestTls: {
      ...tlsOptions(key.tls),
      rejectUnauthorized: key.rejectUnauthorized,
      allowH2: key.http2,
    } as never,
    proxyTls: { rejectUnauthorized: key.rejectUnauthorized },
  });
}

/** Whether this client takes every option of `request` (else got-scraping sends it). */
function isOwnRequest(request: HttpRequest): boolean {
  for (const name in request) {
    if (request[name] !== undefined && !OWN_OPTIONS.has(name)) {
      return false;
    }
  }
  const { timeout, https, proxyUrl, useHeaderGenerator } = request;
  return (
    (timeout === undefined || hasOnlyKey(timeout, 'request')) &&
    (https === undefined || hasOnlyKey(https, 'rejectUnauthorized')) &&
    (proxyUrl === undefined || URL.canParse(proxyUrl)) &&
    (useHeaderGenerator === undefined || typeof useHeaderGenerator === 'boolean')
  );
}

/** Whether `object` has no own enumerable key other than `key`. */
function hasOnlyKey(object: object, key: string): boolean {
  for (const name in object) {
    if (name !== key && Object.hasOwn(object, name)) {
      return false;
    }
  }
  return true;
}

/**
 * The next hop after a redirect to `target`: a 303 turns into a GET without a body (got rewrites
 * no other status), a hop to another origin drops `Authorization` and `Host`, and the `Referer`
 * is set as a browser's default policy (strict-origin-when-cross-origin) sets it.
 */
function redirected(hop: Hop, statusCode: number, target: URL): Hop {
  const headers = { ...hop.headers };
  let { method, body } = hop;
  if (statusCode === 303 && method !== 'GET' && method !== 'HEAD') {
    method = 'GET';
    body = undefined;
    for (const name of Object.keys(headers)) {
      if (/^content-/i.test(name)) {
        delete headers[name];
      }
    }
  }
  const sameOrigin = target.origin === hop.url.origin;
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'referer' || (!sameOrigin && (lower === 'authorization' || lower === 'host'))) {
      delete headers[name];
    }
  }
  const referer = refererFor(hop.url, target);
  if (referer !== undefined) {
    headers.referer = referer;
  }
  return { url: target, method, headers, body };
}

function refererFor(from: URL, to: URL): string | undefined {
  if (from.protocol === 'https:' && to.protocol !== 'https:') {
    return undefined;
  }
  if (from.origin !== to.origin) {
    return `${from.origin}/`;
  }
  return `${from.origin}${from.pathname}${from.search}`;
}

/** How many header names {@link browserCase} remembers at most. */
const MAX_CACHED_HEADER_NAMES = 1_000;
const browserCaseNames = new Map<string, string>();

/** `name` as browsers write it on HTTP/1.1 (`Accept-Language`); `x-` names stay as they are. */
function browserCase(name: string): string {
  let cased = browserCaseNames.get(name);
  if (cased === undefined) {
    cased = /^x-/i.test(name)
      ? name
      : name
          .split('-')
          .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
          .join('-');
    if (browserCaseNames.size < MAX_CACHED_HEADER_NAMES) {
      browserCaseNames.set(name, cased);
    }
  }
  return cased;
}

/** Sets `name` in `headers`, replacing a header of the same name in any case, in its place. */
function setHeader(headers: Headers, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === lower) {
      if (existing === name) {
        headers[name] = value;
        return;
      }
      // Keep the generated header's place, with the caller's name.
      const entries = Object.entries(headers).map(([key, old]): [string, string] =>
        key === existing ? [name, value] : [key, old],
      );
      for (const key of Object.keys(headers)) {
        delete headers[key];
      }
      Object.assign(headers, Object.fromEntries(entries));
      return;
    }
  }
  headers[name] = value;
}

function withoutUndefined(headers: HttpRequest['headers']): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) {
      result[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return result;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body decoded from its `Content-Encoding` (gzip, deflate, br), read leniently as browsers
 * read it: a stream cut short gives what arrived. Other encodings pass as they are.
 */
function decompressed(body: Readable, encoding: string | undefined, deadline: Deadline) {
  const codings = (encoding ?? '')
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity');
  let stream: Readable = body;
  for (const coding of codings.reverse()) {
    const decoder = decoderFor(coding);
    if (decoder === undefined) {
      return stream;
    }
    const source = stream;
    source.on('error', (error) => decoder.destroy(error));
    stream = source.pipe(decoder);
  }
  if (stream !== body) {
    deadline.addEventListener('abort', () => stream.destroy(deadline.reason as Error));
  }
  return stream;
}

function decoderFor(
  coding: string,
): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  const lenient = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(lenient);
    case 'deflate':
      return zlib.createInflate(lenient);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

/** Too many redirects: got's name for it, which the crawler turns into TooManyRedirectsError. */
class MaxRedirectsError extends Error {
  override readonly name = 'MaxRedirectsError';
  readonly code = 'ERR_TOO_MANY_REDIRECTS';

  constructor(maxRedirects: number) {
    super(`Redirected ${maxRedirects} times. Aborting.`);
  }
}

/** The request timed out; named as got names it, which the crawler turns into its own error. */
class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';

  constructor(millis: number) {
    super(`Timeout awaiting 'request' for ${millis}ms`);
  }
}

/**
 * The signal one exchange runs under: aborted by the caller's signal or when `timeout.request`
 * passes, which covers the whole exchange, body included. It is not an `AbortSignal`: creating
 * one costs more than the rest of this object, per request. undici and the decompression streams
 * need only what is here.
 */
class Deadline {
  aborted = false;
  reason: unknown = undefined;
  #listeners: (() => void)[] = [];
  #isReleased = false;
  readonly #timer?: NodeJS.Timeout;
  readonly #outer?: AbortSignal;
  readonly #onOuterAbort = () => this.#abort(this.#outer!.reason);

  constructor(timeoutMillis: number | undefined, outer: AbortSignal | undefined) {
    if (outer?.aborted) {
      this.#abort(outer.reason);
      return;
    }
    if (outer !== undefined) {
      this.#outer = outer;
      outer.addEventListener('abort', this.#onOuterAbort, { once: true });
    }
    if (timeoutMillis !== undefined && timeoutMillis > 0) {
      this.#timer = setTimeout(
        () => this.#abort(new RequestTimeoutError(timeoutMillis)),
        timeoutMillis,
      );
    }
  }

  /** Calls `listener` once, when the exchange is aborted; only the type `abort` exists. */
  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index !== -1) {
      this.#listeners.splice(index, 1);
    }
  }

  /**
   * Stops the timer and the outer signal's hold once `stream` closes: after its end, its error
   * or its destruction (response streams close after they end).
   */
  releaseWith(stream: Readable): void {
    stream.once('close', () => this.release());
  }

  release(): void {
    if (this.#isReleased) {
      return;
    }
    this.#isReleased = true;
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener('abort', this.#onOuterAbort);
  }

  #abort(reason: unknown): void {
    if (this.aborted) {
      return;
    }
    this.aborted = true;
    this.reason = reason;
    this.release();
    for (const listener of this.#listeners.splice(0)) {
      listener();
    }
  }
}
