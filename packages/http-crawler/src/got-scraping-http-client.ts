/**
 * The HTTP client the HTTP crawlers use by default: got-scraping, which sends browser-like
 * generated headers, speaks HTTP/2 where the server offers it and goes through `proxyUrl`.
 */
import { gotScraping, type Options, type PlainResponse } from 'got-scraping';

import type {
  BaseHttpClient,
  HttpRequest,
  RedirectHandler,
  StreamingHttpResponse,
} from './http-client.js';

type BeforeRedirectHook = (options: Options, response: PlainResponse) => Promise<void>;

/**
 * Sends requests with got-scraping. It never retries and never throws on an HTTP error status:
 * the crawler decides what a status means.
 *
 * @example
 * const client = new GotScrapingHttpClient();
 * const response = await client.stream({ url: 'https://example.com/' });
 * response.stream.resume();
 */
export class GotScrapingHttpClient implements BaseHttpClient {
  /** Sends `request`; see {@link BaseHttpClient.stream}. */
  stream(request: HttpRequest, onRedirect?: RedirectHandler): Promise<StreamingHttpResponse> {
    let redirectError: unknown;
    const beforeRedirect: BeforeRedirectHook = async (options, response) => {
      try {
        await onRedirect?.({
          fromUrl: response.url,
          toUrl: options.url!.toString(),
          statusCode: response.statusCode,
          headers: response.headers,
        });
      } catch (error) {
        redirectError = error;
        throw error;
      }
    };
    const { url, hooks, ...options } = request;
    const userHooks = (hooks ?? {}) as { beforeRedirect?: BeforeRedirectHook[] };
    const stream = gotScraping(url, {
      ...options,
      isStream: true,
      throwHttpErrors: false,
      retry: { limit: 0 },
      hooks: {
        ...userHooks,
        beforeRedirect: [...(userHooks.beforeRedirect ?? []), beforeRedirect],
      },
    } as never) as unknown as ReturnType<typeof gotScraping.stream>;

    return new Promise((resolve, reject) => {
      // got wraps errors thrown by hooks; the caller gets the redirect handler's own error.
      const onError = (error: Error) => reject(redirectError ?? error);
      stream.once('error', onError);
      stream.once('response', (response: PlainResponse) => {
        stream.off('error', onError);
        // Errors while the body is read reach its reader; this listener keeps an unread body's
        // late error from crashing the process.
        stream.on('error', () => undefined);
        resolve({
          url: response.url,
          statusCode: response.statusCode,
          statusMessage: response.statusMessage,
          headers: response.headers,
          redirectUrls: response.redirectUrls,
          ip: response.ip,
          httpVersion: response.httpVersion,
          stream,
        });
      });
    });
  }
}
