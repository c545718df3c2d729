import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';

import { decodeBody, detectEncoding, normalizeEncoding } from '../src/decode.js';

const CZECH = 'Příliš žluťoučký kůň úpěl ďábelské ódy';
const JAPANESE = '日本語のページです';

const html = (text: string, head = '') => `<html><head>${head}</head><body>${text}</body></html>`;

describe('detectEncoding', () => {
  test('takes the charset of the Content-Type header', () => {
    const body = iconv.encode(html(CZECH), 'windows-1250');

    const encoding = detectEncoding(body, { type: 'text/html', charset: 'windows-1250' });

    expect(encoding).toBe('windows-1250');
    expect(decodeBody(body, encoding)).toContain(CZECH);
  });

  test('reads <meta charset> when the header has no charset', () => {
    const body = iconv.encode(html(JAPANESE, '<meta charset="Shift_JIS">'), 'shift_jis');

    const encoding = detectEncoding(body, { type: 'text/html' });

    expect(encoding).toBe('shift_jis');
    expect(decodeBody(body, encoding)).toContain(JAPANESE);
  });

  test('reads the http-equiv form of the meta declaration', () => {
    const meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">';
    const body = iconv.encode(html(CZECH, meta), 'windows-1250');

    expect(detectEncoding(body, { type: 'text/html' })).toBe('windows-1250');
  });

  test('prefers the header over the page declaration', () => {
    const body = iconv.encode(html(CZECH, '<meta charset="utf-8">'), 'windows-1250');

    expect(detectEncoding(body, { type: 'text/html', charset: 'windows-1250' })).toBe(
      'windows-1250',
    );
  });

  test('reads the XML declaration of XML types', () => {
    const body = iconv.encode(
      `<?xml version="1.0" encoding="windows-1250"?><a>${CZECH}</a>`,
      'windows-1250',
    );

    expect(detectEncoding(body, { type: 'application/xml' })).toBe('windows-1250');
  });

  test('forced encoding wins; suggested one only fills a gap', () => {
    const body = Buffer.from(html('x', '<meta charset="utf-8">'));
    const type = { type: 'text/html', charset: 'utf-8' };

    expect(detectEncoding(body, type, { forceEncoding: 'windows-1250' })).toBe('windows-1250');
    expect(detectEncoding(body, type, { suggestEncoding: 'windows-1250' })).toBe('utf-8');
    expect(
      detectEncoding(Buffer.from('x'), { type: 'text/html' }, { suggestEncoding: 'shift_jis' }),
    ).toBe('shift_jis');
  });

  test('a byte-order mark beats the header, and UTF-8 is the last resort', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ä')]);

    expect(detectEncoding(withBom, { type: 'text/html', charset: 'windows-1250' })).toBe('utf-8');
    expect(decodeBody(withBom, 'utf-8')).toBe('ä');
    expect(detectEncoding(Buffer.from('plain'), { type: 'text/html' })).toBe('utf-8');
  });

  test('passes over labels it cannot decode', () => {
    expect(detectEncoding(Buffer.from('x'), { type: 'text/html', charset: 'x-klingon' })).toBe(
      'utf-8',
    );
  });

  test('ignores meta declarations in JSON bodies', () => {
    const body = Buffer.from('{"html":"<meta charset=\\"shift_jis\\">"}');

    expect(detectEncoding(body, { type: 'application/json' })).toBe('utf-8');
  });
});

describe('normalizeEncoding', () => {
  test('maps aliases to one name and latin1 to windows-1252 as browsers do', () => {
    expect(normalizeEncoding('UTF8')).toBe('utf-8');
    expect(normalizeEncoding('ISO-8859-1')).toBe('windows-1252');
    expect(normalizeEncoding('Shift_JIS')).toBe('shift_jis');
    expect(normalizeEncoding('no-such-charset')).toBeUndefined();
  });
});
