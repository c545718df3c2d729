/**
 * `context.sendRequest()`: an extra HTTP call from a handler through got-scraping, with defaults
 * taken from the request being handled, its session (cookies) and its proxy, as in Crawlee.
 */
import { gotScraping, Options, type OptionsInit } from 'got-scraping';

import type { Request } from '../request.js';
import type { Session } from '../session-pool/session.js';
import { cheapGotScrapingDefaults, isCheaplyValid } from './got-scraping-options.js';

/** got options a handler may override; anything got-scraping accepts. */
export type SendRequestOptions = Partial<OptionsInit> & { url?: string | URL };

/** The response: got's, with the body as text unless `responseType` says otherwise. */
export interface SendRequestResponse {
  statusCode: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** The defaults of every `sendRequest`; a handler's overrides win over them. */
const SHARED_OPTIONS = {
  responseType: 'text',
  retry: { limit: 0 },
  throwHttpErrors: false,
} as const satisfies OptionsInit;

/** got-scraping's defaults with {@link SHARED_OPTIONS}, made once; see got-scraping-options.ts. */
const SEND_REQUEST_DEFAULTS = cheapGotScrapingDefaults(SHARED_OPTIONS);

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
    cookieJar,
    signal: defaults.signal,
    ...overrides,
  } as OptionsInit & Record<string, unknown>;
  const response = (await send(options)) as unknown as SendRequestResponse;
  return response;
}

function send(options: OptionsInit & Record<string, unknown>): Promise<unknown> {
  if (isCheaplyValid(options)) {
    try {
      const built = new Options(undefined, options, SEND_REQUEST_DEFAULTS);
      return gotScraping(undefined, undefined, built) as Promise<unknown>;
    } catch {
      // Options got cannot use: the ordinary call below reports them as it always has.
    }
  }
  return gotScraping({ ...SHARED_OPTIONS, ...options } as never) as Promise<unknown>;
}
