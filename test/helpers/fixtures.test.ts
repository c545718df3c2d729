/** Tests of the forward proxy and blocking site fixtures, with plain node:http clients. */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

import { afterEach, describe, expect, test } from 'vitest';

import { startBlockingSite, type BlockingSite, type BlockingSiteOptions } from './blocking-site.js';
import { startForwardProxy, type ForwardProxy, type ForwardProxyOptions } from './forward-proxy.js';

/** Headers got-scraping would send; enough to pass `requireBrowserHeaders`. */
const BROWSER_HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'accept-language': 'en-US,en;q=0.5',
  'sec-fetch-mode': 'navigate',
};

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function site(options?: BlockingSiteOptions): Promise<BlockingSite> {
  const started = await startBlockingSite(options);
  running.push(started);
  return started;
}

async function proxy(options?: ForwardProxyOptions): Promise<ForwardProxy> {
  const started = await startForwardProxy(options);
  running.push(started);
  return started;
}

function collect(res: IncomingMessage): Promise<Answer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
    });
  });
}

/** `Proxy-Authorization` for the credentials in a proxy URL, if it has any. */
function proxyAuthorization(proxyUrl: URL): Record<string, string> {
  if (!proxyUrl.username) {
    return {};
  }
  const { username, password } = proxyUrl;
  const credentials = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** GETs an `http://` URL directly, or through a forward proxy in absolute-URI form. */
function get(
  url: string,
  { via, headers = {} }: { via?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const target = new URL(url);
  const hop = via ? new URL(via) : target;
  return new Promise((resolve, reject) => {
    httpRequest({
      host: hop.hostname,
      port: hop.port,
      path: via ? url : target.pathname + target.search,
      headers: { ...headers, ...proxyAuthorization(hop) },
      agent: false,
    })
      .on('response', (res) => void collect(res).then(resolve, reject))
      .on('error', reject)
      .end();
  });
}

/** Asks a proxy for a CONNECT tunnel; resolves with the proxy's status and the raw socket. */
function openTunnel(via: string, authority: string): Promise<{ status: number; socket: Socket }> {
  const hop = new URL(via);
  return new Promise((resolve, reject) => {
    httpRequest({
      host: hop.hostname,
      port: hop.port,
      method: 'CONNECT',
      path: authority,
      headers: proxyAuthorization(hop),
      agent: false,
    })
      .on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }))
      .on('error', reject)
      .end();
  });
}

/** GETs an `https://` URL over an open tunnel, trusting the site's self-signed certificate. */
function getOverTunnel(url: string, socket: Socket): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    httpsRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      createConnection: () => tlsConnect({ socket, rejectUnauthorized: false }),
    })
      .on('response', (res) => void collect(res).then(resolve, reject))
      .on('error', reject)
      .end();
  });
}

describe('startForwardProxy', () => {
  test('forwards a plain request from its localAddress and logs it', async () => {
    const target = await site();
    const forwarder = await proxy({ localAddress: '127.0.0.5' });

    const answer = await get(target.url('/page/3'), { via: forwarder.url });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<title>Page 3</title>');
    expect(answer.headers['set-cookie']).toEqual(['sid=sid-1; Path=/']);
    expect(target.log).toMatchObject([{ path: '/page/3', remoteAddress: '127.0.0.5' }]);
    expect(forwarder.log).toMatchObject([
      { method: 'GET', target: target.url('/page/3'), status: 200 },
    ]);
  });

  test('tunnels CONNECT to an HTTPS site from its localAddress', async () => {
    const target = await site({ tls: true });
    const forwarder = await proxy({ localAddress: '127.0.0.6' });
    const authority = new URL(target.origin).host;

    const tunnel = await openTunnel(forwarder.url, authority);
    const answer = await getOverTunnel(target.url('/page/1'), tunnel.socket);

    expect(target.origin).toMatch(/^https:/);
    expect(tunnel.status).toBe(200);
    expect(answer.body).toContain('<title>Page 1</title>');
    expect(target.log).toMatchObject([{ path: '/page/1', remoteAddress: '127.0.0.6' }]);
    expect(forwarder.log).toMatchObject([{ method: 'CONNECT', target: authority, status: 200 }]);
  });

  test('answers 407 to requests and tunnels without matching credentials', async () => {
    const target = await site();
    const forwarder = await proxy({ auth: { username: 'ann', password: 's3cret:x' } });
    const authority = new URL(target.origin).host;

    const refused = await get(target.url('/'), { via: forwarder.urlWithoutCredentials });
    const refusedTunnel = await openTunnel(forwarder.urlWithoutCredentials, authority);
    refusedTunnel.socket.destroy();
    const wrong = await get(target.url('/'), {
      via: 'http://ann:guess@' + forwarder.url.split('@')[1],
    });
    const allowed = await get(target.url('/'), { via: forwarder.url });

    expect(forwarder.url).toBe(forwarder.urlWithoutCredentials.replace('//', '//ann:s3cret%3Ax@'));
    expect(refused.status).toBe(407);
    expect(refused.headers['proxy-authenticate']).toBe('Basic realm="trawl-test"');
    expect(refusedTunnel.status).toBe(407);
    expect(wrong.status).toBe(407);
    expect(allowed.status).toBe(200);
    expect(forwarder.log.map((entry) => entry.status)).toEqual([407, 407, 407, 200]);
    expect(target.log).toHaveLength(1);
  });

  test('a refusing proxy drops every connection', async () => {
    const target = await site();
    const dead = await proxy({ refuse: true });

    await expect(get(target.url('/'), { via: dead.url })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    await expect(openTunnel(dead.url, new URL(target.origin).host)).rejects.toThrow();
    expect(dead.connectionCount).toBe(2);
    expect(dead.log).toEqual([]);
    expect(target.log).toEqual([]);
  });

  test('waits for requests, resets its log and closes open tunnels', async () => {
    const target = await site({ tls: true });
    const forwarder = await proxy();
    const authority = new URL(target.origin).host;

    const waited = forwarder.waitForRequests(2);
    const tunnels = await Promise.all([
      openTunnel(forwarder.url, authority),
      openTunnel(forwarder.url, authority),
    ]);
    const closed = tunnels.map(({ socket }) => new Promise((end) => socket.once('close', end)));

    expect(await waited).toHaveLength(2);
    forwarder.reset();
    expect(forwarder.log).toEqual([]);
    await forwarder.close();
    await Promise.all(closed);
  });
});

describe('startBlockingSite', () => {
  test('links / to every page, each titled Page N', async () => {
    const target = await site({ pages: 3 });

    const home = await get(target.url('/'));
    const last = await get(target.url('/page/3'));
    const beyond = await get(target.url('/page/4'));

    expect(home.body.match(/href="[^"]+"/g)).toEqual([
      'href="/page/1"',
      'href="/page/2"',
      'href="/page/3"',
    ]);
    expect(last.body).toContain('<title>Page 3</title>');
    expect(beyond.status).toBe(404);
    expect(target.handledPaths()).toEqual(['/', '/page/3']);
  });

  test('(a) blocks a session cookie once it has made maxRequestsPerSession requests', async () => {
    const target = await site({ maxRequestsPerSession: 2 });

    const first = await get(target.url('/page/1'));
    const cookie = (first.headers['set-cookie'] ?? [])[0].split(';')[0];
    const second = await get(target.url('/page/2'), { headers: { cookie } });
    const third = await get(target.url('/page/3'), { headers: { cookie } });
    const fresh = await get(target.url('/page/3'));

    expect(cookie).toBe('sid=sid-1');
    expect(second.status).toBe(200);
    expect(third).toMatchObject({ status: 403, body: 'blocked session' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers['set-cookie']).toEqual(['sid=sid-2; Path=/']);
    expect(target.log.map(({ sid, status }) => [sid, status])).toEqual([
      ['sid-1', 200],
      ['sid-1', 200],
      ['sid-1', 403],
      ['sid-2', 200],
    ]);
  });

  test('(b) blocks requests without browser-like headers', async () => {
    const target = await site({ requireBrowserHeaders: true });

    const plain = await get(target.url('/'));
    const fetched = await fetch(target.url('/'));
    const browser = await get(target.url('/'), { headers: BROWSER_HEADERS });

    expect(plain).toMatchObject({ status: 403, body: 'not a browser' });
    expect(fetched.status).toBe(403);
    expect(browser.status).toBe(200);
    expect(target.log.map((entry) => entry.blockedBy)).toEqual(['headers', 'headers', undefined]);
  });

  test('(c) blocks a source address, as of a proxy bound to it', async () => {
    const target = await site({ blockedSourceAddresses: ['127.0.0.9'] });
    const banned = await proxy({ localAddress: '127.0.0.9' });
    const clean = await proxy({ localAddress: '127.0.0.8' });

    const viaBanned = await get(target.url('/'), { via: banned.url });
    const viaClean = await get(target.url('/'), { via: clean.url });

    expect(viaBanned).toMatchObject({ status: 403, body: 'blocked address' });
    expect(viaClean.status).toBe(200);
    expect(target.log).toMatchObject([
      { remoteAddress: '127.0.0.9', status: 403, blockedBy: 'source-address' },
      { remoteAddress: '127.0.0.8', status: 200 },
    ]);
  });

  test('(d) blocks while blockWhile returns true', async () => {
    let blocking = true;
    const target = await site({ blockWhile: () => blocking });

    const during = await get(target.url('/'));
    blocking = false;
    const after = await get(target.url('/'));

    expect(during.status).toBe(403);
    expect(after.status).toBe(200);
  });

  test('answers blocks with a Cloudflare-style challenge', async () => {
    const target = await site({ blockWhile: () => true, challenge: 'cloudflare' });

    const answer = await get(target.url('/page/1'));

    expect(answer.status).toBe(403);
    expect(answer.headers).toMatchObject({ 'cf-mitigated': 'challenge', server: 'cloudflare' });
    expect(answer.body).toContain('<title>Just a moment...</title>');
    expect(answer.body).toMatch(/<script src="\/cdn-cgi\/challenge-platform\//);
  });

  test('answers blocks with an Incapsula-style page and status 200', async () => {
    const target = await site({ blockWhile: () => true, challenge: 'incapsula' });

    const answer = await get(target.url('/page/1'));

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('_Incapsula_Resource');
    expect(answer.body).toContain('Incapsula incident ID');
    expect(target.handledPaths()).toEqual([]);
  });

  test('answers blocks with a redirect to a Google-style sorry page', async () => {
    const target = await site({ blockWhile: () => true, challenge: 'google-sorry' });

    const answer = await get(target.url('/page/1?q=x'));
    const location = answer.headers.location ?? '';
    const sorry = await get(target.url(location));

    expect(answer.status).toBe(302);
    expect(location).toBe(`/sorry/index?continue=${encodeURIComponent(target.url('/page/1?q=x'))}`);
    expect(sorry.status).toBe(429);
    expect(sorry.body).toContain(
      'Our systems have detected unusual traffic from your computer network',
    );
  });

  test('waits for requests and forgets them on reset', async () => {
    const target = await site();

    const waited = target.waitForRequests(2);
    await Promise.all([get(target.url('/')), get(target.url('/page/2'))]);

    expect(await waited).toHaveLength(2);
    target.reset();
    expect(target.log).toEqual([]);
    expect(target.handledPaths()).toEqual([]);
  });
});
