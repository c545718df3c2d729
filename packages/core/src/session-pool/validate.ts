/** Checks of option values shared by {@link Session} and {@link SessionPool}. */

import { ConfigurationError } from '../errors.js';
import { describeValue } from '../utils/options.js';

/**
 * Checks that an optional numeric option is a finite number of at least `min` (and an integer
 * when asked).
 *
 * @throws ConfigurationError naming the option, the value given and what is expected
 */
export function assertNumberOption(
  owner: string,
  name: string,
  value: unknown,
  expected: { min: number; integer?: boolean },
): void {
  if (value === undefined) {
    return;
  }
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  const fits = isNumber && value >= expected.min && (!expected.integer || Number.isInteger(value));
  if (fits) {
    return;
  }
  const kind = expected.integer ? 'an integer' : 'a number';
  const bound = Number.isFinite(expected.min) ? ` of at least ${expected.min}` : '';
  const given = describeValue(value);
  throw new ConfigurationError(`${owner} option ${name} must be ${kind}${bound}, got ${given}`, {
    option: name,
  });
}

/**
 * Checks that an optional option is a function.
 *
 * @throws ConfigurationError naming the option and the value given
 */
export function assertFunctionOption(owner: string, name: string, value: unknown): void {
  if (value === undefined || typeof value === 'function') {
    return;
  }
  throw new ConfigurationError(
    `${owner} option ${name} must be a function, got ${describeValue(value)}`,
    { option: name },
  );
}
