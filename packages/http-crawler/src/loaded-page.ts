/**
 * A page the crawler has loaded: its decoded body, parsed with cheerio at most once, and the
 * links it holds.
 */
import type { CheerioAPI } from 'cheerio';

import { loadPage } from './cheerio-loader.js';
import { isJsonType, isMarkupType, isXmlType } from './content-type.js';
import { decodeBody } from './decode.js';
import { SelectorNotFoundError } from './errors.js';
import type { ResponseContentType } from './http-crawling-context.js';

/** The body of one response and what is derived from it on demand. */
export class LoadedPage {
  /** The URL loaded, after redirects. */
  readonly url: string;
  /** The body: decoded text for HTML and XML, the raw bytes for other types. */
  readonly body: string | Buffer;
  /** The content type and the encoding of the body. */
  readonly contentType: ResponseContentType;
  #raw?: Buffer;
  #text?: string;
  #$?: CheerioAPI;
  #json?: { value: unknown };

  constructor(url: string, raw: Buffer, contentType: ResponseContentType) {
    this.url = url;
    this.contentType = contentType;
    if (isMarkupType(contentType.type)) {
      this.#text = decodeBody(raw, contentType.encoding);
      this.body = this.#text;
    } else {
      this.#raw = raw;
      this.body = raw;
    }
  }

  /** The page parsed with cheerio; the first call parses, later ones return the same object. */
  get $(): CheerioAPI {
    this.#$ ??= loadPage(this.text(), isXmlType(this.contentType.type));
    return this.#$;
  }

  /** The body parsed as JSON (once), for JSON types; `null` for others. */
  get json(): unknown {
    if (!isJsonType(this.contentType.type)) {
      return null;
    }
    this.#json ??= { value: JSON.parse(this.text()) };
    return this.#json.value;
  }

  /** The body as text, decoded with the page's encoding. */
  text(): string {
    this.#text ??= decodeBody(this.#raw!, this.contentType.encoding);
    return this.#text;
  }

  /**
   * The parsed page, after checking that `selector` matches.
   * @throws SelectorNotFoundError when `selector` is given and matches nothing
   */
  parse(selector?: string): CheerioAPI {
    const $ = this.$;
    if (selector !== undefined && $(selector).length === 0) {
      throw new SelectorNotFoundError(selector, this.url);
    }
    return $;
  }

  /**
   * The `href`s of the elements matching `selector`, made absolute against the page's
   * `<base href>`, else `baseUrl`, else the loaded URL; each once, in page order.
   */
  links(selector = 'a', baseUrl?: string): string[] {
    const $ = this.$;
    const fallback = baseUrl ?? this.url;
    let anchors: TreeNode[];
    let baseHref: string | undefined;
    if (selector === 'a') {
      // The default selector takes a plain walk of the tree, without a CSS selector engine.
      const found = elementsNamed($.root()[0] as TreeNode, ['a', 'base']);
      anchors = found.filter((element) => element.name === 'a');
      baseHref = found.find(
        (element) => element.name === 'base' && element.attribs?.href !== undefined,
      )?.attribs?.href;
    } else {
      anchors = $(selector).toArray();
      baseHref = $('base[href]').first().attr('href');
    }
    const base = (baseHref?.trim() && absolute(baseHref.trim(), fallback)) || fallback;
    const origin = httpOrigin(base);

    const links = new Set<string>();
    for (const element of anchors) {
      const href = element.attribs?.href?.trim();
      const url = !href
        ? undefined
        : isPlainPath(href, origin)
          ? origin + href
          : absolute(href, base);
      if (url !== undefined) {
        links.add(url);
      }
    }
    return [...links];
  }
}

/** What {@link elementsNamed} reads of a node of the parsed tree. */
interface TreeNode {
  type: string;
  name?: string;
  attribs?: Record<string, string | undefined>;
  children?: TreeNode[];
}

/** The elements with one of `names` under `root`, in document order, as a selector finds them. */
function elementsNamed(root: TreeNode, names: readonly string[]): TreeNode[] {
  const found: TreeNode[] = [];
  // An explicit stack: deeply nested markup must not overflow the call stack.
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'tag' && names.includes(node.name!)) {
      found.push(node);
    }
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i -= 1) {
      stack.push(children[i]!);
    }
  }
  return found;
}

/** A path from the root (`/shop/item-1`) whose resolution is the origin followed by it. */
const PLAIN_PATH = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;

/**
 * Whether `href` resolves against an http(s) base of origin `origin` to `origin + href`: a
 * root-relative path with no characters a URL parser would encode, no `.` or `..` segment, no
 * query or fragment. Most links of a site are such paths, and they skip the URL parser.
 */
function isPlainPath(href: string, origin: string | undefined): origin is string {
  return origin !== undefined && PLAIN_PATH.test(href) && !href.includes('/.');
}

function httpOrigin(base: string): string | undefined {
  try {
    const url = new URL(base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function absolute(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}
