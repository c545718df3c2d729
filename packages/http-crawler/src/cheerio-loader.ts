/**
 * Cheerio's `$` for one page without `cheerio.load`'s cost. `load` declares a new class for every
 * document it loads; a crawl that loads thousands of pages then runs every cheerio method over
 * thousands of classes, which keeps V8 from optimising them. Here one loaded instance per parser
 * mode serves every page: each page gets a small `$` that passes its own document as the root, and
 * selections made from a selection keep that root.
 */
import { load, type CheerioAPI } from 'cheerio';
import { parseDocument } from 'htmlparser2';

type Root = ReturnType<typeof parseDocument>;
type Initialize = (selector?: unknown, context?: unknown, root?: unknown, options?: unknown) => any;

/** The loaded instance of one parser mode and the static part each page's `$` inherits. */
interface SharedLoader {
  initialize: Initialize;
  options: Record<string, unknown>;
  statics: object;
}

const loaders = new Map<boolean, SharedLoader>();

function sharedLoader(xmlMode: boolean): SharedLoader {
  let loader = loaders.get(xmlMode);
  if (loader !== undefined) {
    return loader;
  }
  // htmlparser2 in HTML mode, as Crawlee uses: it is faster than parse5 and gives the same tree
  // Crawlee users' selectors were written against. Malformed markup still parses.
  const shared = load('', { xml: { xmlMode, decodeEntities: true } });
  const initialize = shared as unknown as Initialize;
  // A selection derived from another (find, parent, first, ...) is made with the root of the one
  // it came from, not the empty document this instance was loaded with.
  Object.defineProperty(shared.fn, '_make', {
    value(this: { _root?: unknown }, selector: unknown, context: unknown) {
      const made = initialize(selector, context, this._root ?? undefined);
      made.prevObject = this;
      return made;
    },
    writable: true,
    configurable: true,
  });
  // The static methods (html, text, root, extract, ...) read the document from `this._root`.
  const statics = Object.create(Function.prototype) as Record<string, unknown>;
  for (const [key, value] of Object.entries(shared)) {
    if (key !== '_root') {
      statics[key] = value;
    }
  }
  // `prototype` is not enumerable on the loaded function, so it is not among the entries.
  statics.prototype = shared.prototype;
  loader = { initialize, options: (shared as unknown as Record<string, any>)._options, statics };
  loaders.set(xmlMode, loader);
  return loader;
}

/**
 * `text` parsed with htmlparser2 (in XML mode when `xmlMode`), as `cheerio.load` would parse it,
 * returned as a cheerio `$` rooted at that document.
 */
export function loadPage(text: string, xmlMode: boolean): CheerioAPI {
  const { initialize, options, statics } = sharedLoader(xmlMode);
  const document: Root = parseDocument(text, options);
  const $ = (selector?: unknown, context?: unknown, root?: unknown, opts?: unknown) =>
    initialize(selector, context, root ?? document, opts);
  Object.setPrototypeOf($, statics);
  ($ as unknown as { _root: Root })._root = document;
  return $ as unknown as CheerioAPI;
}
