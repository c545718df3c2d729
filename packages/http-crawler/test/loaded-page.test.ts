import { describe, expect, it } from 'vitest';

import { LoadedPage } from '../src/loaded-page.js';

const HTML = { type: 'text/html', encoding: 'utf-8' } as const;

function page(html: string, url = 'https://shop.example/dir/page.html'): LoadedPage {
  return new LoadedPage(url, Buffer.from(html), HTML);
}

describe('LoadedPage.links', () => {
  const markup = `<!doctype html><html><head><title>t</title></head><body>
    <A HREF="/upper">upper-case tag</A>
    <div><p><span><a href="deep/nested">nested</a></span></p></div>
    <a>no href</a><a href="">empty href</a><a href="  spaced  ">spaced</a>
    <template><a href="/in-template">template</a></template>
    <svg><a href="/in-svg">svg</a></svg>
    <a href="/upper">duplicate</a><a href="http://[bad">bad URL</a>
    <area href="/area"><link href="/style.css">
  </body></html>`;

  it('finds the same links with the default selector as the selector engine finds for "a"', () => {
    const expected = [
      'https://shop.example/upper',
      'https://shop.example/dir/deep/nested',
      'https://shop.example/dir/spaced',
      'https://shop.example/in-template',
      'https://shop.example/in-svg',
    ];
    expect(page(markup).links()).toEqual(expected);
    // "a, a" is answered by the CSS selector engine, not by the default selector's tree walk.
    expect(page(markup).links('a, a')).toEqual(expected);
  });

  it('resolves against <base href> and walks markup nested deeper than a call stack', () => {
    const depth = 20_000;
    const deep = `${'<div>'.repeat(depth)}<a href="x">x</a>${'</div>'.repeat(depth)}`;
    const html = `<html><head><base href="https://cdn.example/base/"></head><body>${deep}</body>`;
    expect(page(html).links()).toEqual(['https://cdn.example/base/x']);
  });

  it('takes the first <base> with an href, as browsers do, whichever selector is used', () => {
    const html = `<head><base target="_top"><base href=""><base href="/other/"></head>
      <body><a href="x">x</a></body>`;
    expect(page(html).links()).toEqual(['https://shop.example/dir/x']);
    expect(page(html).links('a, a')).toEqual(['https://shop.example/dir/x']);
  });
});

describe('LoadedPage.links resolution', () => {
  it('resolves every kind of href as new URL(href, base) does', () => {
    const hrefs = [
      '/plain/path-1_2.html',
      '/',
      '/a//b',
      '/with space',
      '/caf\u00e9',
      '/./dot',
      '/a/../up',
      '/a/.',
      '/q?x=1&y=2',
      '/f#frag',
      '/%7Euser',
      "/it's/(ok)/*;=,:@!$&+~",
      '//other.example/x',
      '/back\\slash',
      'relative/x',
      '?only=query',
      'https://Other.EXAMPLE/Up',
      '/"quoted"',
      '/<angle>',
      '/`tick`',
      '/{brace}',
    ];
    const bases = [
      'https://shop.example/dir/page.html',
      'http://127.0.0.1:8080/x/y',
      'https://shop.example:443/',
      'http://[::1]:3000/a',
    ];
    for (const base of bases) {
      const markup = hrefs.map((href) => `<a href='${href.replace(/'/g, '&#39;')}'>x</a>`).join('');
      const expected = [...new Set(hrefs.map((href) => new URL(href, base).href))];
      expect(page(markup, base).links(), base).toEqual(expected);
    }
  });
});
