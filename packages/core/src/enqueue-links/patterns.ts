/**
 * URL patterns of `enqueueLinks()`: globs, regular expressions and pseudo-URLs, each optionally
 * carrying request options (label, user data, method, payload, headers) for the links it matches.
 * Inputs are checked here, so a bad pattern fails the call before anything is enqueued.
 */

import { types } from 'node:util';

import { Minimatch } from 'minimatch';

import type { RequestOptions } from '../request.js';
import { describeValue } from '../utils/options.js';
import { InvalidPatternError } from './errors.js';

/** Request options a pattern object may set on the links it matches. */
export type PatternRequestOptions = Pick<
  RequestOptions,
  'method' | 'payload' | 'label' | 'userData' | 'headers'
>;

/** A glob with request options for the links it matches. */
export type GlobObject = { glob: string } & PatternRequestOptions;

/** A glob (`https://example.com/**`), alone or with request options. */
export type GlobInput = string | GlobObject;

/** A regular expression with request options for the links it matches. */
export type RegExpObject = { regexp: RegExp } & PatternRequestOptions;

/** A regular expression, alone or with request options. */
export type RegExpInput = RegExp | RegExpObject;

/** A pseudo-URL with request options for the links it matches. */
export type PseudoUrlObject = { purl: string } & PatternRequestOptions;

/**
 * A pseudo-URL (`https://example.com/[(\w|-)*]`): text outside `[...]` matches literally, text
 * inside is a regular expression. Deprecated in Crawlee; prefer globs or regexps.
 */
export type PseudoUrlInput = string | PseudoUrlObject;

/** An `exclude` entry: a glob or a regular expression; request options are ignored. */
export type ExcludeInput = GlobInput | RegExpInput;

/** A compiled pattern: a glob or a regexp, with the request options to apply on a match. */
export type UrlPatternObject = { glob?: string; regexp?: RegExp } & PatternRequestOptions;

/** Compiled patterns are cached by input (as in Crawlee), so per-page calls do not re-parse. */
const MAX_CACHED_PATTERNS = 1_000;
const globCache = new Map<unknown, GlobObject>();
const regExpCache = new Map<unknown, RegExpObject>();
const pseudoUrlCache = new Map<unknown, RegExpObject>();

/**
 * Trims a glob and checks that something is left.
 *
 * @returns The trimmed glob.
 * @throws InvalidPatternError when `glob` is not a string or is blank.
 */
export function validateGlobPattern(glob: string, option = 'globs'): string {
  if (typeof glob !== 'string' || glob.trim() === '') {
    throw new InvalidPatternError(
      option,
      glob,
      `Glob pattern in ${option} must be a non-empty string, got ${describeValue(glob)}; ` +
        'write one such as "https://example.com/**"',
    );
  }
  return glob.trim();
}

/**
 * Compiles `globs` entries into glob objects. Blank strings (and objects with a blank `glob`) are
 * skipped, as Crawlee does for empty inputs coming from forms.
 *
 * @param option - Option name used in error messages.
 * @throws InvalidPatternError when `globs` is not an array or an entry is neither a string nor an
 *   object with a string `glob`.
 */
export function constructGlobObjectsFromGlobs(
  globs: readonly GlobInput[],
  option = 'globs',
): GlobObject[] {
  return compileList(globs, option, (item, where) => {
    if (isBlank(item) || (isObject(item) && isBlank(item.glob))) {
      return undefined;
    }
    return cached(globCache, item, () => toGlobObject(item, where));
  });
}

/**
 * Checks `regexps` entries and returns them as regexp objects.
 *
 * @param option - Option name used in error messages.
 * @throws InvalidPatternError when `regexps` is not an array or an entry is neither a RegExp nor
 *   an object whose `regexp` is one.
 */
export function constructRegExpObjectsFromRegExps(
  regexps: readonly RegExpInput[],
  option = 'regexps',
): RegExpObject[] {
  return compileList(regexps, option, (item, where) =>
    cached(regExpCache, item, () => toRegExpObject(item, where)),
  );
}

/**
 * Compiles `pseudoUrls` entries into regexp objects with {@link purlToRegExp}.
 *
 * @throws InvalidPatternError when `pseudoUrls` is not an array, an entry is neither a string nor
 *   an object with a string `purl` (a RegExp belongs in `regexps`), or a pseudo-URL is invalid.
 */
export function constructRegExpObjectsFromPseudoUrls(
  pseudoUrls: readonly PseudoUrlInput[],
  option = 'pseudoUrls',
): RegExpObject[] {
  return compileList(pseudoUrls, option, (item, where) =>
    cached(pseudoUrlCache, item, () => toPseudoUrlObject(item, where)),
  );
}

/**
 * Compiles `exclude` entries: strings and `{ glob }` objects as globs, RegExps and `{ regexp }`
 * objects as regexps. Blank globs are skipped.
 *
 * @throws InvalidPatternError when `exclude` is not an array or an entry is none of these.
 */
export function constructExcludePatternObjects(
  exclude: readonly ExcludeInput[],
  option = 'exclude',
): UrlPatternObject[] {
  return compileList(exclude, option, (item, where) => {
    if (types.isRegExp(item) || (isObject(item) && 'regexp' in item)) {
      return toRegExpObject(item as RegExpInput, where);
    }
    if (typeof item === 'string' || (isObject(item) && 'glob' in item)) {
      const glob = typeof item === 'string' ? item : (item as GlobObject).glob;
      return isBlank(glob) ? undefined : toGlobObject(item as GlobInput, where);
    }
    throw new InvalidPatternError(
      where,
      item,
      `${where} must be a glob string, a RegExp, or an object with a glob or a regexp, ` +
        `got ${describeValue(item)}`,
    );
  });
}

/**
 * Turns a pseudo-URL into a case-insensitive regular expression matching whole URLs: text
 * outside `[...]` is matched literally, text inside is used as a regular expression (in a group).
 *
 * @example
 * purlToRegExp('http[s?]://example.com/[.*]').test('https://example.com/a'); // true
 *
 * @throws InvalidPatternError when the pseudo-URL is blank, has an unclosed `[`, or its
 *   bracketed part is not a valid regular expression.
 */
export function purlToRegExp(purl: string, option = 'pseudoUrls'): RegExp {
  const text = typeof purl === 'string' ? purl.trim() : '';
  if (text === '') {
    throw new InvalidPatternError(
      option,
      purl,
      `Pseudo-URL in ${option} must be a non-empty string, got ${describeValue(purl)}`,
    );
  }

  const { source, depth } = translatePseudoUrl(text);
  if (depth > 0) {
    throw new InvalidPatternError(
      option,
      purl,
      `Pseudo-URL ${JSON.stringify(purl)} in ${option} has an unclosed "["; close it with "]"`,
    );
  }

  try {
    return new RegExp(`^${source}$`, 'i');
  } catch (cause) {
    throw new InvalidPatternError(
      option,
      purl,
      `Pseudo-URL ${JSON.stringify(purl)} in ${option} holds an invalid regular expression ` +
        `(${(cause as Error).message}); fix the part in brackets`,
      { cause },
    );
  }
}

/**
 * Builds a test for one pattern: globs match the full URL with minimatch, ignoring case;
 * regexps use `test()`, from the start of the URL even when they have the `g` or `y` flag.
 */
export function createPatternMatcher(pattern: UrlPatternObject): (url: string) => boolean {
  const { regexp, glob } = pattern;
  if (regexp !== undefined) {
    return (url) => {
      // A /g or /y regexp resumes at lastIndex; reset it so every URL is tested whole.
      regexp.lastIndex = 0;
      return regexp.test(url);
    };
  }
  if (glob !== undefined) {
    const matcher = new Minimatch(glob, { nocase: true });
    return (url) => matcher.match(url);
  }
  return () => false;
}

function translatePseudoUrl(text: string): { source: string; depth: number } {
  let source = '';
  let depth = 0;
  for (const char of text) {
    if (char === '[') {
      depth += 1;
      source += depth === 1 ? '(' : char;
    } else if (char === ']' && depth > 0) {
      depth -= 1;
      source += depth === 0 ? ')' : char;
    } else {
      source += depth > 0 ? char : char.replace(/[.*+?^${}()|[\]\\/-]/, '\\$&');
    }
  }
  return { source, depth };
}

function toGlobObject(item: GlobInput, where: string): GlobObject {
  if (typeof item === 'string') {
    return { glob: validateGlobPattern(item, where) };
  }
  if (isObject(item) && typeof item.glob === 'string') {
    return { ...item, glob: validateGlobPattern(item.glob, where) };
  }
  throw new InvalidPatternError(
    where,
    item,
    `${where} must be a glob string or an object with a string glob, got ${describeValue(item)}`,
  );
}

function toRegExpObject(item: RegExpInput, where: string): RegExpObject {
  if (types.isRegExp(item)) {
    return { regexp: item };
  }
  if (isObject(item) && types.isRegExp(item.regexp)) {
    return { ...item };
  }
  const hint = typeof item === 'string' ? '; write a RegExp literal, or put the text in globs' : '';
  throw new InvalidPatternError(
    where,
    item,
    `${where} must be a RegExp or an object with a RegExp regexp, ` +
      `got ${describeValue(item)}${hint}`,
  );
}

function toPseudoUrlObject(item: PseudoUrlInput, where: string): RegExpObject {
  if (typeof item === 'string') {
    return { regexp: purlToRegExp(item, where) };
  }
  if (isObject(item) && typeof item.purl === 'string') {
    const { purl, ...requestOptions } = item;
    return { regexp: purlToRegExp(purl, where), ...requestOptions };
  }
  const hint = types.isRegExp(item) ? '; RegExps belong in the regexps option' : '';
  throw new InvalidPatternError(
    where,
    item,
    `${where} must be a pseudo-URL string or an object with a string purl, ` +
      `got ${types.isRegExp(item) ? 'a RegExp' : describeValue(item)}${hint}`,
  );
}

function compileList<I, O>(
  list: readonly I[],
  option: string,
  compile: (item: I, where: string) => O | undefined,
): O[] {
  if (!Array.isArray(list)) {
    throw new InvalidPatternError(
      option,
      list,
      `${option} must be an array of patterns, got ${list === null ? 'null' : describeValue(list)}`,
    );
  }

  const compiled: O[] = [];
  // An index loop, not forEach, so holes in a sparse array are reported, not skipped.
  for (let index = 0; index < list.length; index++) {
    const result = compile(list[index], `${option}[${index}]`);
    if (result !== undefined) {
      compiled.push(result);
    }
  }
  return compiled;
}

function cached<T>(cache: Map<unknown, T>, key: unknown, build: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) {
    return hit;
  }
  const built = build();
  cache.set(key, built);
  if (cache.size > MAX_CACHED_PATTERNS) {
    cache.delete(cache.keys().next().value);
  }
  return built;
}

function isBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
