/**
 * `context.sendRequest()`: an extra HTTP call from a handler through got-scraping, with defaults
 * taken from the request being handled, its session (cookies) and its proxy, as in Crawlee.
 */
import { gotScraping, type OptionsInit } from 'got-scraping';

import type { Request } from '../request.js';
import type { Session } from '../session-pool/session.js';

/** got options a handler may override; anything got-scraping accepts. */
export type SendRequestOptions = Partial<OptionsInit> & { url?: string | URL };

/** The response: got's, with the body as text unless `responseType` says otherwise. */
export interface SendRequestResponse {
  statusCode: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** Sends `request` (or `overrides.url`) the way Crawlee's `sendRequest` does. */
export async function sendRequest(
  request: Request,
  overrides: SendRequestOptions,
  defaults: { session?: Session; proxyUrl?: string; signal?: AbortSignal },
): Promise<SendRequestResponse> {
  const cookieJar = defaults.session
    ? {
        getCookieString: async (url: string) => defaults.session!.getCookieString(url),
        setCookie: async (rawCookie: string, url: string) =>
          defaults.session!.setCookie(rawCookie, url),
      }
    : undefined;
  const options = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.payload,
    proxyUrl: defaults.proxyUrl,
    sessionToken: defaults.session,
    responseType: 'text',
    cookieJar,
    signal: defaults.signal,
    retry: { limit: 0 },
    throwHttpErrors: false,
    ...overrides,
  } as OptionsInit;
  const response = (await gotScraping(options as never)) as unknown as SendRequestResponse;
  return response;
}
