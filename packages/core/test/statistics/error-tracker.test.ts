import { afterEach, describe, expect, test, vi } from 'vitest';

import { TrawlError } from '../../src/errors.js';
import {
  ErrorTracker,
  errorAnalysis,
  errorMessageFor,
  mergeMessages,
} from '../../src/statistics/error-tracker.js';

/** Errors made on one line share their stack location. */
function errorsFrom(messages: string[]): Error[] {
  return messages.map((message) => new Error(message));
}

function timeoutError(message: string): Error {
  const error = new Error(message);
  error.name = 'TimeoutError';
  return error;
}

describe('ErrorTracker grouping', () => {
  test('counts identical errors in one group', () => {
    const tracker = new ErrorTracker();

    for (const error of errorsFrom(['boom', 'boom', 'boom'])) {
      tracker.add(error);
    }

    expect(tracker.total).toBe(3);
    expect(tracker.getUniqueErrorCount()).toBe(1);
    const [[count, [location, code, name, message]]] = tracker.getMostPopularErrors(1);
    expect([count, code, name, message]).toEqual([3, undefined, 'Error', 'boom']);
    expect(location).toMatch(/error-tracker\.test\.ts:\d+:\d+/);
  });

  test('merges messages that differ in a few words into one group with placeholders', () => {
    const tracker = new ErrorTracker();
    const errors = errorsFrom([
      'Timeout after 100 ms for https://a/1',
      'Timeout after 100 ms for https://a/2',
      'Timeout after 100 ms for https://a/3',
    ]);

    errors.forEach((error) => tracker.add(error));

    expect(tracker.getUniqueErrorCount()).toBe(1);
    expect(tracker.getMostPopularErrors(1)[0][0]).toBe(3);
    expect(tracker.getMostPopularErrors(1)[0][1][3]).toBe('Timeout after 100 ms for _');
  });

  test('widens a merged group when a later message differs in another word', () => {
    const tracker = new ErrorTracker();
    const errors = errorsFrom([
      'Timeout after 100 ms for https://a/1',
      'Timeout after 100 ms for https://a/2',
      'Timeout after 250 ms for https://a/9',
    ]);

    errors.forEach((error) => tracker.add(error));

    expect(tracker.getMostPopularErrors(5)).toEqual([
      [3, [expect.any(String), undefined, 'Error', 'Timeout after _ ms for _']],
    ]);
  });

  test('keeps messages apart when their length differs or half their words differ', () => {
    expect(mergeMessages('Not found', 'Not allowed')).toBeUndefined();
    expect(mergeMessages('Request to /a failed', 'Request to /b failed')).toBe(
      'Request to _ failed',
    );
    expect(mergeMessages('a b c', 'a b c d')).toBeUndefined();
    expect(mergeMessages('Request failed: 404', 'Request failed: 500')).toBe('Request failed: _');
  });

  test('tells groups apart by code, name and location, unless told not to', () => {
    const coded = (code: string) => new TrawlError(code, 'Could not open the page');
    const fromHere = new Error('boom');
    const fromThere = new Error('boom');
    const tracker = new ErrorTracker();
    const blind = new ErrorTracker({ showStackTrace: false, showErrorCode: false });

    for (const error of [coded('A'), coded('B'), fromHere, fromThere]) {
      tracker.add(error);
      blind.add(error);
    }

    expect(tracker.getUniqueErrorCount()).toBe(4);
    expect(blind.getUniqueErrorCount()).toBe(2);
    expect(blind.getMostPopularErrors(1)[0][1]).toEqual([
      undefined,
      undefined,
      'TrawlError',
      'Could not open the page',
    ]);
  });

  test('groups by the first line of a message unless showFullMessage is on', () => {
    const errors = errorsFrom([
      'Navigation failed\nwaiting for the page to load',
      'Navigation failed\nbrowser closed',
    ]);
    const short = new ErrorTracker({ showStackTrace: false });
    const full = new ErrorTracker({ showStackTrace: false, showFullMessage: true });

    errors.forEach((error) => {
      short.add(error);
      full.add(error);
    });

    expect(short.getUniqueErrorCount()).toBe(1);
    expect(full.getUniqueErrorCount()).toBe(2);
  });

  test('groups a wrapped error by its cause, and a thrown string by its text', () => {
    const tracker = new ErrorTracker();

    tracker.add(new Error('Handler failed', { cause: new TypeError('x is not a function') }));
    tracker.add('a string was thrown');

    const keys = tracker.getMostPopularErrors(2).map(([, key]) => key);
    expect(keys[0]).toEqual([expect.any(String), undefined, 'TypeError', 'x is not a function']);
    expect(keys[1]).toEqual([undefined, undefined, 'Error', 'a string was thrown']);
  });

  test('lists the most popular errors largest first, up to the count asked', () => {
    const tracker = new ErrorTracker({ showStackTrace: false });
    const add = (message: string, times: number) => {
      for (let i = 0; i < times; i++) {
        tracker.add(new Error(message));
      }
    };

    add('rare', 1);
    add('common', 3);
    add('middling', 2);

    expect(tracker.getMostPopularErrors(2).map(([count, key]) => [count, key[3]])).toEqual([
      [3, 'common'],
      [2, 'middling'],
    ]);
    expect(tracker.getMostPopularErrors(10)).toHaveLength(3);
  });

  test('reset empties the groups in place; restore takes saved groups back', () => {
    const tracker = new ErrorTracker();
    const groups = tracker.result;
    errorsFrom(['boom', 'boom']).forEach((error) => tracker.add(error));
    const saved = JSON.parse(JSON.stringify(tracker.result)) as unknown;

    tracker.reset();
    expect(tracker.result).toBe(groups);
    expect(tracker.result).toEqual({});
    expect(tracker.total).toBe(0);

    tracker.restore(saved);
    expect(tracker.total).toBe(2);
    expect(tracker.getUniqueErrorCount()).toBe(1);
  });
});

describe('errorAnalysis', () => {
  test('formats the commonest groups as "<count>x: <message> (<location>)"', () => {
    const tracker = new ErrorTracker();
    for (const error of errorsFrom([
      'Timeout after 100 ms for /a',
      'Timeout after 100 ms for /b',
    ])) {
      tracker.add(error);
    }
    const hidden = new ErrorTracker({ showStackTrace: false });
    hidden.add(new Error('boom'));

    const analysis = errorAnalysis(tracker);

    expect(analysis.totalErrors).toBe(2);
    expect(analysis.uniqueErrors).toBe(1);
    expect(analysis.mostCommonErrors).toHaveLength(1);
    expect(analysis.mostCommonErrors[0]).toMatch(
      /^2x: Timeout after 100 ms for _ \(.*error-tracker\.test\.ts:\d+:\d+\)?\)$/,
    );
    expect(errorAnalysis(hidden).mostCommonErrors).toEqual(['1x: boom']);
  });
});

describe('errorMessageFor', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test('gives only the message of a timeout', () => {
    expect(errorMessageFor(timeoutError('Navigation took longer than 30 s'))).toBe(
      'Navigation took longer than 30 s',
    );
  });

  test('gives the full stack of a TypeError, SyntaxError or ReferenceError', () => {
    for (const error of [new TypeError('a'), new SyntaxError('b'), new ReferenceError('c')]) {
      expect(errorMessageFor(error)).toBe(error.stack);
    }
  });

  test('gives other errors with the first stack frame in the project', () => {
    const error = new Error('boom');

    expect(errorMessageFor(error)).toMatch(/^boom at .*error-tracker\.test\.ts:\d+:\d+\)?$/);
  });

  test('leaves out frames in node_modules and outside the working directory', () => {
    const error = new Error('boom');
    error.stack = [
      'Error: boom',
      `    at request (${process.cwd()}/node_modules/got/index.js:1:1)`,
      '    at process (node:internal/process/task_queues:95:5)',
    ].join('\n');

    expect(errorMessageFor(error)).toBe('boom');
  });

  test('gives full stacks with CRAWLEE_VERBOSE_LOG set', () => {
    vi.stubEnv('CRAWLEE_VERBOSE_LOG', '1');
    const error = timeoutError('slow');

    expect(errorMessageFor(error)).toBe(error.stack);
  });

  test('unwraps a cause, keeping the wrapper message in front', () => {
    const wrapped = new Error('Could not save the record', { cause: timeoutError('too slow') });
    const repeating = new Error('too slow', { cause: timeoutError('too slow') });

    expect(errorMessageFor(wrapped)).toBe('Could not save the record: too slow');
    expect(errorMessageFor(repeating)).toBe('too slow');
  });

  test('turns a thrown value that is not an error into text', () => {
    expect(errorMessageFor('plain string')).toBe('plain string');
    expect(errorMessageFor(404)).toBe('404');
  });
});
