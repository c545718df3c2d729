/** CheerioCrawler: an HttpCrawler whose handlers also get the page parsed with cheerio as `$`. */
import type { Configuration, Request, Session } from '@trawl/core';

import { HttpCrawler } from './http-crawler.js';
import type { HttpCrawlerOptions } from './http-crawler-options.js';
import type { CheerioCrawlingContext } from './http-crawling-context.js';

/** Options of {@link CheerioCrawler}: HttpCrawler's, for a context with `$`. */
export type CheerioCrawlerOptions<
  Context extends CheerioCrawlingContext<any, any> = CheerioCrawlingContext,
> = HttpCrawlerOptions<Context>;

type ItemBuffer = Parameters<HttpCrawler['createContext']>[2];

/**
 * Crawls over plain HTTP and hands each page to your handler parsed with cheerio as `$`
 * (htmlparser2, as in Crawlee; XML types in XML mode). The page is parsed once, on first use of
 * `$`, `parseWithCheerio()` or `enqueueLinks()`. Everything else is {@link HttpCrawler}'s.
 *
 * @example
 * const crawler = new CheerioCrawler({
 *   async requestHandler({ request, $, enqueueLinks, pushData }) {
 *     await pushData({ url: request.loadedUrl, title: $('title').text() });
 *     await enqueueLinks({ globs: ['https://example.com/**'] });
 *   },
 * });
 * await crawler.run(['https://example.com/']);
 */
export class CheerioCrawler<
  Context extends CheerioCrawlingContext<any, any> = CheerioCrawlingContext,
> extends HttpCrawler<Context> {
  // One accessor for every context, so that all contexts share one shape (see HttpCrawler). `$` is
  // undefined when no page was loaded, as in a failed-request handler after a failed navigation.
  readonly #cheerioProperty: PropertyDescriptor = {
    get: (() => {
      const loadedPage = (context: Context) => this.loadedPage(context);
      return function $(this: Context) {
        return loadedPage(this)?.$;
      };
    })(),
    enumerable: true,
    configurable: true,
  };

  /** @throws ConfigurationError on unknown, mistyped or not yet supported options */
  constructor(options: CheerioCrawlerOptions<Context> = {}, config?: Configuration) {
    super(options, config);
  }

  protected override createContext(
    request: Request,
    session: Session | undefined,
    buffer: ItemBuffer,
    signal: AbortSignal,
  ): Context {
    const context = super.createContext(request, session, buffer, signal);
    Object.defineProperty(context, '$', this.#cheerioProperty);
    return context;
  }
}
