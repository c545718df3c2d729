import { describe, expect, test } from 'vitest';

import { KnownRequests } from '../../src/storages/known-requests.js';

describe('KnownRequests', () => {
  test('keeps the newest entries up to its capacity and never unmarks a handled one', () => {
    const known = new KnownRequests(2);
    known.remember('a', 'id-a', false);
    known.remember('b', 'id-b', true);
    known.remember('b', 'id-b', false);
    known.remember('c', 'id-c', false);

    expect(known.get('a')).toBeUndefined();
    expect(known.get('b')).toEqual({ id: 'id-b', isHandled: true });
    expect(known.get('c')).toEqual({ id: 'id-c', isHandled: false });

    known.remember('c', 'id-c', true);
    expect(known.get('c')?.isHandled).toBe(true);
  });
});
