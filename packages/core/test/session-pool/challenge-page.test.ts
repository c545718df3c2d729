import { describe, expect, test } from 'vitest';

import { detectChallengePage } from '../../src/session-pool/challenge-page.js';

describe('detectChallengePage', () => {
  test('recognises a Cloudflare challenge by its header or its script path', () => {
    const url = 'https://shop.example/';
    expect(
      detectChallengePage({ url, statusCode: 403, headers: { 'cf-mitigated': 'challenge' } }),
    ).toBe('Cloudflare');
    const body = '<html><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/x"></script>';
    expect(detectChallengePage({ url, statusCode: 403, body })).toBe('Cloudflare');
    expect(
      detectChallengePage({
        url,
        statusCode: 503,
        headers: { server: 'cloudflare' },
        body: '<title>Just a moment...</title>',
      }),
    ).toBe('Cloudflare');
  });

  test('recognises an Incapsula incident page even with status 200', () => {
    const body = '<iframe src="/_Incapsula_Resource?SWUDNSAI=31"></iframe>';
    expect(detectChallengePage({ url: 'https://a.example/', statusCode: 200, body })).toBe(
      'Incapsula',
    );
  });

  test("recognises Google's unusual traffic page by its path or its text", () => {
    expect(detectChallengePage({ url: 'https://www.google.com/sorry/index?continue=x' })).toBe(
      'Google unusual traffic',
    );
    const body = 'Our systems have detected unusual traffic from your computer network.';
    expect(detectChallengePage({ url: 'https://g.example/search', statusCode: 429, body })).toBe(
      'Google unusual traffic',
    );
  });

  test('leaves ordinary pages alone, including ones that mention the services', () => {
    const body =
      '<title>Just a moment of your time</title><p>We moved from Incapsula to Cloudflare.</p>';
    expect(detectChallengePage({ url: 'https://blog.example/', statusCode: 200, body })).toBe(
      undefined,
    );
    expect(detectChallengePage({ url: 'https://blog.example/sorry', statusCode: 404 })).toBe(
      undefined,
    );
  });
});
