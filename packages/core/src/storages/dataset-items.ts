/**
 * What a dataset does to items on the way in (checks, JSON round trip, size limit) and on the way
 * out (field selection, hidden and empty items, CSV).
 */

import { extname } from 'node:path';

import { stringify } from 'csv-stringify/sync';

import { ConfigurationError, InputError } from '../errors.js';
import { describeValue } from '../utils/options.js';

/** The largest item a dataset accepts, in bytes of JSON: Crawlee's limit, 9 MB less 0.01 %. */
export const MAX_PAYLOAD_SIZE_BYTES = 9_437_184;

/** The options of {@link shapeItems}, as `Dataset.getData` takes them. */
export interface ItemShapeOptions {
  fields?: string[];
  clean?: boolean;
  skipEmpty?: boolean;
  skipHidden?: boolean;
}

type Item = Record<string, unknown>;

/**
 * Checks one item and returns its JSON round trip, so every backend stores the same data.
 * @param where - Which item, for messages: `''` or `'at index 3 '`.
 * @throws InputError when the item is not a plain object, has no JSON form, or is too large
 */
export function normaliseItem(item: unknown, where: string): Item {
  if (!isPlainObject(item)) {
    throw new InputError(
      `Dataset item ${where}must be a plain object, got ${describeValue(item)}; push objects ` +
        'such as { url, title }',
    );
  }
  const flat = flatCopy(item);
  if (flat !== undefined) {
    return flat;
  }
  let json: string;
  try {
    json = JSON.stringify(item);
  } catch (error) {
    throw new InputError(
      `Dataset item ${where}cannot be turned into JSON (${(error as Error).message}); ` +
        'push plain data',
      { cause: error },
    );
  }

  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_PAYLOAD_SIZE_BYTES) {
    throw new InputError(
      `Dataset item ${where}is ${bytes} bytes as JSON, over the limit of ` +
        `${MAX_PAYLOAD_SIZE_BYTES}; split it into smaller items`,
    );
  }
  return JSON.parse(json) as Item;
}

/**
 * The JSON round trip of an item whose values are all strings, finite numbers, booleans or null,
 * made without JSON: a copy of its string-keyed properties. Such items are most of what crawlers
 * push, and their round trip changes nothing but the object. `undefined` for any other item, or
 * one that could come near the size limit.
 */
function flatCopy(item: Item): Item | undefined {
  const copy: Item = {};
  // An upper bound of the JSON's bytes: an escaped character takes at most 6.
  let bound = 2;
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (typeof value === 'string') {
      bound += value.length * 6 + 2;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value) || Object.is(value, -0)) {
        return undefined;
      }
      bound += 24;
    } else if (typeof value !== 'boolean' && value !== null) {
      return undefined;
    }
    if (key === '__proto__') {
      return undefined;
    }
    bound += key.length * 6 + 8;
    copy[key] = value;
  }
  return bound <= MAX_PAYLOAD_SIZE_BYTES ? copy : undefined;
}

function isPlainObject(value: unknown): value is Item {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Applies `fields`, `skipHidden`, `skipEmpty` and `clean` to a page of items. */
export function shapeItems(items: Item[], options: ItemShapeOptions): Item[] {
  const skipHidden = options.skipHidden || options.clean;
  const skipEmpty = options.skipEmpty || options.clean;
  const shaped = items.map((item) => {
    const picked = options.fields ? pick(item, options.fields) : item;
    return skipHidden ? withoutHidden(picked) : picked;
  });
  return skipEmpty ? shaped.filter((item) => Object.keys(item).length > 0) : shaped;
}

function pick(item: Item, fields: string[]): Item {
  return Object.fromEntries(fields.filter((field) => field in item).map((f) => [f, item[f]]));
}

function withoutHidden(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('#')));
}

/**
 * Renders items as CSV with a header row: the first item's keys, or every item's keys with
 * `collectAllKeys`. Nested values are written as JSON; no items give an empty string.
 */
export function itemsToCsv(items: Item[], collectAllKeys: boolean): string {
  if (items.length === 0) {
    return '';
  }
  const header = collectAllKeys
    ? [...new Set(items.flatMap((item) => Object.keys(item)))]
    : Object.keys(items[0]);
  const rows = items.map((item) => header.map((key) => item[key]));
  // Booleans as true/false: csv-stringify's default would write 1 and an empty cell.
  return stringify([header, ...rows], { cast: { boolean: (value) => String(value) } });
}

/**
 * The export format: `format` when given, else the path's extension.
 * @throws ConfigurationError when that is neither json nor csv
 */
export function exportFormatOf(path: string, format: unknown): 'json' | 'csv' {
  const chosen = format ?? extname(path).slice(1).toLowerCase();
  if (chosen === 'json' || chosen === 'csv') {
    return chosen;
  }
  const reason =
    format === undefined
      ? 'its extension is neither .json nor .csv'
      : `format ${describeValue(format)}`;
  throw new ConfigurationError(
    `Cannot export the dataset to "${path}": ${reason}; pass the format "json" or "csv"`,
    { option: 'format' },
  );
}

/**
 * Checks an `offset` or `limit` option.
 * @throws ConfigurationError unless it is undefined or a non-negative integer
 */
export function assertCount(option: string, value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
    throw new ConfigurationError(
      `${option} must be a non-negative integer, got ${describeValue(value)}`,
      { option },
    );
  }
}

/**
 * Refuses the `unwind` option.
 * @throws ConfigurationError when it is given
 */
export function assertNoUnwind(unwind: unknown): void {
  if (unwind !== undefined) {
    throw new ConfigurationError(
      'The unwind option of Dataset.getData is not supported yet; remove it and unwind the ' +
        'items yourself',
      { option: 'unwind' },
    );
  }
}
