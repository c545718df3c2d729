import { describe, expect, test } from 'vitest';

import { isAcceptedType, parseContentType } from '../src/content-type.js';

describe('parseContentType', () => {
  test('reads the type and charset, in lower case, quotes removed', () => {
    expect(
      parseContentType({ 'content-type': 'Text/HTML; Charset="Windows-1250"' }, 'http://a/'),
    ).toEqual({
      type: 'text/html',
      charset: 'windows-1250',
    });
  });

  test('falls back to the extension, then to octet-stream', () => {
    expect(parseContentType({}, 'http://a/doc.pdf').type).toBe('application/pdf');
    expect(parseContentType({}, 'http://a/page.html').type).toBe('text/html');
    expect(parseContentType({ 'content-type': 'nonsense' }, 'http://a/x').type).toBe(
      'application/octet-stream',
    );
  });
});

describe('isAcceptedType', () => {
  test('accepts listed types and everything under the wildcard', () => {
    expect(isAcceptedType('text/html', new Set(['text/html']))).toBe(true);
    expect(isAcceptedType('application/pdf', new Set(['text/html']))).toBe(false);
    expect(isAcceptedType('application/pdf', new Set(['*/*']))).toBe(true);
  });
});
