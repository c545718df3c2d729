import { describe, expect, test } from 'vitest';

import { InvalidPatternError } from '../../src/enqueue-links/errors.js';
import {
  EnqueueStrategy,
  filterUrl,
  isEnqueueStrategy,
  matchesEnqueueStrategy,
  registrableDomain,
} from '../../src/enqueue-links/strategy.js';
import { ConfigurationError } from '../../src/errors.js';

type Row = [
  description: string,
  target: string,
  all: boolean,
  hostname: boolean,
  domain: boolean,
  origin: boolean,
];

const BASE = 'https://www.shop.test.co.uk/catalog/';

// Columns: all, same-hostname, same-domain, same-origin.
const NAMED_HOSTS: Row[] = [
  ['the same host', 'https://www.shop.test.co.uk/item/1', true, true, true, true],
  ['the same host in capitals', 'https://WWW.Shop.Test.co.uk/item/1', true, true, true, true],
  ['a subdomain', 'https://img.www.shop.test.co.uk/a.png', true, false, true, false],
  ['a sibling subdomain', 'https://blog.shop.test.co.uk/', true, false, true, false],
  ['the registrable domain itself', 'https://test.co.uk/', true, false, true, false],
  ['another domain under the same suffix', 'https://other.co.uk/', true, false, false, false],
  ['another domain', 'https://www.elsewhere.example/', true, false, false, false],
  ['another scheme', 'http://www.shop.test.co.uk/item/1', true, true, true, false],
  ['another port', 'https://www.shop.test.co.uk:8443/item/1', true, false, false, false],
  ['a trailing-dot host', 'https://www.shop.test.co.uk./item/1', true, true, true, true],
  ['an ftp URL', 'ftp://www.shop.test.co.uk/file.txt', false, false, false, false],
  ['a mailto URL', 'mailto:sales@shop.test.co.uk', false, false, false, false],
  ['an unparsable URL', 'http://', false, false, false, false],
];

const IP_HOSTS: Row[] = [
  ['the same IP and port', 'http://127.0.0.1:3000/a', true, true, true, true],
  ['another IP', 'http://127.0.0.2:3000/a', true, false, false, false],
  ['the same IP on another port', 'http://127.0.0.1:4000/a', true, false, false, false],
  ['the same IP over https', 'https://127.0.0.1:3000/a', true, true, true, false],
];

const COLUMNS = [
  EnqueueStrategy.All,
  EnqueueStrategy.SameHostname,
  EnqueueStrategy.SameDomain,
  EnqueueStrategy.SameOrigin,
] as const;

function expectRow(base: string, [, target, ...expected]: Row): void {
  const actual = COLUMNS.map((strategy) => matchesEnqueueStrategy(strategy, target, base));
  expect(Object.fromEntries(COLUMNS.map((strategy, i) => [strategy, actual[i]]))).toEqual(
    Object.fromEntries(COLUMNS.map((strategy, i) => [strategy, expected[i]])),
  );
}

describe('matchesEnqueueStrategy', () => {
  test.each(NAMED_HOSTS)('from a named host, %s', (...row) => {
    expectRow(BASE, row);
  });

  test.each(IP_HOSTS)('from an IP address, %s', (...row) => {
    expectRow('http://127.0.0.1:3000/start', row);
  });

  test('a trailing-dot base host matches the bare host', () => {
    for (const strategy of COLUMNS) {
      expect(
        matchesEnqueueStrategy(strategy, 'https://example.com/a', 'https://example.com./'),
      ).toBe(true);
    }
  });

  test('accepts URL objects and string strategy values', () => {
    const target = new URL('http://docs.example.com/');
    expect(matchesEnqueueStrategy('same-domain', target, new URL('https://example.com/'))).toBe(
      true,
    );
  });

  test('a host without a registrable domain is compared by hostname', () => {
    expect(matchesEnqueueStrategy('same-domain', 'http://localhost/a', 'http://localhost/')).toBe(
      true,
    );
    expect(matchesEnqueueStrategy('same-domain', 'http://intranet/a', 'http://localhost/')).toBe(
      false,
    );
  });

  test('an unknown strategy is a configuration error naming the choices', () => {
    const call = () =>
      matchesEnqueueStrategy('same-site' as never, 'https://a.com/', 'https://a.com/');
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(/Unknown enqueue strategy "same-site"; use one of all, same-hostname/);
    expect(call).not.toThrow(InvalidPatternError);
  });
});

describe('filterUrl', () => {
  test('refuses non-http schemes under every strategy, with a reason', () => {
    for (const strategy of COLUMNS) {
      expect(filterUrl('mailto:a@example.com', 'https://example.com/', strategy)).toEqual({
        allowed: false,
        reason: 'not an http or https URL',
      });
    }
  });

  test('refuses, without throwing, when the base URL does not parse', () => {
    expect(filterUrl('https://example.com/a', 'not a url', 'same-hostname')).toEqual({
      allowed: false,
      reason: 'the base URL does not parse',
    });
  });

  test('names the strategy a URL falls outside of', () => {
    expect(filterUrl('https://other.com/', 'https://example.com/', 'same-domain')).toEqual({
      allowed: false,
      reason: 'outside the same-domain strategy',
    });
    expect(filterUrl('https://example.com/a', 'https://example.com/', 'same-origin')).toEqual({
      allowed: true,
    });
  });
});

describe('strategy helpers', () => {
  test('registrableDomain uses the public suffix list and falls back to the hostname', () => {
    expect(registrableDomain('img.shop.test.co.uk')).toBe('test.co.uk');
    expect(registrableDomain('WWW.Example.COM.')).toBe('example.com');
    expect(registrableDomain('127.0.0.1')).toBe('127.0.0.1');
    expect(registrableDomain('localhost')).toBe('localhost');
  });

  test('isEnqueueStrategy accepts the four values only', () => {
    expect(Object.values(EnqueueStrategy).every(isEnqueueStrategy)).toBe(true);
    expect(isEnqueueStrategy('same-site')).toBe(false);
    expect(isEnqueueStrategy(undefined)).toBe(false);
  });
});
