import { describe, expect, test } from 'vitest';

import { InvalidPatternError } from '../../src/enqueue-links/errors.js';
import {
  constructExcludePatternObjects,
  constructGlobObjectsFromGlobs,
  constructRegExpObjectsFromPseudoUrls,
  constructRegExpObjectsFromRegExps,
  createPatternMatcher,
  purlToRegExp,
  validateGlobPattern,
} from '../../src/enqueue-links/patterns.js';
import { InputError, isTrawlError } from '../../src/errors.js';

describe('globs', () => {
  test('strings become glob objects and objects keep their request options', () => {
    const globs = constructGlobObjectsFromGlobs([
      '  https://shop.example/**  ',
      { glob: 'https://cdn.example/*.png', label: 'IMAGE', userData: { kind: 'png' } },
    ]);

    expect(globs).toEqual([
      { glob: 'https://shop.example/**' },
      { glob: 'https://cdn.example/*.png', label: 'IMAGE', userData: { kind: 'png' } },
    ]);
  });

  test('blank entries are skipped, as form inputs often hold them', () => {
    const globs = constructGlobObjectsFromGlobs(['', '   ', { glob: '' }, 'https://a.example/*']);
    expect(globs).toEqual([{ glob: 'https://a.example/*' }]);
  });

  test('validateGlobPattern trims and refuses a blank glob with a typed error', () => {
    expect(validateGlobPattern(' https://a.example/** ')).toBe('https://a.example/**');

    const error = catchError(() => validateGlobPattern(''));
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect(error).toBeInstanceOf(InputError);
    expect(isTrawlError(error, 'TRAWL_INVALID_PATTERN')).toBe(true);
    expect((error as Error).message).toMatch(/must be a non-empty string, got ""/);
  });

  test('an entry that is neither a string nor a glob object names its index', () => {
    const error = catchError(() =>
      constructGlobObjectsFromGlobs(['https://a.example/*', 42 as never]),
    ) as InvalidPatternError;
    expect(error).toBeInstanceOf(InvalidPatternError);
    expect(error.option).toBe('globs[1]');
    expect(error.pattern).toBe(42);
  });

  test('globs match the whole URL and ignore case', () => {
    const matches = createPatternMatcher({ glob: 'https://shop.example/item/*' });
    expect(matches('https://SHOP.example/ITEM/7')).toBe(true);
    expect(matches('https://shop.example/item/7/reviews')).toBe(false);
    expect(matches('https://shop.example/item')).toBe(false);
  });
});

describe('regexps', () => {
  test('RegExps and regexp objects are accepted with their request options', () => {
    const pattern = /^https:\/\/a\.example\//;
    const objects = constructRegExpObjectsFromRegExps([
      pattern,
      { regexp: /b\.example/, method: 'POST', headers: { 'x-test': '1' } },
    ]);

    expect(objects[0]).toEqual({ regexp: pattern });
    expect(objects[1]).toMatchObject({ method: 'POST', headers: { 'x-test': '1' } });
  });

  test('a string where a RegExp is expected is a typed error with a hint', () => {
    expect(() => constructRegExpObjectsFromRegExps(['^https://a' as never])).toThrow(
      /regexps\[0\] must be a RegExp .*got "\^https:\/\/a"; write a RegExp literal/,
    );
    expect(() => constructRegExpObjectsFromRegExps([{ regexp: 'x' } as never])).toThrow(
      InvalidPatternError,
    );
  });

  test('a /g regexp matches every URL, not every other one', () => {
    const matches = createPatternMatcher({ regexp: /example\.com\/item/g });
    const urls = ['https://example.com/item/1', 'https://example.com/item/2'];
    expect(urls.map(matches)).toEqual([true, true]);
    expect(urls.map(matches)).toEqual([true, true]);
  });
});

describe('pseudo-URLs', () => {
  test('text outside brackets is literal, text inside is a regular expression', () => {
    const regexp = purlToRegExp('http[s?]://example.com/[(\\w|-)+]');
    expect(regexp.test('https://example.com/some-page')).toBe(true);
    expect(regexp.test('http://EXAMPLE.com/some-page')).toBe(true);
    // The dot is literal outside brackets, and the whole URL must match.
    expect(regexp.test('https://exampleXcom/some-page')).toBe(false);
    expect(regexp.test('https://example.com/some-page?x=1')).toBe(false);
  });

  test('nested brackets stay inside the regular expression', () => {
    const regexp = purlToRegExp('https://example.com/[[a-c]+]');
    expect(regexp.test('https://example.com/abc')).toBe(true);
    expect(regexp.test('https://example.com/abd')).toBe(false);
  });

  test('string and object entries compile; objects keep their request options', () => {
    const objects = constructRegExpObjectsFromPseudoUrls([
      'http[s?]://example.com/',
      { purl: 'http[s?]://example.com/[.*]', userData: { depth: 1 }, label: 'ANY' },
    ]);
    expect(objects[0].regexp.test('https://example.com/')).toBe(true);
    expect(objects[0].regexp.test('https://example.com/a')).toBe(false);
    expect(objects[1].regexp.test('https://example.com/a')).toBe(true);
    expect(objects[1]).toMatchObject({ userData: { depth: 1 }, label: 'ANY' });
    expect(objects[1]).not.toHaveProperty('purl');
  });

  test.each([
    ['a RegExp', [/example/], /pseudoUrls\[0\] .*got a RegExp; RegExps belong in the regexps/],
    ['null in the list', ['https://a.example/', null], /pseudoUrls\[1\] must be a pseudo-URL/],
    ['a hole in a sparse list', sparseList(), /pseudoUrls\[0\] must be/],
    ['an empty string', [''], /Pseudo-URL in pseudoUrls\[0\] must be a non-empty string/],
    ['an unclosed bracket', ['https://a.example/[.*'], /has an unclosed "\["/],
    ['an invalid expression', ['https://a.example/[(]'], /holds an invalid regular expression/],
  ])('%s is refused with InvalidPatternError', (_name, list, message) => {
    const call = () => constructRegExpObjectsFromPseudoUrls(list as never);
    expect(call).toThrow(InvalidPatternError);
    expect(call).toThrow(message);
  });

  test('a list that is not an array is refused', () => {
    expect(() => constructRegExpObjectsFromPseudoUrls(null as never)).toThrow(
      /pseudoUrls must be an array of patterns, got null/,
    );
  });
});

describe('exclude and caching', () => {
  test('exclude accepts globs, RegExps and both object forms, skipping blank globs', () => {
    const objects = constructExcludePatternObjects([
      '**/logout',
      /\/cart/,
      { glob: '**/*.pdf' },
      { regexp: /\?sort=/ },
      '',
    ]);
    const matchers = objects.map(createPatternMatcher);
    const excluded = (url: string) => matchers.some((matches) => matches(url));

    expect(objects).toHaveLength(4);
    expect(excluded('https://a.example/account/logout')).toBe(true);
    expect(excluded('https://a.example/cart/1')).toBe(true);
    expect(excluded('https://a.example/docs/manual.PDF')).toBe(true);
    expect(excluded('https://a.example/list?sort=price')).toBe(true);
    expect(excluded('https://a.example/list')).toBe(false);
    expect(() => constructExcludePatternObjects([7 as never])).toThrow(/exclude\[0\] must be/);
  });

  test('the same input compiles once, with a separate cache per kind', () => {
    const text = 'https://example.com/[.*]';
    const first = constructRegExpObjectsFromPseudoUrls([text])[0];
    expect(constructRegExpObjectsFromPseudoUrls([text])[0]).toBe(first);

    // The same string as a glob is a glob, not the cached pseudo-URL.
    expect(constructGlobObjectsFromGlobs([text])[0]).toEqual({ glob: text });
  });
});

/** A list whose index 0 is a hole, as `[, 'x']` makes. */
function sparseList(): string[] {
  const list: string[] = [];
  list[1] = 'https://a.example/';
  return list;
}

function catchError(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to throw');
}
