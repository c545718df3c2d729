/**
 * Errors of link enqueueing: a URL pattern (glob, regexp, pseudo-URL or exclude entry) that
 * cannot be used.
 */

import { InputError } from '../errors.js';

/**
 * A `globs`, `regexps`, `pseudoUrls` or `exclude` entry is not a usable pattern. Thrown before
 * anything is enqueued, so the call adds nothing.
 */
export class InvalidPatternError extends InputError {
  /** The option holding the pattern, with its index, as in `globs[2]`. */
  readonly option: string;

  /** The offending entry as given. */
  readonly pattern: unknown;

  constructor(
    option: string,
    pattern: unknown,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { ...options, code: 'TRAWL_INVALID_PATTERN' });
    this.option = option;
    this.pattern = pattern;
  }
}
