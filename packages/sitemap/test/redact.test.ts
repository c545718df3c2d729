import { describe, expect, test } from 'vitest';

import { redact, sanitizedCause, secretsOf } from '../src/redact.js';

describe('redact', () => {
  test('masks the user info of every URL in a text', () => {
    const text =
      'connect via http://user:pa55word@proxy.example:8000 to https://a:b@site.example/x';

    expect(redact(text)).toBe(
      'connect via http://***@proxy.example:8000 to https://***@site.example/x',
    );
  });

  test('masks the proxy password and user name wherever they appear, raw or decoded', () => {
    const secrets = secretsOf('http://country-US:p%40ss-w0rd@proxy.example:8000');

    expect(redact('auth p@ss-w0rd and p%40ss-w0rd for country-US', secrets)).toBe(
      'auth *** and *** for ***',
    );
  });

  test('keeps a name, code and redacted stack, not the original object', () => {
    const original = Object.assign(new Error('failed http://u:hunter2@p.example'), {
      code: 'ECONNREFUSED',
      options: { proxyUrl: 'http://u:hunter2@p.example' },
    });

    const copy = sanitizedCause(original, ['hunter2']);

    expect(copy).toMatchObject({ message: 'failed http://***@p.example', code: 'ECONNREFUSED' });
    expect(copy.stack).not.toContain('hunter2');
    expect(copy).not.toHaveProperty('options');
  });
});
