/**
 * The router: a request handler that dispatches each request to the handler registered for its
 * label, after running the middlewares. It is a function, so it can be passed as
 * `requestHandler`; every crawler also has one as `crawler.router`.
 */

import type { CrawlingContext } from './crawlers/crawling-context.js';
import { ConfigurationError, CriticalError } from './errors.js';
import type { Log } from './log.js';
import type { Request } from './request.js';
import { describeValue } from './utils/options.js';
import type { Awaitable, Dictionary } from './utils/types.js';

/** The least a context must hold to be routed: the request, and a logger when there is one. */
export interface RoutableContext {
  /** The request being handled; its `label` picks the handler. */
  request: Request<any>;
  /** Receives the router's DEBUG line for each request. */
  log?: Log;
}

/** A route handler or middleware: runs for one request. */
export type RouteHandler<Context> = (context: Context) => Awaitable<void>;

/** A context whose request carries user data of type `UserData`, for typed handlers. */
export type RouteContext<Context extends RoutableContext, UserData extends Dictionary> = Omit<
  Context,
  'request'
> & { request: Request<UserData> };

/** Handlers by label, for {@link Router.create}; the key `default` sets the default handler. */
export type RouterRoutes<Context> = Record<string, RouteHandler<Context>>;

/** What {@link Router.create} returns: the router, callable as a request handler. */
export interface RouterHandler<
  Context extends RoutableContext = CrawlingContext,
> extends Router<Context> {
  /** Routes one request: logs it, runs the middlewares, then the handler for its label. */
  (context: Context): Promise<void>;
}

/**
 * No handler is registered for a request's label and there is no default handler. It is a
 * {@link CriticalError}: the crawl stops, because every other request with the label would fail
 * the same way.
 */
export class MissingRouteError extends CriticalError {
  /** The label that has no handler; `undefined` for a request without a label. */
  readonly label?: string;

  constructor(label: string | undefined, url?: string) {
    const subject = url === undefined ? 'A request' : `Request ${url}`;
    const route =
      label === undefined
        ? 'has no label and the router has no default handler; add one with ' +
          'router.addDefaultHandler(handler)'
        : `has the label "${label}", which has no handler, and the router has no default ` +
          `handler; add router.addHandler("${label}", handler) or ` +
          'router.addDefaultHandler(handler)';
    super(`${subject} ${route}`, { code: 'TRAWL_MISSING_ROUTE' });
    this.label = label;
  }
}

/**
 * Dispatches requests to handlers by `request.label`, running middlewares (`use()`) before each
 * handler, in the order they were added. Create one with {@link Router.create}.
 *
 * @example
 * const router = Router.create<CrawlingContext>();
 * router.use(({ request, log }) => log.info('Handling', { url: request.url }));
 * router.addHandler('DETAIL', async ({ request, pushData }) => {
 *   await pushData({ url: request.url });
 * });
 * router.addDefaultHandler(async ({ enqueueLinks }) => {
 *   await enqueueLinks({ urls: ['/item/1'], label: 'DETAIL' });
 * });
 * const crawler = new BasicCrawler({ requestHandler: router });
 */
export class Router<Context extends RoutableContext = CrawlingContext> {
  #routes = new Map<string, RouteHandler<Context>>();
  #defaultHandler?: RouteHandler<Context>;
  #middlewares: RouteHandler<Context>[] = [];

  /** Use {@link Router.create}, which returns a callable router. */
  protected constructor() {}

  /**
   * Registers the handler for requests labelled `label`.
   *
   * @throws ConfigurationError when `label` already has a handler or `handler` is not a function.
   */
  addHandler<UserData extends Dictionary = Dictionary>(
    label: string,
    handler: RouteHandler<RouteContext<Context, UserData>>,
  ): void {
    assertHandler(handler, `router.addHandler("${label}")`);
    if (this.#routes.has(label)) {
      throw new ConfigurationError(
        `Route for label "${label}" is already defined; register each label once`,
      );
    }
    this.#routes.set(label, handler as unknown as RouteHandler<Context>);
  }

  /**
   * Registers the handler for requests whose label has no handler of its own, or no label.
   *
   * @throws ConfigurationError when a default handler is already registered or `handler` is not
   *   a function.
   */
  addDefaultHandler<UserData extends Dictionary = Dictionary>(
    handler: RouteHandler<RouteContext<Context, UserData>>,
  ): void {
    assertHandler(handler, 'router.addDefaultHandler()');
    if (this.#defaultHandler !== undefined) {
      throw new ConfigurationError('Default route is already defined; register it once');
    }
    this.#defaultHandler = handler as unknown as RouteHandler<Context>;
  }

  /**
   * Adds a middleware, run before the handler of every request; middlewares run one after the
   * other in the order they were added.
   *
   * @throws ConfigurationError when `middleware` is not a function.
   */
  use(middleware: RouteHandler<Context>): void {
    assertHandler(middleware, 'router.use()');
    this.#middlewares.push(middleware);
  }

  /**
   * Returns the handler for `label`, or the default handler when the label has none.
   *
   * @throws MissingRouteError when neither exists.
   */
  getHandler(label?: string): RouteHandler<Context> {
    return this.#resolve(label);
  }

  /**
   * Creates a router, optionally with handlers by label (`default` being the default handler).
   * The result is a function: pass it as `requestHandler`.
   *
   * @throws ConfigurationError when a route is not a function.
   */
  static create<Context extends RoutableContext = CrawlingContext>(
    routes?: RouterRoutes<Context>,
  ): RouterHandler<Context> {
    const router = new Router<Context>();
    for (const [label, route] of Object.entries(routes ?? {})) {
      const handler = route as RouteHandler<RouteContext<Context, Dictionary>>;
      if (label === 'default') {
        router.addDefaultHandler(handler);
      } else {
        router.addHandler(label, handler);
      }
    }

    const dispatch = (context: Context): Promise<void> => router.#dispatch(context);
    return Object.assign(dispatch, {
      addHandler: router.addHandler.bind(router),
      addDefaultHandler: router.addDefaultHandler.bind(router),
      use: router.use.bind(router),
      getHandler: router.getHandler.bind(router),
    }) as unknown as RouterHandler<Context>;
  }

  async #dispatch(context: Context): Promise<void> {
    const { request } = context;
    // The label is read before the middlewares run, as in Crawlee.
    const label = request.label;
    const url = request.loadedUrl ?? request.url;
    context.log?.debug('Page opened', { label, url });

    for (const middleware of this.#middlewares) {
      await middleware(context);
    }
    await this.#resolve(label, url)(context);
  }

  #resolve(label: string | undefined, url?: string): RouteHandler<Context> {
    const handler =
      (label === undefined ? undefined : this.#routes.get(label)) ?? this.#defaultHandler;
    if (handler === undefined) {
      throw new MissingRouteError(label, url);
    }
    return handler;
  }
}

/**
 * Creates a router for `BasicCrawler` handlers, optionally with handlers by label.
 *
 * @throws ConfigurationError when a route is not a function.
 */
export function createBasicRouter<Context extends CrawlingContext = CrawlingContext>(
  routes?: RouterRoutes<Context>,
): RouterHandler<Context> {
  return Router.create<Context>(routes);
}

function assertHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') {
    throw new ConfigurationError(`${where} needs a function, got ${describeValue(handler)}`);
  }
}
