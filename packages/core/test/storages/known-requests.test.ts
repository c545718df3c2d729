import { expect, test } from 'vitest';

import { KnownRequests } from '../../src/storages/known-requests.js';

test('keeps two generations of requests and forgets the older one whole', () => {
  const known = new KnownRequests(2);
  known.remember('a', 'id-a', false);
  known.remember('b', 'id-b', false);
  known.remember('c', 'id-c', false);
  expect(['a', 'b', 'c'].map((key) => known.get(key)?.id)).toEqual(['id-a', 'id-b', 'id-c']);

  known.remember('d', 'id-d', false);
  known.remember('e', 'id-e', false);
  expect(['a', 'b', 'c', 'd', 'e'].map((key) => known.get(key)?.id)).toEqual([
    undefined,
    undefined,
    'id-c',
    'id-d',
    'id-e',
  ]);
});

test('the newest word on a request wins: one marked handled reads as handled', () => {
  const known = new KnownRequests(2);
  known.remember('a', 'id-a', false);
  known.remember('b', 'id-b', false);
  known.remember('a', 'id-a', true);

  expect(known.get('a')).toEqual({ id: 'id-a', handled: true });
  known.clear();
  expect(known.get('a')).toBeUndefined();
});
