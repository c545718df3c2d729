import { createHash } from 'node:crypto';

import { describe, expect, test } from 'vitest';

import { ConfigurationError, InputError, InvalidUrlError } from '../src/errors.js';
import { getRequestId, Request, RequestState, toRequest } from '../src/request.js';
import { normalizeUrl } from '../src/utils/url.js';

/** Base64 SHA-256 without `+`, `/` and `=`, cut to `length`: written here apart from the source. */
function expectedHash(data: string | Buffer, length: number): string {
  const base64 = createHash('sha256').update(data).digest('base64');
  return base64
    .split('')
    .filter((char) => !'+/='.includes(char))
    .join('')
    .slice(0, length);
}

function uniqueKeyOf(url: string, options: { keepUrlFragment?: boolean } = {}): string {
  return new Request({ url, ...options }).uniqueKey;
}

describe('Request unique key', () => {
  test('drops utm_ query parameters and keeps the others', () => {
    expect(uniqueKeyOf('https://example.com/a?utm_source=x&id=5&utm_medium=y')).toBe(
      'https://example.com/a?id=5',
    );
  });

  test('drops the root slash too, so a URL with only utm_ parameters becomes bare', () => {
    expect(uniqueKeyOf('http://example.com/?a=1&utm_source=x&b=2')).toBe(
      'http://example.com?a=1&b=2',
    );
    expect(uniqueKeyOf('https://example.com/?utm_campaign=spring')).toBe('https://example.com');
  });

  test('sorts query parameters by name', () => {
    expect(uniqueKeyOf('https://example.com/list?z=1&a=2&m=3')).toBe(
      'https://example.com/list?a=2&m=3&z=1',
    );
  });

  test('drops the fragment unless keepUrlFragment is set', () => {
    const url = 'https://example.com/docs#install';

    expect(uniqueKeyOf(url)).toBe('https://example.com/docs');
    expect(uniqueKeyOf(url, { keepUrlFragment: true })).toBe('https://example.com/docs#install');
  });

  test('removes one trailing slash, so two slashes keep one', () => {
    expect(uniqueKeyOf('https://example.com/shop/')).toBe('https://example.com/shop');
    expect(uniqueKeyOf('https://example.com/shop//')).toBe('https://example.com/shop/');
  });

  test('lower-cases scheme and host but keeps the case of the path', () => {
    expect(uniqueKeyOf('HTTP://www.EXAMPLE.com/something/')).toBe(
      'http://www.example.com/something',
    );
    expect(uniqueKeyOf('HTTPS://Example.COM/Some/Path')).toBe('https://example.com/Some/Path');
  });

  test('drops user name and password', () => {
    expect(uniqueKeyOf('https://user:secret@example.com/private')).toBe(
      'https://example.com/private',
    );
  });

  test('re-encodes the query as form data, so %20 becomes +', () => {
    expect(uniqueKeyOf('https://example.com/search?q=red%20shoes')).toBe(
      'https://example.com/search?q=red+shoes',
    );
  });

  test('trims surrounding whitespace from the url and the key', () => {
    const request = new Request({ url: '  https://example.com/page/ \n' });

    expect(request.url).toBe('https://example.com/page/');
    expect(request.uniqueKey).toBe('https://example.com/page');
  });

  test('prefixes method and payload hash with useExtendedUniqueKey', () => {
    const payload = '{"query":"shoes"}';
    const request = new Request({
      url: 'https://example.com/api/',
      method: 'post',
      payload,
      useExtendedUniqueKey: true,
    });

    expect(request.uniqueKey).toBe(`POST(${expectedHash(payload, 8)}):https://example.com/api`);
  });

  test('leaves the hash empty in an extended key for a request without payload', () => {
    const request = new Request({ url: 'https://example.com/', useExtendedUniqueKey: true });

    expect(request.uniqueKey).toBe('GET():https://example.com');
  });

  test('hashes a Buffer payload like the same bytes as a string', () => {
    const options = { url: 'https://example.com/', method: 'PUT' as const };
    const fromString = new Request({ ...options, payload: 'abc', useExtendedUniqueKey: true });
    const fromBuffer = new Request({
      ...options,
      payload: Buffer.from('abc'),
      useExtendedUniqueKey: true,
    });

    expect(fromBuffer.uniqueKey).toBe(fromString.uniqueKey);
  });

  test('keeps an explicit unique key exactly as given', () => {
    const request = new Request({ url: 'https://example.com/a/', uniqueKey: ' My Key/ ' });

    expect(request.uniqueKey).toBe(' My Key/ ');
  });

  test('computes the same key statically as the constructor does', () => {
    expect(Request.computeUniqueKey({ url: 'HTTPS://example.com/x/?b=1&a=2' })).toBe(
      'https://example.com/x?a=2&b=1',
    );
  });

  test('falls back to the raw url when normalizeUrl cannot parse it', () => {
    expect(normalizeUrl('not a url')).toBeNull();
    expect(Request.computeUniqueKey({ url: 'not a url' })).toBe('not a url');
  });
});

describe('getRequestId', () => {
  test('derives a 15-character id from the unique key, the same every time', () => {
    const uniqueKey = 'https://example.com/products?page=2';
    const id = getRequestId(uniqueKey);

    expect(id).toHaveLength(15);
    expect(id).toBe(expectedHash(uniqueKey, 15));
    expect(getRequestId(uniqueKey)).toBe(id);
    expect(getRequestId('https://example.com/other')).not.toBe(id);
  });

  test('is not applied by the constructor, which keeps only a given id', () => {
    expect(new Request({ url: 'https://example.com/' }).id).toBeUndefined();
    expect(new Request({ url: 'https://example.com/', id: 'abc' }).id).toBe('abc');
  });
});

describe('Request fields', () => {
  test('upper-cases the method and defaults it to GET', () => {
    expect(new Request({ url: 'https://example.com/' }).method).toBe('GET');
    expect(new Request({ url: 'https://example.com/', method: 'patch' }).method).toBe('PATCH');
  });

  test('sets the documented defaults', () => {
    const request = new Request({ url: 'https://example.com/' });

    expect(request.noRetry).toBe(false);
    expect(request.retryCount).toBe(0);
    expect(request.errorMessages).toEqual([]);
    expect(request.headers).toEqual({});
    expect(request.userData).toEqual({});
    expect(request.crawlDepth).toBe(0);
    expect(request.sessionRotationCount).toBe(0);
    expect(request.skipNavigation).toBe(false);
    expect(request.maxRetries).toBeUndefined();
    expect(request.state).toBe(RequestState.UNPROCESSED);
  });

  test('copies headers, so changing the source object later does not change the request', () => {
    const headers: Record<string, string> = { accept: 'text/html' };
    const request = new Request({ url: 'https://example.com/', headers });

    headers.accept = 'application/json';
    headers.cookie = 'a=1';

    expect(request.headers).toEqual({ accept: 'text/html' });
  });

  test('copies userData, so changing the source object later does not change the request', () => {
    const userData: Record<string, unknown> = { page: 1 };
    const request = new Request({ url: 'https://example.com/', userData });

    userData.page = 2;

    expect(request.userData).toEqual({ page: 1 });
  });

  test('turns a Date handledAt into an ISO string', () => {
    const handledAt = new Date('2024-05-01T10:00:00.000Z');
    const request = new Request({ url: 'https://example.com/', handledAt });

    expect(request.handledAt).toBe('2024-05-01T10:00:00.000Z');
  });
});

describe('Request label', () => {
  test('writes the label option into userData.label', () => {
    const request = new Request({ url: 'https://example.com/', label: 'DETAIL' });

    expect(request.label).toBe('DETAIL');
    expect(request.userData.label).toBe('DETAIL');
  });

  test('sees a label set through userData, and userData sees one set through label', () => {
    const request = new Request({ url: 'https://example.com/' });

    request.userData.label = 'LIST';
    expect(request.label).toBe('LIST');

    request.label = 'DETAIL';
    expect(request.userData.label).toBe('DETAIL');

    request.label = undefined;
    expect(Object.keys(request.userData)).toEqual([]);
  });
});

describe('Request internal fields', () => {
  test('keeps __crawlee out of Object.keys(userData)', () => {
    const request: Request = new Request({
      url: 'https://example.com/',
      userData: { a: 1 },
      crawlDepth: 2,
    });

    expect(Object.keys(request.userData)).toEqual(['a']);
    expect(request.userData.__crawlee).toEqual({ crawlDepth: 2 });
  });

  test('stores crawlDepth, maxRetries, state and skipNavigation in __crawlee', () => {
    const request = new Request({ url: 'https://example.com/', maxRetries: 5 });

    request.crawlDepth = 3;
    request.state = RequestState.REQUEST_HANDLER;
    request.skipNavigation = true;
    request.sessionRotationCount = 1;

    expect(request.userData.__crawlee).toEqual({
      maxRetries: 5,
      crawlDepth: 3,
      state: RequestState.REQUEST_HANDLER,
      skipNavigation: true,
      sessionRotationCount: 1,
    });
  });

  test('keeps the internal fields when userData is replaced', () => {
    const request = new Request({ url: 'https://example.com/', crawlDepth: 4 });

    request.userData = { fresh: true };

    expect(request.crawlDepth).toBe(4);
    expect(Object.keys(request.userData)).toEqual(['fresh']);
  });

  test('does not inherit the lifecycle of another live request through its userData', () => {
    const parent = new Request({ url: 'https://example.com/', crawlDepth: 2 });
    parent.state = RequestState.DONE;
    const child = new Request({ url: 'https://example.com/next', userData: parent.userData });

    expect(child.state).toBe(RequestState.UNPROCESSED);
    expect(child.crawlDepth).toBe(0);
    expect(parent.crawlDepth).toBe(2);
  });
});

describe('Request.toJSON and Request.fromJSON', () => {
  test('leave __crawlee out of the JSON while no internal field is set', () => {
    const json = new Request({ url: 'https://example.com/', userData: { a: 1 } }).toJSON();

    expect(json.userData).toEqual({ a: 1 });
    expect('__crawlee' in json.userData).toBe(false);
  });

  test('restore every field, internal ones included, through a JSON string', () => {
    const request = new Request({
      url: 'https://example.com/form',
      method: 'POST',
      payload: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      userData: { category: 'shoes' },
      label: 'FORM',
      noRetry: true,
      retryCount: 2,
      loadedUrl: 'https://example.com/form/done',
      id: 'abc123',
      crawlDepth: 3,
      maxRetries: 7,
      skipNavigation: true,
    });
    request.state = RequestState.ERROR;
    request.handledAt = '2024-05-01T10:00:00.000Z';
    request.pushErrorMessage('timed out');

    const json = JSON.parse(JSON.stringify(request));
    const restored = Request.fromJSON(json);

    expect(json.userData.__crawlee).toEqual({
      crawlDepth: 3,
      maxRetries: 7,
      skipNavigation: true,
      state: RequestState.ERROR,
    });
    expect(restored.toJSON()).toEqual(request.toJSON());
    expect(restored).toEqual(request);
    expect(Object.keys(restored.userData)).toEqual(['category', 'label']);
    expect(restored.crawlDepth).toBe(3);
    expect(restored.maxRetries).toBe(7);
    expect(restored.state).toBe(RequestState.ERROR);
    expect(restored.skipNavigation).toBe(true);
  });

  test('restore a Buffer payload as a Buffer', () => {
    const payload = Buffer.from([0, 1, 2, 255]);
    const request = new Request({ url: 'https://example.com/', method: 'PUT', payload });

    const json = JSON.parse(JSON.stringify(request));
    const restored = Request.fromJSON(json);

    expect(json.payload).toEqual({ type: 'Buffer', data: [0, 1, 2, 255] });
    expect(Buffer.isBuffer(restored.payload)).toBe(true);
    expect(restored.payload).toEqual(payload);
  });
});

describe('Request validation', () => {
  test('rejects a payload on GET and on HEAD', () => {
    expect(() => new Request({ url: 'https://example.com/', payload: 'x' })).toThrow(InputError);
    expect(
      () => new Request({ url: 'https://example.com/', method: 'HEAD', payload: 'x' }),
    ).toThrow(InputError);
  });

  test.each(['not a url', '', 'ftp://x', 'javascript:alert(1)', 'file:///etc/passwd'])(
    'rejects %j with an InvalidUrlError naming the url',
    (url) => {
      expect.assertions(3);
      try {
        new Request({ url });
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidUrlError);
        expect((error as InvalidUrlError).url).toBe(url);
        expect((error as Error).message).toContain(`"${url}"`);
      }
    },
  );

  test('says which schemes can be crawled', () => {
    expect(() => new Request({ url: 'ftp://x' })).toThrow(
      'only http and https URLs can be crawled, got "ftp:"',
    );
  });

  test('rejects an unknown option and suggests the closest known one', () => {
    const options = { url: 'https://example.com/', lable: 'LIST' };

    expect(() => new Request(options as never)).toThrow(ConfigurationError);
    expect(() => new Request(options as never)).toThrow(
      'Unknown option "lable" for Request; did you mean "label"?',
    );
  });

  test('lists the known options when no known one is close to an unknown one', () => {
    const options = { url: 'https://example.com/', zzzzzzzz: 1 };

    expect(() => new Request(options as never)).toThrow(/remove it or use one of: url, /);
  });

  test('rejects an option value of the wrong type, naming the option', () => {
    const options = { url: 'https://example.com/', retryCount: -1 };

    expect(() => new Request(options)).toThrow(
      'Request option "retryCount" must be a non-negative integer, got -1',
    );
    expect(() => new Request({ url: 'https://example.com/', method: 'FETCH' as never })).toThrow(
      ConfigurationError,
    );
  });
});

describe('Request.pushErrorMessage', () => {
  test('stores an error stack, or only its message with omitStack', () => {
    const request = new Request({ url: 'https://example.com/' });
    const error = new Error('Navigation timed out');

    request.pushErrorMessage(error);
    request.pushErrorMessage(error, { omitStack: true });

    expect(request.errorMessages).toEqual([error.stack, 'Navigation timed out']);
  });

  test('stores strings as given and other objects as JSON', () => {
    const request = new Request({ url: 'https://example.com/' });

    request.pushErrorMessage('blocked');
    request.pushErrorMessage({ status: 403 });

    expect(request.errorMessages).toEqual(['blocked', '{"status":403}']);
  });

  test('keeps only the last 10 messages, each cut to 2,000 characters', () => {
    const request = new Request({ url: 'https://example.com/' });

    for (let attempt = 1; attempt <= 12; attempt++) {
      request.pushErrorMessage(`attempt ${attempt}`);
    }
    request.pushErrorMessage('x'.repeat(5_000));

    expect(request.errorMessages).toHaveLength(10);
    expect(request.errorMessages[0]).toBe('attempt 4');
    expect(request.errorMessages[9]).toHaveLength(2_000);
  });
});

describe('toRequest', () => {
  test('returns a Request as it is and builds one from a string or options', () => {
    const request = new Request({ url: 'https://example.com/' });

    expect(toRequest(request)).toBe(request);
    expect(toRequest('https://example.com/a').url).toBe('https://example.com/a');
    expect(toRequest({ url: 'https://example.com/b', label: 'B' }).label).toBe('B');
  });
});
