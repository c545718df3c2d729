/** Router factories typed for the HTTP crawlers' contexts. */
import { Router, type RouterHandler, type RouterRoutes } from '@trawl/core';

import type { CheerioCrawlingContext, HttpCrawlingContext } from './http-crawling-context.js';

/**
 * Creates a router for {@link HttpCrawler} handlers, optionally with handlers by label
 * (`default` being the default handler). Pass it as `requestHandler`, or use `crawler.router`.
 *
 * @throws ConfigurationError when a route is not a function
 */
export function createHttpRouter<
  Context extends HttpCrawlingContext<any, any> = HttpCrawlingContext,
>(routes?: RouterRoutes<Context>): RouterHandler<Context> {
  return Router.create<Context>(routes);
}

/**
 * Creates a router for {@link CheerioCrawler} handlers, optionally with handlers by label
 * (`default` being the default handler). Pass it as `requestHandler`, or use `crawler.router`.
 *
 * @example
 * const router = createCheerioRouter();
 * router.addDefaultHandler(({ enqueueLinks }) => enqueueLinks({ label: 'DETAIL' }));
 * router.addHandler('DETAIL', ({ $, pushData }) => pushData({ title: $('h1').text() }));
 * const crawler = new CheerioCrawler({ requestHandler: router });
 *
 * @throws ConfigurationError when a route is not a function
 */
export function createCheerioRouter<
  Context extends CheerioCrawlingContext<any, any> = CheerioCrawlingContext,
>(routes?: RouterRoutes<Context>): RouterHandler<Context> {
  return Router.create<Context>(routes);
}
