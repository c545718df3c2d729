/**
 * `context.sendRequest()`: an extra HTTP call from a handler through got-scraping, with defaults
 * taken from the request being handled, its session (cookies) and its proxy, as in Crawlee.
 */
import { gotScraping, hooks as gotScrapingHooks, Options, type OptionsInit } from 'got-scraping';

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

/** The defaults of every `sendRequest`; a handler's overrides win over them. */
const SHARED_OPTIONS = {
  responseType: 'text',
  retry: { limit: 0 },
  throwHttpErrors: false,
} as const satisfies OptionsInit;

/**
 * got-scraping's defaults, as they are when this module loads, with {@link SHARED_OPTIONS} merged
 * in. Two changes make each call cheaper without changing what it sends; {@link isCheaplyValid}
 * decides which calls use them.
 */
const SEND_REQUEST_DEFAULTS = createDefaults();

function createDefaults(): Options {
  const defaults = new Options(undefined, SHARED_OPTIONS, gotScraping.defaults.options);
  // got-scraping checks its own options with `ow`, which takes a stack trace on every call;
  // isCheaplyValid checks the same rules, and calls that break them go the ordinary way.
  const init = defaults.hooks.init.filter(
    (hook) => hook !== gotScrapingHooks.optionsValidationHandler,
  );
  defaults.hooks = { ...defaults.hooks, init };
  // got spreads `cacheOptions` into the options of every native request; while it has keys (all
  // undefined unless a cache is used), V8 takes tens of microseconds to build that object.
  defaults.cacheOptions = {};
  return defaults;
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

/**
 * Whether a call may go with {@link SEND_REQUEST_DEFAULTS}: got-scraping's own options hold
 * values its validation (`ow`) accepts, and it sets no cache, whose options those defaults
 * emptied.
 */
function isCheaplyValid(options: Record<string, unknown>): boolean {
  const { proxyUrl, useHeaderGenerator, insecureHTTPParser } = options;
  return (
    (proxyUrl === undefined || (typeof proxyUrl === 'string' && URL.canParse(proxyUrl))) &&
    (useHeaderGenerator === undefined || typeof useHeaderGenerator === 'boolean') &&
    (insecureHTTPParser === undefined || typeof insecureHTTPParser === 'boolean') &&
    isObjectOrUndefined(options.headerGeneratorOptions) &&
    isObjectOrUndefined(options.sessionToken) &&
    options.cache === undefined &&
    options.cacheOptions === undefined
  );
}

/** The rule of `ow.object`: an object or a function, not `null`. */
function isObjectOrUndefined(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null)
  );
}
