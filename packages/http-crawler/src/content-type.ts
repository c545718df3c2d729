/**
 * Content types: reading a response's `Content-Type`, the set the HTTP crawlers accept, and which
 * types are text the crawler decodes into a string body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { extname } from 'node:path';

import { remembered } from './remembered.js';

/** Types every HTTP crawler accepts, as Crawlee's do; `additionalMimeTypes` adds to them. */
export const BASE_MIME_TYPES: readonly string[] = Object.freeze([
  'text/html',
  'text/xml',
  'application/xhtml+xml',
  'application/xml',
  'application/json',
]);

/** A response's content type: the type without parameters, and its `charset` when given. */
export interface ParsedContentType {
  /** The type, lower case: `text/html`. */
  type: string;
  /** The `charset` parameter, lower case, when the header has one. */
  charset?: string;
}

// A server that sends no Content-Type is read by the URL's extension, as Crawlee does; anything
// else is taken as octet-stream (RFC 9110 section 8.3), which the crawlers do not accept.
const TYPES_BY_EXTENSION: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
  '.xml': 'application/xml',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.pdf': 'application/pdf',
};

const DEFAULT_TYPE = 'application/octet-stream';

/** Reads the `Content-Type` header of a response from `url`, falling back to its extension. */
export function parseContentType(headers: IncomingHttpHeaders, url: string): ParsedContentType {
  const header = headers['content-type'];
  const parsed = header === undefined ? undefined : parsedHeader(header);
  if (parsed !== undefined) {
    // A copy: the remembered one is shared.
    return { ...parsed };
  }
  return { type: TYPES_BY_EXTENSION[extensionOf(url)] ?? DEFAULT_TYPE };
}

/** {@link parseHeader}, remembered per header value: every page of a site sends the same. */
const parsedHeader = remembered((header): Readonly<ParsedContentType> | undefined => {
  const parsed = parseHeader(header);
  return parsed && Object.freeze(parsed);
}, 256);

function parseHeader(header: string): ParsedContentType | undefined {
  const [rawType = '', ...parameters] = header.split(';');
  const type = rawType.trim().toLowerCase();
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(type)) {
    return undefined;
  }
  for (const parameter of parameters) {
    const [name = '', ...rest] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') {
      const value = rest
        .join('=')
        .trim()
        .replace(/^"(.*)"$/, '$1');
      return value === '' ? { type } : { type, charset: value.toLowerCase() };
    }
  }
  return { type };
}

function extensionOf(url: string): string {
  try {
    return extname(new URL(url).pathname).toLowerCase();
  } catch {
    return '';
  }
}

/** Whether `type` is accepted: in `accepted`, or `accepted` holds the wildcard `*\/*`. */
export function isAcceptedType(type: string, accepted: ReadonlySet<string>): boolean {
  return accepted.has(type) || accepted.has('*/*');
}

/** Whether `type` is HTML or XML, whose body the crawlers hand over as a decoded string. */
export function isMarkupType(type: string): boolean {
  return type === 'text/html' || isXmlType(type);
}

/** Whether `type` is an XML type, parsed in XML mode. */
export function isXmlType(type: string): boolean {
  return type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml');
}

/** Whether `type` is a JSON type, which `context.json` parses. */
export function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}
