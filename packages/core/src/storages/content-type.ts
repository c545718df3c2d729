/**
 * How key-value store records are named and typed: content type ↔ file extension, record key ↔
 * file name, and turning stored bytes back into the value a caller gets. Shared by the memory and
 * filesystem clients so both return the same values.
 */

import { Readable } from 'node:stream';

import { CorruptStorageFileError, InputError } from '../errors.js';
import { describeValue } from '../utils/options.js';

/** The content type of records whose type is unknown. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The content type trawl gives JSON records, as Crawlee does. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The extension of records whose content type is unknown. */
export const DEFAULT_EXTENSION = 'bin';

// The first extension of each content type is the one written; the others are only read.
const EXTENSIONS_BY_TYPE: Record<string, string[]> = {
  'application/json': ['json'],
  'text/plain': ['txt'],
  'text/html': ['html', 'htm'],
  'application/xml': ['xml'],
  'text/xml': ['xml'],
  'text/csv': ['csv'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  [DEFAULT_CONTENT_TYPE]: [DEFAULT_EXTENSION],
};

const TYPES_BY_EXTENSION = new Map<string, string>();
for (const [type, extensions] of Object.entries(EXTENSIONS_BY_TYPE)) {
  for (const extension of extensions) {
    if (!TYPES_BY_EXTENSION.has(extension)) {
      TYPES_BY_EXTENSION.set(extension, type);
    }
  }
}

const KEY_PATTERN = /^[a-zA-Z0-9!\-_.'()]{1,256}$/;

/** The media type of a content type, lower case and without parameters (`; charset=...`). */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

/** The file extension for a content type, without the dot; `bin` when the type is unknown. */
export function contentTypeToExtension(contentType: string): string {
  return EXTENSIONS_BY_TYPE[mediaType(contentType)]?.[0] ?? DEFAULT_EXTENSION;
}

/**
 * The content type for a file extension (with or without the dot, any case); text and JSON types
 * carry `; charset=utf-8`. Unknown or empty extensions give `application/octet-stream`.
 */
export function extensionToContentType(extension: string): string {
  const type = TYPES_BY_EXTENSION.get(extension.replace(/^\./, '').toLowerCase());
  if (type === undefined) {
    return DEFAULT_CONTENT_TYPE;
  }
  return isTextual(type) ? `${type}; charset=utf-8` : type;
}

/** Whether records of this content type hold JSON. */
export function isJsonContentType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type === 'application/json' || type.endsWith('+json');
}

/** Whether records of this content type are returned as strings (text, XML; JSON is parsed). */
export function isTextContentType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml');
}

function isTextual(type: string): boolean {
  return isJsonContentType(type) || isTextContentType(type);
}

/** Whether a record key follows Crawlee's rule: 1-256 characters from a-z, A-Z, 0-9 and !-_.'(). */
export function isValidRecordKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/**
 * Checks a record key against Crawlee's rule, which also keeps keys from naming a path.
 * @throws InputError naming the key and the allowed characters and length
 */
export function validateRecordKey(key: string): void {
  if (!isValidRecordKey(key)) {
    throw new InputError(
      `Invalid key-value store key ${JSON.stringify(key) ?? String(key)}: use 1-256 characters ` +
        `from a-z, A-Z, 0-9 and !-_.'()`,
      { code: 'TRAWL_INVALID_RECORD_KEY' },
    );
  }
}

/** A record's file name: `<key>.<ext>`, or the key alone when it already ends with `.<ext>`. */
export function recordFileName(key: string, contentType: string): string {
  const extension = contentTypeToExtension(contentType);
  return key.toLowerCase().endsWith(`.${extension}`) ? key : `${key}.${extension}`;
}

/** The key and content type a record file name stands for: `INPUT.json` is key `INPUT`. */
export function parseRecordFileName(fileName: string): { key: string; contentType: string } {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) {
    return { key: fileName, contentType: DEFAULT_CONTENT_TYPE };
  }
  return {
    key: fileName.slice(0, dot),
    contentType: extensionToContentType(fileName.slice(dot + 1)),
  };
}

/**
 * Turns stored bytes into the value a caller gets: parsed JSON, a string for text, else a Buffer.
 * @param where - The file path (or other location) named when the bytes are not valid JSON.
 * @throws CorruptStorageFileError when a JSON record does not parse
 */
export function decodeRecordValue(raw: Buffer, contentType: string, where: string): unknown {
  if (isJsonContentType(contentType)) {
    return parseJsonFile(raw.toString('utf8'), where);
  }
  if (isTextContentType(contentType)) {
    return raw.toString('utf8');
  }
  return raw;
}

/**
 * Parses the text of a stored JSON file.
 * @throws CorruptStorageFileError naming the file and the parse error
 */
export function parseJsonFile(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptStorageFileError(where, `invalid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Turns a value given to `setValue` into the bytes and content type to store. Without a content
 * type, Buffers and streams are binary and anything else becomes 2-space indented JSON.
 * @throws InputError naming the key when the value is undefined, does not fit `contentType`, or
 *   has no JSON form
 */
export async function encodeRecord(
  key: string,
  value: unknown,
  contentType: string | undefined,
): Promise<{ value: string | Buffer; contentType: string }> {
  if (value === undefined) {
    throw new InputError(
      `Value for key "${key}" is undefined; pass null to delete the record, or a value to store`,
    );
  }
  if (contentType !== undefined) {
    return { value: await encodeTyped(key, value, contentType), contentType };
  }
  if (Buffer.isBuffer(value) || isReadable(value)) {
    return { value: await toBytes(value), contentType: DEFAULT_CONTENT_TYPE };
  }
  return { value: stringifyJson(key, value), contentType: JSON_CONTENT_TYPE };
}

async function encodeTyped(key: string, value: unknown, contentType: string) {
  if (typeof contentType !== 'string' || contentType.trim() === '') {
    throw new InputError(
      `contentType for key "${key}" must be a non-empty string such as "text/plain", ` +
        `got ${describeValue(contentType)}`,
    );
  }
  if (typeof value !== 'string' && !Buffer.isBuffer(value) && !isReadable(value)) {
    throw new InputError(
      `Value for key "${key}" must be a string, a Buffer or a readable stream when contentType ` +
        `is given, got ${describeValue(value)}; omit contentType to store it as JSON`,
    );
  }
  const encoded = typeof value === 'string' ? value : await toBytes(value);
  if (isJsonContentType(contentType)) {
    assertJson(key, encoded);
  }
  return encoded;
}

function stringifyJson(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, null, 2);
  } catch (error) {
    throw new InputError(
      `Value for key "${key}" cannot be turned into JSON (${(error as Error).message}); ` +
        'store plain data, or pass a string or Buffer with a contentType',
      { cause: error },
    );
  }
  if (json === undefined) {
    throw new InputError(
      `Value for key "${key}" (${typeof value}) has no JSON form; store plain data instead`,
    );
  }
  return json;
}

function assertJson(key: string, encoded: string | Buffer): void {
  try {
    JSON.parse(encoded.toString());
  } catch (error) {
    throw new InputError(
      `Value for key "${key}" is not valid JSON but its contentType says JSON; fix the value ` +
        'or use another contentType',
      { cause: error },
    );
  }
}

function isReadable(value: unknown): value is Readable {
  return value instanceof Readable;
}

async function toBytes(value: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(value)) {
    return value;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of value) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  }
  return Buffer.concat(chunks);
}
