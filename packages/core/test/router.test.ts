import { describe, expect, expectTypeOf, test } from 'vitest';

import type { CrawlingContext } from '../src/crawlers/crawling-context.js';
import { ConfigurationError, CriticalError, isTrawlError } from '../src/errors.js';
import { Log, LogLevel } from '../src/log.js';
import { Request } from '../src/request.js';
import {
  createBasicRouter,
  MissingRouteError,
  Router,
  type RoutableContext,
} from '../src/router.js';

/** A context with a real request and a logger whose lines are kept. */
function contextFor(url: string, label?: string): RoutableContext & { lines: string[] } {
  const lines: string[] = [];
  const log = new Log({ level: LogLevel.DEBUG, writer: (line) => void lines.push(line) });
  return { request: new Request({ url, label }), log, lines };
}

describe('Router', () => {
  test('dispatches by label, else to the default, after the middlewares in order', async () => {
    const calls: string[] = [];
    const router = Router.create<RoutableContext>();
    router.addHandler('LIST', ({ request }) => void calls.push(`list ${request.url}`));
    router.addHandler('DETAIL', async ({ request }) => {
      await Promise.resolve();
      calls.push(`detail ${request.url}`);
    });
    router.addDefaultHandler(({ request }) => void calls.push(`default ${request.url}`));
    router.use(() => void calls.push('first middleware'));
    router.use(async () => {
      await Promise.resolve();
      calls.push('second middleware');
    });

    await router(contextFor('https://a.example/list', 'LIST'));
    await router(contextFor('https://a.example/item', 'DETAIL'));
    await router(contextFor('https://a.example/other', 'UNKNOWN'));
    await router(contextFor('https://a.example/'));

    expect(calls).toEqual([
      'first middleware',
      'second middleware',
      'list https://a.example/list',
      'first middleware',
      'second middleware',
      'detail https://a.example/item',
      'first middleware',
      'second middleware',
      'default https://a.example/other',
      'first middleware',
      'second middleware',
      'default https://a.example/',
    ]);
  });

  test('takes routes, and a default, when created; more can be added later', async () => {
    const calls: string[] = [];
    const router = Router.create<RoutableContext>({
      A: () => void calls.push('A'),
      B: () => void calls.push('B'),
      default: () => void calls.push('default'),
    });
    router.addHandler('C', () => void calls.push('C'));

    for (const label of ['A', 'B', 'C', 'D']) {
      await router(contextFor('https://a.example/', label));
    }

    expect(calls).toEqual(['A', 'B', 'C', 'default']);
    expect(router.getHandler('B')).toBeTypeOf('function');
    expect(router.getHandler('missing')).toBe(router.getHandler());
  });

  test('refuses a second handler for a label, or a second default', () => {
    const router = Router.create({ A: () => undefined });
    router.addDefaultHandler(() => undefined);

    expect(() => router.addHandler('A', () => undefined)).toThrow(ConfigurationError);
    expect(() => router.addHandler('A', () => undefined)).toThrow(
      'Route for label "A" is already defined',
    );
    expect(() => router.addDefaultHandler(() => undefined)).toThrow(
      /Default route is already defined/,
    );
  });

  test('refuses a handler or middleware that is not a function', () => {
    const router = Router.create();
    expect(() => router.addHandler('A', 'handler' as never)).toThrow(
      /router.addHandler\("A"\) needs a function, got "handler"/,
    );
    expect(() => router.use(undefined as never)).toThrow(ConfigurationError);
    expect(() => Router.create({ A: 1 as never })).toThrow(ConfigurationError);
  });

  test('a label with no handler and no default is a MissingRouteError (critical)', async () => {
    const router = Router.create<RoutableContext>({ A: () => undefined });
    let middlewareRuns = 0;
    router.use(() => void middlewareRuns++);

    const error = await router(contextFor('https://a.example/x', 'B')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MissingRouteError);
    expect(error).toBeInstanceOf(CriticalError);
    expect(isTrawlError(error, 'TRAWL_MISSING_ROUTE')).toBe(true);
    expect((error as MissingRouteError).label).toBe('B');
    expect((error as Error).message).toBe(
      'Request https://a.example/x has the label "B", which has no handler, and the router has ' +
        'no default handler; add router.addHandler("B", handler) or ' +
        'router.addDefaultHandler(handler)',
    );
    expect(middlewareRuns).toBe(1);
    expect(() => router.getHandler()).toThrow(/A request has no label .*addDefaultHandler/);
  });

  test('logs "Page opened" at DEBUG with the label and the loaded URL', async () => {
    const router = Router.create<RoutableContext>({ A: () => undefined });
    const context = contextFor('https://a.example/start', 'A');
    context.request.loadedUrl = 'https://a.example/landed';

    await router(context);

    expect(context.lines).toEqual([
      'DEBUG Page opened {"label":"A","url":"https://a.example/landed"}',
    ]);
  });

  test('routes a context without a logger', async () => {
    const router = Router.create<RoutableContext>({ default: () => undefined });
    await expect(router({ request: new Request({ url: 'https://a.example/' }) })).resolves.toBe(
      undefined,
    );
  });

  test('createBasicRouter builds a router for crawling contexts', () => {
    const router = createBasicRouter({ default: () => undefined });
    expectTypeOf(router).parameter(0).toEqualTypeOf<CrawlingContext>();
    expect(router.getHandler()).toBeTypeOf('function');
  });

  test('handlers can type the user data of their label', () => {
    const router = Router.create<RoutableContext>();
    router.addHandler<{ sku: string }>('DETAIL', ({ request }) => {
      expectTypeOf(request.userData.sku).toEqualTypeOf<string>();
    });
  });
});
