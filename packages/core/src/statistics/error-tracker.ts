/**
 * Groups a crawl's errors so the closing summary can name the commonest ones: by where they
 * were thrown, their code, their name and their message, merging messages that differ only in
 * a few words (a URL, a number) into one group with `_` in place of those words.
 */

import { assertKnownOptions } from '../utils/options.js';
import { isProjectFrame, rootCause, shortenFrame, stackFrames } from './error-message.js';
import { emptyCounts, increment, type Counts } from './statistics-state.js';

export { errorMessageFor, rootCause } from './error-message.js';

/** Which parts of an error tell groups apart; a part switched off is not compared. */
export interface ErrorTrackerOptions {
  /** Group by `error.code`. @default true */
  showErrorCode?: boolean;
  /** Group by `error.name`. @default true */
  showErrorName?: boolean;
  /** Group by where the error was thrown (a stack frame in the project's code). @default true */
  showStackTrace?: boolean;
  /**
   * Use the whole stack as the location rather than one frame; errors from one throw site reached
   * by different paths then fall into different groups. @default false
   */
  showFullStack?: boolean;
  /** Group by message, merging similar ones. @default true */
  showErrorMessage?: boolean;
  /**
   * Use every line of a multi-line message rather than the first; long messages (a browser call
   * log) then rarely merge. @default false
   */
  showFullMessage?: boolean;
}

/** Counts per location, then code, then name, then message; the shape of `stats.state.errors`. */
export type ErrorGroups = Record<string, Record<string, Record<string, Counts>>>;

/** The parts naming one group; a part switched off or missing on the error is `undefined`. */
export type ErrorGroupKey = [
  location: string | undefined,
  code: string | undefined,
  name: string | undefined,
  message: string | undefined,
];

/** The fields the crawler logs as `Error analysis:` at the end of a crawl. */
export interface ErrorAnalysis {
  totalErrors: number;
  uniqueErrors: number;
  /** The commonest groups, as `<count>x: <message> (<location>)`. */
  mostCommonErrors: string[];
}

const MISSING = {
  location: 'missing stack trace',
  code: 'missing error code',
  name: 'missing error name',
  message: 'missing error message',
} as const;

const MISSING_VALUES: ReadonlySet<string> = new Set(Object.values(MISSING));

const PLACEHOLDER = '_';

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'showErrorCode',
  'showErrorName',
  'showStackTrace',
  'showFullStack',
  'showErrorMessage',
  'showFullMessage',
]);

/**
 * Counts errors in groups. Wrapped errors are unwrapped first, so a group names the cause.
 *
 * @example
 * const tracker = new ErrorTracker();
 * tracker.add(new Error('Timeout after 100 ms for https://a/1'));
 * tracker.add(new Error('Timeout after 100 ms for https://a/2'));
 * tracker.getMostPopularErrors(1);
 * // [[2, [location, undefined, 'Error', 'Timeout after 100 ms for _']]]
 */
export class ErrorTracker {
  /** The groups and their counts; the same object for the tracker's life, cleared in place. */
  readonly result: ErrorGroups = emptyCounts();
  /** Errors added since the last reset. */
  total = 0;
  readonly #options: Required<ErrorTrackerOptions>;

  /** @throws ConfigurationError on an unknown option */
  constructor(options: ErrorTrackerOptions = {}) {
    assertKnownOptions(options, OPTION_NAMES, 'ErrorTracker');
    this.#options = {
      showErrorCode: options.showErrorCode ?? true,
      showErrorName: options.showErrorName ?? true,
      showStackTrace: options.showStackTrace ?? true,
      showFullStack: options.showFullStack ?? false,
      showErrorMessage: options.showErrorMessage ?? true,
      showFullMessage: options.showFullMessage ?? false,
    };
  }

  /** Counts `error` in its group; a thrown value that is not an error counts by its text. */
  add(error: unknown): void {
    const root = error instanceof Error ? rootCause(error) : fromThrownValue(error);
    const [location, code, name, message] = this.#keyOf(root);
    const messages = this.#messagesOf(location, code, name);

    increment(messages, mergeInto(messages, message));
    this.total += 1;
  }

  /** The number of distinct groups. */
  getUniqueErrorCount(): number {
    return this.#groups().length;
  }

  /** The `count` largest groups, largest first; ties in {@link ErrorTracker.result}'s order. */
  getMostPopularErrors(count: number): [number, ErrorGroupKey][] {
    return this.#groups()
      .sort((a, b) => b[0] - a[0])
      .slice(0, Math.max(0, count));
  }

  /**
   * Takes over groups saved from an earlier run (`stats.state.errors` of a persisted record), so a
   * resumed crawl's summary covers the whole crawl. Malformed parts are skipped.
   */
  restore(saved: unknown): void {
    this.reset();
    for (const [count, [location, code, name, message]] of walkGroups(saved)) {
      increment(this.#messagesOf(location, code, name), message, count);
      this.total += count;
    }
  }

  /** Forgets every error. */
  reset(): void {
    for (const location of Object.keys(this.result)) {
      delete this.result[location];
    }
    this.total = 0;
  }

  #keyOf(error: Error): [string, string, string, string] {
    const options = this.#options;
    const code = (error as { code?: unknown }).code;

    return [
      options.showStackTrace ? locationOf(error, options.showFullStack) : MISSING.location,
      options.showErrorCode && isCode(code) ? String(code) : MISSING.code,
      options.showErrorName && error.name ? error.name : MISSING.name,
      options.showErrorMessage ? messageOf(error, options.showFullMessage) : MISSING.message,
    ];
  }

  #messagesOf(location: string, code: string, name: string): Counts {
    const byCode = (this.result[location] ??= emptyCounts());
    const byName = (byCode[code] ??= emptyCounts());
    return (byName[name] ??= emptyCounts());
  }

  #groups(): [number, ErrorGroupKey][] {
    return walkGroups(this.result).map(([count, parts]) => [
      count,
      parts.map(present) as ErrorGroupKey,
    ]);
  }
}

/**
 * The fields of the closing `Error analysis:` line: how many errors, how many groups, and the
 * `count` commonest as `<count>x: <message> (<location>)`.
 */
export function errorAnalysis(tracker: ErrorTracker, count = 3): ErrorAnalysis {
  return {
    totalErrors: tracker.total,
    uniqueErrors: tracker.getUniqueErrorCount(),
    mostCommonErrors: tracker.getMostPopularErrors(count).map(([times, key]) => {
      const [location, code, name, message] = key;
      const what = message ?? name ?? code ?? 'unknown error';
      return location === undefined ? `${times}x: ${what}` : `${times}x: ${what} (${location})`;
    }),
  };
}

/**
 * The key under which `message` is counted: an existing key it matches (placeholders match any
 * word), or one it merges with, which is then renamed; else `message` itself.
 */
function mergeInto(messages: Counts, message: string): string {
  if (message in messages) {
    return message;
  }
  for (const [existing, count] of Object.entries(messages)) {
    const merged = mergeMessages(existing, message);
    if (merged === undefined) {
      continue;
    }
    if (merged !== existing) {
      delete messages[existing];
      increment(messages, merged, count);
    }
    return merged;
  }
  return message;
}

/**
 * The two messages as one, with `_` for the words where they differ; undefined when they have a
 * different number of words, or share no more than half of them, and so are different errors.
 */
export function mergeMessages(a: string, b: string): string | undefined {
  const wordsA = a.split(' ');
  const wordsB = b.split(' ');
  if (wordsA.length !== wordsB.length) {
    return undefined;
  }
  let shared = 0;
  const merged = wordsA.map((word, index) => {
    if (word === wordsB[index] && word !== PLACEHOLDER) {
      shared += 1;
      return word;
    }
    return PLACEHOLDER;
  });
  return shared * 2 > wordsA.length ? merged.join(' ') : undefined;
}

function locationOf(error: Error, fullStack: boolean): string {
  const frames = stackFrames(error);
  if (frames.length === 0) {
    return MISSING.location;
  }
  if (fullStack) {
    return frames.map(shortenFrame).join('\n');
  }
  return shortenFrame(frames.find(isProjectFrame) ?? frames[0]);
}

function messageOf(error: Error, fullMessage: boolean): string {
  const message = fullMessage ? error.message : error.message.split('\n')[0];
  return message.trim() || MISSING.message;
}

function isCode(code: unknown): code is string | number {
  return (typeof code === 'string' && code !== '') || typeof code === 'number';
}

/** Every group of a nested groups object with a positive count, in the object's order. */
function walkGroups(groups: unknown): [number, [string, string, string, string]][] {
  const found: [number, [string, string, string, string]][] = [];
  for (const [location, byCode] of entriesOf(groups)) {
    for (const [code, byName] of entriesOf(byCode)) {
      for (const [name, messages] of entriesOf(byName)) {
        for (const [message, count] of entriesOf(messages)) {
          if (typeof count === 'number' && count > 0) {
            found.push([count, [location, code, name, message]]);
          }
        }
      }
    }
  }
  return found;
}

/** An error standing for a thrown non-error; no stack, as this file is not where it was thrown. */
function fromThrownValue(value: unknown): Error {
  const error = new Error(String(value));
  error.stack = undefined;
  return error;
}

function entriesOf(value: unknown): [string, unknown][] {
  return typeof value === 'object' && value !== null ? Object.entries(value) : [];
}

function present(part: string): string | undefined {
  return MISSING_VALUES.has(part) ? undefined : part;
}
