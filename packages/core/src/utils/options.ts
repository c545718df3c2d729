/**
 * Helpers for checking option objects: reject keys a class does not know, and suggest the option
 * the caller probably meant.
 */

import { ConfigurationError } from '../errors.js';

/**
 * Finds the candidate closest to `name` by edit distance, ignoring case, so a typo in an option
 * name can be answered with a suggestion.
 *
 * @param name - The unknown name, as the caller wrote it.
 * @param candidates - The names that are valid.
 * @returns The closest candidate, or `undefined` when none is within a third of `name`'s length
 *   (and at least two edits), which keeps unrelated names from being suggested.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  const limit = Math.max(2, Math.ceil(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;

  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }

  return best;
}

/**
 * Checks that every own key of `options` is a known option name.
 *
 * @param options - The options object the caller passed.
 * @param known - Every option name the owner accepts.
 * @param owner - The class or function that takes the options, named in the error message.
 * @throws ConfigurationError naming the first unknown key and, when one is close, the option the
 *   caller probably meant; its `option` field holds the unknown key.
 */
export function assertKnownOptions(
  options: object,
  known: ReadonlySet<string>,
  owner: string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw unknownOptionError(key, known, owner);
    }
  }
}

/**
 * Describes a value for an error message: strings quoted, other primitives as written, objects by
 * their kind, so a message never dumps a large structure.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  if (typeof value === 'object' && value !== null) {
    return 'an object';
  }
  return String(value);
}

function unknownOptionError(
  key: string,
  known: ReadonlySet<string>,
  owner: string,
): ConfigurationError {
  const suggestion = closestName(key, known);
  const hint =
    suggestion === undefined
      ? `remove it or use one of: ${[...known].join(', ')}`
      : `did you mean "${suggestion}"?`;

  return new ConfigurationError(`Unknown option "${key}" for ${owner}; ${hint}`, { option: key });
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions turning a into b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);

  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }

  return previous[b.length];
}
